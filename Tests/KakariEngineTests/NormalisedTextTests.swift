import Foundation
@testable import KakariEngine
import Testing

/// The normal form behind the blind index and `cases find`: the short way taken for kanji,
/// kana and ASCII must give exactly what Foundation's compatibility mapping gives, or tokens
/// stored before would stop matching.
@Suite("Normalised names and addresses")
struct NormalisedTextTests {
    static let texts = [
        "封緘　一郎", "封緘 一郎", "フウカン　イチロウ", "練馬区封緘町1丁目1番1号", "ひらがな ゔ ゕ", "ヴァイオリン ー",
        // Each of these takes Foundation's way: width, composition and compatibility forms.
        "練馬区中村１丁目", "ﾌｳｶﾝ ｲﾁﾛｳ", "か\u{3099}", "神\u{FA19}", "Ｎｅｒｉｍａ", "①丁目", "tab\there", "ｱﾞ", "㍻", "",
    ]

    @Test("the short way and Foundation's compatibility mapping agree on every text")
    func agreesWithFoundation() {
        for text in Self.texts {
            #expect(Engine.normalised(text) == text.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace }, "\(text)")
        }
    }

    @Test("spaces of either width are dropped and full-width digits become half-width")
    func examples() {
        #expect(Engine.normalised("封緘　一郎") == "封緘一郎" && Engine.normalised("封緘 一郎") == "封緘一郎")
        #expect(Engine.normalised("中村１丁目") == "中村1丁目")
        #expect(Engine.normalised("ﾌｳｶﾝ") == "フウカン")
    }
}
