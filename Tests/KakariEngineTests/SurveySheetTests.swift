import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// The pseudonymous survey sheet (DOMAIN.md §1): the ledger (who, where) and the sheets (what
/// was seen) are joined by a sheet number only, and a sheet tells nothing of the household or
/// of the survey's subject.
@Suite("Survey sheets and the ledger")
struct SurveySheetTests {
    static let rows = [("V1", "札番　一郎", "練馬区札番町1丁目1番1号", "練馬"), ("V2", "札番　次郎", "練馬区札番町2丁目2番2号", "中村"),
                       ("V3", "札番　三郎", "練馬区札番町3丁目3番3号", "豊玉上")]
    /// What no sheet may show: names, addresses, case ids, and words that tell the survey's subject.
    static let forbidden = ["札番", "練馬区", "V1", "V2", "V3", "資格", "国保", "保険", "納付", "滞納", "証明書"]

    func importAndAssign(_ s: TemporaryStore, dataset: String = "sheets") async throws {
        let lines = Self.rows.map { "\($0.0),\($0.1),サツバン,\($0.2),\($0.3),1970,男,\($0.1),false,false" }
        let file = s.folder + "/sheets-\(UUID().uuidString).csv"
        try ([TemporaryStore.header] + lines).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        _ = try await s.engine.importCases(workflow: "household-visit", file: file, dataset: dataset, purpose: "訪問", until: Day(year: 2026, month: 3, day: 31), by: "yamada")
        for r in Self.rows { _ = try await s.engine.send(caseID: r.0, event: "assign", fields: [:], key: nil, by: "yamada") }
    }

    /// Every text a sheet puts on paper besides its number (random letters and digits, which
    /// may spell "V1" by chance; the number is checked on its own).
    static func printed(_ sheet: SurveySheet) -> String {
        ([sheet.title] + sheet.fields.flatMap { f -> [String] in
            var words = [f.label, f.name]
            if case .enumeration(let values) = f.type { words += values }
            return words
        } + sheet.earlier.flatMap { $0.values.values.map(\.description) }).joined(separator: " ")
    }

    @Test("the ledger joins sheet numbers to names and addresses; the sheets carry neither, nor the survey's subject")
    func ledgerAndSheets() async throws {
        try await withStore { s in
            try await importAndAssign(s)
            let documents = try await s.engine.surveyDocuments(section: "survey_contractor", by: "yamada")
            #expect(documents.ledger.count == 3 && documents.sheets.count == 3)
            let names = documents.ledger.map { line in line.fields.first { $0.field.name == "name" }?.value }
            #expect(Set(names) == Set(Self.rows.map { Value.string($0.1) }))
            #expect(Set(documents.ledger.map(\.number)) == Set(documents.sheets.map(\.number)))
            #expect(Set(documents.sheets.map(\.number)).count == 3)
            #expect(documents.sheets.map(\.number) == documents.sheets.map(\.number).sorted())
            for sheet in documents.sheets {
                #expect(sheet.number.wholeMatch(of: /[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}/) != nil, "\(sheet.number)")
                #expect(sheet.title == "訪問記録票" && sheet.visit == 1 && sheet.earlier.isEmpty)
                #expect(sheet.fields.map(\.name) == ["slot", "result", "dwelling", "signs_of_life", "neighbour_note"])
                let text = Self.printed(sheet)
                #expect(Self.forbidden.allSatisfy { !text.contains($0) }, "the sheet shows: \(text)")
            }
            // The same household keeps its number from one export to the next.
            let again = try await s.engine.surveyDocuments(by: "yamada")
            #expect(again.ledger.map(\.number).sorted() == documents.ledger.map(\.number).sorted())
        }
    }

    @Test("a second visit's sheet lists what the first recorded, under the same number")
    func secondVisit() async throws {
        try await withStore { s in
            try await importAndAssign(s)
            let first = try await s.engine.surveyDocuments(by: "yamada")
            let number = try #require(first.ledger.first { $0.task.caseID == "V1" }?.number)
            try await s.complete("V1", "visit", ["slot": "平日夜間", "result": "不在", "dwelling": "集合住宅", "signs_of_life": "true"], by: "inoue")
            let second = try await s.engine.surveyDocuments(by: "yamada")
            let sheet = try #require(second.sheets.first { $0.number == number })
            #expect(sheet.visit == 2)
            #expect(sheet.earlier.count == 1)
            #expect(sheet.earlier.first?.values == ["slot": .string("平日夜間"), "result": .string("不在"), "dwelling": .string("集合住宅"), "signs_of_life": .bool(true)])
        }
    }

    @Test("contractors export their own assignments only; the ledger is audited per case as a reading of its personal fields")
    func contractorsAndAudit() async throws {
        try await withStore { s in
            try await importAndAssign(s)
            let report = try await s.engine.autoAssign(section: "survey_contractor", by: "yamada")
            let inoue = Set(report.assigned.filter { $0.assignee == "inoue" }.map(\.caseID))
            let mine = try await s.engine.surveyDocuments(by: "inoue")
            #expect(Set(mine.ledger.map(\.task.caseID)) == inoue)
            #expect(mine.sheets.count == inoue.count)
            let audit = try await s.engine.store.audit(AuditFilter(user: "inoue"))
            for id in inoue {
                #expect(audit.contains { $0.caseID == id && $0.action == .read && $0.fields.contains("name") && $0.detail.hasPrefix("ledger") })
            }
            await #expect(throws: EngineError.self) { try await s.engine.surveyDocuments(by: "mori") }
        }
    }

    @Test("sheet numbers come from a key: another store numbers the same household differently, and a purge unlinks them")
    func keyedNumbers() async throws {
        try await withStore { a in
            try await withStore { b in
                try await importAndAssign(a)
                try await importAndAssign(b)
                let na = try await a.engine.surveyDocuments(by: "yamada").ledger.map(\.number).sorted()
                let nb = try await b.engine.surveyDocuments(by: "yamada").ledger.map(\.number).sorted()
                #expect(Set(na).isDisjoint(with: nb))
                _ = try await a.engine.purge(dataset: "sheets", by: "yamada")
                let after = try await a.engine.surveyDocuments(by: "yamada")
                #expect(Set(after.ledger.map(\.number)).isDisjoint(with: na))
                #expect(after.ledger.allSatisfy { $0.fields.first { $0.field.name == "name" }?.value == .string("(消去済み)") })
            }
        }
    }
}
