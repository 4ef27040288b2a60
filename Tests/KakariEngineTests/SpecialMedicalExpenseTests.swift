import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// `Workflows/special-medical-expense.yaml` (特別療養費) on the real engine: reminders, the
/// advance notice and the chance to explain, a four-eyes decision, lifting, the exemptions.
@Suite("特別療養費: the special medical expense procedure")
struct SpecialMedicalExpenseTests {
    static let household = [
        "household_no": "T0001", "name": "練馬　太郎", "address": "練馬区豊玉北1丁目1番1号", "town": "豊玉北",
        "members": "練馬　太郎; 練馬　花子", "member_count": "2", "arrears_amount": "240000", "arrears_since": "2024-05-31",
    ]

    static func start(_ s: TemporaryStore, _ id: String, _ changes: [String: String] = [:]) async throws {
        var fields = household.merging(changes) { $1 }
        fields["household_no"] = id
        _ = try await s.engine.startCase(workflow: "special-medical-expense", id: id, fields: fields, by: "yamada")
    }

    @Test("a household whose members are all of high-school age or younger is never switched")
    func minorsAreExempt() async throws {
        try await withStore { s in
            try await Self.start(s, "T1", ["member_count": "2", "minors": "2"])
            try await s.complete("T1", "screen", ["outcome": "催告へ"], by: "suzuki")
            #expect(try await s.snapshot("T1").result == "exempted_minors_or_public_medical")
        }
    }

    @Test("reminders, notice, an early explanation kept until the window opens, a confirmed change, lifting on a halved arrears")
    func wholeProcedure() async throws {
        try await withStore { s in
            try await Self.start(s, "T1")
            #expect(try await s.openTask("T1", kind: "screen").section == "kokuho_seiri", "routed by the household's area")
            try await s.complete("T1", "screen", ["outcome": "催告へ"], by: "suzuki")
            try await s.complete("T1", "remind", ["sent_on": "2025-11-20", "method": "文書"], by: "suzuki")
            #expect(try await s.state("T1") == "reminder_wait")
            let waitDue = try await s.engine.store.timers(of: "T1").first { $0.name == "reminder_period" }?.due
            // A partial payment records the balance and stays: the reminder period is not restarted.
            _ = try await s.engine.send(caseID: "T1", event: "payment", fields: ["amount": "20000", "paid_on": "2025-11-21", "remaining": "220000", "cleared": "false"], key: nil, by: "suzuki")
            #expect(try await s.engine.store.timers(of: "T1").first { $0.name == "reminder_period" }?.due == waitDue)
            #expect(try await s.snapshot("T1").data["arrears_amount"] == .int(220000))
            // An explanation that comes before the notice is kept.
            let kept = try await s.engine.send(caseID: "T1", event: "circumstances_submitted",
                                               fields: ["received_on": "2025-11-25", "circumstance": "病気・負傷", "note": "入院中"], key: nil, by: "suzuki")
            #expect(kept.applied && kept.to == "reminder_wait")
            _ = try await s.engine.advanceClock(to: tokyo("2025-12-06T09:00:00+09:00"))
            try await s.complete("T1", "remind", ["sent_on": "2025-12-08", "method": "電話"], by: "suzuki")
            _ = try await s.engine.advanceClock(to: tokyo("2025-12-24T09:00:00+09:00"))
            #expect(try await s.state("T1") == "advance_notice")
            try await s.complete("T1", "send_notice", ["sent_on": "2025-12-24", "explanation_due": "2026-01-23"], by: "nakamura")
            // Entering the window took the kept explanation: the case goes straight to the decision.
            #expect(try await s.state("T1") == "decision")
            #expect(try await s.snapshot("T1").data["circumstance"] == .string("病気・負傷"))
            #expect(try await s.snapshot("T1").pending == nil)
            try await s.complete("T1", "decide", ["decision": "支給変更", "circumstance": "なし", "reason": "入院は短期で納付能力あり"], by: "nakamura")
            let confirm = try await s.openTask("T1", kind: "confirm")
            await #expect(throws: EngineError.self) { try await s.engine.completeTask(confirm.id, fields: ["confirmed": "true"], by: "nakamura") }
            _ = try await s.engine.completeTask(confirm.id, fields: ["confirmed": "true"], by: "kobayashi")
            try await s.complete("T1", "notify", ["notified_on": "2026-01-30", "effective_on": "2026-02-01", "document": "資格確認書(特別療養)"], by: "nakamura")
            #expect(try await s.state("T1") == "in_effect")
            #expect(try await s.snapshot("T1").data["arrears_at_decision"] == .int(220000))
            _ = try await s.engine.send(caseID: "T1", event: "payment", fields: ["amount": "120000", "paid_on": "2026-03-02", "remaining": "100000", "cleared": "false"], key: nil, by: "suzuki")
            #expect(try await s.state("T1") == "lifting")
            try await s.complete("T1", "lift", ["lift": "true", "reason": "滞納額の著しい減少"], by: "kobayashi")
            try await s.complete("T1", "notify_lift", ["notified_on": "2026-03-10"], by: "nakamura")
            #expect(try await s.snapshot("T1").result == "lifted_on_reduction")
            try await s.expectVerifies()
        }
    }
}
