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

/// Changing the household workflow through the binary.
@Suite("Procedure changes on the command line")
struct ProcedureChangeCLITests {
    /// Workflows/ copied into the workspace with `contacted` renamed `met` and a fifth visit.
    static func edited(_ w: Workspace) throws -> String {
        try EditedWorkflows.write(to: w.folder + "/new") { EditedWorkflows.contactedRenamedMet(EditedWorkflows.fifthVisit($0)) }
    }

    @Test("replay exits 1 naming the diverging entry; deploy is refused with exit 1 until --map; migrate moves the rest")
    func procedureChange() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1", "H2"])
            #expect(try w.kakari(["send", "H1", "assign"]).status == 0)
            #expect(try w.kakari(["send", "H2", "assign"]).status == 0)
            let tasks = try #require(try w.json(["tasks", "list", "--json"], as: "yamada") as? [[String: Any]])
            let visit = try #require(tasks.first { $0["case"] as? String == "H1" }?["id"] as? Int)
            // Contractors see only the tasks handed to them.
            #expect(try w.kakari(["tasks", "assign", String(visit), "matsumoto"], as: "yamada").status == 0)
            #expect(try w.kakari(["tasks", "complete", String(visit), "slot=平日夜間", "result=面接", "contact_outcome=納付相談希望"], as: "matsumoto").status == 0)
            let new = try Self.edited(w)

            let replay = try w.kakari(["replay", "--against", new + "/household-visit.yaml"])
            #expect(replay.status == 1)
            #expect(replay.stdout.contains("H1    4    visit  awaiting_visit → contacted  awaiting_visit → met"))

            let before = try await w.digest()
            let refused = try w.kakari(["deploy", new])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("household-visit@1: state contacted has 1 running case and is not in the new version"))
            #expect(try await w.digest() == before)

            #expect(try w.kakari(["deploy", new, "--map", "contacted=met"]).status == 0)
            let dry = try w.kakari(["cases", "migrate", "--workflow", "household-visit", "--to", "2", "--dry-run", "--reason", "第5回訪問"])
            #expect(dry.status == 0 && dry.stdout.hasSuffix("1 case would move\n"))
            #expect(try w.kakari(["cases", "migrate", "--workflow", "household-visit", "--to", "2", "--reason", "第5回訪問"], as: "suzuki").status == 3)
            let moved = try w.kakari(["cases", "migrate", "--workflow", "household-visit", "--to", "2", "--reason", "第5回訪問"])
            #expect(moved.status == 0 && moved.stdout.hasSuffix("1 case moved\n"))
            #expect(try w.kakari(["verify"]).status == 0)
        }
    }
}
