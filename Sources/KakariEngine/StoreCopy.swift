import Foundation
import KakariPostgres
import KakariSQLite
import KakariStore

/// `kakari store copy`: moves a ward's SQLite file into PostgreSQL when it outgrows one
/// machine. Every bundle, case, history row, task, timer, queued event, idempotency key, audit entry and
/// setting is written in one transaction (all or nothing), then the target is verified by
/// replaying every case.
public enum StoreCopy {
    /// What a copy did.
    public struct Report: Sendable {
        public var counts: [(table: String, rows: Int)]
        public var checked: Int
        public var mismatches: [Engine.Mismatch]
    }

    /// Sealed personal values move as they are (the datasets' keys stay where they were); the
    /// target is verified with `keys`, the source's key folder.
    public static func copy(from source: StoreLocation, to target: StoreLocation, keys: KeyFolder? = nil) async throws -> Report {
        guard case .sqlite = source else {
            throw EngineError(.refused, "the source must be a SQLite store (a path or sqlite:PATH), not \(source)")
        }
        guard case .postgres(let url) = target else {
            throw EngineError(.refused, "the target must be a PostgreSQL store (postgres://USER@HOST[:PORT]/DB), not \(target)")
        }
        guard let from = try await source.open() as? SQLiteStore else {
            throw EngineError(.refused, "\(source) is not a SQLite store")
        }
        let dump = try await from.dump()
        let to = PostgresStore(location: try PostgresLocation(url))
        try await to.createIfMissing()
        try await to.migrate()
        try await to.load(dump)
        let (checked, mismatches) = try await Engine(store: SealedStore(base: to, keys: keys ?? source.keyFolder())).verify()
        return Report(counts: dump.counts, checked: checked, mismatches: mismatches)
    }
}
