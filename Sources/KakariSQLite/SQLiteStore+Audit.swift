import Foundation
import GRDB
import KakariStore

extension SQLiteStore {
    public func appendAudit(_ entries: [AuditEntry]) async throws {
        guard !entries.isEmpty else { return }
        do {
            try await write { db in try Self.appendAudit(entries, db) }
        } catch let error as DatabaseError {
            throw StoreError(.unavailable, "the store refused the audit entry: \(error.message ?? "\(error.resultCode)")")
        }
    }

    public func audit(_ filter: AuditFilter) async throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let caseID = filter.caseID { conditions.append("case_id = ?"); arguments += [caseID] }
        if let user = filter.user { conditions.append("user = ?"); arguments += [user] }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sqlArguments = arguments
        return try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit \(whereClause) ORDER BY seq", arguments: sqlArguments).map(Self.auditEntry)
        }
    }

    /// Links `entries` after the last stored entry, read inside the caller's write
    /// transaction (so concurrent writers still make one chain), and moves the head.
    static func appendAudit(_ entries: [AuditEntry], _ db: Database) throws {
        guard !entries.isEmpty else { return }
        let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")).map { (seq: $0["seq"] as Int64, hash: $0["hash"] as String) }
        let linked = AuditChain.link(entries, after: last)
        var insert = try DirectStatement(db, """
            INSERT INTO audit(seq, at, user, command, action, case_id, fields, detail, previous_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for e in linked {
            insert.bind(Int(e.seq)); insert.bind(e.at.timeIntervalSince1970); insert.bind(e.user); insert.bind(e.command)
            insert.bind(e.action.rawValue); insert.bind(e.caseID); insert.bind(e.fields.joined(separator: ",")); insert.bind(e.detail)
            insert.bind(e.previousHash); insert.bind(e.hash)
            try insert.execute()
        }
        try setSetting(AuditChain.headSetting, linked.last.map { "\($0.seq) \($0.hash)" } ?? "", db)
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        let fields: String = row["fields"]
        return AuditEntry(at: Date(timeIntervalSince1970: row["at"]), user: row["user"], command: row["command"],
                          action: AuditEntry.Action(rawValue: row["action"]), caseID: row["case_id"],
                          fields: fields.isEmpty ? [] : fields.split(separator: ",").map(String.init), detail: row["detail"],
                          seq: row["seq"], previousHash: row["previous_hash"], hash: row["hash"])
    }
}
