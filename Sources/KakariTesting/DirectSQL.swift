import Foundation
import KakariEngine
import KakariPostgres
import KakariSQLite

/// SQL run straight on a store's database, bypassing Kakari, as someone with the file and the
/// sqlite3 tool (or psql and the database's password) would: how tests tamper with a store to
/// show that the tampering is found. The statements must be valid on both backends (quote
/// `"user"`); `dropTrigger` spells the one statement that differs.
public enum DirectSQL {
    /// Runs `statements` in order, each on its own (no surrounding transaction).
    public static func execute(_ statements: [String], on location: StoreLocation) async throws {
        switch location {
        case .sqlite(let path):
            let store = try SQLiteStore(path: path)
            for statement in statements { try await store.execute(unsafeSQL: statement) }
        case .postgres(let url):
            let store = PostgresStore(location: try PostgresLocation(url), maximumConnections: 1)
            for statement in statements { try await store.execute(unsafeSQL: statement) }
        }
    }

    /// `DROP TRIGGER name` for the backend of `location`.
    public static func dropTrigger(_ name: String, on table: String, _ location: StoreLocation) -> String {
        switch location {
        case .sqlite: "DROP TRIGGER \(name)"
        case .postgres: "DROP TRIGGER \(name) ON \(table)"
        }
    }
}
