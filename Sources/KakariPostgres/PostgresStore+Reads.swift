import Foundation
import KakariCore
import KakariStore
import PostgresNIO

extension PostgresStore {
    static let caseColumns = "snapshot, created_at, updated_at, id"

    static func caseRecord(_ row: PostgresRow) throws -> CaseRecord {
        let (text, created, updated, id) = try row.decode((String, Double, Double, String).self)
        return try caseRecord(text, created, updated, id)
    }

    /// A case from the columns `caseColumns` names, in their order.
    static func caseRecord(_ text: String, _ created: Double, _ updated: Double, _ id: String) throws -> CaseRecord {
        CaseRecord(snapshot: try SnapshotCache.shared.snapshot(text, id: id),
                   createdAt: Date(timeIntervalSince1970: created), updatedAt: Date(timeIntervalSince1970: updated))
    }

    public func caseRecord(_ id: String) async throws -> CaseRecord? {
        try await rows(CaseByID(id)).first.map(Self.caseRecord)
    }

    /// The three reads of a send as one statement, prepared once per connection: one round
    /// trip on one pooled connection, where three side by side took three (fix 51).
    public func sendReads(caseID: String, setting: String?) async throws -> SendReads {
        var b = PostgresBindings(capacity: 2)
        b.append(caseID)
        b.append(setting)
        guard let row = try await rows(SendContext(bindings: b)).first else { return SendReads(record: nil, latestBundle: nil, setting: nil) }
        let (text, created, updated, id, bundle, value) = try row.decode((String?, Double?, Double?, String?, Int64?, String?).self)
        var record: CaseRecord?
        if let text, let created, let updated, let id { record = try Self.caseRecord(text, created, updated, id) }
        return SendReads(record: record, latestBundle: bundle, setting: value)
    }

    public func caseRecords(_ ids: [String]) async throws -> [String: CaseRecord] {
        guard !ids.isEmpty else { return [:] }
        var out: [String: CaseRecord] = [:]
        for row in try await rows(CasesByID(ids)) {
            let record = try Self.caseRecord(row)
            out[record.snapshot.id] = record
        }
        return out
    }

    public func usedKeys(_ keys: [String]) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return Set(try await rows("SELECT key FROM idempotency WHERE key = ANY(\(keys))").map { try $0.decode(String.self) })
    }

    public func cases(_ filter: CaseFilter) async throws -> [CaseRecord] {
        var sql = "SELECT \(Self.caseColumns) FROM cases"
        var binds = PostgresBindings()
        var conditions: [String] = []
        if let w = filter.workflow { binds.append(w); conditions.append("workflow = $\(binds.count)") }
        if let s = filter.state { binds.append(s); conditions.append("state = $\(binds.count)") }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY id COLLATE \"C\""
        if let limit = filter.limit { sql += " LIMIT \(limit)" }
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map(Self.caseRecord)
    }

    public func children(of id: String) async throws -> [String] {
        try await rows("SELECT id FROM cases WHERE parent = \(id) ORDER BY id COLLATE \"C\"").map { try $0.decode(String.self) }
    }

    public func caseIDs() async throws -> [String] {
        try await rows("SELECT id FROM cases ORDER BY id COLLATE \"C\"").map { try $0.decode(String.self) }
    }

    public func caseCount() async throws -> Int {
        try await rows("SELECT COUNT(*) FROM cases").first?.decode(Int.self) ?? 0
    }

    public func history(_ id: String) async throws -> [HistoryEntry] {
        try await rows("""
            SELECT case_id, seq, at, kind, event, payload, from_state, to_state, by, detail
            FROM history WHERE case_id = \(id) ORDER BY seq
            """).map { row in
            let (caseID, seq, at, kind, event, payload, from, to, by, detail) =
                try row.decode((String, Int, Double, String, String, String?, String?, String, String, String).self)
            return HistoryEntry(caseID: caseID, seq: seq, at: Date(timeIntervalSince1970: at),
                                kind: HistoryEntry.Kind(rawValue: kind) ?? .admin, event: event,
                                payload: try payload.map { try StoreJSON.decode(CaseEvent.self, $0) },
                                from: from, to: to, by: by, detail: detail)
        }
    }

    static let taskColumns = """
        id, case_id, key, kind, title, section, assignee, status, due, follow_up, priority, event, decision, contractor,
        created_at, closed_at, completed_by
        """

    static func task(_ row: PostgresRow) throws -> TaskRecord {
        let (id, caseID, key, kind, title, section, assignee, status, due, followUp, priority, event, decision, contractor,
             created, closed, completedBy) = try row.decode((Int64, String, String, String, String, String, String?, String, Double?,
                                                            Double?, Int, String, Bool, Bool, Double, Double?, String?).self)
        var t = TaskRecord(id: id, caseID: caseID, order: TaskOrder(
            key: key, kind: kind, title: title, section: section, due: due.map(Date.init(timeIntervalSince1970:)),
            followUp: followUp.map(Date.init(timeIntervalSince1970:)), priority: priority, event: event, decision: decision,
            contractor: contractor), createdAt: Date(timeIntervalSince1970: created))
        t.assignee = assignee
        t.status = TaskRecord.Status(rawValue: status) ?? .open
        t.closedAt = closed.map(Date.init(timeIntervalSince1970:))
        t.completedBy = completedBy
        return t
    }

    public func tasks(_ filter: TaskFilter) async throws -> [TaskRecord] {
        var binds = PostgresBindings()
        var conditions: [String] = []
        if let s = filter.section { binds.append(s); conditions.append("section = $\(binds.count)") }
        if let a = filter.assignee { binds.append(a); conditions.append("assignee = $\(binds.count)") }
        if let c = filter.caseID { binds.append(c); conditions.append("case_id = $\(binds.count)") }
        if filter.statuses.count < TaskRecord.Status.allCases.count {
            binds.append(filter.statuses.map(\.rawValue).sorted())
            conditions.append("status = ANY($\(binds.count))")
        }
        var sql = "SELECT \(Self.taskColumns) FROM tasks"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY priority DESC, due IS NULL, due, id"
        if let limit = filter.limit { sql += " LIMIT \(limit)" }
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map(Self.task)
    }

    public func task(_ id: Int64) async throws -> TaskRecord? {
        try await rows(PostgresQuery(unsafeSQL: "SELECT \(Self.taskColumns) FROM tasks WHERE id = $1", binds: Self.binds(id)))
            .first.map(Self.task)
    }

    static func binds(_ values: any PostgresDynamicTypeEncodable...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }

    static func timer(_ row: PostgresRow) throws -> TimerRecord {
        let (caseID, name, due) = try row.decode((String, String, Double).self)
        return TimerRecord(caseID: caseID, name: name, due: Date(timeIntervalSince1970: due))
    }

    public func dueTimers(before: Date, limit: Int) async throws -> [TimerRecord] {
        try await rows("""
            SELECT case_id, name, due FROM timers WHERE due <= \(before.timeIntervalSince1970)
            ORDER BY due, case_id COLLATE "C", name COLLATE "C" LIMIT \(limit)
            """).map(Self.timer)
    }

    public func nextTimerDue() async throws -> Date? {
        try await rows("SELECT MIN(due) FROM timers").first?.decode(Double?.self).map(Date.init(timeIntervalSince1970:))
    }

    public func timers(of id: String) async throws -> [TimerRecord] {
        try await rows("SELECT case_id, name, due FROM timers WHERE case_id = \(id) ORDER BY name COLLATE \"C\"").map(Self.timer)
    }

    public func enqueue(_ events: [QueuedEvent]) async throws {
        guard !events.isEmpty else { return }
        try await transaction { c in try await self.enqueue(events, c) }
        await noteBulkWrite(rows: events.count)
    }

    /// Queues events inside the caller's transaction, notifying idle daemons when it commits.
    func enqueue(_ events: [QueuedEvent], _ c: PostgresConnection) async throws {
        guard !events.isEmpty else { return }
        for chunk in stride(from: 0, to: events.count, by: 1000) {
            let part = events[chunk..<min(chunk + 1000, events.count)]
            try await c.query("""
                INSERT INTO queued_events(case_id, event, fields, key, enqueued_at, by, source, status)
                SELECT c, e, f, NULLIF(k, ''), t, b, s, 'pending'
                FROM unnest(\(part.map(\.caseID)), \(part.map(\.event)), \(part.map { StoreJSON.encode($0.fields) }),
                    \(part.map { $0.key ?? "" }), \(part.map(\.enqueuedAt.timeIntervalSince1970)), \(part.map(\.by)),
                    \(part.map(\.source))) WITH ORDINALITY AS u(c, e, f, k, t, b, s, n)
                ORDER BY n
                """, logger: logger)
        }
        // Wakes idle daemons when the transaction commits.
        try await c.query("SELECT pg_notify(\(Self.channel), current_schema())", logger: logger)
    }

    static let queuedColumns = "id, case_id, event, fields, key, enqueued_at, by, source, status, reason, resolved_at"

    static func queued(_ row: PostgresRow) throws -> QueuedEvent {
        let (id, caseID, event, fields, key, enqueued, by, source, status, reason, resolved) =
            try row.decode((Int64, String, String, String, String?, Double, String, String, String, String?, Double?).self)
        return QueuedEvent(id: id, caseID: caseID, event: event, fields: try StoreJSON.eventFields(fields), key: key,
                           enqueuedAt: Date(timeIntervalSince1970: enqueued), by: by, source: source,
                           status: QueuedEvent.Status(rawValue: status) ?? .pending, reason: reason,
                           resolvedAt: resolved.map(Date.init(timeIntervalSince1970:)))
    }

    public func pendingEvents(limit: Int) async throws -> [QueuedEvent] {
        try await rows(PostgresQuery(unsafeSQL: "SELECT \(Self.queuedColumns) FROM queued_events WHERE status = 'pending' ORDER BY id LIMIT $1",
                                     binds: Self.binds(limit)))
            .map(Self.queued)
    }

    public func events(status: QueuedEvent.Status) async throws -> [QueuedEvent] {
        try await rows(PostgresQuery(unsafeSQL: "SELECT \(Self.queuedColumns) FROM queued_events WHERE status = $1 ORDER BY id",
                                     binds: Self.binds(status.rawValue)))
            .map(Self.queued)
    }

    public func idempotency(_ key: String) async throws -> IdempotencyRecord? {
        try await rows(KeyByName(key)).first.map {
            let (key, caseID, event, from, to, at) = try $0.decode((String, String, String, String, String, Double).self)
            return IdempotencyRecord(key: key, caseID: caseID, event: event, from: from, to: to, at: Date(timeIntervalSince1970: at))
        }
    }
}
