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
    }

    func apply(_ batch: CommitBatch, _ c: PostgresConnection) async throws {
        for write in batch.cases { try await apply(write, c) }
        for r in batch.idempotency {
            let inserted = try await c.query("""
                INSERT INTO idempotency(key, case_id, event, from_state, to_state, at)
                VALUES (\(r.key), \(r.caseID), \(r.event), \(r.from), \(r.to), \(r.at.timeIntervalSince1970))
                ON CONFLICT (key) DO NOTHING RETURNING 1
                """, logger: logger).collect()
            guard !inserted.isEmpty else { throw StoreError(.conflict, "key \(r.key) was used meanwhile", caseID: r.caseID) }
        }
        for r in batch.resolvedEvents {
            let updated = try await c.query("""
                UPDATE queued_events SET status = \(r.status.rawValue), reason = \(r.reason), resolved_at = \(r.at.timeIntervalSince1970)
                WHERE id = \(r.id) AND status = 'pending' RETURNING 1
                """, logger: logger).collect()
            guard updated.count == 1 else { throw StoreError(.conflict, "queued event \(r.id) was already handled") }
        }
        for change in batch.taskChanges { try await apply(change, c) }
    }

    func apply(_ w: CaseWrite, _ c: PostgresConnection) async throws {
        let s = w.snapshot
        let snapshot = JSONWriter.encode(s)
        let at = w.at.timeIntervalSince1970
        if let expected = w.expectedSequence {
            let updated = try await c.query("""
                UPDATE cases SET version = \(s.version), state = \(s.state), finished = \(s.finished), sequence = \(s.sequence),
                    snapshot = \(snapshot), updated_at = \(at)
                WHERE id = \(s.id) AND sequence = \(expected) RETURNING 1
                """, logger: logger).collect()
            guard updated.count == 1 else {
                throw StoreError(.conflict, "case \(s.id) was changed by someone else meanwhile", caseID: s.id)
            }
        } else {
            let inserted = try await c.query("""
                INSERT INTO cases(id, workflow, version, state, finished, parent, sequence, snapshot, created_at, updated_at)
                VALUES (\(s.id), \(s.workflow), \(s.version), \(s.state), \(s.finished), \(s.parent), \(s.sequence), \(snapshot), \(at), \(at))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger: logger).collect()
            guard !inserted.isEmpty else { throw StoreError(.duplicateCase, "case \(s.id) already exists", caseID: s.id) }
        }
        if !w.history.isEmpty {
            // The case row is locked by the write above, so no one else appends meanwhile.
            let last = try await lastSeq(s.id, c)
            for (offset, entry) in w.history.enumerated() { try await insert(entry, seq: last + offset + 1, c) }
        }
        // Tasks opened in this batch are written before those it closes, so a task opened
        // and closed within one batch ends closed.
        for o in w.openTasks {
            try await c.query("""
                INSERT INTO tasks(case_id, key, kind, title, section, status, due, follow_up, priority, event, decision, contractor, created_at)
                VALUES (\(s.id), \(o.key), \(o.kind), \(o.title), \(o.section), 'open', \(o.due?.timeIntervalSince1970),
                        \(o.followUp?.timeIntervalSince1970), \(o.priority), \(o.event), \(o.decision), \(o.contractor), \(at))
                """, logger: logger)
        }
        for closed in w.closedTasks {
            try await c.query("""
                UPDATE tasks SET status = \(closed.status.rawValue), closed_at = \(at), completed_by = \(closed.by)
                WHERE case_id = \(s.id) AND key = \(closed.key) AND status IN ('open', 'claimed')
                """, logger: logger)
        }
        for (name, due) in w.timers.sorted(by: { $0.key < $1.key }) {
            if let due {
                try await c.query("""
                    INSERT INTO timers(case_id, name, due) VALUES (\(s.id), \(name), \(due.timeIntervalSince1970))
                    ON CONFLICT (case_id, name) DO UPDATE SET due = EXCLUDED.due
                    """, logger: logger)
            } else {
                try await c.query("DELETE FROM timers WHERE case_id = \(s.id) AND name = \(name)", logger: logger)
            }
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
