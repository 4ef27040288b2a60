import Foundation
import KakariEngine
import KakariTesting
import Testing

/// The privacy promises through the real binary: refusals exit 3 and are audited with the
/// command, the duty desk's check, automatic assignment, and `audit verify` / `verify`
/// finding an audit row edited directly in the database.
@Suite("Privacy through the command line")
struct PrivacyCLITests {

    @Test("a contractor's cases show of a case not theirs exits 3, changes nothing and is audited with the command")
    func refusalThroughTheCLI() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"], town: "中村")
            let before = try await w.digest()
            let r = try w.kakari(["cases", "show", "H1"], as: "matsumoto")
            #expect(r.status == 3)
            #expect(r.stderr == "kakari: matsumoto sees a case only while holding one of its open tasks; case H1 has none\n")
            #expect(try await w.digest() == before)
            let audit = try #require(try w.json(["audit", "show", "--user", "matsumoto"]) as? [[String: Any]])
            #expect(audit.count == 1)
            #expect(audit.first?["action"] as? String == "refused")
            #expect(audit.first?["command"] as? String == "cases show")
            #expect(audit.first?["case"] as? String == "H1")
            let lead = try #require(try w.json(["cases", "show", "H1"]) as? [String: Any])
            #expect((lead["data"] as? [String: Any])?["birth_year"] as? Int == 1970)
            let read = try #require(try w.json(["audit", "show", "--case", "H1"]) as? [[String: Any]]).last
            #expect(read?["action"] as? String == "read" && read?["user"] as? String == "yamada")
            #expect(try w.kakari(["audit", "show"], as: "suzuki").status == 3)
        }
    }

    @Test("the duty desk gets yes with name and address, or no")
    func dutyDesk() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"], town: "中村")
            let yes = try #require(try w.json(["cases", "find", "--name", "練馬 太郎"], as: "mori") as? [String: Any])
            #expect(yes["found"] as? Bool == true)
            #expect(yes["households"] as? [[String: String]] == [["name": "練馬　太郎", "address": "練馬区中村1丁目1番1号"]])
            let no = try w.kakari(["cases", "find", "--name", "練馬 太郎", "--address", "谷原"], as: "mori")
            #expect(no.status == 0 && no.stdout.hasPrefix("no:"))
            #expect(try w.kakari(["cases", "list"], as: "mori").status == 3)
        }
    }

    @Test("tasks assign --auto hands a section's visits out and reports them")
    func autoAssign() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"], town: "練馬")
            #expect(try w.kakari(["send", "H1", "assign"]).status == 0)
            let r = try #require(try w.json(["tasks", "assign", "--auto", "--section", "survey_contractor"]) as? [String: Any])
            let assigned = try #require(r["assigned"] as? [[String: Any]])
            #expect(assigned.map { $0["assignee"] as? String } == ["hayashi"])
            let mine = try #require(try w.json(["tasks", "list"], as: "hayashi") as? [[String: Any]])
            #expect(mine.map { $0["case"] as? String } == ["H1"])
            #expect(try #require(try w.json(["tasks", "list"], as: "inoue") as? [[String: Any]]).isEmpty)
        }
    }

    @Test("the store's creation and every move of the simulated clock are in the audit log, with who did them")
    func storeAndClockAudited() async throws {
        try await withWorkspace { w in
            #expect(try w.kakari(["clock", "advance", "3d"]).status == 0)
            let entries = try #require(try w.json(["audit", "show"]) as? [[String: Any]])
            let admin = entries.filter { $0["action"] as? String == "admin" }
            #expect(admin.count == 2, "\(entries)")
            #expect((admin.first?["detail"] as? String)?.hasPrefix("store created with a simulated clock") == true)
            #expect((admin.last?["detail"] as? String)?.hasPrefix("simulated clock moved from") == true)
            #expect(admin.last?["user"] as? String == "yamada")
        }
    }

    @Test("audit verify and verify exit 1 with the first broken entry after an edit made directly in the database")
    func tamperingFound() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1", "H2"])
            let intact = try w.kakari(["audit", "verify"])
            // The store's creation, the deploy, the import.
            #expect(intact.status == 0 && intact.stdout == "4 audit entries checked, chain intact\n")
            try await DirectSQL.execute([DirectSQL.dropTrigger("audit_is_append_only_update", on: "audit", w.location),
                                        "UPDATE audit SET case_id = 'H9' WHERE seq = 3"], on: w.location)
            let r = try w.kakari(["audit", "verify"])
            #expect(r.status == 1)
            #expect(r.stdout.hasPrefix("audit entry 3: altered: its content does not match its hash\n"))
            #expect(try w.kakari(["verify"]).status == 1)
        }
    }
}

/// Datasets through the binary: `cases import --dataset --purpose --until`, `kakari datasets`,
/// `kakari purge` and its certificate.
@Suite("Datasets and purge through the command line")
struct DatasetCLITests {
    @Test("an import with a dataset seals the names, a purge erases them and writes a certificate tied to the audit log")
    func importAndPurge() async throws {
        try await withWorkspace { w in
            let file = try w.write("h.csv", ([Workspace.header] + [Workspace.household("H1"), Workspace.household("H2")]).joined(separator: "\n") + "\n")
            let missing = try w.kakari(["cases", "import", "household-visit", file, "--dataset", "survey-2026"])
            #expect(missing.status == 1)
            #expect(missing.stderr == "kakari: dataset survey-2026 is new: give its purpose with --purpose TEXT and the last day its personal data may be used with --until YYYY-MM-DD\n")
            let badDay = try w.kakari(["cases", "import", "household-visit", file, "--dataset", "survey-2026", "--purpose", "調査", "--until", "3月末"])
            #expect(badDay.status == 2 && badDay.stderr == "kakari: --until takes a date as YYYY-MM-DD, not '3月末'\n")
            let imported = try w.kakari(["cases", "import", "household-visit", file, "--dataset", "survey-2026",
                                         "--purpose", "国保実態調査 2026", "--until", "2026-03-31"])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(FileManager.default.fileExists(atPath: w.folder + "/keys/survey-2026.key"))
            let listed = try #require(try w.json(["datasets"]) as? [[String: Any]])
            #expect(listed.map { $0["dataset"] as? String } == ["survey-2026"])
            #expect(listed.first?["status"] as? String == "in use" && listed.first?["until"] as? String == "2026-03-31")
            let shown = try #require(try w.json(["cases", "show", "H1"]) as? [String: Any])
            #expect((shown["data"] as? [String: Any])?["name"] as? String == "練馬　太郎")
            #expect(shown["dataset"] as? String == "survey-2026")
            #expect(try w.kakari(["datasets"], as: "suzuki").status == 3)
            #expect(try w.kakari(["purge", "--dataset", "survey-2026"], as: "suzuki").status == 3)

            let purged = try #require(try w.json(["purge", "--dataset", "survey-2026", "--certificate", w.folder + "/cert.json"]) as? [String: Any])
            #expect(purged["cases"] as? Int == 2 && purged["key_destroyed"] as? Bool == true)
            let certificate = try JSONDecoder().decode(ErasureCertificate.self, from: try Data(contentsOf: URL(fileURLWithPath: w.folder + "/cert.json")))
            #expect(certificate.isIntact && certificate.dataset == "survey-2026" && certificate.by == "yamada")
            let audit = try #require(try w.json(["audit", "show", "--user", "yamada"]) as? [[String: Any]])
            #expect(audit.last?["detail"] as? String == "erasure certificate of dataset survey-2026: sha256 \(certificate.sha256)")
            #expect(audit.contains { ($0["seq"] as? Int).map(Int64.init) == certificate.auditEntry && $0["hash"] as? String == certificate.auditHash })
            #expect(!FileManager.default.fileExists(atPath: w.folder + "/keys/survey-2026.key"))
            let after = try #require(try w.json(["cases", "show", "H1"]) as? [String: Any])
            #expect((after["data"] as? [String: Any])?["name"] as? String == "(消去済み)")
            #expect(try w.kakari(["verify"]).status == 0)
            let again = try w.kakari(["purge", "--dataset", "survey-2026"])
            #expect(again.status == 1 && again.stderr.hasPrefix("kakari: dataset survey-2026 was already purged"))
        }
    }
}

/// `kakari tasks export --ledger | --sheets` through the binary.
@Suite("Survey sheets through the command line")
struct SurveySheetCLITests {
    @Test("the ledger (CSV) names the households with their sheet numbers; the sheets (HTML) carry the numbers only")
    func export() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1", "H2"])
            for id in ["H1", "H2"] { #expect(try w.kakari(["send", id, "assign"]).status == 0) }
            let ledger = try w.kakari(["tasks", "export", "--ledger", "--section", "survey_contractor"])
            #expect(ledger.status == 0, "\(ledger.stderr)")
            #expect(ledger.stdout.hasPrefix("\u{FEFF}調査票番号,世帯番号,世帯主氏名"))
            let lines = ledger.stdout.split(separator: "\r\n")
            #expect(lines.count == 3 && lines[1].contains("練馬　太郎"))
            let numbers = lines.dropFirst().map { String($0.split(separator: ",")[0]) }
            let file = w.folder + "/sheets.html"
            let sheets = try w.kakari(["tasks", "export", "--sheets", "--format", "html", "--output", file])
            #expect(sheets.status == 0 && sheets.stdout == "wrote 2 survey sheets to \(file)\n")
            let html = try String(contentsOfFile: file, encoding: .utf8)
            #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("訪問記録票") && html.contains("□ 集合住宅"))
            #expect(numbers.allSatisfy { html.contains($0) })
            // The sheet numbers are random letters and digits (they may spell "H1" by chance): left out of the check.
            let rest = numbers.reduce(html) { $0.replacingOccurrences(of: $1, with: "") }
            #expect(!rest.contains("練馬　太郎") && !rest.contains("H1") && !rest.contains("納付") && !rest.contains("国保"))
            let both = try w.kakari(["tasks", "export", "--ledger", "--sheets"])
            #expect(both.status == 2)
            #expect(try w.kakari(["tasks", "export", "--sheets"], as: "mori").status == 3)
        }
    }
}
