import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// Operators repairing cases: suspend, resume, move, cancel, reopen. Each is a history entry
/// that replays through the core; each needs a lead or an admin and a reason.
@Suite("Repairing cases")
struct RepairTests {
    @Test("a suspension across the 勤労感謝の日 substitute holiday gives back one open day: the due date moves from Fri 28 Nov to Mon 1 Dec")
    func suspendAcrossHoliday() async throws {
        try await withStore { s in
            // The store starts Thu 2025-11-20 09:00 JST; the triage task is due in 5 business
            // days: Fri 21, Tue 25 (Mon 24 is 振替休日), Wed 26, Thu 27, Fri 28.
            try await s.contactedHousehold("H1")
            let triage = try await s.openTask("H1", kind: "triage")
            #expect(triage.due == tokyo("2025-11-28T09:00:00+09:00"))
            let deadline = try #require(try await s.snapshot("H1").timers["deadline"])

            _ = try await s.engine.advanceClock(to: tokyo("2025-11-21T09:00:00+09:00"))
            let paused = try await s.engine.suspend(caseID: "H1", reason: "世帯主入院のため保留", by: "yamada")
            #expect(paused.event == "case.suspend" && paused.from == "contacted" && paused.to == "contacted")
            #expect(try await s.engine.store.timers(of: "H1").isEmpty, "no timer runs while the case is suspended")
            await #expect(throws: EngineError.self) {
                try await s.engine.completeTask(triage.id, fields: ["referral": "納付相談"], by: "nakamura")
            }

            // Fri 21 is open; Sat 22, Sun 23 (勤労感謝の日) and Mon 24 (振替休日) are closed: one open day lost.
            _ = try await s.engine.advanceClock(to: tokyo("2025-11-25T09:00:00+09:00"))
            _ = try await s.engine.resume(caseID: "H1", reason: "退院を確認", by: "yamada")
            let moved = try await s.engine.task(triage.id)
            #expect(moved.due == tokyo("2025-12-01T09:00:00+09:00"), "Fri 28 plus one open day is Mon 1 Dec, not Tue 2 Dec")
            let calendar = try await s.engine.decider("household-visit", 1).calendar
            let timers = try await s.engine.store.timers(of: "H1")
            #expect(timers.map(\.due) == [calendar.add(KakariCore.Duration(1, .businessDays), to: deadline)])
            #expect(try await s.snapshot("H1").suspended == nil)
            try await s.complete("H1", "triage", ["referral": "納付相談"], by: "nakamura")
            #expect(try await s.state("H1") == "counselling")
            let history = try await s.engine.store.history("H1").filter { $0.event.hasPrefix("case.") }
            #expect(history.map(\.event) == ["case.suspend", "case.resume"])
            #expect(history.map(\.by) == ["yamada", "yamada"])
            #expect(history[0].detail.contains("世帯主入院のため保留"))
            try await s.expectVerifies()
        }
    }

    @Test("a suspension within one day moves due dates by the time elapsed")
    func sameDaySuspension() {
        let calendar = BusinessCalendar.weekendsOnly
        let due = tokyo("2025-11-28T09:00:00+09:00")
        let moved = calendar.postpone(due, suspendedAt: tokyo("2025-11-21T09:00:00+09:00"), resumedAt: tokyo("2025-11-21T11:30:00+09:00"))
        #expect(moved == tokyo("2025-11-28T11:30:00+09:00"))
    }

    @Test("only leads and admins repair, always with a reason; a refusal writes nothing")
    func permissionsAndReason() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H1")
            let before = try await s.digest()
            do {
                _ = try await s.engine.suspend(caseID: "H1", reason: "試し", by: "suzuki")
                Issue.record("a staff member suspended a case")
            } catch let error as EngineError {
                #expect(error.category == .notPermitted)
            }
            do {
                _ = try await s.engine.cancel(caseID: "H1", reason: "  ", by: "yamada")
                Issue.record("a case was cancelled without a reason")
            } catch let error as EngineError {
                #expect(error.category == .usage)
            }
            #expect(try await s.digest() == before)
        }
    }

    @Test("move withdraws the old state's task and enters the new state's; cancel ends the case as cancelled")
    func moveAndCancel() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H1")
            let triage = try await s.openTask("H1", kind: "triage")
            let o = try await s.engine.move(caseID: "H1", to: "納付相談", reason: "窓口で相談希望を確認済み", by: "yamada")
            #expect(o.from == "contacted" && o.to == "counselling")
            #expect(try await s.engine.task(triage.id).status == .withdrawn)
            _ = try await s.openTask("H1", kind: "counselling")

            _ = try await s.engine.cancel(caseID: "H1", reason: "重複登録", by: "admin")
            let snapshot = try await s.snapshot("H1")
            #expect(snapshot.finished && snapshot.result == "cancelled")
            #expect(try await s.openTasks("H1").isEmpty)
            #expect(try await s.engine.store.timers(of: "H1").isEmpty, "the deadline is cancelled too")
            await #expect(throws: EngineError.self) {
                try await s.engine.send(caseID: "H1", event: "withdraw", fields: ["reason": "x"], key: nil, by: "yamada")
            }
            try await s.expectVerifies()
        }
    }

    @Test("reopening a completed task takes the case back to that task's state with a new task")
    func reopenTask() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H1")
            let triage = try await s.openTask("H1", kind: "triage")
            try await s.complete("H1", "triage", ["referral": "資格喪失"], by: "nakamura")
            #expect(try await s.state("H1") == "eligibility_loss")
            let o = try await s.engine.reopen(taskID: triage.id, reason: "引継先の誤り", by: "yamada")
            #expect(o.event == "task.reopen" && o.from == "eligibility_loss" && o.to == "contacted")
            let again = try await s.openTask("H1", kind: "triage")
            #expect(again.id != triage.id)
            #expect(try await s.allTasks("H1").first { $0.kind == "loss_procedure" }?.status == .withdrawn)
            await #expect(throws: EngineError.self) { try await s.engine.reopen(taskID: again.id, reason: "開いている", by: "yamada") }
            try await s.complete("H1", "triage", ["referral": "納付相談"], by: "nakamura")
            #expect(try await s.state("H1") == "counselling")
            try await s.expectVerifies()
        }
    }
}
