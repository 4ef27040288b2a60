import GRDB
import GRDBSQLite

/// One of the writer's hot statements, bound and run through SQLite's C interface.
///
/// Written by hand on purpose. GRDB binds `StatementArguments`, which box every value in an
/// existential and bind them through nested closures; on the writer's path (the rows of every
/// transition: case, history, tasks, timers, audit) that binding was a fifth of the writer
/// connection's processor time in `kakari demo` (perf, docs/performance.md, fix 29). Here each
/// value goes straight to `sqlite3_bind_*`, as GRDB itself would bind it (text copied by
/// SQLite, booleans as 0 and 1, nil as NULL), so the stored bytes are the same. The statement
/// still comes from GRDB's cache: it is prepared once per connection and finalized by GRDB.
struct DirectStatement {
    private let statement: Statement
    private let db: Database
    private var index: Int32 = 0
    /// The first binding SQLite refused (a text too long, memory), thrown when the statement runs.
    private var refusedBinding = SQLITE_OK

    /// The cached statement for `sql`, reset and with no value bound.
    init(_ db: Database, _ sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
    }

    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// Binds the next parameter (SQL's `?` marks are bound in order, each exactly once).
    mutating func bind(_ value: String?) {
        index += 1
        guard let value else { return bound(sqlite3_bind_null(statement.sqliteStatement, index)) }
        // A native string's UTF-8 is bound in place (SQLite copies it); passing the `String`
        // itself would first copy it into a C string.
        let code = value.utf8.withContiguousStorageIfAvailable { text(UnsafeRawBufferPointer($0)) }
        bound(code ?? sqlite3_bind_text(statement.sqliteStatement, index, value, -1, Self.transient))
    }

    /// Binds the next parameter to the text whose UTF-8 bytes are `utf8`.
    mutating func bind(utf8: [UInt8]) {
        index += 1
        bound(utf8.withUnsafeBytes { text($0) })
    }

    private func text(_ utf8: UnsafeRawBufferPointer) -> Int32 {
        // An empty buffer may have no address, and a null one would bind NULL.
        guard let start = utf8.baseAddress, !utf8.isEmpty else { return sqlite3_bind_text(statement.sqliteStatement, index, "", 0, Self.transient) }
        return sqlite3_bind_text(statement.sqliteStatement, index, start.assumingMemoryBound(to: CChar.self), Int32(utf8.count), Self.transient)
    }

    mutating func bind(_ value: Int?) {
        index += 1
        guard let value else { return bound(sqlite3_bind_null(statement.sqliteStatement, index)) }
        bound(sqlite3_bind_int64(statement.sqliteStatement, index, Int64(value)))
    }

    mutating func bind(_ value: Double?) {
        index += 1
        guard let value else { return bound(sqlite3_bind_null(statement.sqliteStatement, index)) }
        bound(sqlite3_bind_double(statement.sqliteStatement, index, value))
    }

    mutating func bind(_ value: Bool) { bind(value ? 1 : 0) }

    private mutating func bound(_ code: Int32) {
        if code != SQLITE_OK, refusedBinding == SQLITE_OK { refusedBinding = code }
    }

    /// Runs the statement to its end; it can then be bound and run again.
    mutating func execute() throws {
        _ = try step { _ in () }
    }

    /// The first column of the first row as an integer: nil when there is no row or it is NULL.
    mutating func int() throws -> Int? {
        try step { handle in
            sqlite3_column_type(handle, 0) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(handle, 0))
        } ?? nil
    }

    /// Steps through every row (they may have side effects), reading the first with `read`;
    /// then resets the statement and clears its values, whatever happened, ready to be bound again.
    private mutating func step<T>(_ read: (SQLiteStatement) -> T) throws -> T? {
        let handle = statement.sqliteStatement
        let boundCount = index, refused = refusedBinding
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            index = 0
            refusedBinding = SQLITE_OK
        }
        precondition(boundCount == sqlite3_bind_parameter_count(handle), "\(statement.sql) takes \(sqlite3_bind_parameter_count(handle)) values, not \(boundCount)")
        guard refused == SQLITE_OK else { throw failure(refused) }
        var first: T?
        while true {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_DONE: return first
            case SQLITE_ROW: if first == nil { first = read(handle) }
            default: throw failure(code)
            }
        }
    }

    private func failure(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }
}
