import Foundation
import KakariStore
import PostgresNIO
import Synchronization

/// Counts the rows a store's writes (commits, queued events, copies) have made since it last
/// looked at the planner's statistics.
final class WrittenRows: Sendable {
    private let count = Mutex(0)

    /// Adds `rows`; true, and back to zero, once `every` rows have been written.
    func add(_ rows: Int, every: Int) -> Bool {
        count.withLock { count in
            count += rows
            guard count >= every else { return false }
            count = 0
            return true
        }
    }
}

extension PostgresStore {
    /// How many rows a store writes between two looks at the statistics.
    public static let statisticsCheckRows = 10_000

    /// A table smaller than this many pages (8 KB each) is left to autovacuum: any plan reads
    /// it quickly.
    static let statisticsMinimumPages = 64

    /// Notes `rows` written by a commit, and every `statisticsCheckRows` rows brings the
    /// planner's statistics up to date (`refreshStatistics`).
    ///
    /// PostgreSQL's planner chooses by the row counts it last measured (`ANALYZE`), and
    /// autovacuum measures a table only once its naptime (a minute) has passed. A table filled
    /// in bulk is read before that: `kakari bench` at 10⁵ cases found a section's worklist
    /// read in 30 ms instead of under 1 (fix 39): the 100,000 visit tasks the daemon had just
    /// opened were, to the planner, a table never measured, so it sorted them all rather than
    /// read the first 50 from the worklist index. A failure here is logged, not thrown: the
    /// write it follows has committed.
    func noteBulkWrite(rows: Int) async {
        guard written.add(rows, every: Self.statisticsCheckRows) else { return }
        do {
            try await refreshStatistics()
        } catch {
            logger.warning("could not bring the planner's statistics up to date: \(error)")
        }
    }

    /// Measures (`ANALYZE`) each table of the store's schema that has reached
    /// `statisticsMinimumPages` and that the planner has never measured or that has more than
    /// doubled since it was: what autovacuum would do within a minute, done before the next
    /// reads. A table that only changed within its size is left to autovacuum. Returns the
    /// tables measured.
    @discardableResult
    public func refreshStatistics() async throws -> [String] {
        // `relpages` is the size at the last measurement (0 before any, with `reltuples` -1).
        let stale = try await rows("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind = 'r'
              AND pg_relation_size(c.oid) >= \(Self.statisticsMinimumPages) * current_setting('block_size')::bigint
              AND (c.reltuples < 0 OR pg_relation_size(c.oid) > 2 * c.relpages::bigint * current_setting('block_size')::bigint)
            ORDER BY c.relname
            """).map { try $0.decode(String.self) }
        for table in stale {
            // The name comes from the catalog, quoted as an identifier.
            let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            _ = try await rows(PostgresQuery(unsafeSQL: "ANALYZE \(quoted)"))
        }
        if !stale.isEmpty { logger.debug("measured for the planner: \(stale.joined(separator: ", "))") }
        return stale
    }
}
