#!/usr/bin/env python3
"""Generate Examples/households.csv: 5,000 synthetic NHI certificate households.

Every name and address is invented. Deterministic (fixed seed); town names come
from Workflows/towns.yaml.  Run from anywhere:  python3 Scripts/generate-households.py
"""
import csv
import random
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COUNT, SEED = 5000, 20090511  # the seed is the date of the council meeting

# town: (rough population in thousands, number of 丁目; 0 = the town has none)
TOWNS = {
    "豊玉上": (4, 2), "豊玉中": (10, 4), "豊玉南": (8, 3), "豊玉北": (17, 6),
    "中村": (9, 3), "中村南": (9, 3), "中村北": (11, 4), "練馬": (14, 4),
    "向山": (11, 4), "貫井": (20, 5), "桜台": (25, 6), "栄町": (4, 0), "羽沢": (6, 3),
    "小竹町": (7, 2), "旭丘": (7, 2), "早宮": (19, 4), "氷川台": (15, 4),
    "平和台": (14, 4), "錦": (5, 2), "北町": (26, 8), "田柄": (29, 5), "春日町": (26, 6),
    "高松": (18, 6), "光が丘": (28, 7), "旭町": (13, 3), "土支田": (14, 4),
    "谷原": (17, 6), "高野台": (15, 5), "富士見台": (15, 4), "南田中": (13, 5),
    "三原台": (9, 3), "石神井町": (28, 8), "石神井台": (31, 8), "下石神井": (18, 6),
    "上石神井": (18, 4), "上石神井南町": (4, 0), "関町北": (22, 5), "関町南": (17, 4),
    "関町東": (5, 2), "立野町": (5, 0), "大泉町": (22, 6), "大泉学園町": (35, 9),
    "東大泉": (35, 7), "西大泉": (22, 6), "西大泉町": (0.03, 0), "南大泉": (27, 6),
}

FAMILY = dict(w.split(":") for w in """佐藤:サトウ 鈴木:スズキ 高橋:タカハシ 田中:タナカ 伊藤:イトウ
渡辺:ワタナベ 山本:ヤマモト 中村:ナカムラ 小林:コバヤシ 加藤:カトウ 吉田:ヨシダ 山田:ヤマダ
佐々木:ササキ 山口:ヤマグチ 松本:マツモト 井上:イノウエ 木村:キムラ 林:ハヤシ 斎藤:サイトウ
清水:シミズ 山崎:ヤマザキ 森:モリ 池田:イケダ 橋本:ハシモト 阿部:アベ 石川:イシカワ
山下:ヤマシタ 中島:ナカジマ 石井:イシイ 小川:オガワ 前田:マエダ 岡田:オカダ 長谷川:ハセガワ
藤田:フジタ 後藤:ゴトウ 近藤:コンドウ 村上:ムラカミ 遠藤:エンドウ 青木:アオキ 坂本:サカモト
福田:フクダ 太田:オオタ 西村:ニシムラ 藤井:フジイ 金子:カネコ 岡本:オカモト 藤原:フジワラ
中野:ナカノ 三浦:ミウラ 原田:ハラダ 中川:ナカガワ 松田:マツダ 竹内:タケウチ 小野:オノ
田村:タムラ 中山:ナカヤマ 和田:ワダ 石田:イシダ 森田:モリタ 上田:ウエダ 原:ハラ 内田:ウチダ
柴田:シバタ 酒井:サカイ 宮崎:ミヤザキ 横山:ヨコヤマ 高木:タカギ 安藤:アンドウ 宮本:ミヤモト
大野:オオノ 小島:コジマ 谷口:タニグチ 今井:イマイ 工藤:クドウ 高田:タカダ 増田:マスダ
丸山:マルヤマ 杉山:スギヤマ 村田:ムラタ 大塚:オオツカ 新井:アライ 小山:コヤマ 平野:ヒラノ
野口:ノグチ 武田:タケダ 松井:マツイ 千葉:チバ 岩崎:イワサキ 菅原:スガワラ 木下:キノシタ
久保:クボ 佐野:サノ 野村:ノムラ 市川:イチカワ 菊地:キクチ 杉本:スギモト 古川:フルカワ
島田:シマダ 水野:ミズノ 桜井:サクライ 高野:タカノ 飯田:イイダ 五十嵐:イガラシ 関:セキ
服部:ハットリ 土屋:ツチヤ 星野:ホシノ 小池:コイケ 内藤:ナイトウ 望月:モチヅキ 荒木:アラキ""".split())

# Given names by the era they were common in: born before ~1960, ~1955-1985, after ~1980.
GIVEN = {
    ("男", "old"): """浩:ヒロシ 隆:タカシ 修:オサム 茂:シゲル 博:ヒロシ 清:キヨシ 実:ミノル 勇:イサム
        進:ススム 明:アキラ 豊:ユタカ 正男:マサオ 和夫:カズオ 勝:マサル 武:タケシ 昭:アキラ
        正:タダシ 功:イサオ 稔:ミノル 弘:ヒロシ 悟:サトル 孝:タカシ 信行:ノブユキ 義男:ヨシオ
        太郎:タロウ 一郎:イチロウ 次郎:ジロウ 三郎:サブロウ 賢治:ケンジ 光男:ミツオ 秀雄:ヒデオ
        敏夫:トシオ 健二:ケンジ 誠:マコト 幸雄:ユキオ 邦夫:クニオ""",
    ("男", "mid"): """健一:ケンイチ 大輔:ダイスケ 健太:ケンタ 翔太:ショウタ 拓也:タクヤ 和也:カズヤ
        達也:タツヤ 哲也:テツヤ 直樹:ナオキ 亮:リョウ 雄一:ユウイチ 裕之:ヒロユキ 智之:トモユキ
        伸也:シンヤ 真一:シンイチ 俊介:シュンスケ 陽介:ヨウスケ 洋平:ヨウヘイ 雅人:マサト
        健太郎:ケンタロウ 慎也:シンヤ 一樹:カズキ 淳:ジュン 純一:ジュンイチ 聡:サトシ 剛:ツヨシ
        学:マナブ 徹:トオル 圭:ケイ 航:ワタル 雅之:マサユキ 昌弘:マサヒロ 康弘:ヤスヒロ
        克也:カツヤ 正樹:マサキ 英樹:ヒデキ 秀樹:ヒデキ 浩二:コウジ 幸一:コウイチ 隆之:タカユキ""",
    ("男", "new"): """翔:ショウ 大樹:ダイキ 颯太:ソウタ 蓮:レン 悠斗:ユウト 陸:リク 大翔:ヒロト 湊:ミナト
        悠真:ユウマ 陽太:ヨウタ 海斗:カイト 優太:ユウタ 拓海:タクミ 樹:イツキ 健斗:ケント 翼:ツバサ
        駿:シュン 涼:リョウ 陽翔:ハルト 朝陽:アサヒ 律:リツ 和真:カズマ 隼人:ハヤト 直人:ナオト
        蒼空:ソラ 悠希:ユウキ 晴人:ハルト 結翔:ユイト""",
    ("女", "old"): """幸子:サチコ 和子:カズコ 洋子:ヨウコ 節子:セツコ 京子:キョウコ 恵子:ケイコ
        美智子:ミチコ 久美子:クミコ 弘子:ヒロコ 悦子:エツコ 順子:ジュンコ 典子:ノリコ 明美:アケミ
        由美子:ユミコ 真理子:マリコ 直子:ナオコ 智子:トモコ 陽子:ヨウコ 純子:ジュンコ 美代子:ミヨコ
        静子:シズコ 文子:フミコ 孝子:タカコ 信子:ノブコ 春美:ハルミ 和美:カズミ 千代子:チヨコ
        君子:キミコ 光子:ミツコ 久子:ヒサコ 芳子:ヨシコ 清美:キヨミ 裕子:ユウコ""",
    ("女", "mid"): """由美:ユミ 真由美:マユミ 恵:メグミ 美香:ミカ 香織:カオリ 麻衣:マイ 友美:トモミ
        直美:ナオミ 理恵:リエ 亜希子:アキコ 美穂:ミホ 綾:アヤ 愛:アイ 舞:マイ 彩:アヤ 沙織:サオリ
        絵美:エミ 智美:トモミ 奈々:ナナ 千尋:チヒロ 麻美:アサミ 裕美:ヒロミ 由香:ユカ 恵美:エミ
        真紀:マキ 美紀:ミキ 幸恵:ユキエ 優子:ユウコ 明日香:アスカ 加奈子:カナコ 里美:サトミ
        紀子:ノリコ 瞳:ヒトミ 薫:カオル""",
    ("女", "new"): """陽菜:ヒナ 結衣:ユイ 葵:アオイ 美咲:ミサキ 凛:リン 結菜:ユイナ 芽依:メイ 莉子:リコ
        紬:ツムギ 咲良:サクラ 花:ハナ 心春:コハル 美羽:ミウ 杏:アン 彩花:アヤカ 七海:ナナミ
        遥:ハルカ 優奈:ユウナ 愛子:アイコ 沙也加:サヤカ 萌:モエ 琴音:コトネ 真央:マオ 楓:カエデ
        詩織:シオリ 茜:アカネ 澪:ミオ""",
}
GIVEN = {k: dict(w.split(":") for w in v.split()) for k, v in GIVEN.items()}

BUILDING = "コーポ ハイツ メゾン レジデンス パレス サンハイツ グリーンハイツ ヴィラ".split()
BUILDING_NAME = "桜 欅 若葉 武蔵野 富士見 ひまわり 白樺 緑風 青葉 けやき 第一 第二 石神井 大泉 練馬".split()


def pick(rng, mapping):
    key = rng.choice(sorted(mapping))
    return key, mapping[key]


def given(rng, sex, year):
    era = "old" if year < 1958 else "mid" if year < 1983 else "new"
    if 1953 <= year < 1963 or 1978 <= year < 1988:  # overlap at the era edges
        era = rng.choice(["old", "mid"] if year < 1970 else ["mid", "new"])
    return pick(rng, GIVEN[(sex, era)])


def household(rng, no, towns, weights):
    preschool = rng.random() < 0.07
    nominal = rng.random() < 0.04
    if preschool:
        year = rng.randint(1978, 2000)
    else:
        year = min(2003, max(1935, int(rng.gauss(1970, 14))))
    sex = "男" if rng.random() < 0.65 else "女"
    fam, fam_kana = pick(rng, FAMILY)
    giv, giv_kana = given(rng, sex, year)
    head = f"{fam}\u3000{giv}"

    others = []  # other insured members, all names distinct from each other and the householder

    def add(sx, born, other_family=False):
        while True:
            name = f"{pick(rng, FAMILY)[0] if other_family else fam}\u3000{given(rng, sx, born)[0]}"
            if name != head and name not in others:
                return others.append(name)

    size = rng.choices([1, 2, 3, 4, 5], [45, 25, 15, 10, 5])[0] - 1
    if preschool:
        size = max(size, 1)
    if nominal:
        size = max(size, 1)
    if size and year > 1945 and rng.random() < 0.6:  # spouse, now and then with another family name
        add("女" if sex == "男" else "男", year + rng.randint(-5, 5), rng.random() < 0.08)
    if preschool:
        add(rng.choice("男女"), rng.randint(2019, 2024))
    while len(others) < size:
        child_year = min(2024, year + rng.randint(24, 40))
        if year > 1975 and rng.random() < 0.3 and child_year > 2018:
            child_year = rng.randint(2012, 2018)  # school-age children, not pre-school
        if year > 1960 and rng.random() < 0.15:  # an elderly parent
            add(rng.choice("男女"), year - rng.randint(22, 35))
        else:
            add(rng.choice("男女"), child_year if preschool else min(child_year, 2018))
    members = others if nominal else [head] + others

    town = rng.choices(towns, weights)[0]
    chome = TOWNS[town][1]
    address = f"練馬区{town}{rng.randint(1, max(chome, 1))}丁目{rng.randint(1, 40)}番{rng.randint(1, 30)}号"
    if rng.random() < 0.25:
        address += f" {rng.choice(BUILDING)}{rng.choice(BUILDING_NAME)} {rng.randint(1, 4)}0{rng.randint(1, 8)}号"
    return [f"H{no:06d}", head, f"{fam_kana}\u3000{giv_kana}", address, town, year, sex,
            ";".join(members), str(nominal).lower(), str(preschool).lower()]


def main():
    rows = yaml.safe_load((ROOT / "Workflows/towns.yaml").read_text(encoding="utf-8"))["tables"]["towns"]["rows"]
    towns = list(rows)
    assert set(towns) == set(TOWNS), set(towns) ^ set(TOWNS)
    assert len(FAMILY) >= 60 and all(len({n for (sx, _), g in GIVEN.items() if sx == s for n in g}) >= 80
                                     for s in "男女")
    rng = random.Random(SEED)
    weights = [TOWNS[t][0] for t in towns]
    out = ROOT / "Examples/households.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow("household_no,name,kana,address,town,birth_year,sex,members,"
                   "nominal_householder,preschool_children".split(","))
        for no in range(1, COUNT + 1):
            w.writerow(household(rng, no, towns, weights))
    print(f"wrote {COUNT} households to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
