import Foundation
import KakariStore
import PostgresNIO

extension PostgresStore: StoreBaseline {
    /// One row is two statements; a group is two statements in all, its ids sent as arrays
    /// and unnested on the server, the way the engine writes a group (so the grouped baseline
    /// is the server's own ceiling, not the round trips of a row-by-row loop).
    public func bareTransaction(_ rows: [BareRow], inserting: Bool) async throws {
        try await transaction { c in
            if rows.count == 1, let r = rows.first {
                // Prepared once per connection, as the engine's own statements are (fixes 49–51),
                // so that the baseline is the server's best for one row, not its parser's.
                var one = PostgresBindings(capacity: 2)
                one.append(r.id)
                one.append(Self.benchPayload)
                if inserting {
                    _ = try await self.rows(BareInsert(bindings: one), on: c)
                } else {
                    _ = try await self.rows(BareUpdate(bindings: one), on: c)
                }
                var history = PostgresBindings(capacity: 3)
                history.append(r.id)
                history.append(r.seq)
                history.append(Self.benchHistoryPayload)
                _ = try await self.rows(BareHistory(bindings: history), on: c)
                return
            }
            let ids = rows.map(\.id), seqs = rows.map(\.seq)
            if inserting {
                try await c.query("INSERT INTO bench_rows(id, version, payload) SELECT u, 1, \(Self.benchPayload) FROM unnest(\(ids)::bigint[]) u",
                                  logger: logger)
            } else {
                try await c.query("""
                    UPDATE bench_rows b SET version = b.version + 1, payload = \(Self.benchPayload)
                    FROM unnest(\(ids)::bigint[]) u(id) WHERE b.id = u.id
                    """, logger: logger)
            }
            try await c.query("""
                INSERT INTO bench_history(row_id, seq, payload)
                SELECT u.id, u.seq, \(Self.benchHistoryPayload) FROM unnest(\(ids)::bigint[], \(seqs)::bigint[]) u(id, seq)
                """, logger: logger)
        }
    }

    public func bareWorklistRead(section: String, limit: Int) async throws {
        _ = try await rows("""
            SELECT id FROM tasks WHERE section = \(section) AND status IN ('claimed', 'open')
            ORDER BY priority DESC, due IS NULL, due, id LIMIT \(limit)
            """)
    }

    /// The server's checkpointer and background writer work for every connection alike.
    public func settleWrites() async throws {}

    /// The scratch tables live in the store's schema, beside its own.
    public func prepareBenchTables(rows count: Int) async throws {
        try await dropBenchTables()
        try await transaction { c in
            try await c.query("CREATE TABLE bench_rows (id BIGINT PRIMARY KEY, version BIGINT NOT NULL, payload TEXT NOT NULL)", logger: logger)
            try await c.query("""
                CREATE TABLE bench_history (row_id BIGINT NOT NULL, seq BIGINT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (row_id, seq))
                """, logger: logger)
            try await c.query("INSERT INTO bench_rows(id, version, payload) SELECT g, 0, \(Self.benchPayload) FROM generate_series(0, \(count - 1)) g",
                              logger: logger)
        }
    }

    public func dropBenchTables() async throws {
        _ = try await rows("DROP TABLE IF EXISTS bench_rows, bench_history")
    }
}

/// The bare transaction's statements for one row (`bareTransaction`).
struct BareInsert: FixedStatement {
    static let sql = "INSERT INTO bench_rows(id, version, payload) VALUES ($1, 1, $2)"
    let bindings: PostgresBindings
}

struct BareUpdate: FixedStatement {
    static let sql = "UPDATE bench_rows SET version = version + 1, payload = $2 WHERE id = $1"
    let bindings: PostgresBindings
}

struct BareHistory: FixedStatement {
    static let sql = "INSERT INTO bench_history(row_id, seq, payload) VALUES ($1, $2, $3)"
    let bindings: PostgresBindings
}
