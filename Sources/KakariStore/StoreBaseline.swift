import Foundation

/// What a backend can do without Kakari on top: the bare transactions `kakari bench`
/// measures the engine against, on the same store, with the same durability settings.
///
/// The bare transaction is the least any workflow engine must do per event: update one row
/// (the case) and insert one row (its history), durably. A backend creates its own scratch
/// tables for this and drops them afterwards; it never touches the cases.
public protocol StoreBaseline: Sendable {
    /// Runs `transactions` transactions of `perTransaction` bare updates (one row updated and
    /// one history row inserted each) over `rows` rows, and returns the seconds they took.
    func bareCommits(transactions: Int, perTransaction: Int, rows: Int) async throws -> Double

    /// Inserts `count` bare rows (a row and a history row each) in transactions of
    /// `perTransaction`, and returns the seconds it took: the floor under an import.
    func bareInserts(count: Int, perTransaction: Int) async throws -> Double

    /// Reads the first `limit` open tasks of `section` in worklist order with a bare query
    /// (ids only, nothing decoded), `repeats` times; returns each read's seconds.
    func bareWorklistReads(section: String, limit: Int, repeats: Int) async throws -> [Double]
}
