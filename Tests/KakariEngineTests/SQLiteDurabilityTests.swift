import Foundation
import GRDB
@testable import KakariSQLite
import Testing

/// The SQLite store's promise that an applied event is on disk before anyone is told: its
/// writer connection syncs every commit (`synchronous = FULL`), on a new file and on an
/// existing one opened again.
@Suite("SQLite commits are durable")
struct SQLiteDurabilityTests {
    /// The writer connection's `synchronous` level (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA).
    static func writerLevel(_ store: SQLiteStore) async throws -> Int? {
        try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
    }

    @Test("the writer connection syncs every commit, on a new store and on the same file opened again")
    func writerSyncsEveryCommit() async throws {
        let folder = NSTemporaryDirectory() + "kakari-durable-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/store.sqlite"
        let created = try SQLiteStore(path: path)
        try await created.migrate()
        #expect(try await Self.writerLevel(created) == 2)
        let reopened = try SQLiteStore(path: path)
        #expect(try await Self.writerLevel(reopened) == 2)
        // The log is in WAL mode still: FULL means a sync of the log at every commit.
        let mode = try await reopened.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}
