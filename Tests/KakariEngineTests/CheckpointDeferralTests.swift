import CSQLiteSettings
import Foundation
import GRDB
import Testing

/// The log's checkpoint as the SQLite store sets it on every connection: past a number of pages,
/// a commit copies the log into the file, as `PRAGMA wal_autocheckpoint` does, unless the
/// committing thread defers it (a group's commit, which leaves it to run next on the writer).
@Suite("Checkpoints a group's commit leaves for later")
struct CheckpointDeferralTests {
    /// A WAL database whose connection checkpoints past 8 pages.
    static func database(_ folder: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            kakari_sqlite_checkpoint_past(db.sqliteConnection, 8)
        }
        let queue = try DatabaseQueue(path: folder + "/db.sqlite", configuration: config)
        try queue.write { db in try db.execute(sql: "CREATE TABLE rows (text TEXT NOT NULL)") }
        // The table itself goes into the file, so that a copy of the file alone has it.
        try queue.writeWithoutTransaction { db in _ = try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        return queue
    }

    /// Rows in the database file itself, leaving out what only the log holds: a copy of the
    /// file alone, opened on its own.
    static func rowsInFile(_ folder: String) throws -> Int {
        let copy = folder + "/copy.sqlite"
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: folder + "/db.sqlite", toPath: copy)
        return try DatabaseQueue(path: copy).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rows") ?? 0 }
    }

    /// Writes `count` rows of 4 KB, one page each at least, in one transaction.
    static func insert(_ count: Int, _ db: Database) throws {
        try db.inTransaction {
            for _ in 0..<count { try db.execute(sql: "INSERT INTO rows VALUES (?)", arguments: [String(repeating: "x", count: 4096)]) }
            return .commit
        }
    }

    /// Runs `body` on the connection's queue with checkpoints deferred, as `commit(chunks:)`
    /// commits; returns whether a checkpoint was left due.
    static func deferring(_ queue: DatabaseQueue, _ body: (Database) throws -> Void) throws -> Int32 {
        try queue.inDatabase { db in
            kakari_sqlite_defer_checkpoints(1)
            defer { kakari_sqlite_defer_checkpoints(0) }
            try body(db)
            return kakari_sqlite_checkpoint_due()
        }
    }

    @Test("a commit past the threshold copies the log into the file, as SQLite's automatic checkpoint does")
    func checkpointsPastThreshold() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.queue.inDatabase { try Self.insert(20, $0) }
        #expect(try Self.rowsInFile(scratch.folder) == 20)
    }

    @Test("a deferring thread's commit leaves the log as it is and says a checkpoint is due; the checkpoint run then copies it")
    func deferredThenRun() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(try Self.deferring(scratch.queue) { try Self.insert(20, $0) } == 1)
        #expect(try Self.rowsInFile(scratch.folder) == 0, "the rows are in the log only")
        try scratch.queue.inDatabase { db in _ = try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
        #expect(try Self.rowsInFile(scratch.folder) == 20)
    }

    @Test("a commit under the threshold leaves nothing due")
    func nothingDueUnderThreshold() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(try Self.deferring(scratch.queue) { try Self.insert(1, $0) } == 0)
    }

    /// A fresh database (`database(_:)`) in a folder of its own.
    struct Scratch {
        let folder = NSTemporaryDirectory() + "kakari-checkpoint-" + UUID().uuidString
        let queue: DatabaseQueue

        init() throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            queue = try CheckpointDeferralTests.database(folder)
        }

        func remove() { try? FileManager.default.removeItem(atPath: folder) }
    }
}
