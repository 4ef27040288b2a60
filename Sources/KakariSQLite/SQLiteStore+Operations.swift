import Foundation
import GRDB
import KakariCore
import KakariStore

extension SQLiteStore {
    public func runningCaseCounts(workflow: String, version: Int) async throws -> [String: Int] {
        try await pool.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT state, COUNT(*) AS n FROM cases WHERE workflow = ? AND version = ? AND finished = 0 GROUP BY state
                """, arguments: [workflow, version]) {
                let state: String = row["state"]
                let n: Int = row["n"]
                out[state] = n
            }
            return out
        }
    }
}

extension SQLiteStore {
    public func prune(finishedBefore: Date, at: Date, by: String) async throws -> PruneResult {
        try await write { db in
            defer { try? db.execute(sql: "DROP TABLE IF EXISTS temp.prune_victims") }
            try db.execute(sql: """
                DROP TABLE IF EXISTS temp.prune_victims;
                CREATE TEMP TABLE prune_victims (id TEXT PRIMARY KEY) WITHOUT ROWID;
                """)
            try db.execute(sql: "INSERT INTO prune_victims SELECT id FROM cases WHERE finished = 1 AND updated_at < ?",
                           arguments: [finishedBefore.timeIntervalSince1970])
            var blockers: [String] = []
            blockers += try String.fetchAll(db, sql: """
                SELECT DISTINCT t.case_id || ': task ' || t.id || ' is still ' || t.status FROM tasks t
                JOIN prune_victims v ON t.case_id = v.id WHERE t.status IN ('open', 'claimed') LIMIT 20
                """)
            blockers += try String.fetchAll(db, sql: """
                SELECT m.case_id || ': timer ' || m.name || ' is still running' FROM timers m
                JOIN prune_victims v ON m.case_id = v.id LIMIT 20
                """)
            blockers += try String.fetchAll(db, sql: """
                SELECT c.parent || ': its child ' || c.id || ' is still running' FROM cases c
                JOIN prune_victims v ON c.parent = v.id WHERE c.finished = 0 LIMIT 20
                """)
            guard blockers.isEmpty else { return PruneResult(cases: 0, historyEntries: 0, tasks: 0, blockers: blockers) }
            let cases = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM prune_victims") ?? 0
            guard cases > 0 else { return PruneResult(cases: 0, historyEntries: 0, tasks: 0, blockers: []) }
            let history = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM history WHERE case_id IN (SELECT id FROM prune_victims)") ?? 0
            let tasks = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tasks WHERE case_id IN (SELECT id FROM prune_victims)") ?? 0
            try db.execute(sql: """
                INSERT INTO prune_runs(at, by, finished_before, cases, history_entries, tasks) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [at.timeIntervalSince1970, by, finishedBefore.timeIntervalSince1970, cases, history, tasks])
            let run = db.lastInsertedRowID
            try db.execute(sql: """
                INSERT INTO pruned_cases(run, workflow, version, result, cases)
                SELECT ?, workflow, version, COALESCE(json_extract(snapshot, '$.result'), state), COUNT(*)
                FROM cases WHERE id IN (SELECT id FROM prune_victims) GROUP BY 2, 3, 4
                """, arguments: [run])
            try db.execute(sql: """
                INSERT INTO prune_guard(active) VALUES (1);
                DELETE FROM history WHERE case_id IN (SELECT id FROM prune_victims);
                DELETE FROM prune_guard;
                DELETE FROM tasks WHERE case_id IN (SELECT id FROM prune_victims);
                DELETE FROM timers WHERE case_id IN (SELECT id FROM prune_victims);
                DELETE FROM idempotency WHERE case_id IN (SELECT id FROM prune_victims);
                DELETE FROM queued_events WHERE case_id IN (SELECT id FROM prune_victims) AND status <> 'pending';
                DELETE FROM cases WHERE id IN (SELECT id FROM prune_victims);
                """)
            return PruneResult(cases: cases, historyEntries: history, tasks: tasks, blockers: [])
        }
    }

    public func pruneSummary() async throws -> [PrunedCount] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.at, r.by, r.finished_before, p.workflow, p.version, p.result, p.cases
                FROM pruned_cases p JOIN prune_runs r ON p.run = r.id ORDER BY r.id, p.workflow, p.version, p.result
                """).map { row in
                PrunedCount(prunedAt: Date(timeIntervalSince1970: row[0]), by: row[1], finishedBefore: Date(timeIntervalSince1970: row[2]),
                            workflow: row[3], version: row[4], result: row[5], cases: row[6])
            }
        }
    }
}
