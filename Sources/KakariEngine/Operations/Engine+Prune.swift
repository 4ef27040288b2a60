import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// Deletes the histories of cases that finished before the start of `day` (ward time),
    /// in bulk, keeping their counts in the prune summary. Leads and admins only; refused,
    /// deleting nothing, while one of those cases still has an open task, a running timer or
    /// an unfinished child.
    public func prune(finishedBefore day: Day, by user: String) async throws -> PruneResult {
        try await requireSupervisor(user, to: "prune histories")
        let zone = try await currentBundle()?.calendar.timeZone ?? TimeZone(identifier: "Asia/Tokyo")!
        let now = try await self.now()
        let cutoff = day.start(in: zone)
        guard cutoff <= now else { throw EngineError(.refused, "\(day) is in the future; prune only what finished before today") }
        let result = try await store.prune(finishedBefore: cutoff, at: now, by: user)
        guard result.blockers.isEmpty else {
            throw EngineError(.refused, "nothing was pruned; some finished cases are not done with:\n  " + result.blockers.joined(separator: "\n  "))
        }
        // The prune is its own transaction in the store; its audit entry follows it.
        try await store.appendAudit([AuditEntry(at: Self.auditTime(), user: user, command: command, action: .write, detail:
            "pruned \(result.cases) cases finished before \(day): \(result.historyEntries) history entries, \(result.tasks) tasks")])
        return result
    }
}
