import Foundation
import GRDB
import KakariStore

extension SQLiteStore {
    public func erase(containing marker: String, rewrite: @escaping @Sendable (String) -> String, audit: [AuditEntry]) async throws -> ErasureCount {
        let pattern = "%" + marker + "%"
        let count = try await write { db in
            var count = ErasureCount()
            // Pages freed by the rewrite are zeroed, not left in the file.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            for row in try Row.fetchAll(db, sql: "SELECT id, snapshot FROM cases WHERE snapshot LIKE ?", arguments: [pattern]) {
                let id: String = row[0]
                try db.execute(sql: "UPDATE cases SET snapshot = ? WHERE id = ?", arguments: [rewrite(row[1]), id])
                count.cases += 1
            }
            try db.execute(sql: "INSERT INTO prune_guard(active) VALUES (1)")
            for row in try Row.fetchAll(db, sql: """
                SELECT case_id, seq, payload, detail FROM history WHERE payload LIKE ? OR detail LIKE ?
                """, arguments: [pattern, pattern]) {
                let id: String = row[0], seq: Int64 = row[1], payload: String? = row[2], detail: String = row[3]
                try db.execute(sql: "UPDATE history SET payload = ?, detail = ? WHERE case_id = ? AND seq = ?",
                               arguments: [payload.map(rewrite), rewrite(detail), id, seq])
                count.historyEntries += 1
            }
            try db.execute(sql: "DELETE FROM prune_guard")
            for row in try Row.fetchAll(db, sql: "SELECT id, title FROM tasks WHERE title LIKE ?", arguments: [pattern]) {
                let id: Int64 = row[0]
                try db.execute(sql: "UPDATE tasks SET title = ? WHERE id = ?", arguments: [rewrite(row[1]), id])
                count.tasks += 1
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, fields FROM queued_events WHERE fields LIKE ?", arguments: [pattern]) {
                let id: Int64 = row[0]
                try db.execute(sql: "UPDATE queued_events SET fields = ? WHERE id = ?", arguments: [rewrite(row[1]), id])
                count.queuedEvents += 1
            }
            try Self.appendAudit(audit, db)
            return count
        }
        // The old row versions may still sit in the write-ahead log and in free pages: the log
        // is checkpointed and emptied, the file rebuilt without free pages.
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            try db.execute(sql: "VACUUM")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return count
    }
}
