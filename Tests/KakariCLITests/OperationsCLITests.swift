import Foundation
import KakariTesting
import Testing

/// The operator commands through the built binary: exit codes, nothing written on refusal.
@Suite("Operator commands on the command line")
struct OperationsCLITests {
    @Test("cases suspend: without --reason exit 2, as staff exit 3, both writing nothing; as a lead it is in the history")
    func suspendExitCodes() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"])
            let before = try await w.digest()
            #expect(try w.kakari(["cases", "suspend", "H1"]).status == 2)
            let staff = try w.kakari(["cases", "suspend", "H1", "--reason", "試し"], as: "suzuki")
            #expect(staff.status == 3)
            #expect(staff.stderr == "kakari: only a lead or an admin may suspend a case; suzuki is staff\n")
            #expect(try await w.digest() == before)
            let ok = try w.kakari(["cases", "suspend", "H1", "--reason", "保留"])
            #expect(ok.status == 0 && ok.stdout == "H1: case.suspend listed → listed\n")
            let refused = try w.kakari(["send", "H1", "assign"])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("is suspended since 2025-11-20"))
            let history = try #require(try w.json(["cases", "show", "H1", "--json"]) as? [String: Any])
            let entries = try #require(history["history"] as? [[String: Any]])
            let last = try #require(entries.last)
            #expect(last["event"] as? String == "case.suspend" && last["by"] as? String == "yamada")
            #expect((last["fields"] as? [String: Any])?["reason"] as? String == "保留")
            #expect(try w.kakari(["verify"]).status == 0)
        }
    }

    @Test("diff prints changes in workflow terms; an identical file has none")
    func diff() async throws {
        try await withWorkspace { w in
            let same = try w.kakari(["diff", Repository.workflows + "/household-visit.yaml", Repository.workflows + "/household-visit.yaml"])
            #expect(same.status == 0 && same.stdout == "no changes in workflow terms\n")
            let text = try String(contentsOfFile: Repository.workflows + "/household-visit.yaml", encoding: .utf8)
                .replacingOccurrences(of: "due: 5bd\n        sees: [household_no, name, address, town, contact_outcome",
                                      with: "due: 7bd\n        sees: [household_no, name, address, town, contact_outcome")
            let new = try w.write("household-visit.yaml", text)
            let r = try w.kakari(["diff", Repository.workflows + "/household-visit.yaml", new])
            #expect(r.status == 0)
            #expect(r.stdout == "~ task state contacted / task triage: due 5bd → 7bd\n")
        }
    }
}
