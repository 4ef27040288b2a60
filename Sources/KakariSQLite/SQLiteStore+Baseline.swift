import Foundation
import GRDB
import KakariStore

extension SQLiteStore: StoreBaseline {
    public func bareTransaction(_ rows: [BareRow], inserting: Bool) async throws {
        try await write { db in
            let row = try db.cachedStatement(sql: inserting
                ? "INSERT INTO bench_rows(id, version, payload) VALUES (?, 1, ?)"
                : "UPDATE bench_rows SET version = version + 1, payload = ? WHERE id = ?")
            let history = try db.cachedStatement(sql: "INSERT INTO bench_history(row_id, seq, payload) VALUES (?, ?, ?)")
            for r in rows {
                try row.execute(arguments: inserting ? [r.id, Self.benchPayload] : [Self.benchPayload, r.id])
                try history.execute(arguments: [r.id, r.seq, Self.benchHistoryPayload])
            }
        }
    }

    public func bareWorklistRead(section: String, limit: Int) async throws {
        _ = try await pool.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT id FROM tasks WHERE section = ? AND status IN ('claimed', 'open')
                ORDER BY priority DESC, due IS NULL, due, id LIMIT ?
                """, arguments: [section, limit])
        }
    }

    public func settleWrites() async throws {
        try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
    }

    public func prepareBenchTables(rows: Int) async throws {
        try await dropBenchTables()
        try await write { db in
            try db.execute(sql: """
                CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, payload TEXT NOT NULL);
                CREATE TABLE bench_history (row_id INTEGER NOT NULL, seq INTEGER NOT NULL, payload TEXT NOT NULL,
                                            PRIMARY KEY (row_id, seq)) WITHOUT ROWID;
                """)
            let insert = try db.cachedStatement(sql: "INSERT INTO bench_rows(id, version, payload) VALUES (?, 0, ?)")
            for id in 0..<rows { try insert.execute(arguments: [id, Self.benchPayload]) }
        }
    }

    public func dropBenchTables() async throws {
        try await write { db in
            try db.execute(sql: "DROP TABLE IF EXISTS bench_rows; DROP TABLE IF EXISTS bench_history;")
        }
    }
}
