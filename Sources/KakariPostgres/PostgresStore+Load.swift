import Foundation
import KakariCore
import KakariStore
import PostgresNIO

extension PostgresStore {
    /// Writes every row of `dump` into this store in one transaction: all of it or, on any
    /// refusal, none. The store must hold no bundle and no case yet. Identity counters
    /// continue after the copied ids.
    public func load(_ dump: StoreDump) async throws {
        try await transaction { c, watchdog in
            let used = try await c.query("SELECT (SELECT COUNT(*) FROM cases) + (SELECT COUNT(*) FROM bundles)", logger: logger)
                .collect().first?.decode(Int.self) ?? 0
            guard used == 0 else {
                throw StoreError(.invalidStore, "\(location) already holds cases or definitions; copy into a new, empty store")
            }
            try await c.query("DELETE FROM settings", logger: logger)
            try await insert("settings", watchdog, dump.settings.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }, c)
            try await insert("bundles", watchdog, dump.bundles.map {
                ["id": $0.id, "deployed_at": $0.deployedAt.timeIntervalSince1970, "deployed_by": $0.deployedBy]
            }, c)
            try await insert("bundle_files", watchdog, dump.bundleFiles.map { ["bundle": $0.bundle, "path": $0.file.path, "text": $0.file.text] }, c)
            try await insert("workflow_versions", watchdog, dump.workflowVersions.map {
                ["name": $0.name, "version": $0.version, "hash": $0.hash, "bundle": $0.bundle,
                 "deployed_at": $0.deployedAt.timeIntervalSince1970, "deployed_by": $0.deployedBy]
            }, c)
            try await insert("cases", watchdog, dump.cases.map { r in
                let s = r.snapshot
                return ["id": s.id, "workflow": s.workflow, "version": s.version, "state": s.state, "finished": s.finished,
                        "parent": s.parent as Any, "sequence": s.sequence, "snapshot": JSONWriter.encode(s),
                        "created_at": r.createdAt.timeIntervalSince1970, "updated_at": r.updatedAt.timeIntervalSince1970]
            }, c)
            try await insert("history", watchdog, dump.history.map { e in
                ["case_id": e.caseID, "seq": e.seq, "at": e.at.timeIntervalSince1970, "kind": e.kind.rawValue, "event": e.event,
                 "payload": e.payload.map { JSONWriter.encode($0) } as Any, "from_state": e.from as Any, "to_state": e.to,
                 "by": e.by, "detail": e.detail]
            }, c)
            try await insert("tasks", watchdog, dump.tasks.map { t in
                ["id": t.id, "case_id": t.caseID, "key": t.key, "kind": t.kind, "title": t.title, "section": t.section,
                 "assignee": t.assignee as Any, "status": t.status.rawValue, "due": t.due?.timeIntervalSince1970 as Any,
                 "follow_up": t.followUp?.timeIntervalSince1970 as Any, "priority": t.priority, "event": t.event,
                 "decision": t.decision, "contractor": t.contractor, "created_at": t.createdAt.timeIntervalSince1970,
                 "closed_at": t.closedAt?.timeIntervalSince1970 as Any, "completed_by": t.completedBy as Any]
            }, c)
            try await insert("timers", watchdog, dump.timers.map { ["case_id": $0.caseID, "name": $0.name, "due": $0.due.timeIntervalSince1970] }, c)
            try await insert("queued_events", watchdog, dump.queuedEvents.map { e in
                ["id": e.id, "case_id": e.caseID, "event": e.event, "fields": StoreJSON.encode(e.fields), "key": e.key as Any,
                 "enqueued_at": e.enqueuedAt.timeIntervalSince1970, "by": e.by, "source": e.source, "status": e.status.rawValue,
                 "reason": e.reason as Any, "resolved_at": e.resolvedAt?.timeIntervalSince1970 as Any]
            }, c)
            try await insert("idempotency", watchdog, dump.idempotency.map { r in
                ["key": r.key, "case_id": r.caseID, "event": r.event, "from_state": r.from, "to_state": r.to, "at": r.at.timeIntervalSince1970]
            }, c)
            try await insert("audit", watchdog, dump.audit.map { e in
                ["seq": e.seq, "at": e.at.timeIntervalSince1970, "user": e.user, "command": e.command, "action": e.action.rawValue,
                 "case_id": e.caseID as Any, "fields": e.fields.joined(separator: ","), "detail": e.detail,
                 "previous_hash": e.previousHash, "hash": e.hash]
            }, c)
            for table in ["bundles", "tasks", "queued_events"] {
                try await c.query(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(table)', 'id'), GREATEST((SELECT MAX(id) FROM \(table)), 1),
                                  (SELECT MAX(id) FROM \(table)) IS NOT NULL)
                    """), logger: logger)
            }
        }
        await noteBulkWrite(rows: dump.cases.count + dump.history.count + dump.tasks.count + dump.queuedEvents.count + dump.audit.count)
    }

    /// Inserts rows (column → value, nil as NSNull) into `table`, a thousand at a time, as JSON
    /// that PostgreSQL turns into rows of the table's own types. The store's timeout applies to
    /// each thousand, not to the whole copy.
    private func insert(_ table: String, _ watchdog: Watchdog, _ rows: [[String: Any]], _ c: PostgresConnection) async throws {
        for start in stride(from: 0, to: rows.count, by: 1000) {
            watchdog.feed()
            let chunk = rows[start..<min(start + 1000, rows.count)].map { row in
                row.mapValues { value -> Any in
                    if case Optional<Any>.none = value as Any? { return NSNull() }
                    let mirror = Mirror(reflecting: value)
                    if mirror.displayStyle == .optional { return mirror.children.first?.value ?? NSNull() }
                    return value
                }
            }
            let json = String(decoding: try JSONSerialization.data(withJSONObject: chunk), as: UTF8.self)
            try await c.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) SELECT * FROM json_populate_recordset(NULL::\(table), $1::json)",
                                            binds: Self.binds(json)), logger: logger)
        }
    }
}
