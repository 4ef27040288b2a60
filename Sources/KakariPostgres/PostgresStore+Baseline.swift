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
                if inserting {
                    try await c.query("INSERT INTO bench_rows(id, version, payload) VALUES (\(r.id), 1, \(Self.benchPayload))", logger: logger)
                } else {
                    try await c.query("UPDATE bench_rows SET version = version + 1, payload = \(Self.benchPayload) WHERE id = \(r.id)", logger: logger)
                }
                try await c.query("INSERT INTO bench_history(row_id, seq, payload) VALUES (\(r.id), \(r.seq), \(Self.benchHistoryPayload))",
                                  logger: logger)
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
