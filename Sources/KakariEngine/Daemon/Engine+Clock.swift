import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// Moves a simulated clock forward to `target`, firing every timer that falls due on the
    /// way at its own due time, in order. The move is audited as `user`'s.
    public func advanceClock(to target: Date, by user: String = "engine") async throws -> StepReport {
        guard try await isSimulated() else {
            throw EngineError(.refused, "this store runs on the real clock; only a simulated store (kakari init --clock simulated) can be moved")
        }
        let start = try await now()
        guard target >= start else {
            let f = ISO8601DateFormatter()
            f.timeZone = try await currentBundle()?.calendar.timeZone ?? TimeZone(identifier: "Asia/Tokyo")!
            throw EngineError(.refused, "the clock cannot go back (it is \(f.string(from: start)))")
        }
        var total = StepReport()
        // Queued events first, at the current time.
        total.add(try await runDue(now: start))
        while let next = try await store.nextTimerDue(), next <= target {
            try await setClock(max(next, try await now()))
            total.add(try await runDue(now: next))
        }
        try await setClock(target)
        total.add(try await runDue(now: target))
        try await store.appendAudit([AuditEntry(
            at: Self.auditTime(), user: user, command: command, action: .admin,
            detail: "simulated clock moved from \(Int(start.timeIntervalSince1970)) to \(Int(target.timeIntervalSince1970)): \(total.timersFired) timers fired, \(total.eventsApplied) queued events applied, \(total.eventsRejected) rejected")])
        return total
    }

    /// Sets a simulated clock (forward only).
    public func setClock(_ date: Date) async throws {
        try await store.setSetting(Settings.clockNow, String(Int(date.timeIntervalSince1970)))
    }
}

extension Engine.StepReport {
    /// Adds another report's counts to this one.
    public mutating func add(_ other: Self) {
        timersFired += other.timersFired
        eventsApplied += other.eventsApplied
        eventsRejected += other.eventsRejected
    }
}
