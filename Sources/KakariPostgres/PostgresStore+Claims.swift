import Foundation
import KakariStore
import Logging
import PostgresNIO

extension PostgresStore {
    /// Claims the cases with due timers (or, when none is due, pending events) that no other
    /// worker holds, in one short transaction: rows of `case_claims` with an expiry. Two workers
    /// claiming at once never get the same case: the insert of a claim waits for the other's,
    /// then takes the case only when that claim has ended or is its own.
    public func claimWork(worker: String, now: Date, limit: Int, lease: TimeInterval) async throws -> ClaimedWork {
        let due = now.timeIntervalSince1970
        let timers = try await transaction { c in
            let candidates = try await c.query("""
                SELECT DISTINCT case_id FROM (
                    SELECT t.case_id FROM timers t
                    WHERE t.due <= \(due) AND NOT EXISTS (
                        SELECT 1 FROM case_claims h WHERE h.case_id = t.case_id AND h.worker <> \(worker) AND h.until > now())
                    ORDER BY t.due LIMIT \(limit)) AS due_cases
                """, logger: logger).collect().map { try $0.decode(String.self) }
            let held = try await claim(candidates, worker: worker, lease: lease, c)
            guard !held.isEmpty else { return [TimerRecord]() }
            return try await c.query("""
                SELECT case_id, name, due FROM timers WHERE case_id = ANY(\(held)) AND due <= \(due)
                ORDER BY due, case_id COLLATE "C", name COLLATE "C"
                """, logger: logger).collect().map(Self.timer)
        }
        if !timers.isEmpty { return ClaimedWork(timers: timers) }
        let events = try await transaction { c in
            let candidates = try await c.query("""
                SELECT DISTINCT case_id FROM (
                    SELECT q.case_id FROM queued_events q
                    WHERE q.status = 'pending' AND NOT EXISTS (
                        SELECT 1 FROM case_claims h WHERE h.case_id = q.case_id AND h.worker <> \(worker) AND h.until > now())
                    ORDER BY q.id LIMIT \(limit)) AS pending_cases
                """, logger: logger).collect().map { try $0.decode(String.self) }
            let held = try await claim(candidates, worker: worker, lease: lease, c)
            guard !held.isEmpty else { return [QueuedEvent]() }
            return try await c.query(PostgresQuery(unsafeSQL: """
                SELECT \(Self.queuedColumns) FROM queued_events WHERE status = 'pending' AND case_id = ANY($1)
                ORDER BY id LIMIT $2
                """, binds: Self.binds(held, limit)), logger: logger).collect().map(Self.queued)
        }
        return ClaimedWork(events: events)
    }

    /// Inserts or takes over the claims on `ids` for `worker`, returning the cases it now holds.
    private func claim(_ ids: [String], worker: String, lease: TimeInterval, _ c: PostgresConnection) async throws -> [String] {
        guard !ids.isEmpty else { return [] }
        // Sorted, so that two workers lock claims in the same order and never deadlock.
        return try await c.query("""
            INSERT INTO case_claims(case_id, worker, until)
            SELECT id, \(worker), now() + make_interval(secs => \(lease)) FROM unnest(\(ids.sorted())) AS u(id) ORDER BY id COLLATE "C"
            ON CONFLICT (case_id) DO UPDATE SET worker = EXCLUDED.worker, until = EXCLUDED.until
            WHERE case_claims.until <= now() OR case_claims.worker = EXCLUDED.worker
            RETURNING case_id
            """, logger: logger).collect().map { try $0.decode(String.self) }
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
