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
    /// transaction, in one statement (`kakari_audit_append`, migration 11): the server takes
    /// a transaction-level advisory lock (held to commit or rollback), which serialises
    /// appenders in every process, reads the last entry after it, and numbers and hashes the
    /// new ones after it, so concurrent daemons make one chain. Called last in a transaction,
    /// so the lock is held only for its tail and never waited for while other locks are
    /// wanted. Before fix 46 the lock and the last entry were one round trip
    /// (`kakari_audit_tail`, migration 10), the hashing this process's, and the entries and
    /// the head another round trip.
    func appendAudit(_ entries: [AuditEntry], _ c: PostgresConnection) async throws {
        guard !entries.isEmpty else { return }
        var binds = PostgresBindings(capacity: AuditAppend.arity)
        Self.bindAudit(entries, &binds)
        _ = try await rows(AuditAppend(bindings: binds), on: c)
    }

    /// The call of `kakari_audit_append`, prepared once on each connection.
    struct AuditAppend: FixedStatement {
        static let arity = 10
        static let name = "kakari_audit_append"
        static let sql = "SELECT kakari_audit_append(0, " + (1...arity).map { "$\($0)" }.joined(separator: ", ") + ")"
        let bindings: PostgresBindings
    }

    /// Appends the arguments of `kakari_audit_append` after its first (`written`) for
    /// `entries`: each entry's canonical bytes after its number
    /// (`AuditChain.canonical(afterSequence:)`), its columns, and the head's setting.
    static func bindAudit(_ e: [AuditEntry], _ b: inout PostgresBindings) {
        b.append(e.map { ByteBuffer(bytes: AuditChain.canonical(afterSequence: $0)) })
        b.append(e.map(\.at.timeIntervalSince1970)); b.append(e.map(\.user)); b.append(e.map(\.command))
        b.append(e.map(\.action.rawValue)); b.append(e.map { $0.caseID ?? "" }); b.append(e.map { $0.caseID != nil })
        b.append(e.map { $0.fields.joined(separator: ",") }); b.append(e.map(\.detail)); b.append(AuditChain.headSetting)
    }

    static func auditEntry(_ row: PostgresRow) throws -> AuditEntry {
        let (seq, at, user, command, action, caseID, fields, detail, previousHash, hash) =
            try row.decode((Int64, Double, String, String, String, String?, String, String, String, String).self)
        return AuditEntry(at: Date(timeIntervalSince1970: at), user: user, command: command, action: AuditEntry.Action(rawValue: action),
                          caseID: caseID, fields: fields.isEmpty ? [] : fields.split(separator: ",").map(String.init), detail: detail,
                          seq: seq, previousHash: previousHash, hash: hash)
    }
}
