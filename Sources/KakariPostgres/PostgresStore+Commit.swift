import Foundation
import KakariCore
import KakariStore
import PostgresNIO

extension PostgresStore {
    /// Writes a batch in one transaction; any refusal (a case changed meanwhile, a duplicate
    /// case, a task changed, a key used meanwhile) rolls the whole batch back.
    public func commit(_ batch: CommitBatch) async throws {
        guard !batch.isEmpty else { return }
        let prepared = PreparedBatch(batch, audit: true)
        if let write = prepared.write, prepared.writesAll {
            // The whole write, audit included, as one call that refuses itself whole: one
            // round trip, with no BEGIN and COMMIT around it (fix 47), of a statement the
            // connection has prepared (fix 49).
            _ = try await rows(write)
        } else {
            try await transaction { c in
                try await self.apply(prepared, c)
                if !prepared.appendsAudit { try await self.appendAudit(batch.audit, c) }
            }
        }
        await noteBulkWrite(rows: batch.cases.count + batch.resolvedEvents.count)
    }

    /// One transaction on one connection across the batches; the store's timeout applies to
    /// writing each batch, not to the whole, and not to the caller's time building the next.
    ///
    /// Each batch is written while the caller builds the next (fix 41): the server's statements
    /// and the caller's deciding share the machine's cores instead of taking turns. The batches
    /// still go to the server one after another, in order, on the one connection; a batch is
    /// sent only once the one before it is written, and a failure of either side waits for the
    /// write in flight before the transaction is rolled back.
    public func commit(chunks next: () async throws -> CommitBatch?) async throws {
        var written = 0
        do {
            try await transaction { c, watchdog in
                var writing: Task<Void, Error>?
                // The batches' audit entries, appended after the last batch: the chain's lock is
                // then held only for the transaction's tail, not from its first batch (fix 43).
                // Past `auditHeld` entries (an import of many cases) they are appended as they
                // come, so that memory does not grow with the import (fix 48).
                var audit: [AuditEntry] = []
                do {
                    while true {
                        // The watchdog must not close the connection between statements: a query
                        // sent on a connection already closed is never answered (postgres-nio). A
                        // write in flight stands it down itself when it ends.
                        if writing == nil { watchdog.standDown() }
                        let batch: CommitBatch?
                        do { batch = try await next() } catch { throw Unbuilt(error: error) }
                        // Its statements are made while the batch before is still written.
                        let prepared = batch.flatMap { $0.isEmpty ? nil : PreparedBatch($0) }
                        if let previous = writing {
                            writing = nil
                            try await previous.value
                        }
                        watchdog.feed()
                        if watchdog.expired { throw CancellationError() }
                        if audit.count >= Self.auditHeld {
                            try await self.appendAudit(audit, c)
                            audit = []
                        }
                        guard let batch else { break }
                        guard let prepared else { continue }
                        writing = Task {
                            defer { watchdog.standDown() }
                            try await self.apply(prepared, c)
                        }
                        audit += batch.audit
                        written += batch.cases.count + batch.resolvedEvents.count
                    }
                    try await self.appendAudit(audit, c)
                } catch {
                    if let previous = writing { _ = await previous.result }
                    throw error
                }
            }
        } catch let unbuilt as Unbuilt {
            throw unbuilt.error
        }
        await noteBulkWrite(rows: written)
    }

    /// How many audit entries `commit(chunks:)` holds back for the end of its transaction: a
    /// daemon's group (1,024) appends its entries last, with the chain's lock held only for
    /// the transaction's tail; an import of many cases appends them once it has this many,
    /// and from then on holds the lock to its end, with memory that does not grow with the
    /// file (fix 48: a million entries were 0.8 GB).
    static let auditHeld = 8_192

    /// A group goes in batches of this many decisions, each written while the next is built
    /// (fix 41). Each batch is one call of a prepared statement (fix 49), so a batch much
    /// smaller than this pays more round trips than it saves. (Measured before fix 45, with ten
    /// statements a batch; not measured again since.)
    public var groupChunkSize: Int? { 256 }

    /// An error of the caller's, thrown while it built a batch: passed back as it is, not
    /// taken for the server's.
    struct Unbuilt: Error {
        let error: Error
    }

    /// Writes `batch` inside the caller's transaction: its rows in one call (`PreparedBatch`),
    /// then its task changes and settings. Its audit entries are the caller's to append
    /// (`appendAudit`), last in the transaction, so that the chain's lock is held only for its
    /// tail, unless the call appended them (`PreparedBatch.appendsAudit`).
    func apply(_ batch: PreparedBatch, _ c: PostgresConnection) async throws {
        // The server refuses the call whole (SQLSTATE KR001) when a row it had to change was
        // not; `mapped` says which.
        if let write = batch.write { _ = try await rows(write, on: c) }
        for change in batch.batch.taskChanges { try await apply(change, c) }
        for (key, value) in batch.batch.settings.sorted(by: { $0.key < $1.key }) {
            try await c.query("""
                INSERT INTO settings(key, value) VALUES (\(key), \(value)) ON CONFLICT(key) DO UPDATE SET value = excluded.value
                """, logger: logger)
        }
    }

    func lastSeq(_ caseID: String, _ c: PostgresConnection) async throws -> Int {
        try await c.query("SELECT COALESCE(MAX(seq), 0) FROM history WHERE case_id = \(caseID)", logger: logger)
            .collect().first?.decode(Int.self) ?? 0
    }

    func insert(_ e: HistoryEntry, seq: Int, _ c: PostgresConnection) async throws {
        try await c.query("""
            INSERT INTO history(case_id, seq, at, kind, event, payload, from_state, to_state, by, detail)
            VALUES (\(e.caseID), \(seq), \(e.at.timeIntervalSince1970), \(e.kind.rawValue), \(e.event),
                    \(e.payload.map { JSONWriter.encode($0) }), \(e.from), \(e.to), \(e.by), \(e.detail))
            """, logger: logger)
    }

    func apply(_ change: TaskChange, _ c: PostgresConnection) async throws {
        guard let row = try await c.query("SELECT case_id, status, assignee FROM tasks WHERE id = \(change.taskID) FOR UPDATE",
                                          logger: logger).collect().first else {
            throw StoreError(.notFound, "there is no task \(change.taskID)")
        }
        let (caseID, statusText, assignee) = try row.decode((String, String, String?).self)
        let status = TaskRecord.Status(rawValue: statusText) ?? .open
        guard change.expectedStatus.contains(status) else {
            throw StoreError(.taskChanged, "task \(change.taskID) is \(status.rawValue) now")
        }
        if let expected = change.expectedAssignee, expected != assignee {
            throw StoreError(.taskChanged, "task \(change.taskID) is held by \(assignee ?? "nobody") now")
        }
        var sets: [String] = []
        var binds = PostgresBindings()
        if let a = change.assignee { binds.append(a); sets.append("assignee = $\(binds.count)") }
        if let s = change.status { binds.append(s.rawValue); sets.append("status = $\(binds.count)") }
        if let s = change.section { binds.append(s); sets.append("section = $\(binds.count)") }
        if let d = change.due { binds.append(d?.timeIntervalSince1970); sets.append("due = $\(binds.count)") }
        guard !sets.isEmpty else { return }
        binds.append(change.taskID)
        binds.append(status.rawValue)
        let sql = "UPDATE tasks SET \(sets.joined(separator: ", ")) WHERE id = $\(binds.count - 1) AND status = $\(binds.count) RETURNING 1"
        guard try await c.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).collect().count == 1 else {
            throw StoreError(.taskChanged, "task \(change.taskID) was changed meanwhile")
        }
        // The case row is locked so that this entry and a concurrent decision's do not take
        // the same place in the history.
        try await c.query("SELECT 1 FROM cases WHERE id = \(caseID) FOR UPDATE", logger: logger)
        try await insert(change.history, seq: try await lastSeq(caseID, c) + 1, c)
    }
}
