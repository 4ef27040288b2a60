import PostgresNIO

/// A statement whose text never changes, which each connection prepares once (postgres-nio
/// keeps them by name): the server then neither parses nor plans it again, and the process
/// sends only its arguments. The reads of every `send` (its key, its case, the latest bundle,
/// the clock) and the case reads of every daemon group are such statements (fixes 50 and 51),
/// and so are the bare transaction's of `kakari bench`.
protocol FixedStatement: PostgresPreparedStatement where Row == PostgresRow {
    /// The arguments, in the order of the statement's placeholders.
    var bindings: PostgresBindings { get }

    init(bindings: PostgresBindings)
}

extension FixedStatement {
    /// The read of one argument.
    init<Value: PostgresNonThrowingEncodable & Sendable>(_ value: Value) {
        var b = PostgresBindings(capacity: 1)
        b.append(value)
        self.init(bindings: b)
    }

    func makeBindings() -> PostgresBindings { bindings }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// One case by its id.
struct CaseByID: FixedStatement {
    static let sql = "SELECT \(PostgresStore.caseColumns) FROM cases WHERE id = $1"
    let bindings: PostgresBindings
}

/// What a `send` reads before it decides: its case (null columns when there is none), the
/// latest bundle and one setting, in one row.
struct SendContext: FixedStatement {
    static let sql = """
        SELECT c.snapshot, c.created_at, c.updated_at, c.id, (SELECT MAX(id) FROM bundles),
               (SELECT value FROM settings WHERE key = $2)
        FROM (VALUES (1)) AS one(x) LEFT JOIN cases c ON c.id = $1
        """
    let bindings: PostgresBindings
}

/// Cases by their ids.
struct CasesByID: FixedStatement {
    static let sql = "SELECT \(PostgresStore.caseColumns) FROM cases WHERE id = ANY($1)"
    let bindings: PostgresBindings
}

/// What an idempotency key was used for.
struct KeyByName: FixedStatement {
    static let sql = "SELECT key, case_id, event, from_state, to_state, at FROM idempotency WHERE key = $1"
    let bindings: PostgresBindings
}

/// One setting's value.
struct SettingByKey: FixedStatement {
    static let sql = "SELECT value FROM settings WHERE key = $1"
    let bindings: PostgresBindings
}

/// The latest deployed bundle.
struct LatestBundle: FixedStatement {
    static let sql = "SELECT MAX(id) FROM bundles"
    let bindings: PostgresBindings
}

extension PostgresStore {
    /// All rows of `statement`, on a pooled connection, given up after `location.timeout`.
    func rows<Statement: FixedStatement>(_ statement: Statement) async throws -> [PostgresRow] {
        try await onConnection(timeout: location.timeout) { c in try await self.rows(statement, on: c) }
    }

    /// All rows of `statement`, on `c` (inside the caller's transaction, if any).
    func rows<Statement: FixedStatement>(_ statement: Statement, on c: PostgresConnection) async throws -> [PostgresRow] {
        var out: [PostgresRow] = []
        for try await row in try await c.execute(statement, logger: logger) { out.append(row) }
        return out
    }
}
