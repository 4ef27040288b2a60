import Foundation
import KakariCore
import KakariStore
import Logging
import PostgresNIO

/// The server store: one PostgreSQL database (or one schema of it) through postgres-nio, for
/// wards that run several engine daemons on several machines.
///
/// Same semantics as the SQLite store: history is append-only (triggers refuse updates and
/// deletes), every commit is one transaction that refuses the whole batch when a case's
/// sequence moved (`StoreError.conflict`), idempotency keys are unique, timers are indexed by
/// due time. Daemons share the work through claims (see `claimWork`) and are woken by
/// `NOTIFY` when events are queued.
public final class PostgresStore: CaseStore, @unchecked Sendable {
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    let wakeups = WakeupFlag()
    /// Rows written in bulk since the planner's statistics were last looked at.
    let written = WrittenRows()

    /// Connects lazily to `location`; nothing is sent before the first query.
    public init(location: PostgresLocation, maximumConnections: Int = 8, logger: Logger = Logger(label: "kakari.postgres")) {
        self.location = location
        self.logger = logger
        var quiet = Logger(label: "kakari.postgres.pool")
        quiet.logLevel = .critical
        let client = PostgresClient(configuration: location.configuration(maximumConnections: maximumConnections), backgroundLogger: quiet)
        self.client = client
        runner = Task { await client.run() }
    }

    deinit {
        runner.cancel()
    }

    /// The channel `enqueue` notifies and idle daemons listen on.
    static let channel = "kakari_work"

    // MARK: Running queries

    /// All rows of `query`, run on a pooled connection, given up after `location.timeout`.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await rows(query, timeout: location.timeout)
    }

    /// All rows of `query`, given up after `timeout` seconds (`nil`: never, for maintenance
    /// such as `VACUUM FULL`, which takes as long as the table is large).
    func rows(_ query: PostgresQuery, timeout: Double?) async throws -> [PostgresRow] {
        try await onConnection(timeout: timeout) { connection in
            try await connection.query(query, logger: self.logger).collect()
        }
    }

    /// What `body` returns, run on a pooled connection outside a transaction (one statement
    /// is its own), given up after `timeout` seconds (`nil`: never).
    func onConnection<T: Sendable>(timeout: Double?, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                let watchdog = Watchdog(connection, seconds: timeout)
                defer { watchdog.standDown() }
                do {
                    // A query sent on a connection the watchdog already closed is never answered.
                    if watchdog.expired { throw CancellationError() }
                    return try await body(connection)
                } catch where watchdog.expired {
                    throw unanswered(after: timeout)
                }
            }
        } catch {
            throw mapped(error)
        }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled
    /// back when it throws.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction { connection, _ in try await body(connection) }
    }

    /// `transaction(_:)`, with the watchdog given to `body` so that a long transaction made of
    /// several pieces of work can start its wait again after each (`Watchdog.feed`).
    func transaction<T: Sendable>(_ body: (PostgresConnection, Watchdog) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                let watchdog = Watchdog(connection, seconds: location.timeout)
                defer { watchdog.standDown() }
                do {
                    if watchdog.expired { throw CancellationError() }
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        let value = try await body(connection, watchdog)
                        try await connection.query("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                } catch where watchdog.expired {
                    throw unanswered(after: location.timeout)
                }
            }
        } catch let unbuilt as Unbuilt {
            throw unbuilt
        } catch {
            throw mapped(error)
        }
    }

    /// What a command says when the server did not answer within `seconds`.
    func unanswered(after seconds: Double?) -> StoreError {
        StoreError(.unavailable, "PostgreSQL at \(location.host):\(location.port) did not answer within \(Int(seconds ?? 0)) s; try again")
    }

    /// A `StoreError` for people: never SQL, and the kind a program can act on.
    func mapped(_ error: Error) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? PSQLError else {
            if error is CancellationError { return StoreError(.unavailable, "the operation on \(location) was cancelled") }
            if error is PostgresDecodingError { return StoreError(.invalidStore, "\(location) holds data this version of Kakari cannot read") }
            // Refused connections, time-outs, the pool giving up after failed attempts.
            return StoreError(.unavailable, "cannot reach PostgreSQL at \(location.host):\(location.port); is the server running?")
        }
        if error.code == .server, let info = error.serverInfo {
            let state = info[.sqlState] ?? ""
            let message = info[.message] ?? "an error"
            switch state {
            case "KR001":
                // A whole write refused by its own statement (`kakari_require`, fix 47).
                return PreparedBatch.refusal(kind: message, value: info[.detail] ?? "")
            case "23505", "40001", "40P01":
                return StoreError(.conflict, "another writer changed the same data meanwhile; try again")
            case "3D000":
                return StoreError(.invalidStore, "there is no database '\(location.database)' at \(location.host):\(location.port); create the store with 'kakari init'")
            case "42P01", "3F000":
                return StoreError(.invalidStore, "\(location) is not a Kakari store; create one with 'kakari init'")
            case let s where s.hasPrefix("28"):
                return StoreError(.unavailable, "PostgreSQL at \(location.host):\(location.port) refused user \(location.user): \(message)")
            case let s where s.hasPrefix("57") || s.hasPrefix("08") || s.hasPrefix("53"):
                return StoreError(.unavailable, "PostgreSQL at \(location.host):\(location.port) is not available (\(message)); try again")
            default:
                return StoreError(.unavailable, "PostgreSQL refused the operation: \(message)")
            }
        }
        return StoreError(.unavailable, "cannot reach PostgreSQL at \(location.host):\(location.port); is the server running?")
    }

    // MARK: Creating and migrating

    /// Connects once, directly, so that a server that is down or a database that is missing
    /// is reported at once (the pool would keep trying for a minute).
    ///
    /// A server that is full ("too many clients") or still starting is not down: the probe
    /// tries again, waiting a little longer each time, until the store's timeout has passed,
    /// as the pool does for the queries that follow.
    public func probe() async throws {
        let clock = ContinuousClock()
        let deadline = location.timeout.map { clock.now + .milliseconds(Int($0 * 1000)) }
        var pause = Swift.Duration.milliseconds(50)
        while true {
            do {
                let connection = try await PostgresConnection.connect(configuration: location.connectionConfiguration(), id: 0, logger: logger)
                try await connection.close().get()
                return
            } catch let error as PSQLError where Self.isBusy(error) {
                if let deadline, clock.now + pause > deadline { throw mapped(error) }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(1))
            } catch {
                throw mapped(error)
            }
        }
    }

    /// Whether the server refused a new connection only for now: every connection slot is
    /// taken (53300) or it is starting up or shutting down (57P03).
    static func isBusy(_ error: PSQLError) -> Bool {
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "53300" || state == "57P03"
    }

    /// Creates the database (through the `postgres` maintenance database) and the schema
    /// when they are missing. For `kakari init`.
    public func createIfMissing() async throws {
        let exists: Bool
        do {
            try await probe()
            exists = true
        } catch let error as StoreError where error.code == .invalidStore {
            exists = false
        }
        if !exists {
            let admin = PostgresStore(location: location.with(database: "postgres"), maximumConnections: 1, logger: logger)
            let name = location.database.replacingOccurrences(of: "\"", with: "\"\"")
            do {
                _ = try await admin.rows(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""))
            } catch let error as StoreError where error.code == .conflict {
                // Created by someone else meanwhile.
            }
        }
        if location.schema != "public" {
            _ = try await rows(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(location.schema)"))
        }
    }

    /// Whether the database (schema) holds a Kakari store.
    public func isInitialised() async throws -> Bool {
        let found = try await rows("SELECT to_regclass('cases') IS NOT NULL AND to_regclass('kakari_migrations') IS NOT NULL")
        return try found.first?.decode(Bool.self) ?? false
    }

    public func migrate() async throws {
        try await PostgresMigrations.migrate(self)
    }

    // MARK: Settings

    public func setting(_ key: String) async throws -> String? {
        try await rows(SettingByKey(key)).first?.decode(String.self)
    }

    public func setSetting(_ key: String, _ value: String) async throws {
        _ = try await rows("INSERT INTO settings(key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
    }

    // MARK: Definitions

    public func deploy(files: [SourceFileRecord], versions: [WorkflowVersion], at: Date, by: String) async throws -> Int64 {
        try await transaction { c in try await self.deploy(files: files, versions: versions, at: at, by: by, c) }
    }

    /// Stores a bundle inside the caller's transaction.
    func deploy(files: [SourceFileRecord], versions: [WorkflowVersion], at: Date, by: String, _ c: PostgresConnection) async throws -> Int64 {
        let seconds = at.timeIntervalSince1970
        let bundle = try await c.query("INSERT INTO bundles(deployed_at, deployed_by) VALUES (\(seconds), \(by)) RETURNING id", logger: logger)
            .collect().first!.decode(Int64.self)
        for f in files {
            try await c.query("INSERT INTO bundle_files(bundle, path, text) VALUES (\(bundle), \(f.path), \(f.text))", logger: logger)
        }
        for v in versions {
            try await c.query("""
                INSERT INTO workflow_versions(name, version, hash, bundle, deployed_at, deployed_by)
                VALUES (\(v.name), \(v.version), \(v.hash), \(bundle), \(seconds), \(by))
                """, logger: logger)
        }
        return bundle
    }

    public func workflowVersions() async throws -> [WorkflowVersion] {
        try await rows("SELECT name, version, hash, bundle, deployed_at, deployed_by FROM workflow_versions ORDER BY name, version").map {
            let (name, version, hash, bundle, at, by) = try $0.decode((String, Int, String, Int64, Double, String).self)
            return WorkflowVersion(name: name, version: version, hash: hash, bundle: bundle,
                                   deployedAt: Date(timeIntervalSince1970: at), deployedBy: by)
        }
    }

    public func bundleFiles(_ bundle: Int64) async throws -> [SourceFileRecord] {
        try await rows("SELECT path, text FROM bundle_files WHERE bundle = \(bundle) ORDER BY path").map {
            let (path, text) = try $0.decode((String, String).self)
            return SourceFileRecord(path: path, text: text)
        }
    }

    public func latestBundle() async throws -> Int64? {
        try await rows(LatestBundle(bindings: PostgresBindings())).first?.decode(Int64?.self)
    }
}

/// Set when a notification arrives; an idle daemon waits for it.
final class WakeupFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    private var listening = false

    func raise() { lock.withLock { raised = true } }

    /// Whether it was raised, lowering it.
    func take() -> Bool { lock.withLock { defer { raised = false }; return raised } }

    /// True the first time only: who starts the listener.
    func startListening() -> Bool { lock.withLock { defer { listening = true }; return !listening } }
}

extension PostgresStore {
    /// Runs one statement of an operator's or a test's own (not used by the engine).
    public func execute(unsafeSQL sql: String) async throws {
        _ = try await rows(PostgresQuery(unsafeSQL: sql))
    }
}

extension PostgresStore {
    /// Every table and function a Kakari store makes in its schema, for `reset`.
    public static let ownTables = ["audit", "pruned_cases", "prune_runs", "prune_guard", "case_claims", "idempotency", "queued_events", "timers",
                            "tasks", "history", "cases", "workflow_versions", "bundle_files", "bundles", "settings", "kakari_migrations",
                            "bench_rows", "bench_history", "staff_members"]
    /// The functions, by name: each name is the store's only function of that name, so it
    /// needs no argument list to be dropped.
    static let ownFunctions = ["history_is_append_only", "history_delete_while_pruning", "history_update_while_erasing", "audit_is_append_only",
                               "kakari_sees_case", "kakari_sees_task", "kakari_supervises", "kakari_audit_tail", "kakari_audit_append",
                               "kakari_require", "kakari_changed", "kakari_write"]

    /// Removes the store's tables and functions from its schema (nothing else there), so that
    /// a rehearsal (`kakari demo`, `kakari bench`) starts afresh. The caller decides whether the
    /// store may be replaced.
    public func reset() async throws {
        try await transaction { c in
            try await c.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(Self.ownTables.joined(separator: ", ")) CASCADE"), logger: logger)
            for function in Self.ownFunctions {
                try await c.query(PostgresQuery(unsafeSQL: "DROP FUNCTION IF EXISTS \(function) CASCADE"), logger: logger)
            }
        }
    }

    /// Whether the store holds no deployed definitions and no cases.
    public func isEmpty() async throws -> Bool {
        try await rows("SELECT NOT EXISTS (SELECT 1 FROM cases) AND NOT EXISTS (SELECT 1 FROM bundles)").first?.decode(Bool.self) ?? true
    }
}

extension PostgresStore {
    /// The first column of the first row of an operator's or a test's own query, as text.
    public func text(unsafeSQL sql: String) async throws -> String? {
        try await rows(PostgresQuery(unsafeSQL: sql)).first?.decode(String?.self)
    }
}

/// Closes a connection whose server has not answered within the store's timeout: the
/// statement in flight then fails (the server rolls back what was not committed) and the
/// command ends with a sentence instead of waiting for ever.
///
/// postgres-nio has no per-query deadline, and a task's cancellation does not reach a query
/// already sent, so this small watchdog is written here. Its limit: postgres-nio never
/// answers a query sent on a connection already closed, so a firing that falls between two
/// statements of a transaction (the process starved of CPU for the whole timeout) leaves the
/// next statement waiting; the code checks `expired` where it can (before the first statement
/// and between the batches of `commit(chunks:)`).
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var timer: Task<Void, Never>?
    private let connection: PostgresConnection
    private let seconds: Double?

    init(_ connection: PostgresConnection, seconds: Double?) {
        self.connection = connection
        self.seconds = seconds
        feed()
    }

    /// Starts the wait again: the server answered, and the next piece of work has its own
    /// `seconds` (a transaction written in several batches, `commit(chunks:)`). Once the
    /// watchdog has fired it stays fired.
    func feed() {
        guard let seconds else { return }
        let connection = self.connection
        lock.withLock {
            guard !fired else { return }
            timer?.cancel()
            timer = Task { [weak self] in
                guard (try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))) != nil else { return }
                self?.lock.withLock { self?.fired = true }
                try? await connection.close()
            }
        }
    }

    /// Whether the connection was closed because the server took too long.
    var expired: Bool { lock.withLock { fired } }

    /// Stops watching (until the next `feed`): the work ended in time, or what follows is
    /// the caller's own work, not the server's.
    func standDown() {
        lock.withLock {
            timer?.cancel()
            timer = nil
        }
    }
}
