import Foundation
import KakariTesting
import Testing

/// The command-line contract (CLI.md): exit codes and the JSON keys other systems parse.
@Suite("The command-line contract")
struct ContractTests {
    @Test("cases list --json gives id, workflow, version, state and updated_at for each case")
    func casesListKeys() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1", "H2"])
            let list = try #require(try w.json(["cases", "list"]) as? [[String: Any]])
            #expect(list.count == 2)
            for item in list { #expect(keys(item).isSuperset(of: ["id", "workflow", "version", "state", "updated_at"])) }
            #expect(list.first?["id"] as? String == "H1")
            #expect(list.first?["workflow"] as? String == "household-visit")
            #expect(list.first?["version"] as? Int == 1)
            #expect(list.first?["state"] as? String == "listed")
            #expect(list.first?["updated_at"] as? String == "2025-11-20T09:00:00+09:00")
            let filtered = try #require(try w.json(["cases", "list", "--state", "awaiting_visit"]) as? [Any])
            #expect(filtered.isEmpty)
        }
    }

    @Test("cases show --json gives id, workflow, version, state, data, history (seq, at, event, from, to, by), tasks, parent and children")
    func casesShowKeys() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"])
            #expect(try w.kakari(["send", "H1", "assign"]).status == 0)
            let show = try #require(try w.json(["cases", "show", "H1"]) as? [String: Any])
            #expect(keys(show).isSuperset(of: ["id", "workflow", "version", "state", "data", "history", "tasks", "parent", "children"]))
            #expect(show["state"] as? String == "awaiting_visit")
            #expect(show["parent"] is NSNull)
            #expect((show["children"] as? [Any])?.isEmpty == true)
            let history = try #require(show["history"] as? [[String: Any]])
            #expect(history.count == 2)
            for entry in history { #expect(keys(entry).isSuperset(of: ["seq", "at", "event", "from", "to", "by"])) }
            #expect(history.map { $0["event"] as? String } == ["start", "assign"])
            #expect(history.last?["from"] as? String == "listed")
            #expect(history.last?["to"] as? String == "awaiting_visit")
            #expect(history.last?["by"] as? String == "yamada")
            #expect(history.last?["seq"] as? Int == 2)
            let tasks = try #require(show["tasks"] as? [[String: Any]])
            #expect(tasks.count == 1)
            #expect(keys(tasks.first).isSuperset(of: ["id", "case", "kind", "title", "section", "assignee", "status", "due"]))
            let data = try #require(show["data"] as? [String: Any])
            #expect(data["town"] as? String == "練馬")
            #expect(data["visits"] as? Int == 0)
        }
    }

    @Test("a child case shows its parent, and the parent its child")
    func parentAndChildren() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"])
            #expect(try w.kakari(["send", "H1", "assign"]).status == 0)
            #expect(try w.kakari(["send", "H1", "visit", "slot=平日午前", "result=面接"]).status == 0)
            #expect(try w.kakari(["send", "H1", "triage", "referral=不現住調査"]).status == 0)
            let show = try #require(try w.json(["cases", "show", "H1"]) as? [String: Any])
            let children = try #require(show["children"] as? [String])
            #expect(children.count == 1)
            let child = try #require(try w.json(["cases", "show", children[0]]) as? [String: Any])
            #expect(child["parent"] as? String == "H1")
            #expect(child["workflow"] as? String == "residence-investigation")
        }
    }

    @Test("send --json gives case, event, from, to and applied")
    func sendKeys() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"])
            let sent = try #require(try w.json(["send", "H1", "assign", "--key", "k1"]) as? [String: Any])
            #expect(keys(sent).isSuperset(of: ["case", "event", "from", "to", "applied"]))
            #expect(sent["case"] as? String == "H1")
            #expect(sent["event"] as? String == "assign")
            #expect(sent["from"] as? String == "listed")
            #expect(sent["to"] as? String == "awaiting_visit")
            #expect(sent["applied"] as? Bool == true)
            let again = try #require(try w.json(["send", "H1", "assign", "--key", "k1"]) as? [String: Any])
            #expect(again["applied"] as? Bool == false)
            #expect(again["from"] as? String == "listed")
            #expect(again["to"] as? String == "awaiting_visit")
        }
    }

    @Test("tasks list --json gives id, case, kind, title, section, assignee, status and due")
    func tasksListKeys() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"])
            #expect(try w.kakari(["send", "H1", "assign"]).status == 0)
            let tasks = try #require(try w.json(["tasks", "list"]) as? [[String: Any]])
            #expect(tasks.count == 1)
            let t = try #require(tasks.first)
            #expect(keys(t).isSuperset(of: ["id", "case", "kind", "title", "section", "assignee", "status", "due"]))
            #expect(t["case"] as? String == "H1")
            #expect(t["kind"] as? String == "visit")
            #expect(t["title"] as? String == "練馬 訪問 1 回目")
            #expect(t["section"] as? String == "survey_contractor")
            #expect(t["assignee"] is NSNull)
            #expect(t["status"] as? String == "open")
            // 10 days from Thursday 2025-11-20 is Sunday the 30th: due Monday 1 December.
            #expect(t["due"] as? String == "2025-12-01T09:00:00+09:00")
            #expect(t["id"] is Int)
            // Claimed by someone: assignee and status follow.
            let id = String(t["id"] as! Int)
            #expect(try w.kakari(["tasks", "claim", id], as: "matsumoto").status == 0)
            let claimed = try #require(try w.json(["tasks", "list", "--mine"], as: "matsumoto") as? [[String: Any]])
            #expect(claimed.first?["assignee"] as? String == "matsumoto")
            #expect(claimed.first?["status"] as? String == "claimed")
        }
    }

    @Test("a task made on the Friday before 勤労感謝の日 in a store started with kakari init --start is due Monday 30 November")
    func businessDaysThroughTheCLI() async throws {
        try await withWorkspace(start: "2026-11-20T09:00:00+09:00") { w in
            try w.importHouseholds(["H1"])
            #expect(try w.kakari(["send", "H1", "assign"]).status == 0)
            #expect(try w.kakari(["send", "H1", "visit", "slot=平日午前", "result=面接"]).status == 0)
            let tasks = try #require(try w.json(["tasks", "list", "--section", "kokuho_shikaku"]) as? [[String: Any]])
            #expect(tasks.map { $0["kind"] as? String } == ["triage"])
            #expect(tasks.first?["due"] as? String == "2026-11-30T09:00:00+09:00")
            // kakari clock advance 5bd lands on the same Monday.
            let advanced = try #require(try w.json(["clock", "advance", "5bd"]) as? [String: Any])
            #expect(advanced["now"] as? String == "2026-11-30T09:00:00+09:00")
        }
    }

    @Test("exit code 0 for a command that did its work")
    func exitZero() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"])
            let r = try w.kakari(["send", "H1", "assign"])
            #expect(r.status == 0)
            #expect(r.stderr.isEmpty)
            #expect(r.stdout == "H1: listed → awaiting_visit\n")
        }
    }

    @Test("exit code 1 with a one-line reason for refused input")
    func exitOne() async throws {
        try await withWorkspace { w in
            let r = try w.kakari(["send", "NOPE", "assign"])
            #expect(r.status == 1)
            #expect(r.stderr == "kakari: there is no case NOPE\n")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test("exit code 2 for a missing argument")
    func exitTwoMissingArgument() async throws {
        try await withWorkspace { w in
            let before = try await w.digest()
            let r = try w.kakari(["send", "H1"])
            #expect(r.status == 2, "exit \(r.status): \(r.stderr)")
            #expect(r.stderr.contains("Missing expected argument '<event>'"))
            #expect(try await w.digest() == before)
        }
    }

    @Test("exit code 2 for FIELD without =")
    func exitTwoFieldWithoutEquals() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"])
            let before = try await w.digest()
            let r = try w.kakari(["send", "H1", "withdraw", "reason"])
            #expect(r.status == 2, "exit \(r.status): \(r.stderr)")
            #expect(r.stderr.contains("'reason' is not FIELD=VALUE"))
            #expect(try await w.digest() == before)
        }
    }

    @Test("exit code 2 for an unknown option")
    func exitTwoUnknownOption() async throws {
        try await withWorkspace { w in
            let r = try w.kakari(["cases", "list", "--colour", "red"])
            #expect(r.status == 2, "exit \(r.status): \(r.stderr)")
        }
    }

    @Test("exit code 3 for a user not in staff.yaml, and nothing changes")
    func exitThree() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"])
            let before = try await w.digest()
            let r = try w.kakari(["send", "H1", "assign"], as: "tanaka")
            #expect(r.status == 3)
            #expect(r.stderr == "kakari: 'tanaka' is not in the deployed staff directory; act as a listed user with --as or KAKARI_USER\n")
            let viaOption = try w.kakari(["send", "H1", "assign", "--as", "nobody"])
            #expect(viaOption.status == 3)
            #expect(try await w.digest() == before)
        }
    }
}
