import Foundation
import GRDB
import KakariCore
import KakariStore
import Synchronization
import CSQLiteSettings

/// The embedded default store: one SQLite file in WAL mode through GRDB.
///
/// Several `kakari` processes may use one file at once: writers wait for each other (busy
/// timeout) instead of failing, and every commit is one IMMEDIATE transaction with
/// `synchronous = FULL`, so an applied event is on disk before anyone is told.
public final class SQLiteStore: CaseStore {
    let pool: DatabasePool
    public let path: String
    /// Which `commit(chunks:)` owns the transaction open on the writer connection, if any:
    /// its accesses check it, so that a commit whose transaction ended without it (a cancelled
    /// task's, interrupted) never writes into, commits or rolls back another's.
    let chunkedOwner = Mutex<UUID?>(nil)

    /// SQLite's settings for the whole process, made once, before the first connection opens:
    /// no memory statistics, so that SQLite's allocations (a record for every row written,
    /// a copy of every text bound) do not each take one process-wide mutex; that locking was
    /// a tenth of the writer connection's processor time in a daemon's group commit (perf,
    /// docs/performance.md, fix 34). When SQLite is already initialised, nothing changes.
    static let processSettings: Int32 = kakari_sqlite_disable_memory_statistics()

    /// How many pages the log holds before a commit copies it into the file.
    static let checkpointPages: Int32 = 4000

    /// Opens (creating if needed) the store at `path`.
    public init(path: String) throws {
        _ = Self.processSettings
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(60)
        config.label = "kakari"
        // `commit(chunks:)` keeps one transaction open across several accesses to the writer.
        config.allowsUnsafeTransactions = true
        config.prepareDatabase { db in
            // The log is copied into the file (checkpointed) past 4,000 pages (16 MB), not
            // SQLite's 1,000: a page that many transitions rewrite is copied once per
            // checkpoint, not once per few commits (fix 36: the demo 6% faster). This is
            // `PRAGMA wal_autocheckpoint = 4000`, save that a group's commit may leave the
            // checkpoint for later (`commit(chunks:)`, fix 38).
            kakari_sqlite_checkpoint_past(db.sqliteConnection, Self.checkpointPages)
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            // Every commit synced to disk before it returns. Set here, on the writer, and not
            // among the preparations above: GRDB turns the writer to `synchronous = NORMAL`
            // when it sets up WAL mode, after those have run (`DatabasePool.init`), and with
            // NORMAL a commit reaches the disk only at the next checkpoint, so a power cut
            // could lose transitions that a clerk had been told were applied. Until fix 53 the
            // preparation's FULL was overridden so, and no commit was synced (strace: no
            // `fdatasync` after a send's commit, only at the checkpoint).
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw StoreError(.invalidStore, "cannot open \(path) as a Kakari store: \(Self.describe(error))")
        }
    }

    public func migrate() async throws {
        do {
            try SQLiteMigrations.migrator.migrate(pool)
        } catch {
            throw StoreError(.invalidStore, "cannot prepare \(path): \(Self.describe(error))")
        }
    }

    /// Whether the file holds a Kakari schema.
    public func isInitialised() async throws -> Bool {
        try await pool.read { db in try db.tableExists("cases") }
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
    }

    // MARK: Settings

    public func setting(_ key: String) async throws -> String? {
        try await readStatement { db in try Self.setting(key, db) }
    }

    static func setting(_ key: String, _ db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM settings WHERE key = ?"), arguments: [key])
    }

    public func setSetting(_ key: String, _ value: String) async throws {
        try await write { db in try Self.setSetting(key, value, db) }
    }

    /// Runs `body` in one IMMEDIATE transaction (the write lock is taken at the start, so two
    /// processes never deadlock upgrading a read lock).
    ///
    /// BEGIN and COMMIT are prepared once per connection: GRDB's `inTransaction` parses them
    /// again on every transaction, which was a tenth of a single event's CPU time.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.writeWithoutTransaction { db in
            // Only `commit(chunks:)` leaves a transaction open between accesses; a write of
            // this process meanwhile is refused rather than made part of it.
            if db.isInsideTransaction { throw StoreError(.conflict, "the store is busy with a large import in this process; try again") }
            try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
            do {
                let result = try body(db)
                try db.cachedStatement(sql: "COMMIT").execute()
                return result
            } catch {
                // A failed statement or COMMIT may already have ended the transaction.
                if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK").execute() }
                throw error
            }
        }
    }

    /// Runs a read of exactly one statement. One statement reads one snapshot of the file by
    /// itself (SQLite's autocommit), so it is not wrapped in BEGIN/COMMIT as `pool.read` does;
    /// those two statements cost more than most of the reads themselves. A read of several
    /// statements that must agree with each other uses `pool.read`.
    func readStatement<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.unsafeRead(body)
    }

    /// `readStatement` when the read is one statement, else `pool.read`.
    func read<T: Sendable>(oneStatement: Bool, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        oneStatement ? try await readStatement(body) : try await pool.read(body)
    }

    // MARK: Definitions

    public func deploy(files: [SourceFileRecord], versions: [WorkflowVersion], at: Date, by: String) async throws -> Int64 {
        try await deploy(files: files, versions: versions, at: at, by: by, audit: [])
    }

    public func deploy(files: [SourceFileRecord], versions: [WorkflowVersion], at: Date, by: String, audit: [AuditEntry]) async throws -> Int64 {
        try await write { db in
            try Self.appendAudit(audit, db)
            try db.execute(sql: "INSERT INTO bundles(deployed_at, deployed_by) VALUES (?, ?)", arguments: [at.timeIntervalSince1970, by])
            let bundle = db.lastInsertedRowID
            for f in files {
                try db.execute(sql: "INSERT INTO bundle_files(bundle, path, text) VALUES (?, ?, ?)", arguments: [bundle, f.path, f.text])
            }
            for v in versions {
                try db.execute(sql: """
                    INSERT INTO workflow_versions(name, version, hash, bundle, deployed_at, deployed_by)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [v.name, v.version, v.hash, bundle, at.timeIntervalSince1970, by])
            }
            return bundle
        }
    }

    public func workflowVersions() async throws -> [WorkflowVersion] {
        try await readStatement { db in
            try Row.fetchAll(db, sql: "SELECT * FROM workflow_versions ORDER BY name, version").map {
                WorkflowVersion(name: $0["name"], version: $0["version"], hash: $0["hash"], bundle: $0["bundle"],
                                deployedAt: Date(timeIntervalSince1970: $0["deployed_at"]), deployedBy: $0["deployed_by"])
            }
        }
    }

    public func bundleFiles(_ bundle: Int64) async throws -> [SourceFileRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT path, text FROM bundle_files WHERE bundle = ? ORDER BY path", arguments: [bundle])
                .map { SourceFileRecord(path: $0["path"], text: $0["text"]) }
        }
    }

    public func latestBundle() async throws -> Int64? {
        try await readStatement { db in try Self.latestBundle(db) }
    }

    static func latestBundle(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM bundles"))
    }
}

extension SQLiteStore {
    /// Runs statements of an operator's or a test's own, outside any transaction (not used by
    /// the engine).
    public func execute(unsafeSQL sql: String) async throws {
        try await pool.writeWithoutTransaction { db in try db.execute(sql: sql) }
    }
}
