import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// The resource patterns of the Workflow Patterns catalogue (WRP-1…43) that Kakari supports:
/// who is offered, given and allowed each task. Each test runs the real engine on
/// `Tests/Fixtures/patterns` (or, for home towns, on the ward's own workflows).
@Suite("Workflow patterns: resources")
struct ResourcePatternTests {
    /// An application waiting for its assessment (state `assess`).
    static func assessing(_ s: TemporaryStore, _ id: String, _ fields: [String: String] = [:], registeredBy: String = "aoki") async throws {
        try await s.startPattern("application", id, ["applicant": "青木"].merging(fields) { $1 })
        try await s.finish(id, "register", ["complete": "true"], by: registeredBy)
        try await s.finish(id, "check", by: registeredBy)
    }

    @Test("WRP-1 direct distribution: a lead hands a task to a named person, who then holds it")
    func directDistribution() async throws {
        try await withPatterns { s in
            try await s.startPattern("application", "A1", ["applicant": "青木"])
            let task = try await s.openTask("A1", kind: "register")
            try await s.engine.assign(task.id, to: "baba", by: "lead")
            #expect(try await s.engine.task(task.id).assignee == "baba")
            await #expect(throws: EngineError.self) { try await s.engine.completeTask(task.id, fields: ["complete": "true"], by: "aoki") }
            _ = try await s.engine.completeTask(task.id, fields: ["complete": "true"], by: "baba")
        }
    }

    @Test("WRP-2 role-based distribution: a task goes to its section's worklist and only that section works it")
    func roleBased() async throws {
        try await withPatterns { s in
            try await s.startPattern("application", "A1", ["applicant": "青木"])
            let task = try await s.openTask("A1", kind: "register")
            #expect(task.section == "intake")
            #expect(try await s.engine.store.tasks(TaskFilter(section: "intake")).map(\.id) == [task.id])
            #expect(try await s.engine.store.tasks(TaskFilter(section: "review")).isEmpty)
            let digest = try await s.digest()
            await #expect(throws: EngineError.self) { try await s.engine.completeTask(task.id, fields: ["complete": "true"], by: "chiba") }
            #expect(try await s.digest() == digest, "the refusal changed nothing")
        }
    }

    @Test("WRP-3 deferred distribution: the section is read from the case's data when the task is given")
    func deferredDistribution() async throws {
        try await withPatterns { s in
            try await Self.assessing(s, "A1")
            try await Self.assessing(s, "A2", ["assessing_section": "supervisors"])
            #expect(try await s.openTask("A1", kind: "assess").section == "review")
            #expect(try await s.openTask("A2", kind: "assess").section == "supervisors")
        }
    }

    @Test("WRP-4 authorisation: a contractor may not take a decision, nor staff another section's task")
    func authorisation() async throws {
        try await withPatterns { s in
            try await Self.assessing(s, "A1")
            let task = try await s.openTask("A1", kind: "assess")
            let digest = try await s.digest()
            for user in ["endo", "aoki"] {
                await #expect(throws: EngineError.self) { try await s.engine.completeTask(task.id, fields: ["approve": "true"], by: user) }
                await #expect(throws: EngineError.self) { try await s.engine.claim(task.id, by: user) }
            }
            await #expect(throws: EngineError.self) { try await s.engine.assign(task.id, to: "endo", by: "lead") }
            #expect(try await s.digest() == digest)
        }
    }

    @Test("WRP-5 separation of duties: the person who assessed may not confirm the decision")
    func separationOfDuties() async throws {
        try await withPatterns { s in
            try await Self.assessing(s, "A1")
            try await s.finish("A1", "assess", ["approve": "true"], by: "chiba")
            let confirm = try await s.openTask("A1", kind: "confirm")
            await #expect(throws: EngineError.self) { try await s.engine.completeTask(confirm.id, fields: ["ok": "true"], by: "chiba") }
            _ = try await s.engine.completeTask(confirm.id, fields: ["ok": "true"], by: "doi")
            #expect(try await s.state("A1") == "approved")
        }
    }

    @Test("WRP-7 retain familiar: whoever registered the application gets its check, already claimed")
    func retainFamiliar() async throws {
        try await withPatterns { s in
            for (id, clerk) in [("A1", "aoki"), ("A2", "baba")] {
                try await s.startPattern("application", id, ["applicant": "青木"])
                try await s.finish(id, "register", ["complete": "true"], by: clerk)
                let check = try await s.openTask(id, kind: "check")
                #expect(check.assignee == clerk && check.status == .claimed)
            }
            // The urgent path's check has no retain: it is offered to the whole section.
            try await s.startPattern("application", "A3", ["applicant": "千葉", "urgent": "true"])
            try await s.finish("A3", "register", ["complete": "true"], by: "aoki")
            #expect(try await s.openTask("A3", kind: "fast_check").assignee == nil)
            try await s.expectVerifies()
        }
    }

    @Test("WRP-8 capability-based distribution: auto-assignment never sends an investigator to their home town or its neighbours")
    func capabilityBased() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "石神井町"), ("H2", "光が丘"), ("H3", "練馬")])
            for id in ["H1", "H2", "H3"] { _ = try await s.engine.send(caseID: id, event: "assign", fields: [:], key: nil, by: "yamada") }
            _ = try await s.engine.autoAssign(section: "survey_contractor", by: "yamada")
            let bundle = try #require(try await s.engine.currentBundle())
            for id in ["H1", "H2", "H3"] {
                let task = try await s.openTask(id, kind: "visit")
                let assignee = try #require(task.assignee)
                let person = try #require(bundle.staff.user(assignee))
                let town = try await s.snapshot(id).data["town"]?.description
                #expect(Engine.homeTownConflict(person, town: town, bundle: bundle) == nil, "\(id) in \(town ?? "") went to \(person.id)")
            }
        }
    }

    @Test("WRP-11 automatic execution: a join and an escalation happen without a task on anyone's worklist")
    func automaticExecution() async throws {
        try await withPatterns { s in
            try await s.startPattern("members", "M1", ["household": "H1"])
            #expect(try await s.state("M1") == "all_insured")
            #expect(try await s.engine.store.tasks(TaskFilter(statuses: Set(TaskRecord.Status.allCases), caseID: "M1")).isEmpty)
        }
    }

    @Test("WRP-13 offer to multiple resources and WRP-21 resource-initiated allocation: the section sees the task, the first claim wins")
    func offerAndClaim() async throws {
        try await withPatterns { s in
            try await s.startPattern("application", "A1", ["applicant": "青木"])
            let task = try await s.openTask("A1", kind: "register")
            try await s.engine.claim(task.id, by: "baba")
            await #expect(throws: EngineError.self) { try await s.engine.claim(task.id, by: "aoki") }
            #expect(try await s.engine.task(task.id).assignee == "baba")
        }
    }

    @Test("WRP-17 shortest queue: auto-assignment gives each task to the contractor with the fewest")
    func shortestQueue() async throws {
        try await withStore { s in
            let rows = (1...8).map { (id: String(format: "H%d", $0), town: "光が丘") }
            try await s.importHouseholds(rows)
            for r in rows { _ = try await s.engine.send(caseID: r.id, event: "assign", fields: [:], key: nil, by: "yamada") }
            _ = try await s.engine.autoAssign(section: "survey_contractor", by: "yamada")
            var load: [String: Int] = [:]
            for r in rows { load[try await s.openTask(r.id, kind: "visit").assignee ?? "", default: 0] += 1 }
            #expect(load[""] == nil, "every visit went to someone")
            #expect((load.values.max() ?? 0) - (load.values.min() ?? 0) <= 1, "loads differ by at most one: \(load)")
        }
    }

    @Test("WRP-27 delegation and WRP-31 stateless reallocation: the holder hands a task to a colleague of the section")
    func delegation() async throws {
        try await withPatterns { s in
            try await s.startPattern("application", "A1", ["applicant": "青木"])
            let task = try await s.openTask("A1", kind: "register")
            try await s.engine.claim(task.id, by: "aoki")
            try await s.engine.assign(task.id, to: "baba", by: "aoki")
            #expect(try await s.engine.task(task.id).assignee == "baba")
            await #expect(throws: EngineError.self) { try await s.engine.assign(task.id, to: "chiba", by: "baba") }
        }
    }

    @Test("WRP-28 escalation: after five open days the assessment goes to the supervisors")
    func escalation() async throws {
        try await withPatterns { s in
            try await Self.assessing(s, "A1")
            #expect(try await s.openTask("A1", kind: "assess").section == "review")
            _ = try await s.engine.advanceClock(to: tokyo("2025-11-28T09:00:00+09:00"))
            let escalated = try await s.openTask("A1", kind: "assess")
            #expect(escalated.section == "supervisors")
            #expect(try await s.kinds("A1", .withdrawn) == ["assess"])
            _ = try await s.engine.completeTask(escalated.id, fields: ["approve": "false"], by: "lead")
            #expect(try await s.state("A1") == "rejected")
        }
    }

    @Test("WRP-29 deallocation: a claimed task given back is offered to the section again")
    func deallocation() async throws {
        try await withPatterns { s in
            try await s.startPattern("application", "A1", ["applicant": "青木"])
            let task = try await s.openTask("A1", kind: "register")
            try await s.engine.claim(task.id, by: "aoki")
            try await s.engine.release(task.id, by: "aoki")
            let released = try await s.engine.task(task.id)
            #expect(released.status == .open && released.assignee == nil)
            try await s.engine.claim(task.id, by: "baba")
        }
    }

    @Test("WRP-32 suspension and resumption: a suspended case takes no work and its escalation waits the days it was paused")
    func suspension() async throws {
        try await withPatterns { s in
            try await Self.assessing(s, "A1")
            let due = try #require(try await s.engine.store.timers(of: "A1").first { $0.name == "escalate" }?.due)
            _ = try await s.engine.suspend(caseID: "A1", reason: "入院", by: "lead")
            let task = try await s.openTask("A1", kind: "assess")
            await #expect(throws: EngineError.self) { try await s.engine.completeTask(task.id, fields: ["approve": "true"], by: "chiba") }
            _ = try await s.engine.advanceClock(to: tokyo("2025-12-01T09:00:00+09:00"))
            #expect(try await s.openTask("A1", kind: "assess").section == "review", "no escalation while suspended")
            _ = try await s.engine.resume(caseID: "A1", reason: "退院", by: "lead")
            let postponed = try #require(try await s.engine.store.timers(of: "A1").first { $0.name == "escalate" }?.due)
            #expect(postponed > due)
        }
    }

    @Test("WRP-33 skip: an authorised lead moves a case past a task, which is withdrawn; staff may not")
    func skip() async throws {
        try await withPatterns { s in
            try await s.startPattern("application", "A1", ["applicant": "青木"])
            await #expect(throws: EngineError.self) { try await s.engine.move(caseID: "A1", to: "assess", reason: "省略", by: "aoki") }
            _ = try await s.engine.move(caseID: "A1", to: "assess", reason: "書類は窓口で確認済み", by: "lead")
            #expect(try await s.kinds("A1", .withdrawn) == ["register"])
            #expect(try await s.openKinds("A1") == ["assess"])
        }
    }

    @Test("WRP-34 redo: a lead reopens a completed task and the case goes back to its state")
    func redo() async throws {
        try await withPatterns { s in
            try await Self.assessing(s, "A1")
            let check = try #require(try await s.allTasks("A1").first { $0.kind == "check" })
            _ = try await s.engine.reopen(taskID: check.id, reason: "確認漏れ", by: "lead")
            #expect(try await s.state("A1") == "check")
            #expect(try await s.openKinds("A1") == ["check"])
        }
    }

    @Test("WRP-42 simultaneous execution: one person holds and works tasks of several cases at once")
    func simultaneousExecution() async throws {
        try await withPatterns { s in
            for id in ["A1", "A2"] { try await s.startPattern("application", id, ["applicant": id]) }
            let first = try await s.openTask("A1", kind: "register"), second = try await s.openTask("A2", kind: "register")
            try await s.engine.claim(first.id, by: "aoki")
            try await s.engine.claim(second.id, by: "aoki")
            #expect(try await s.engine.visibleTasks(TaskFilter(assignee: "aoki"), by: "aoki").count == 2)
            _ = try await s.engine.completeTask(second.id, fields: ["complete": "true"], by: "aoki")
            _ = try await s.engine.completeTask(first.id, fields: ["complete": "true"], by: "aoki")
        }
    }

    @Test("WRP-38 piled execution: a worker takes the next task of the same kind across cases, in worklist order")
    func piledExecution() async throws {
        try await withPatterns { s in
            for id in ["A1", "A2", "A3"] { try await s.startPattern("application", id, ["applicant": id]) }
            try await s.startPattern("checks", "C1", ["applicant": "C1"])
            var taken: [String] = []
            while let task = try await s.engine.claimNext(kind: "register", section: nil, by: "aoki") {
                #expect(task.kind == "register" && task.assignee == "aoki")
                taken.append(task.caseID)
            }
            #expect(taken.sorted() == ["A1", "A2", "A3"])
            #expect(try await s.engine.claimNext(kind: "assess", section: nil, by: "endo") == nil, "nothing a contractor may take")
        }
    }
}
