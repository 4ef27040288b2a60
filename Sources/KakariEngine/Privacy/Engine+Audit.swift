import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// When an audit entry is made: the machine's clock to the millisecond (the audit records
    /// when people acted, even on a store that runs on a simulated clock).
    public static func auditTime() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// Commits `batch` with an audit entry for each case it writes and each task it changes,
    /// appended to the chain in the same transaction.
    func commit(_ batch: CommitBatch) async throws {
        try await store.commit(audited(batch))
    }

    /// Commits the batches `next` gives as one transaction (`CaseStore.commit(chunks:)`), each
    /// with its audit entries.
    func commit(chunks next: () async throws -> CommitBatch?) async throws {
        try await store.commit(chunks: {
            guard let batch = try await next() else { return nil }
            return audited(batch)
        })
    }

    /// `batch` with an audit entry for each case it writes, each queued event it refuses and
    /// each task it changes.
    func audited(_ batch: CommitBatch) -> CommitBatch {
        var batch = batch
        let at = Self.auditTime()
        for write in batch.cases {
            var fields: Set<String> = []
            for entry in write.history {
                switch entry.payload {
                case .start(let data, _)?: fields.formUnion(data.keys)
                case .signal(_, let values, _)?: fields.formUnion(values.keys)
                default: break
                }
            }
            let detail = write.history.map { "\($0.event) \($0.from ?? "")→\($0.to)" }.joined(separator: "; ")
            batch.audit.append(AuditEntry(at: at, user: write.history.first?.by ?? "engine", command: command, action: .write,
                                          caseID: write.snapshot.id, fields: fields.sorted(), detail: detail))
        }
        for resolution in batch.resolvedEvents where resolution.status != .applied {
            batch.audit.append(AuditEntry(at: at, user: "engine", command: command, action: .write,
                                          detail: "queued event \(resolution.id) \(resolution.status.rawValue): \(resolution.reason ?? "")"))
        }
        for change in batch.taskChanges {
            batch.audit.append(AuditEntry(at: at, user: change.history.by, command: command, action: .write,
                                          caseID: change.history.caseID, detail: "\(change.history.event) task \(change.taskID)"))
        }
        return batch
    }

    /// A refusal "not permitted" (exit 3), recorded in the audit log first: the entry is the
    /// only thing a refusal writes.
    public func notPermitted(_ message: String, user: String, caseID: String? = nil) async -> EngineError {
        do {
            try await store.appendAudit([AuditEntry(at: Self.auditTime(), user: user, command: command, action: .refused,
                                                    caseID: caseID, detail: message)])
        } catch {
            logger.error("could not audit a refusal: \(error)", metadata: ["user": "\(user)"])
        }
        return EngineError(.notPermitted, message)
    }

    /// Records that `user` was shown the personal (`pii`) fields among `fields` of case `caseID`.
    func auditRead(_ caseID: String?, fields: [FieldDefinition], by user: String, detail: String = "") async throws {
        let personal = fields.filter(\.pii).map(\.name).sorted()
        guard !personal.isEmpty else { return }
        try await store.appendAudit([AuditEntry(at: Self.auditTime(), user: user, command: command, action: .read,
                                                caseID: caseID, fields: personal, detail: detail)])
    }

    /// The audit entries matching `filter`, in chain order.
    public func audit(_ filter: AuditFilter = AuditFilter(), by user: String) async throws -> [AuditEntry] {
        try await requireSupervisor(user, to: "read the audit log")
        return try await store.audit(filter)
    }

    /// Checks the whole audit chain; nil when no entry was edited, removed or reordered.
    public func verifyAudit() async throws -> (checked: Int, broken: AuditChain.Break?) {
        let entries = try await store.audit(AuditFilter())
        return (entries.count, AuditChain.verify(entries, head: try await store.setting(AuditChain.headSetting)))
    }
}
