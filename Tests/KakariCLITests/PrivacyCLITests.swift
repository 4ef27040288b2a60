import Foundation
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
