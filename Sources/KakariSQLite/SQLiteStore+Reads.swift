import Foundation
import GRDB
import KakariCore
import KakariStore

extension SQLiteStore {
    public func caseRecord(_ id: String) async throws -> CaseRecord? {
        try await readStatement { db in try Self.caseRecord(id, db) }
    }

    static func caseRecord(_ id: String, _ db: Database) throws -> CaseRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(caseColumns) FROM cases WHERE id = ?"), arguments: [id]).map(caseRecord)
    }

    /// The three reads of a send on one reader, in one hop to it (fix 51). Each statement is
    /// its own snapshot, as when they were three reads side by side: they need not agree.
    public func sendReads(caseID: String, setting: String?) async throws -> SendReads {
        try await readStatement { db in
            SendReads(record: try Self.caseRecord(caseID, db), latestBundle: try Self.latestBundle(db),
                      setting: try setting.flatMap { try Self.setting($0, db) })
        }
    }

    public func caseRecords(_ ids: [String]) async throws -> [String: CaseRecord] {
        guard !ids.isEmpty else { return [:] }
        // Up to `largest` ids are one statement; more are several, read in one snapshot.
        let largest = Self.caseListLengths[Self.caseListLengths.count - 1]
        return try await read(oneStatement: ids.count <= largest) { db in
            var out: [String: CaseRecord] = [:]
            for chunk in stride(from: 0, to: ids.count, by: largest) {
                var part = Array(ids[chunk..<min(chunk + largest, ids.count)])
                // The list is padded (with its last id again) to one of a few lengths, so that each
                // length's statement is prepared once per connection: preparing a new one for every
                // group was 2.7% of `daemon --once`'s samples.
                let length = Self.caseListLengths.first { $0 >= part.count } ?? largest
                part += Array(repeating: part[part.count - 1], count: length - part.count)
                let marks = Array(repeating: "?", count: length).joined(separator: ",")
                // A cursor reads each row in place (`fetchAll` copies every row and its column names).
                let statement = try db.cachedStatement(sql: "SELECT \(Self.caseColumns) FROM cases WHERE id IN (\(marks))")
                let rows = try Row.fetchCursor(statement, arguments: StatementArguments(part))
                while let row = try rows.next() {
                    let record = try Self.caseRecord(row)
                    out[record.snapshot.id] = record
                }
            }
            return out
        }
    }

    /// The lengths an id list of `caseRecords` is padded to; the last is the most one statement takes.
    static let caseListLengths = [1, 8, 32, 128, 500]

    public func usedKeys(_ keys: [String]) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try await pool.read { db in
            var out = Set<String>()
            for chunk in stride(from: 0, to: keys.count, by: 500) {
                let part = Array(keys[chunk..<min(chunk + 500, keys.count)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                out.formUnion(try String.fetchAll(db, sql: "SELECT key FROM idempotency WHERE key IN (\(marks))", arguments: StatementArguments(part)))
            }
            return out
        }
    }

    /// The columns `caseRecord(_:)` reads, in its order (rows are read by position: looking
    /// columns up by name was a measurable share of every read).
    static let caseColumns = "snapshot, created_at, updated_at, id"

    static func caseRecord(_ row: Row) throws -> CaseRecord {
        let id: String = row[3]
        // The snapshot's bytes are compared in place with the ones remembered: a `String` of
        // them is made only when the case must be decoded.
        let snapshot = try row.withUnsafeData(atIndex: 0) { data in
            guard let data else { throw StoreError(.invalidStore, "case \(id) has no snapshot") }
            return try data.withUnsafeBytes { try SnapshotCache.shared.snapshot(utf8: $0, id: id) }
        }
        return CaseRecord(snapshot: snapshot,
                   createdAt: Date(timeIntervalSince1970: row[1]),
                   updatedAt: Date(timeIntervalSince1970: row[2]))
    }

    public func cases(_ filter: CaseFilter) async throws -> [CaseRecord] {
        try await pool.read { db in
            var sql = "SELECT \(Self.caseColumns) FROM cases"
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let w = filter.workflow { conditions.append("workflow = ?"); arguments += [w] }
            if let s = filter.state { conditions.append("state = ?"); arguments += [s] }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY id"
            if let limit = filter.limit { sql += " LIMIT \(limit)" }
            return try Array(Row.fetchCursor(db, sql: sql, arguments: arguments).map(Self.caseRecord))
        }
    }

    public func children(of id: String) async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM cases WHERE parent = ? ORDER BY id", arguments: [id]) }
    }

    public func caseIDs() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM cases ORDER BY id") }
    }

    public func caseCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cases") ?? 0 }
    }

    public func history(_ id: String) async throws -> [HistoryEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM history WHERE case_id = ? ORDER BY seq", arguments: [id]).map(Self.historyEntry)
        }
    }

    static func historyEntry(_ row: Row) throws -> HistoryEntry {
        let payload: String? = row["payload"]
        return HistoryEntry(
            caseID: row["case_id"], seq: row["seq"], at: Date(timeIntervalSince1970: row["at"]),
            kind: HistoryEntry.Kind(rawValue: row["kind"]) ?? .admin, event: row["event"],
            payload: try payload.map { try StoreJSON.decode(CaseEvent.self, $0) },
            from: row["from_state"], to: row["to_state"], by: row["by"], detail: row["detail"])
    }

    public func tasks(_ filter: TaskFilter) async throws -> [TaskRecord] {
        try await readStatement { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let s = filter.section { conditions.append("section = ?"); arguments += [s] }
            if let a = filter.assignee { conditions.append("assignee = ?"); arguments += [a] }
            if let c = filter.caseID { conditions.append("case_id = ?"); arguments += [c] }
            if filter.statuses.count < TaskRecord.Status.allCases.count {
                let list = filter.statuses.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
                conditions.append("status IN (\(list))")
            }
            var sql = "SELECT \(Self.taskColumns) FROM tasks"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY priority DESC, due IS NULL, due, id"
            if let limit = filter.limit { sql += " LIMIT ?"; arguments += [limit] }
            // The filters make a few dozen texts at most, so each is prepared once per connection.
            return try Array(Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments).map(Self.task))
        }
    }

    public func task(_ id: Int64) async throws -> TaskRecord? {
        try await readStatement { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.taskColumns) FROM tasks WHERE id = ?"), arguments: [id]).map(Self.task)
        }
    }

    static func date(_ row: Row, _ column: String) -> Date? {
        (row[column] as Double?).map { Date(timeIntervalSince1970: $0) }
    }

    static func date(_ row: Row, _ index: Int) -> Date? {
        (row[index] as Double?).map { Date(timeIntervalSince1970: $0) }
    }

    /// The columns `task(_:)` reads, in its order.
    static let taskColumns = """
        id, case_id, key, kind, title, section, due, follow_up, priority, event, decision, contractor, created_at, \
        assignee, status, closed_at, completed_by
        """

    static func task(_ row: Row) -> TaskRecord {
        var t = TaskRecord(id: row[0], caseID: row[1], order: TaskOrder(
            key: row[2], kind: row[3], title: row[4], section: row[5], due: date(row, 6),
            followUp: date(row, 7), priority: row[8], event: row[9], decision: row[10],
            contractor: row[11]), createdAt: Date(timeIntervalSince1970: row[12]))
        t.assignee = row[13]
        t.status = TaskRecord.Status(rawValue: row[14]) ?? .open
        t.closedAt = date(row, 15)
        t.completedBy = row[16]
        return t
    }

    public func dueTimers(before: Date, limit: Int) async throws -> [TimerRecord] {
        try await readStatement { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT case_id, name, due FROM timers WHERE due <= ? ORDER BY due, case_id, name LIMIT ?"),
                             arguments: [before.timeIntervalSince1970, limit])
                .map { TimerRecord(caseID: $0["case_id"], name: $0["name"], due: Date(timeIntervalSince1970: $0["due"])) }
        }
    }

    public func nextTimerDue() async throws -> Date? {
        try await readStatement { db in
            try Double.fetchOne(db.cachedStatement(sql: "SELECT MIN(due) FROM timers")).map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func timers(of id: String) async throws -> [TimerRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT case_id, name, due FROM timers WHERE case_id = ? ORDER BY name", arguments: [id])
                .map { TimerRecord(caseID: $0["case_id"], name: $0["name"], due: Date(timeIntervalSince1970: $0["due"])) }
        }
    }

    public func enqueue(_ events: [QueuedEvent]) async throws {
        try await enqueue(events, audit: [])
    }

    public func enqueue(_ events: [QueuedEvent], audit: [AuditEntry]) async throws {
        try await write { db in
            try Self.appendAudit(audit, db)
            let statement = try db.cachedStatement(sql: """
                INSERT INTO queued_events(case_id, event, fields, key, enqueued_at, by, source, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')
                """)
            for e in events {
                try statement.execute(arguments: [e.caseID, e.event, StoreJSON.encode(e.fields), e.key,
                                                  e.enqueuedAt.timeIntervalSince1970, e.by, e.source])
            }
        }
    }

    public func pendingEvents(limit: Int) async throws -> [QueuedEvent] {
        try await readStatement { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.queuedColumns) FROM queued_events WHERE status = 'pending' ORDER BY id LIMIT ?"), arguments: [limit])
                .map(Self.queued)
        }
    }

    public func events(status: QueuedEvent.Status) async throws -> [QueuedEvent] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.queuedColumns) FROM queued_events WHERE status = ? ORDER BY id", arguments: [status.rawValue])
                .map(Self.queued)
        }
    }

    /// The columns `queued(_:)` reads, in its order (by position: a name is looked up
    /// case-insensitively on every access, see fix 2 in docs/performance.md).
    static let queuedColumns = "id, case_id, event, fields, key, enqueued_at, by, source, status, reason, resolved_at"

    static func queued(_ row: Row) throws -> QueuedEvent {
        QueuedEvent(id: row[0], caseID: row[1], event: row[2], fields: try StoreJSON.eventFields(row[3]), key: row[4],
                    enqueuedAt: Date(timeIntervalSince1970: row[5]), by: row[6], source: row[7],
                    status: QueuedEvent.Status(rawValue: row[8]) ?? .pending, reason: row[9], resolvedAt: date(row, 10))
    }

    public func idempotency(_ key: String) async throws -> IdempotencyRecord? {
        try await readStatement { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM idempotency WHERE key = ?"), arguments: [key]).map(Self.idempotencyRecord)
        }
    }

    static func idempotencyRecord(_ row: Row) -> IdempotencyRecord {
        IdempotencyRecord(key: row["key"], caseID: row["case_id"], event: row["event"], from: row["from_state"],
                          to: row["to_state"], at: Date(timeIntervalSince1970: row["at"]))
    }
}
