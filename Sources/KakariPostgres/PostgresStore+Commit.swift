import Foundation
import KakariCore
import KakariStore
import PostgresNIO

extension PostgresStore {
    /// Writes a batch in one transaction; any refusal (a case changed meanwhile, a duplicate
    /// case, a task changed, a key used meanwhile) rolls the whole batch back.
    public func commit(_ batch: CommitBatch) async throws {
        guard !batch.isEmpty else { return }
        try await transaction { c in try await self.apply(batch, c) }
        await noteBulkWrite(rows: batch.cases.count + batch.resolvedEvents.count)
    }

    /// One transaction on one connection across the batches; the store's timeout applies to
    /// writing each batch, not to the whole, and not to the caller's time building the next.
    public func commit(chunks next: () async throws -> CommitBatch?) async throws {
        var written = 0
        do {
            try await transaction { c, watchdog in
                while true {
                    // The watchdog must not close the connection between statements: a query
                    // sent on a connection already closed is never answered (postgres-nio).
                    watchdog.standDown()
                    let batch: CommitBatch?
                    do { batch = try await next() } catch { throw Unbuilt(error: error) }
                    watchdog.feed()
                    if watchdog.expired { throw CancellationError() }
                    guard let batch else { break }
                    guard !batch.isEmpty else { continue }
                    try await self.apply(batch, c)
                    written += batch.cases.count + batch.resolvedEvents.count
                }
            }
        } catch let unbuilt as Unbuilt {
            throw unbuilt.error
        }
        await noteBulkWrite(rows: written)
    }

    /// A group goes as one batch: the server writes it in a few statements, and more batches
    /// would be more round trips.
    public var groupChunkSize: Int? { nil }

    /// An error of the caller's, thrown while it built a batch: passed back as it is, not
    /// taken for the server's.
    struct Unbuilt: Error {
        let error: Error
    }

    /// A group of many cases is written in a few statements (arrays unnested on the server),
    /// not one round trip per row.
    func apply(_ batch: CommitBatch, _ c: PostgresConnection) async throws {
        try await writeCases(batch.cases, c)
        let keys = batch.idempotency
        if !keys.isEmpty {
            let inserted = try await c.query("""
                INSERT INTO idempotency(key, case_id, event, from_state, to_state, at)
                SELECT * FROM unnest(\(keys.map(\.key)), \(keys.map(\.caseID)), \(keys.map(\.event)), \(keys.map(\.from)),
                                     \(keys.map(\.to)), \(keys.map(\.at.timeIntervalSince1970)))
                ON CONFLICT (key) DO NOTHING RETURNING key
                """, logger: logger).collect().map { try $0.decode(String.self) }
            if inserted.count != keys.count, let r = keys.first(where: { !inserted.contains($0.key) }) {
                throw StoreError(.conflict, "key \(r.key) was used meanwhile", caseID: r.caseID)
            }
        }
        let resolved = batch.resolvedEvents
        if !resolved.isEmpty {
            let updated = try await c.query("""
                UPDATE queued_events q SET status = u.status, reason = CASE WHEN u.has_reason THEN u.reason END, resolved_at = u.at
                FROM unnest(\(resolved.map(\.id)), \(resolved.map(\.status.rawValue)), \(resolved.map { $0.reason ?? "" }),
                            \(resolved.map { $0.reason != nil }), \(resolved.map(\.at.timeIntervalSince1970)))
                    AS u(id, status, reason, has_reason, at)
                WHERE q.id = u.id AND q.status = 'pending' RETURNING q.id
                """, logger: logger).collect().map { try $0.decode(Int64.self) }
            if updated.count != resolved.count, let r = resolved.first(where: { !updated.contains($0.id) }) {
                throw StoreError(.conflict, "queued event \(r.id) was already handled")
            }
        }
        for change in batch.taskChanges { try await apply(change, c) }
        for (key, value) in batch.settings.sorted(by: { $0.key < $1.key }) {
            try await c.query("""
                INSERT INTO settings(key, value) VALUES (\(key), \(value)) ON CONFLICT(key) DO UPDATE SET value = excluded.value
                """, logger: logger)
        }
        // Last, so the chain's lock is held only for the tail of the transaction.
        try await appendAudit(batch.audit, c)
    }

    /// The stored texts of `snapshots`, remembered so that the next read need not decode them.
    static func encodeSnapshots(_ snapshots: [CaseSnapshot]) -> [String] {
        snapshots.map { snapshot in
            let text = JSONWriter.encode(snapshot)
            SnapshotCache.shared.remember(snapshot, text: text)
            return text
        }
    }

    /// The cases of a batch: updated only where their sequence is still the one read, new ones
    /// inserted, then their history, tasks and timers.
    func writeCases(_ writes: [CaseWrite], _ c: PostgresConnection) async throws {
        guard !writes.isEmpty else { return }
        let updates = writes.filter { $0.expectedSequence != nil }
        if !updates.isEmpty {
            let s = updates.map(\.snapshot)
            let texts = Self.encodeSnapshots(s)
            let changed = try await c.query("""
                UPDATE cases c SET version = u.version, state = u.state, finished = u.finished, sequence = u.sequence,
                    snapshot = u.snapshot, updated_at = u.at
                FROM unnest(\(s.map(\.id)), \(s.map(\.version)), \(s.map(\.state)), \(s.map(\.finished)), \(s.map(\.sequence)),
                            \(texts), \(updates.map(\.at.timeIntervalSince1970)), \(updates.map { $0.expectedSequence ?? 0 }))
                    AS u(id, version, state, finished, sequence, snapshot, at, expected)
                WHERE c.id = u.id AND c.sequence = u.expected RETURNING c.id
                """, logger: logger).collect().map { try $0.decode(String.self) }
            if changed.count != updates.count, let id = s.map(\.id).first(where: { !changed.contains($0) }) {
                throw StoreError(.conflict, "case \(id) was changed by someone else meanwhile", caseID: id)
            }
        }
        let inserts = writes.filter { $0.expectedSequence == nil }
        if !inserts.isEmpty {
            let s = inserts.map(\.snapshot)
            let texts = Self.encodeSnapshots(s)
            let added = try await c.query("""
                INSERT INTO cases(id, workflow, version, state, finished, parent, sequence, snapshot, created_at, updated_at)
                SELECT id, workflow, version, state, finished, NULLIF(parent, ''), sequence, snapshot, at, at
                FROM unnest(\(s.map(\.id)), \(s.map(\.workflow)), \(s.map(\.version)), \(s.map(\.state)), \(s.map(\.finished)),
                            \(s.map { $0.parent ?? "" }), \(s.map(\.sequence)), \(texts),
                            \(inserts.map(\.at.timeIntervalSince1970)))
                    AS u(id, workflow, version, state, finished, parent, sequence, snapshot, at)
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger).collect().map { try $0.decode(String.self) }
            if added.count != inserts.count, let id = s.map(\.id).first(where: { !added.contains($0) }) {
                throw StoreError(.duplicateCase, "case \(id) already exists", caseID: id)
            }
        }
        // History: each case's entries follow its last one (the case rows are locked above).
        let entries = writes.flatMap { w in w.history.enumerated().map { (n: $0.offset + 1, entry: $0.element) } }
        if !entries.isEmpty {
            let e = entries.map(\.entry)
            try await c.query("""
                INSERT INTO history(case_id, seq, at, kind, event, payload, from_state, to_state, by, detail)
                SELECT u.case_id, COALESCE((SELECT MAX(h.seq) FROM history h WHERE h.case_id = u.case_id), 0) + u.n, u.at, u.kind,
                       u.event, CASE WHEN u.has_payload THEN u.payload END, CASE WHEN u.has_from THEN u.from_state END,
                       u.to_state, u.by, u.detail
                FROM unnest(\(e.map(\.caseID)), \(entries.map(\.n)), \(e.map(\.at.timeIntervalSince1970)), \(e.map(\.kind.rawValue)),
                            \(e.map(\.event)), \(e.map { $0.payload.map { JSONWriter.encode($0) } ?? "" }), \(e.map { $0.payload != nil }),
                            \(e.map { $0.from ?? "" }), \(e.map { $0.from != nil }), \(e.map(\.to)), \(e.map(\.by)), \(e.map(\.detail)))
                    AS u(case_id, n, at, kind, event, payload, has_payload, from_state, has_from, to_state, by, detail)
                """, logger: logger)
        }
        // Tasks opened in this batch are written before those it closes, so a task opened
        // and closed within one batch ends closed.
        let opened = writes.flatMap { w in w.openTasks.map { (caseID: w.snapshot.id, at: w.at, order: $0, holder: w.claims[$0.key]) } }
        if !opened.isEmpty {
            let o = opened.map(\.order)
            // A task the write hands to a holder (`claims`) starts claimed by them.
            let holders = opened.map(\.holder)
            try await c.query("""
                INSERT INTO tasks(case_id, key, kind, title, section, status, assignee, due, follow_up, priority, event, decision, contractor, created_at)
                SELECT case_id, key, kind, title, section, CASE WHEN has_holder THEN 'claimed' ELSE 'open' END,
                       CASE WHEN has_holder THEN holder END, CASE WHEN has_due THEN due END,
                       CASE WHEN has_follow_up THEN follow_up END, priority, event, decision, contractor, at
                FROM unnest(\(opened.map(\.caseID)), \(o.map(\.key)), \(o.map(\.kind)), \(o.map(\.title)), \(o.map(\.section)),
                            \(holders.map { $0 ?? "" }), \(holders.map { $0 != nil }),
                            \(o.map { $0.due?.timeIntervalSince1970 ?? 0 }), \(o.map { $0.due != nil }),
                            \(o.map { $0.followUp?.timeIntervalSince1970 ?? 0 }), \(o.map { $0.followUp != nil }),
                            \(o.map(\.priority)), \(o.map(\.event)), \(o.map(\.decision)), \(o.map(\.contractor)),
                            \(opened.map(\.at.timeIntervalSince1970)))
                    AS u(case_id, key, kind, title, section, holder, has_holder, due, has_due, follow_up, has_follow_up, priority, event,
                         decision, contractor, at)
                """, logger: logger)
        }
        let closed = writes.flatMap { w in w.closedTasks.map { (caseID: w.snapshot.id, at: w.at, task: $0) } }
        if !closed.isEmpty {
            let t = closed.map(\.task)
            try await c.query("""
                UPDATE tasks t SET status = u.status, closed_at = u.at, completed_by = CASE WHEN u.has_by THEN u.by END
                FROM unnest(\(closed.map(\.caseID)), \(t.map(\.key)), \(t.map(\.status.rawValue)), \(t.map { $0.by ?? "" }),
                            \(t.map { $0.by != nil }), \(closed.map(\.at.timeIntervalSince1970)))
                    AS u(case_id, key, status, by, has_by, at)
                WHERE t.case_id = u.case_id AND t.key = u.key AND t.status IN ('open', 'claimed')
                """, logger: logger)
        }
        // New dates of open tasks (a resumed suspension), after the tasks this batch opened.
        let dated = writes.flatMap { w in w.taskDates.map { (caseID: w.snapshot.id, dates: $0) } }
        if !dated.isEmpty {
            let d = dated.map(\.dates)
            try await c.query("""
                UPDATE tasks t SET due = CASE WHEN u.has_due THEN u.due END, follow_up = CASE WHEN u.has_follow_up THEN u.follow_up END
                FROM unnest(\(dated.map(\.caseID)), \(d.map(\.key)), \(d.map { $0.due?.timeIntervalSince1970 ?? 0 }), \(d.map { $0.due != nil }),
                            \(d.map { $0.followUp?.timeIntervalSince1970 ?? 0 }), \(d.map { $0.followUp != nil }))
                    AS u(case_id, key, due, has_due, follow_up, has_follow_up)
                WHERE t.case_id = u.case_id AND t.key = u.key AND t.status IN ('open', 'claimed')
                """, logger: logger)
        }
        let timers = writes.flatMap { w in w.timers.sorted { $0.key < $1.key }.map { (caseID: w.snapshot.id, name: $0.key, due: $0.value) } }
        let set = timers.compactMap { t in t.due.map { (caseID: t.caseID, name: t.name, due: $0) } }
        if !set.isEmpty {
            try await c.query("""
                INSERT INTO timers(case_id, name, due)
                SELECT * FROM unnest(\(set.map(\.caseID)), \(set.map(\.name)), \(set.map(\.due.timeIntervalSince1970)))
                ON CONFLICT (case_id, name) DO UPDATE SET due = EXCLUDED.due
                """, logger: logger)
        }
        let cancelled = timers.filter { $0.due == nil }
        if !cancelled.isEmpty {
            try await c.query("""
                DELETE FROM timers t USING unnest(\(cancelled.map(\.caseID)), \(cancelled.map(\.name))) AS u(case_id, name)
                WHERE t.case_id = u.case_id AND t.name = u.name
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
