import Foundation
import KakariStore

extension SQLiteStore {
    /// One SQLite file has one writer at a time, so claims hold nothing: the work is what is
    /// due, timers first, and the commit's checks keep two daemons from doing it twice.
    public func claimWork(worker: String, now: Date, limit: Int, lease: TimeInterval) async throws -> ClaimedWork {
        let timers = try await dueTimers(before: now, limit: limit)
        if !timers.isEmpty { return ClaimedWork(timers: timers) }
        return ClaimedWork(events: try await pendingEvents(limit: limit))
    }

    public func releaseClaims(worker: String, caseIDs: [String]) async throws {}

    /// SQLite has no notifications: the daemon polls.
    public func waitForWork(seconds: Double, stop: @Sendable () -> Bool) async throws {
        var left = seconds
        while left > 0, !stop() {
            let step = min(left, 0.05)
            try await Task.sleep(nanoseconds: UInt64(step * 1_000_000_000))
            left -= step
        }
    }
}
