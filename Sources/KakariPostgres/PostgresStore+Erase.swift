import Foundation
import KakariStore
import PostgresNIO

extension PostgresStore {
    /// Like the SQLite store: one transaction rewrites the rows, the history updates passing the
    /// append-only trigger while this transaction's prune_guard row exists; then, once no
    /// transaction older than the purge is running, `VACUUM FULL` rewrites the tables so that
    /// the old row versions leave the data files.
    public func erase(containing marker: String, rewrite: @escaping @Sendable (String) -> String, audit: [AuditEntry]) async throws -> ErasureCount {
        let pattern = "%" + marker + "%"
        // One statement per row: the store's timeout applies to each, not to the whole purge.
        let count = try await transaction { c, watchdog in
            func query(_ sql: PostgresQuery) async throws -> [PostgresRow] {
                watchdog.feed()
                return try await c.query(sql, logger: logger).collect()
            }
            var count = ErasureCount()
            for row in try await query("SELECT id, snapshot FROM cases WHERE snapshot LIKE \(pattern) FOR UPDATE") {
                let (id, snapshot) = try row.decode((String, String).self)
                watchdog.feed()
                try await c.query("UPDATE cases SET snapshot = \(rewrite(snapshot)) WHERE id = \(id)", logger: logger)
                count.cases += 1
            }
            try await c.query("INSERT INTO prune_guard(active) VALUES (1)", logger: logger)
            for row in try await query("SELECT case_id, seq, payload, detail FROM history WHERE payload LIKE \(pattern) OR detail LIKE \(pattern)") {
                let (id, seq, payload, detail) = try row.decode((String, Int64, String?, String).self)
                watchdog.feed()
                try await c.query("""
                    UPDATE history SET payload = \(payload.map(rewrite)), detail = \(rewrite(detail)) WHERE case_id = \(id) AND seq = \(seq)
                    """, logger: logger)
                count.historyEntries += 1
            }
            try await c.query("DELETE FROM prune_guard", logger: logger)
            for row in try await query("SELECT id, title FROM tasks WHERE title LIKE \(pattern)") {
                let (id, title) = try row.decode((Int64, String).self)
                watchdog.feed()
                try await c.query("UPDATE tasks SET title = \(rewrite(title)) WHERE id = \(id)", logger: logger)
                count.tasks += 1
            }
            for row in try await query("SELECT id, fields FROM queued_events WHERE fields LIKE \(pattern)") {
                let (id, fields) = try row.decode((Int64, String).self)
                watchdog.feed()
                try await c.query("UPDATE queued_events SET fields = \(rewrite(fields)) WHERE id = \(id)", logger: logger)
                count.queuedEvents += 1
            }
            try await appendAudit(audit, c)
            return count
        }
        // VACUUM FULL keeps old row versions that a transaction begun before the purge could
        // still read: wait (up to a minute) until every such transaction has ended.
        let committed = try await rows("SELECT clock_timestamp()::text").first?.decode(String.self) ?? ""
        for _ in 0..<120 {
            let older = try await rows("""
                SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                AND xact_start < \(committed)::timestamptz
                """).first?.decode(Int.self) ?? 0
            if older == 0 { break }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        // A large table takes long to rewrite: the store's timeout does not apply here.
        for table in ["cases", "history", "tasks", "queued_events"] {
            _ = try await rows(PostgresQuery(unsafeSQL: "VACUUM FULL \(table)"), timeout: nil)
        }
        return count
    }
}
