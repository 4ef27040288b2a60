import Foundation
import KakariStore
import Logging
import PostgresNIO

extension PostgresStore {
    /// Claims the cases with due timers (or, when none is due, pending events) that no other
    /// worker holds: rows of `case_claims` with an expiry, found and inserted by one statement,
    /// committed on its own. Two workers claiming at once never get the same case: the insert of
    /// a claim waits for the other's, then takes the case only when that claim has ended or is
    /// its own. The work of the cases held is read after the claim has committed, so it
    /// includes whatever a worker that held them before committed.
    ///
    /// One statement, not a transaction of three (fix 42): each round trip to the server costs
    /// a daemon's group more than the statement itself.
    public func claimWork(worker: String, now: Date, limit: Int, lease: TimeInterval) async throws -> ClaimedWork {
        let due = now.timeIntervalSince1970
        let timerCases = try await claim(worker: worker, lease: lease, candidates: """
            SELECT t.case_id FROM timers t
            WHERE t.due <= \(due) AND NOT EXISTS (
                SELECT 1 FROM case_claims h WHERE h.case_id = t.case_id AND h.worker <> \(worker) AND h.until > now())
            ORDER BY t.due LIMIT \(limit)
            """)
        if !timerCases.isEmpty {
            let timers = try await rows("""
                SELECT case_id, name, due FROM timers WHERE case_id = ANY(\(timerCases)) AND due <= \(due)
                ORDER BY due, case_id COLLATE "C", name COLLATE "C"
                """).map(Self.timer)
            if !timers.isEmpty { return ClaimedWork(timers: timers) }
            // Fired meanwhile by the worker that held them: nothing to do on these cases now.
            try await releaseClaims(worker: worker, caseIDs: timerCases)
        }
        let eventCases = try await claim(worker: worker, lease: lease, candidates: """
            SELECT q.case_id FROM queued_events q
            WHERE q.status = 'pending' AND NOT EXISTS (
                SELECT 1 FROM case_claims h WHERE h.case_id = q.case_id AND h.worker <> \(worker) AND h.until > now())
            ORDER BY q.id LIMIT \(limit)
            """)
        guard !eventCases.isEmpty else { return ClaimedWork() }
        let events = try await rows(PostgresQuery(unsafeSQL: """
            SELECT \(Self.queuedColumns) FROM queued_events WHERE status = 'pending' AND case_id = ANY($1)
            ORDER BY id LIMIT $2
            """, binds: Self.binds(eventCases, limit))).map(Self.queued)
        if events.isEmpty { try await releaseClaims(worker: worker, caseIDs: eventCases) }
        return ClaimedWork(events: events)
    }

    /// Inserts or takes over, for `worker`, the claims on the distinct cases that `candidates`
    /// (a query of `case_id`s) finds, and returns the cases it now holds. Sorted, so that two
    /// workers lock claims in the same order and never deadlock.
    private func claim(worker: String, lease: TimeInterval, candidates: QueryPart) async throws -> [String] {
        let statement: QueryPart = """
            INSERT INTO case_claims(case_id, worker, until)
            SELECT DISTINCT c.case_id COLLATE "C", \(worker), now() + make_interval(secs => \(lease)) FROM (\(candidates)) AS c
            ORDER BY 1
            ON CONFLICT (case_id) DO UPDATE SET worker = EXCLUDED.worker, until = EXCLUDED.until
            WHERE case_claims.until <= now() OR case_claims.worker = EXCLUDED.worker
            RETURNING case_id
            """
        return try await rows(statement.query).map { try $0.decode(String.self) }
    }

    public func releaseClaims(worker: String, caseIDs: [String]) async throws {
        guard !caseIDs.isEmpty else { return }
        _ = try await rows("DELETE FROM case_claims WHERE worker = \(worker) AND case_id = ANY(\(caseIDs))")
    }

    /// Waits for a `NOTIFY` from `enqueue` (on a connection of its own, reconnected with
    /// backoff after a failure), for `seconds` at most.
    public func waitForWork(seconds: Double, stop: @Sendable () -> Bool) async throws {
        startListening()
        var left = seconds
        while left > 0, !stop() {
            if wakeups.take() { return }
            let step = min(left, 0.02)
            try await Task.sleep(nanoseconds: UInt64(step * 1_000_000_000))
            left -= step
        }
    }

    private func startListening() {
        guard wakeups.startListening() else { return }
        let client = self.client, wakeups = self.wakeups, logger = self.logger, location = self.location
        Task.detached {
            var delay = 0.1
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: Self.channel) { notifications in
                            // Whatever was queued while no one listened is looked at now.
                            wakeups.raise()
                            delay = 0.1
                            for try await _ in notifications { wakeups.raise() }
                        }
                    }
                } catch {
                    logger.warning("listening for new events failed; retrying", metadata: ["store": "\(location)", "retry_in": "\(delay)s"])
                }
                wakeups.raise()
                try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                delay = min(delay * 2, 5)
            }
        }
    }
}
