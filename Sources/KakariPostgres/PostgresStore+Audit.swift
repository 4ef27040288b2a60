import Foundation
import KakariStore
import PostgresNIO

extension PostgresStore {
    public func deploy(files: [SourceFileRecord], versions: [WorkflowVersion], at: Date, by: String, audit: [AuditEntry]) async throws -> Int64 {
        try await transaction { c in
            let bundle = try await self.deploy(files: files, versions: versions, at: at, by: by, c)
            try await self.appendAudit(audit, c)
            return bundle
        }
    }

    public func enqueue(_ events: [QueuedEvent], audit: [AuditEntry]) async throws {
        guard !events.isEmpty || !audit.isEmpty else { return }
        try await transaction { c in
            try await self.enqueue(events, c)
            try await self.appendAudit(audit, c)
        }
        await noteBulkWrite(rows: events.count)
    }

    public func appendAudit(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await transaction { c in try await self.appendAudit(entries, c) }
    }

    public func audit(_ filter: AuditFilter) async throws -> [AuditEntry] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        if let caseID = filter.caseID { binds.append(caseID); conditions.append("case_id = $\(binds.count)") }
        if let user = filter.user { binds.append(user); conditions.append("\"user\" = $\(binds.count)") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try await rows(PostgresQuery(unsafeSQL: """
            SELECT seq, at, "user", command, action, case_id, fields, detail, previous_hash, hash FROM audit \(whereClause) ORDER BY seq
            """, binds: binds)).map(Self.auditEntry)
    }

    /// Links `entries` after the last stored entry and moves the head, inside the caller's
    /// transaction. A transaction-level advisory lock (held to commit or rollback) serialises
    /// appenders in every process, so the last entry read is still the last one when the new
    /// ones are inserted: concurrent daemons make one chain. Taken last in a transaction, so it
    /// is held only for its tail and never waited for while other locks are wanted. The lock
    /// and the read of the last entry are one round trip (`kakari_audit_tail`, migration 10),
    /// and the entries and the new head another.
    func appendAudit(_ entries: [AuditEntry], _ c: PostgresConnection) async throws {
        guard !entries.isEmpty else { return }
        // The lock, then the last entry read after it (migration 10), in one round trip.
        let last = try await c.query("SELECT seq, hash FROM kakari_audit_tail()", logger: logger).collect().first
            .map { row in try row.decode((Int64, String).self) }
            .map { (seq: $0.0, hash: $0.1) }
        let e = AuditChain.link(entries, after: last)
        let head = e.last.map { "\($0.seq) \($0.hash)" } ?? ""
        // The entries and the chain's new head in one statement (one round trip, fix 43).
        try await c.query("""
            WITH entries AS (
                INSERT INTO audit(seq, at, "user", command, action, case_id, fields, detail, previous_hash, hash)
                SELECT seq, at, u, command, action, CASE WHEN has_case THEN case_id END, fields, detail, previous_hash, hash
                FROM unnest(\(e.map(\.seq)), \(e.map(\.at.timeIntervalSince1970)), \(e.map(\.user)), \(e.map(\.command)),
                            \(e.map(\.action.rawValue)), \(e.map { $0.caseID ?? "" }), \(e.map { $0.caseID != nil }),
                            \(e.map { $0.fields.joined(separator: ",") }), \(e.map(\.detail)), \(e.map(\.previousHash)), \(e.map(\.hash)))
                    AS x(seq, at, u, command, action, case_id, has_case, fields, detail, previous_hash, hash))
            INSERT INTO settings(key, value) VALUES (\(AuditChain.headSetting), \(head))
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
            """, logger: logger)
    }

    static func auditEntry(_ row: PostgresRow) throws -> AuditEntry {
        let (seq, at, user, command, action, caseID, fields, detail, previousHash, hash) =
            try row.decode((Int64, Double, String, String, String, String?, String, String, String, String).self)
        return AuditEntry(at: Date(timeIntervalSince1970: at), user: user, command: command, action: AuditEntry.Action(rawValue: action),
                          caseID: caseID, fields: fields.isEmpty ? [] : fields.split(separator: ",").map(String.init), detail: detail,
                          seq: seq, previousHash: previousHash, hash: hash)
    }
}
