import Foundation

/// What a backend can do without Kakari on top: the bare transactions `kakari bench`
/// measures the engine against, on the same store, with the same durability settings.
///
/// The bare transaction is the least any workflow engine must do per event: update one row
/// (the case) and insert one row (its history), durably. A backend creates its own scratch
/// tables for this and drops them afterwards; it never touches the cases. A backend gives the
/// primitives (the scratch tables, one bare transaction, one bare worklist read); the timed
/// runs are the same for every backend.
public protocol StoreBaseline: Sendable {
    /// Makes the scratch tables afresh (`bench_rows` with `rows` rows numbered from 0, and an
    /// empty `bench_history`).
    func prepareBenchTables(rows: Int) async throws
    /// Drops the scratch tables.
    func dropBenchTables() async throws
    /// One durable transaction: for each row, a new `bench_rows` row (`inserting`) or an update
    /// of the existing one, and a `bench_history` row `(id, seq)`.
    func bareTransaction(_ rows: [BareRow], inserting: Bool) async throws
    /// The ids of the first `limit` open tasks of `section` in worklist order, with a bare
    /// query (nothing decoded but the ids).
    func bareWorklistRead(section: String, limit: Int) async throws
    /// Ends a timed run of writes by paying what it leaves behind that its own process would
    /// pay later: SQLite copies its log into the file (a checkpoint, which the connection
    /// that commits past the log's limit runs), so that when the engine's writes and the
    /// bare ones alternate, each run pays for its own pages and none for the other's.
    /// PostgreSQL's checkpoints are a background process's, shared by both alike: nothing.
    func settleWrites() async throws
}

/// A row a bare transaction writes: its id and the sequence of its history row.
public struct BareRow: Hashable, Sendable {
    public var id: Int
    public var seq: Int
    public init(id: Int, seq: Int) {
        self.id = id
        self.seq = seq
    }
}

extension StoreBaseline {
    /// A text the size of a typical case snapshot, so the bare row costs what a case row does.
    /// Made once: the bare transaction writes it, it does not build it.
    public static var benchPayload: String { benchPayloadText }
    /// The bare history row's payload.
    public static var benchHistoryPayload: String { "{\"event\":\"bench\"}" }

    /// Runs `transactions` transactions of `perTransaction` bare updates (one row updated and
    /// one history row inserted each) over `rows` rows, and returns the seconds they took.
    public func bareCommits(transactions: Int, perTransaction: Int, rows: Int) async throws -> Double {
        try await prepareBenchTables(rows: rows)
        let seconds = try await bareCommits(0..<transactions, perTransaction: perTransaction, rows: rows)
        try await dropBenchTables()
        return seconds
    }

    /// Runs the transactions numbered `transactions` (each `perTransaction` bare updates, as
    /// in `bareCommits(transactions:perTransaction:rows:)`) in scratch tables made already by
    /// `prepareBenchTables(rows:)`, and returns the seconds they took. Ranges run one after
    /// another continue the same rows and history, so a figure can alternate them with the
    /// engine's own work and both see the same moments of the machine.
    public func bareCommits(_ transactions: Range<Int>, perTransaction: Int, rows: Int) async throws -> Double {
        let started = ContinuousClock.now
        for t in transactions {
            let first = t * perTransaction
            try await bareTransaction((first..<first + perTransaction).map { BareRow(id: $0 % rows, seq: $0) }, inserting: false)
        }
        return Self.seconds(since: started)
    }

    /// Inserts `count` bare rows (a row and a history row each) in transactions of
    /// `perTransaction`, and returns the seconds it took: the floor under an import.
    public func bareInserts(count: Int, perTransaction: Int) async throws -> Double {
        try await prepareBenchTables(rows: 0)
        let started = ContinuousClock.now
        for first in stride(from: 0, to: count, by: perTransaction) {
            try await bareTransaction((first..<min(first + perTransaction, count)).map { BareRow(id: $0, seq: 1) }, inserting: true)
        }
        let seconds = Self.seconds(since: started)
        try await dropBenchTables()
        return seconds
    }

    /// Reads the first `limit` open tasks of `section` in worklist order with a bare query
    /// (ids only, nothing decoded), `repeats` times; returns each read's seconds.
    public func bareWorklistReads(section: String, limit: Int, repeats: Int) async throws -> [Double] {
        var times: [Double] = []
        for _ in 0..<repeats {
            let started = ContinuousClock.now
            try await bareWorklistRead(section: section, limit: limit)
            times.append(Self.seconds(since: started))
        }
        return times
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double { start.secondsElapsed }
}

/// The bare row's payload, made once (`String(repeating:)` per row cost the baseline as much
/// as its statements).
private let benchPayloadText = String(repeating: "x", count: 480)

extension ContinuousClock.Instant {
    /// The seconds since this instant, as a `Double` (for benchmark figures).
    public var secondsElapsed: Double {
        let (s, attoseconds) = (ContinuousClock.now - self).components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
