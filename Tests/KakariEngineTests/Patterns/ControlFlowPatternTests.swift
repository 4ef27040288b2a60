import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// The control-flow patterns of the Workflow Patterns catalogue (WCP-1…43) that Kakari
/// supports, each on a small workflow of `Tests/Fixtures/patterns` run by the real engine.
/// docs/patterns.md lists them with the construct that does each.
@Suite("Workflow patterns: control flow")
struct ControlFlowPatternTests {
    /// A `checks` case whose three enquiries are done: it waits for the votes.
    static func checked(_ s: TemporaryStore, _ id: String) async throws {
        try await s.startPattern("checks", id, ["applicant": "青木"])
        try await s.finish(id, "income", ["ok": "true"], by: "aoki")
        try await s.finish(id, "residence", ["ok": "true"], by: "aoki")
        try await s.finish(id, "pension", by: "chiba")
    }

    /// A `checks` case approved by two votes: it waits for the first of two answers.
    static func approved(_ s: TemporaryStore, _ id: String) async throws {
        try await checked(s, id)
        try await s.finish(id, "vote_chiba", ["yes": "true"], by: "chiba")
        try await s.finish(id, "vote_doi", ["yes": "true"], by: "doi")
    }

    @Test("WCP-1 sequence: each task is given only when the one before it is done")
    func sequence() async throws {
        try await withPatterns { s in
            try await s.startPattern("application", "A1", ["applicant": "青木"])
            #expect(try await s.openKinds("A1") == ["register"])
            try await s.finish("A1", "register", ["complete": "true"], by: "aoki")
            #expect(try await s.openKinds("A1") == ["check"])
            try await s.finish("A1", "check", by: "aoki")
            #expect(try await s.openKinds("A1") == ["assess"])
            #expect(try await s.path("A1") == ["start →received", "register received→check", "check check→assess"])
        }
    }

    @Test("WCP-4 exclusive choice: exactly one branch is taken, chosen by the data and the form")
    func exclusiveChoice() async throws {
        try await withPatterns { s in
            try await s.startPattern("application", "A1", ["applicant": "青木"])
            try await s.startPattern("application", "A2", ["applicant": "馬場", "urgent": "true"])
            try await s.startPattern("application", "A3", ["applicant": "千葉", "urgent": "true"])
            try await s.finish("A1", "register", ["complete": "true"], by: "aoki")
            try await s.finish("A2", "register", ["complete": "true"], by: "aoki")
            try await s.finish("A3", "register", ["complete": "false"], by: "aoki")
            #expect(try await s.state("A1") == "check")
            #expect(try await s.state("A2") == "fast_check")
            #expect(try await s.state("A3") == "incomplete")
        }
    }

    @Test("WCP-5 simple merge: two branches lead to the same state, which gives its task once per case")
    func simpleMerge() async throws {
        try await withPatterns { s in
            try await s.startPattern("application", "A1", ["applicant": "青木"])
            try await s.startPattern("application", "A2", ["applicant": "馬場", "urgent": "true"])
            for id in ["A1", "A2"] { try await s.finish(id, "register", ["complete": "true"], by: "aoki") }
            try await s.finish("A1", "check", by: "aoki")
            try await s.finish("A2", "fast_check", by: "baba")
            for id in ["A1", "A2"] {
                #expect(try await s.state(id) == "assess")
                #expect(try await s.openKinds(id) == ["assess"])
            }
        }
    }

    @Test("WCP-2 parallel split: entering a state gives all of its tasks at once, to their sections")
    func parallelSplit() async throws {
        try await withPatterns { s in
            try await s.startPattern("checks", "C1", ["applicant": "青木"])
            let open = try await s.openTasks("C1")
            #expect(open.map(\.kind).sorted() == ["income", "pension", "residence"])
            #expect(Set(open.map(\.section)) == ["intake", "review"])
        }
    }

    @Test("WCP-3 synchronisation: the case moves on only when every task of the state is done, in any order")
    func synchronisation() async throws {
        try await withPatterns { s in
            for id in ["C1", "C2"] { try await s.startPattern("checks", id, ["applicant": "青木"]) }
            try await s.finish("C1", "income", ["ok": "true"], by: "aoki")
            try await s.finish("C1", "residence", ["ok": "true"], by: "baba")
            #expect(try await s.state("C1") == "gather", "the pension enquiry is still open")
            #expect(try await s.openKinds("C1") == ["pension"])
            try await s.finish("C1", "pension", by: "chiba")
            #expect(try await s.state("C1") == "vote")
            // The other order ends the same way.
            try await s.finish("C2", "pension", by: "chiba")
            try await s.finish("C2", "residence", ["ok": "true"], by: "baba")
            try await s.finish("C2", "income", ["ok": "true"], by: "aoki")
            #expect(try await s.state("C2") == "vote")
            #expect(try await s.path("C1").last == "pension gather→vote", "the last task's completion takes the join")
            try await s.expectVerifies()
        }
    }

    @Test("WCP-19 cancel task: one task is withdrawn while the others of its state go on")
    func cancelTask() async throws {
        try await withPatterns { s in
            try await s.startPattern("checks", "C1", ["applicant": "青木"])
            try await s.sendPattern("C1", "pension_not_needed")
            #expect(try await s.openKinds("C1") == ["income", "residence"])
            #expect(try await s.kinds("C1", .withdrawn) == ["pension"])
            try await s.finish("C1", "income", ["ok": "true"], by: "aoki")
            try await s.finish("C1", "residence", ["ok": "false"], by: "aoki")
            #expect(try await s.state("C1") == "refused", "all_done: takes the else branch when one check failed")
        }
    }

    @Test("WCP-30 structured partial join and WCP-32 cancelling partial join: two approvals of three decide; the third vote is withdrawn")
    func partialJoin() async throws {
        try await withPatterns { s in
            for id in ["C1", "C2"] { try await Self.checked(s, id) }
            try await s.finish("C1", "vote_chiba", ["yes": "true"], by: "chiba")
            #expect(try await s.state("C1") == "vote")
            try await s.finish("C1", "vote_lead", ["yes": "true"], by: "lead")
            #expect(try await s.state("C1") == "ask")
            #expect(try await s.kinds("C1", .withdrawn) == ["vote_doi"])
            #expect(try await s.snapshot("C1").data["approvals"] == .int(2))
            // One approval and two refusals: every vote is in, all_done: refuses.
            try await s.finish("C2", "vote_chiba", ["yes": "false"], by: "chiba")
            try await s.finish("C2", "vote_doi", ["yes": "true"], by: "doi")
            try await s.finish("C2", "vote_lead", ["yes": "false"], by: "lead")
            #expect(try await s.state("C2") == "refused")
        }
    }

    @Test("WCP-13 multiple instances with a priori design-time knowledge: three votes are given at once and all three are counted")
    func designTimeInstances() async throws {
        try await withPatterns { s in
            try await Self.checked(s, "C1")
            #expect(try await s.openKinds("C1") == ["vote_chiba", "vote_doi", "vote_lead"])
            try await s.finish("C1", "vote_lead", ["yes": "false"], by: "lead")
            try await s.finish("C1", "vote_doi", ["yes": "false"], by: "doi")
            #expect(try await s.state("C1") == "vote", "one vote is still out")
            try await s.finish("C1", "vote_chiba", ["yes": "true"], by: "chiba")
            #expect(try await s.state("C1") == "refused")
            #expect(try await s.snapshot("C1").data["approvals"] == .int(1))
        }
    }

    @Test("WCP-29 cancelling discriminator: the first of two answers moves the case on and withdraws the other")
    func cancellingDiscriminator() async throws {
        try await withPatterns { s in
            try await Self.approved(s, "C1")
            #expect(try await s.openKinds("C1") == ["ask_city", "ask_prefecture"])
            try await s.finish("C1", "ask_prefecture", ["from": "東京都"], by: "chiba")
            #expect(try await s.state("C1") == "granted")
            #expect(try await s.snapshot("C1").data["source"] == .string("東京都"))
            #expect(try await s.kinds("C1", .withdrawn).contains("ask_city"))
            #expect(try await s.openTasks("C1").isEmpty)
        }
    }

    @Test("WCP-14 multiple instances with a priori run-time knowledge: one task per household member, joined when all are done")
    func multipleInstances() async throws {
        try await withPatterns { s in
            try await s.startPattern("members", "M1", ["household": "H1", "members": "練馬 太郎; 練馬 花子; 練馬 次郎"])
            let open = try await s.openTasks("M1")
            #expect(open.map(\.title).sorted() == ["H1 練馬 太郎 の加入確認", "H1 練馬 次郎 の加入確認", "H1 練馬 花子 の加入確認"])
            try await s.finish("M1", "member_check", ["insured": "true"], item: "花子", by: "aoki")
            #expect(try await s.snapshot("M1").data["last_checked"] == .string("練馬 花子"), "event.item is the task's member")
            try await s.finish("M1", "member_check", ["insured": "true"], item: "太郎", by: "baba")
            #expect(try await s.state("M1") == "per_member")
            // The member comes from the task: a form cannot name another one.
            await #expect(throws: EngineError.self) {
                try await s.finish("M1", "member_check", ["insured": "true", "item": "別人"], item: "次郎", by: "aoki")
            }
            try await s.finish("M1", "member_check", ["insured": "true"], item: "次郎", by: "aoki")
            #expect(try await s.state("M1") == "all_insured")
            #expect(try await s.snapshot("M1").data["last_checked"] == .string("練馬 次郎"))
            // No members: no tasks, and the join is taken on entry.
            try await s.startPattern("members", "M2", ["household": "H2"])
            #expect(try await s.state("M2") == "all_insured")
            #expect(try await s.allTasks("M2").isEmpty)
            try await s.expectVerifies()
        }
    }

    @Test("WCP-26 cancel multiple instance activity: every member's open task is withdrawn at once")
    func cancelMultipleInstances() async throws {
        try await withPatterns { s in
            try await s.startPattern("members", "M1", ["household": "H1", "members": "太郎; 花子; 次郎"])
            try await s.finish("M1", "member_check", ["insured": "true"], item: "花子", by: "aoki")
            try await s.sendPattern("M1", "stop")
            #expect(try await s.kinds("M1", .withdrawn) == ["member_check", "member_check"])
            #expect(try await s.state("M1") == "some_not_insured")
        }
    }

    @Test("WCP-35 cancelling partial join for multiple instances: two members agreeing of four decide; the other questions are withdrawn")
    func cancellingPartialJoinForInstances() async throws {
        try await withPatterns { s in
            try await s.startPattern("quorum", "Q1", ["household": "H1", "members": "太郎; 花子; 次郎; 三郎"])
            try await s.startPattern("quorum", "Q2", ["household": "H2", "members": "一郎; 二郎"])
            try await s.finish("Q1", "ask_member", ["agrees": "true"], item: "花子", by: "aoki")
            try await s.finish("Q1", "ask_member", ["agrees": "false"], item: "太郎", by: "aoki")
            #expect(try await s.state("Q1") == "consent")
            try await s.finish("Q1", "ask_member", ["agrees": "true"], item: "三郎", by: "baba")
            #expect(try await s.state("Q1") == "agreed")
            #expect(try await s.kinds("Q1", .withdrawn) == ["ask_member"], "次郎's question is withdrawn")
            // Every member answered and fewer than two agreed: the join says no.
            try await s.finish("Q2", "ask_member", ["agrees": "true"], item: "一郎", by: "aoki")
            try await s.finish("Q2", "ask_member", ["agrees": "false"], item: "二郎", by: "aoki")
            #expect(try await s.state("Q2") == "not_agreed")
        }
    }

    @Test("WCP-16 deferred choice: the reply or the end of the waiting time, whichever comes first; the other is withdrawn")
    func deferredChoice() async throws {
        try await withPatterns { s in
            try await s.startPattern("reply", "R1", ["applicant": "青木"])
            try await s.startPattern("reply", "R2", ["applicant": "馬場"])
            #expect(try await s.engine.store.timers(of: "R1").map(\.name) == ["no_reply"])
            try await s.sendPattern("R1", "reply", ["text": "支払います"])
            #expect(try await s.state("R1") == "awaiting_payment")
            #expect(try await s.engine.store.timers(of: "R1").isEmpty, "the reply withdrew the timer")
            _ = try await s.engine.advanceClock(to: tokyo("2025-12-10T09:00:00+09:00"))
            #expect(try await s.state("R1") == "awaiting_payment")
            #expect(try await s.state("R2") == "visiting", "no reply within 14 days: the timer won")
            await #expect(throws: EngineError.self) { try await s.sendPattern("R2", "reply", ["text": "遅れて回答"]) }
        }
    }

    @Test("WCP-22 recursion: a referral that stays unresolved starts a child case of its own workflow, two levels deep")
    func recursion() async throws {
        try await withPatterns { s in
            try await s.startPattern("referral", "F1", ["subject": "照会"])
            try await s.finish("F1", "answer", ["resolved": "false"], by: "aoki")
            let child = try #require(try await s.snapshot("F1").waitingFor)
            #expect(try await s.snapshot(child).workflow == "referral")
            #expect(try await s.snapshot(child).data["level"] == .int(1))
            try await s.finish(child, "answer", ["resolved": "false"], by: "aoki")
            let grandchild = try #require(try await s.snapshot(child).waitingFor)
            #expect(try await s.openTask(grandchild, kind: "answer").section == "supervisors", "the third level goes to the supervisors")
            try await s.finish(grandchild, "answer", ["resolved": "true"], by: "lead")
            for id in [grandchild, child, "F1"] { #expect(try await s.snapshot(id).result == "resolved") }
            try await s.expectVerifies()
        }
    }

    @Test("a sub-workflow (a decomposed task): a visit runs as a child case and its result moves the parent")
    func subWorkflow() async throws {
        try await withPatterns { s in
            try await s.startPattern("reply", "R1", ["applicant": "青木"])
            _ = try await s.engine.advanceClock(to: tokyo("2025-12-10T09:00:00+09:00"))
            let child = try #require(try await s.snapshot("R1").waitingFor)
            #expect(try await s.snapshot(child).workflow == "reply-visit")
            try await s.finish(child, "visit", ["met": "true"], by: "endo")
            #expect(try await s.state(child) == "met")
            #expect(try await s.state("R1") == "awaiting_payment")
        }
    }

    @Test("WCP-24 persistent trigger: a payment that arrives too early is kept and taken when the case can take it")
    func persistentTrigger() async throws {
        try await withPatterns { s in
            try await s.startPattern("reply", "R1", ["applicant": "青木"])
            let kept = try await s.sendPattern("R1", "payment", ["amount": "12000"])
            #expect(kept.applied && kept.to == "asking")
            #expect(try await s.snapshot("R1").pending == [.init(name: "payment", fields: ["amount": .int(12000)])])
            try await s.sendPattern("R1", "reply", ["text": "払いました"])
            #expect(try await s.state("R1") == "paid", "entering awaiting_payment took the kept payment")
            #expect(try await s.snapshot("R1").pending == nil)
            #expect(try await s.path("R1") == ["start →asking", "payment asking→asking", "reply asking→paid"])
            // A payment with a wrong field is refused even when it would only be kept.
            try await s.startPattern("reply", "R2", ["applicant": "馬場"])
            await #expect(throws: EngineError.self) { try await s.sendPattern("R2", "payment", ["amount": "たくさん"]) }
            try await s.expectVerifies()
        }
    }

    @Test("WCP-23 transient trigger: an acknowledgement that arrives when none is expected is dropped, nothing written")
    func transientTrigger() async throws {
        try await withPatterns { s in
            try await s.startPattern("reply", "R1", ["applicant": "青木"])
            let digest = try await s.digest()
            let dropped = try await s.sendPattern("R1", "acknowledge")
            #expect(!dropped.applied)
            #expect(try await s.digest() == digest)
            try await s.sendPattern("R1", "reply", ["text": "了解"])
            #expect(try await s.sendPattern("R1", "acknowledge").applied)
            #expect(try await s.snapshot("R1").data["acknowledged"] == .bool(true))
        }
    }

    @Test("WCP-18 milestone: an answer is taken only while the application is being assessed")
    func milestone() async throws {
        try await withPatterns { s in
            try await s.startPattern("application", "A1", ["applicant": "青木"])
            await #expect(throws: EngineError.self) { try await s.sendPattern("A1", "answer", ["text": "早すぎる"]) }
            try await s.finish("A1", "register", ["complete": "true"], by: "aoki")
            try await s.finish("A1", "check", by: "aoki")
            let answered = try await s.sendPattern("A1", "answer", ["text": "収入は年金のみ"])
            #expect(answered.applied && answered.to == "assess")
            #expect(try await s.openKinds("A1") == ["assess"], "the assessment task stays open")
            #expect(try await s.snapshot("A1").data["answer"] == .string("収入は年金のみ"))
            try await s.finish("A1", "assess", ["approve": "false"], by: "chiba")
            await #expect(throws: EngineError.self) { try await s.sendPattern("A1", "answer", ["text": "遅すぎる"]) }
        }
    }

    @Test("WCP-10 arbitrary cycles and WCP-21 structured loop: rework goes round again and the history keeps every round")
    func cycles() async throws {
        try await withPatterns { s in
            try await s.startPattern("application", "A1", ["applicant": "青木"])
            for _ in 0..<2 {
                try await s.finish("A1", "register", ["complete": "false"], by: "aoki")
                try await s.sendPattern("A1", "amend")
            }
            try await s.finish("A1", "register", ["complete": "true"], by: "aoki")
            #expect(try await s.state("A1") == "check")
            #expect(try await s.snapshot("A1").data["returned"] == .int(2))
            #expect(try await s.kinds("A1", .done) == ["register", "register", "register"])
            #expect(try await s.path("A1").filter { $0.hasPrefix("amend") }.count == 2)
        }
    }

    @Test("WCP-20 cancel case and WCP-25 cancel region: cancelling withdraws every open task and timer of the case")
    func cancelCase() async throws {
        try await withPatterns { s in
            try await s.startPattern("checks", "C1", ["applicant": "青木"])
            try await s.startPattern("reply", "R1", ["applicant": "青木"])
            for id in ["C1", "R1"] { _ = try await s.engine.cancel(caseID: id, reason: "申請取下げ", by: "lead") }
            #expect(try await s.openTasks("C1").isEmpty)
            #expect(try await s.kinds("C1", .withdrawn) == ["income", "pension", "residence"])
            #expect(try await s.engine.store.timers(of: "R1").isEmpty)
            #expect(try await s.snapshot("C1").result == Decider.cancelledResult)
        }
    }

    @Test("WCP-39 critical section and WCP-40 interleaved routing: two enquiries on one terminal are worked one at a time, in either order")
    func criticalSection() async throws {
        try await withPatterns { s in
            for id in ["C1", "C2"] { try await s.startPattern("checks", id, ["applicant": "青木"]) }
            let income = try await s.openTasks("C1").first { $0.kind == "income" }!
            let residence = try await s.openTasks("C1").first { $0.kind == "residence" }!
            try await s.engine.claim(income.id, by: "aoki")
            let digest = try await s.digest()
            await #expect(throws: EngineError.self) { try await s.engine.claim(residence.id, by: "baba") }
            await #expect(throws: EngineError.self) { try await s.engine.completeTask(residence.id, fields: ["ok": "true"], by: "baba") }
            await #expect(throws: EngineError.self) { try await s.engine.assign(residence.id, to: "baba", by: "lead") }
            #expect(try await s.digest() == digest, "the refusals changed nothing")
            // Another case's terminal work, and a task outside the section, go on meanwhile.
            try await s.finish("C2", "residence", ["ok": "true"], by: "baba")
            try await s.finish("C1", "pension", by: "chiba")
            _ = try await s.engine.completeTask(income.id, fields: ["ok": "true"], by: "aoki")
            _ = try await s.engine.completeTask(residence.id, fields: ["ok": "true"], by: "baba")
            #expect(try await s.state("C1") == "vote")
            // In the other order: residence first, then income.
            let second = try await s.openTasks("C2").first { $0.kind == "income" }!
            try await s.engine.claim(second.id, by: "aoki")
            _ = try await s.engine.completeTask(second.id, fields: ["ok": "true"], by: "aoki")
        }
    }

    @Test("WCP-43 explicit termination: reaching a final state ends the case and withdraws the work still open")
    func explicitTermination() async throws {
        try await withPatterns { s in
            try await Self.approved(s, "C1")
            try await s.finish("C1", "ask_city", ["from": "練馬区"], by: "aoki")
            let snapshot = try await s.snapshot("C1")
            #expect(snapshot.finished && snapshot.result == "granted")
            #expect(try await s.openTasks("C1").isEmpty)
            await #expect(throws: EngineError.self) { try await s.sendPattern("C1", "pension_not_needed") }
        }
    }
}
