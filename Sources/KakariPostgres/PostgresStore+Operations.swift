import Foundation
import KakariCore
import KakariStore
import PostgresNIO

extension PostgresStore {
    public func runningCaseCounts(workflow: String, version: Int) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try await rows("""
            SELECT state, COUNT(*) FROM cases WHERE workflow = \(workflow) AND version = \(version) AND NOT finished GROUP BY state
            """) {
            let (state, n) = try row.decode((String, Int).self)
            out[state] = n
        }
        return out
    }

    /// Like the SQLite store: the victims are chosen, checked and deleted in one transaction;
    /// history deletes pass the append-only trigger only while this transaction's prune_guard
    /// row exists.
    public func prune(finishedBefore: Date, at: Date, by: String) async throws -> PruneResult {
        let before = finishedBefore.timeIntervalSince1970
        // The store's timeout applies to each statement, not to the whole prune.
        return try await transaction { c, watchdog in
            func query(_ sql: PostgresQuery) async throws -> [PostgresRow] {
                watchdog.feed()
                return try await c.query(sql, logger: logger).collect()
            }
            try await c.query("CREATE TEMP TABLE prune_victims (id TEXT PRIMARY KEY) ON COMMIT DROP", logger: logger)
            // The victims' rows are locked, so a decision committing meanwhile waits or is refused.
            try await c.query("""
                INSERT INTO prune_victims SELECT id FROM (SELECT id FROM cases WHERE finished AND updated_at < \(before) FOR UPDATE) v
                """, logger: logger)
            var blockers: [String] = []
            blockers += try await query("""
                SELECT DISTINCT t.case_id || ': task ' || t.id || ' is still ' || t.status FROM tasks t
                JOIN prune_victims v ON t.case_id = v.id WHERE t.status IN ('open', 'claimed') LIMIT 20
                """).map { try $0.decode(String.self) }
            blockers += try await query("""
                SELECT m.case_id || ': timer ' || m.name || ' is still running' FROM timers m
                JOIN prune_victims v ON m.case_id = v.id LIMIT 20
                """).map { try $0.decode(String.self) }
            blockers += try await query("""
                SELECT c.parent || ': its child ' || c.id || ' is still running' FROM cases c
                JOIN prune_victims v ON c.parent = v.id WHERE NOT c.finished LIMIT 20
                """).map { try $0.decode(String.self) }
            guard blockers.isEmpty else { return PruneResult(cases: 0, historyEntries: 0, tasks: 0, blockers: blockers) }
            let cases = try await query("SELECT COUNT(*) FROM prune_victims").first?.decode(Int.self) ?? 0
            guard cases > 0 else { return PruneResult(cases: 0, historyEntries: 0, tasks: 0, blockers: []) }
            let history = try await query("SELECT COUNT(*) FROM history WHERE case_id IN (SELECT id FROM prune_victims)")
                .first?.decode(Int.self) ?? 0
            let tasks = try await query("SELECT COUNT(*) FROM tasks WHERE case_id IN (SELECT id FROM prune_victims)")
                .first?.decode(Int.self) ?? 0
            let run = try await query("""
                INSERT INTO prune_runs(at, by, finished_before, cases, history_entries, tasks)
                VALUES (\(at.timeIntervalSince1970), \(by), \(before), \(cases), \(history), \(tasks)) RETURNING id
                """).first!.decode(Int64.self)
            try await c.query("""
                INSERT INTO pruned_cases(run, workflow, version, result, cases)
                SELECT \(run), workflow, version, COALESCE(snapshot::jsonb ->> 'result', state), COUNT(*)
                FROM cases WHERE id IN (SELECT id FROM prune_victims) GROUP BY 2, 3, 4
                """, logger: logger)
            for statement in [
                "INSERT INTO prune_guard(active) VALUES (1)",
                "DELETE FROM history WHERE case_id IN (SELECT id FROM prune_victims)",
                "DELETE FROM prune_guard",
                "DELETE FROM tasks WHERE case_id IN (SELECT id FROM prune_victims)",
                "DELETE FROM timers WHERE case_id IN (SELECT id FROM prune_victims)",
                "DELETE FROM idempotency WHERE case_id IN (SELECT id FROM prune_victims)",
                "DELETE FROM queued_events WHERE case_id IN (SELECT id FROM prune_victims) AND status <> 'pending'",
                "DELETE FROM case_claims WHERE case_id IN (SELECT id FROM prune_victims)",
                "DELETE FROM cases WHERE id IN (SELECT id FROM prune_victims)",
            ] {
                watchdog.feed()
                try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            return PruneResult(cases: cases, historyEntries: history, tasks: tasks, blockers: [])
        }
    }

    public func pruneSummary() async throws -> [PrunedCount] {
        try await rows("""
            SELECT r.at, r.by, r.finished_before, p.workflow, p.version, p.result, p.cases
            FROM pruned_cases p JOIN prune_runs r ON p.run = r.id
            ORDER BY r.id, p.workflow COLLATE "C", p.version, p.result COLLATE "C"
            """).map { row in
            let (at, by, before, workflow, version, result, cases) = try row.decode((Double, String, Double, String, Int, String, Int).self)
            return PrunedCount(prunedAt: Date(timeIntervalSince1970: at), by: by, finishedBefore: Date(timeIntervalSince1970: before),
                               workflow: workflow, version: version, result: result, cases: cases)
        }
    }
}
