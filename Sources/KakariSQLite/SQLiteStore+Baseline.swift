import Foundation
import GRDB
import KakariStore

extension SQLiteStore: StoreBaseline {
    /// A text the size of a typical case snapshot, so the bare row costs what a case row does.
    static let benchPayload = String(repeating: "x", count: 480)

    public func bareCommits(transactions: Int, perTransaction: Int, rows: Int) async throws -> Double {
        try await prepareBenchTables(rows: rows)
        let started = ContinuousClock.now
        var next = 0
        for _ in 0..<transactions {
            let first = next
            try await write { db in
                let update = try db.cachedStatement(sql: "UPDATE bench_rows SET version = version + 1, payload = ? WHERE id = ?")
                let insert = try db.cachedStatement(sql: "INSERT INTO bench_history(row_id, seq, payload) VALUES (?, ?, ?)")
                for i in 0..<perTransaction {
                    let id = (first + i) % rows
                    try update.execute(arguments: [Self.benchPayload, id])
                    try insert.execute(arguments: [id, first + i, "{\"event\":\"bench\"}"])
                }
            }
            next += perTransaction
        }
        let seconds = (ContinuousClock.now - started).seconds
        try await dropBenchTables()
        return seconds
    }

    public func bareInserts(count: Int, perTransaction: Int) async throws -> Double {
        try await prepareBenchTables(rows: 0)
        let started = ContinuousClock.now
        for first in stride(from: 0, to: count, by: perTransaction) {
            let last = min(first + perTransaction, count)
            try await write { db in
                let row = try db.cachedStatement(sql: "INSERT INTO bench_rows(id, version, payload) VALUES (?, 1, ?)")
                let history = try db.cachedStatement(sql: "INSERT INTO bench_history(row_id, seq, payload) VALUES (?, 1, ?)")
                for id in first..<last {
                    try row.execute(arguments: [id, Self.benchPayload])
                    try history.execute(arguments: [id, "{\"event\":\"bench\"}"])
                }
            }
        }
        let seconds = (ContinuousClock.now - started).seconds
        try await dropBenchTables()
        return seconds
    }

    public func bareWorklistReads(section: String, limit: Int, repeats: Int) async throws -> [Double] {
        var times: [Double] = []
        for _ in 0..<repeats {
            let started = ContinuousClock.now
            _ = try await pool.read { db in
                try Int64.fetchAll(db, sql: """
                    SELECT id FROM tasks WHERE section = ? AND status IN ('claimed', 'open')
                    ORDER BY priority DESC, due IS NULL, due, id LIMIT ?
                    """, arguments: [section, limit])
            }
            times.append((ContinuousClock.now - started).seconds)
        }
        return times
    }

    private func prepareBenchTables(rows: Int) async throws {
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

    private func dropBenchTables() async throws {
        try await write { db in
            try db.execute(sql: "DROP TABLE IF EXISTS bench_rows; DROP TABLE IF EXISTS bench_history;")
        }
    }
}

extension Swift.Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
