import Foundation
import KakariCore
import KakariStore
import PostgresNIO

/// A batch's statements with their arguments already encoded, made before the transaction
/// sends them (fix 41): a daemon makes the next batch's while the server writes the one
/// before, instead of encoding each statement between two round trips of the write.
///
/// Each part is one statement over arrays unnested on the server, so a group of many cases
/// is a few statements, not one round trip per row. Where no part needs to see another's rows
/// (see `joinable`), the parts go as one data-modifying `WITH`: one round trip for the whole
/// batch (fix 45), audit entries included when the caller asks and nothing follows them (fix
/// 46). What needs the transaction itself (the task changes, which read their task first) is
/// done by `PostgresStore.apply`, and the audit chain of the rest by `appendAudit`, last.
struct PreparedBatch: Sendable {
    /// One statement, and what its returned rows must show.
    struct Step: Sendable {
        var query: PostgresQuery
        var check: Check = .none
    }

    /// How a statement's returned rows are checked: each row it should have changed, or the
    /// whole batch is refused.
    enum Check: Sendable {
        case none
        /// Cases updated only where their sequence was still the one read.
        case casesUpdated([String])
        /// Cases inserted only where the id was free.
        case casesInserted([String])
        /// Idempotency keys (with their case) inserted only where unused.
        case keysInserted([(key: String, caseID: String)])
        /// Queued events resolved only while still pending.
        case eventsResolved([Int64])
        /// The parts of a joined statement, in order: its rows are each part's returned value
        /// (as text), tagged with the part's place among the checked ones.
        case each([Check])
    }

    let batch: CommitBatch
    /// The statements to send, in order.
    private(set) var steps: [Step] = []
    /// Whether the statements append the batch's audit entries to the chain themselves
    /// (`kakari_audit_append`); if not, the caller appends them after the statements. When
    /// they do, they are one statement that is the batch's whole write and refuses itself
    /// whole (`kakari_require`): it needs no transaction around it (fix 47).
    private(set) var appendsAudit = false
    /// The batch's statements, each with its check, before they are joined.
    private var parts: [(part: QueryPart, check: Check)] = []

    /// The statements of `batch`. With `audit`, a batch whose statements are joined appends
    /// its audit entries in the same statement, when nothing it writes comes after them (task
    /// changes and settings are written after the statements): the whole write is then one
    /// round trip (fix 46).
    init(_ batch: CommitBatch, audit: Bool = false) {
        self.batch = batch
        addCases(batch.cases)
        let keys = batch.idempotency
        if !keys.isEmpty {
            parts.append(("""
                INSERT INTO idempotency(key, case_id, event, from_state, to_state, at)
                SELECT * FROM unnest(\(keys.map(\.key)), \(keys.map(\.caseID)), \(keys.map(\.event)), \(keys.map(\.from)),
                                     \(keys.map(\.to)), \(keys.map(\.at.timeIntervalSince1970)))
                ON CONFLICT (key) DO NOTHING RETURNING key
                """, .keysInserted(keys.map { ($0.key, $0.caseID) })))
        }
        let resolved = batch.resolvedEvents
        if !resolved.isEmpty {
            parts.append(("""
                UPDATE queued_events q SET status = u.status, reason = CASE WHEN u.has_reason THEN u.reason END, resolved_at = u.at
                FROM unnest(\(resolved.map(\.id)), \(resolved.map(\.status.rawValue)), \(resolved.map { $0.reason ?? "" }),
                            \(resolved.map { $0.reason != nil }), \(resolved.map(\.at.timeIntervalSince1970)))
                    AS u(id, status, reason, has_reason, at)
                WHERE q.id = u.id AND q.status = 'pending' RETURNING q.id::text
                """, .eventsResolved(resolved.map(\.id))))
        }
        if audit, !parts.isEmpty, !batch.audit.isEmpty, batch.taskChanges.isEmpty, batch.settings.isEmpty, Self.joinable(batch) {
            steps = [Self.joined(parts, audit: batch.audit)]
            appendsAudit = true
        } else if parts.count > 1, Self.joinable(batch) {
            steps = [Self.joined(parts)]
        } else {
            steps = parts.map { Step(query: $0.part.query, check: $0.check) }
        }
        parts = []
    }

    /// Whether the batch's statements can go as one: each part of a `WITH` sees the tables as
    /// they were before the statement, not the rows the other parts write. So a batch that
    /// closes or re-dates a task it also opens goes statement by statement, and so does one
    /// that inserts cases: their refusal must be "already exists" (`duplicateCase`), which the
    /// insert's own returned rows tell, not a unique violation of their tasks or history that
    /// a joined statement could meet first.
    static func joinable(_ batch: CommitBatch) -> Bool {
        var opened = Set<String>()
        for write in batch.cases {
            guard write.expectedSequence != nil, write.taskDates.isEmpty else { return false }
            for order in write.openTasks { opened.insert(write.snapshot.id + "\u{0}" + order.key) }
        }
        return !batch.cases.contains { w in w.closedTasks.contains { opened.contains(w.snapshot.id + "\u{0}" + $0.key) } }
    }

    /// `parts` as one data-modifying `WITH`: each part a named sub-statement, run to
    /// completion whether or not it is read, and the main query the values that the checked
    /// parts return, tagged with their place among them (`Check.each`).
    ///
    /// With `audit`, the main query then appends the entries (`kakari_audit_append`, one more
    /// row, tagged -1) with the count of every part's rows as its first argument: each part
    /// has written its rows, and holds its row locks, before the chain's lock is waited for.
    static func joined(_ parts: [(part: QueryPart, check: Check)], audit: [AuditEntry] = []) -> Step {
        var sql = "WITH "
        var binds = PostgresBindings()
        var selects: [String] = []
        var unchecked: [Int] = []
        var checks: [Check] = []
        for (i, p) in parts.enumerated() {
            sql += i == 0 ? "s\(i) AS (\n" : ",\ns\(i) AS (\n"
            p.part.render(into: &sql, &binds)
            if case .none = p.check {
                if !audit.isEmpty { sql += "\nRETURNING 1" }
                unchecked.append(i)
            } else {
                selects.append("SELECT \(checks.count)::int8 AS part, r.x::text AS value FROM s\(i) AS r(x)")
                checks.append(p.check)
            }
            sql += ")"
        }
        let checked = selects.isEmpty ? "SELECT NULL::int8 AS part, NULL::text AS value WHERE false" : selects.joined(separator: "\nUNION ALL ")
        guard !audit.isEmpty else {
            sql += "\n" + checked
            return Step(query: PostgresQuery(unsafeSQL: sql, binds: binds), check: .each(checks))
        }
        sql += ",\nchecked AS (\(checked))\nSELECT part, value FROM checked\nUNION ALL\nSELECT -1, "
        // What each checked part had to change, required before the chain's lock: the
        // statement refuses itself whole when a row was not changed (`kakari_require`).
        let counts = ["(SELECT count(*) FROM checked)"] + unchecked.map { "(SELECT count(*) FROM s\($0))" }
        let required: [QueryPart] = checks.enumerated().map { part, check in
            "kakari_require(\(check.kind), \(check.expected), ARRAY(SELECT value FROM checked WHERE part = \(Int64(part))))"
        }
        PostgresStore.auditAppend(audit, after: "written.n").render(into: &sql, &binds)
        sql += "::text"
        sql += "\nFROM (SELECT \(counts.joined(separator: " + "))"
        for requirement in required {
            sql += " + "
            requirement.render(into: &sql, &binds)
        }
        sql += " AS n) AS written"
        return Step(query: PostgresQuery(unsafeSQL: sql, binds: binds), check: .each(checks))
    }

    /// The stored texts of `snapshots`, remembered so that the next read need not decode them.
    private static func encodeSnapshots(_ snapshots: [CaseSnapshot]) -> [String] {
        snapshots.map { snapshot in
            let text = JSONWriter.encode(snapshot)
            SnapshotCache.shared.remember(snapshot, text: text)
            return text
        }
    }

    /// The cases of a batch: updated only where their sequence is still the one read, new ones
    /// inserted, then their history, tasks and timers.
    private mutating func addCases(_ writes: [CaseWrite]) {
        guard !writes.isEmpty else { return }
        let updates = writes.filter { $0.expectedSequence != nil }
        if !updates.isEmpty {
            let s = updates.map(\.snapshot)
            let texts = Self.encodeSnapshots(s)
            parts.append(("""
                UPDATE cases c SET version = u.version, state = u.state, finished = u.finished, sequence = u.sequence,
                    snapshot = u.snapshot, updated_at = u.at
                FROM unnest(\(s.map(\.id)), \(s.map(\.version)), \(s.map(\.state)), \(s.map(\.finished)), \(s.map(\.sequence)),
                            \(texts), \(updates.map(\.at.timeIntervalSince1970)), \(updates.map { $0.expectedSequence ?? 0 }))
                    AS u(id, version, state, finished, sequence, snapshot, at, expected)
                WHERE c.id = u.id AND c.sequence = u.expected RETURNING c.id
                """, .casesUpdated(s.map(\.id))))
        }
        let inserts = writes.filter { $0.expectedSequence == nil }
        if !inserts.isEmpty {
            let s = inserts.map(\.snapshot)
            let texts = Self.encodeSnapshots(s)
            parts.append(("""
                INSERT INTO cases(id, workflow, version, state, finished, parent, sequence, snapshot, created_at, updated_at)
                SELECT id, workflow, version, state, finished, NULLIF(parent, ''), sequence, snapshot, at, at
                FROM unnest(\(s.map(\.id)), \(s.map(\.workflow)), \(s.map(\.version)), \(s.map(\.state)), \(s.map(\.finished)),
                            \(s.map { $0.parent ?? "" }), \(s.map(\.sequence)), \(texts),
                            \(inserts.map(\.at.timeIntervalSince1970)))
                    AS u(id, workflow, version, state, finished, parent, sequence, snapshot, at)
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, .casesInserted(s.map(\.id))))
        }
        // History: each case's entries follow its last one. Alone, this statement runs after
        // the update above has locked the cases; joined with it, a concurrent writer of the
        // same case makes the update or this insert fail, and the batch is refused either way.
        let entries = writes.flatMap { w in w.history.enumerated().map { (n: $0.offset + 1, entry: $0.element) } }
        if !entries.isEmpty {
            let e = entries.map(\.entry)
            parts.append(("""
                INSERT INTO history(case_id, seq, at, kind, event, payload, from_state, to_state, by, detail)
                SELECT u.case_id, COALESCE((SELECT MAX(h.seq) FROM history h WHERE h.case_id = u.case_id), 0) + u.n, u.at, u.kind,
                       u.event, CASE WHEN u.has_payload THEN u.payload END, CASE WHEN u.has_from THEN u.from_state END,
                       u.to_state, u.by, u.detail
                FROM unnest(\(e.map(\.caseID)), \(entries.map(\.n)), \(e.map(\.at.timeIntervalSince1970)), \(e.map(\.kind.rawValue)),
                            \(e.map(\.event)), \(e.map { $0.payload.map { JSONWriter.encode($0) } ?? "" }), \(e.map { $0.payload != nil }),
                            \(e.map { $0.from ?? "" }), \(e.map { $0.from != nil }), \(e.map(\.to)), \(e.map(\.by)), \(e.map(\.detail)))
                    AS u(case_id, n, at, kind, event, payload, has_payload, from_state, has_from, to_state, by, detail)
                """, .none))
        }
        // Tasks opened in this batch are written before those it closes, so a task opened
        // and closed within one batch ends closed.
        let opened = writes.flatMap { w in w.openTasks.map { (caseID: w.snapshot.id, at: w.at, order: $0, holder: w.claims[$0.key]) } }
        if !opened.isEmpty {
            let o = opened.map(\.order)
            // A task the write hands to a holder (`claims`) starts claimed by them.
            let holders = opened.map(\.holder)
            parts.append(("""
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
                """, .none))
        }
        let closed = writes.flatMap { w in w.closedTasks.map { (caseID: w.snapshot.id, at: w.at, task: $0) } }
        if !closed.isEmpty {
            let t = closed.map(\.task)
            parts.append(("""
                UPDATE tasks t SET status = u.status, closed_at = u.at, completed_by = CASE WHEN u.has_by THEN u.by END
                FROM unnest(\(closed.map(\.caseID)), \(t.map(\.key)), \(t.map(\.status.rawValue)), \(t.map { $0.by ?? "" }),
                            \(t.map { $0.by != nil }), \(closed.map(\.at.timeIntervalSince1970)))
                    AS u(case_id, key, status, by, has_by, at)
                WHERE t.case_id = u.case_id AND t.key = u.key AND t.status IN ('open', 'claimed')
                """, .none))
        }
        // New dates of open tasks (a resumed suspension), after the tasks this batch opened.
        let dated = writes.flatMap { w in w.taskDates.map { (caseID: w.snapshot.id, dates: $0) } }
        if !dated.isEmpty {
            let d = dated.map(\.dates)
            parts.append(("""
                UPDATE tasks t SET due = CASE WHEN u.has_due THEN u.due END, follow_up = CASE WHEN u.has_follow_up THEN u.follow_up END
                FROM unnest(\(dated.map(\.caseID)), \(d.map(\.key)), \(d.map { $0.due?.timeIntervalSince1970 ?? 0 }), \(d.map { $0.due != nil }),
                            \(d.map { $0.followUp?.timeIntervalSince1970 ?? 0 }), \(d.map { $0.followUp != nil }))
                    AS u(case_id, key, due, has_due, follow_up, has_follow_up)
                WHERE t.case_id = u.case_id AND t.key = u.key AND t.status IN ('open', 'claimed')
                """, .none))
        }
        let timers = writes.flatMap { w in w.timers.sorted { $0.key < $1.key }.map { (caseID: w.snapshot.id, name: $0.key, due: $0.value) } }
        let set = timers.compactMap { t in t.due.map { (caseID: t.caseID, name: t.name, due: $0) } }
        if !set.isEmpty {
            parts.append(("""
                INSERT INTO timers(case_id, name, due)
                SELECT * FROM unnest(\(set.map(\.caseID)), \(set.map(\.name)), \(set.map(\.due.timeIntervalSince1970)))
                ON CONFLICT (case_id, name) DO UPDATE SET due = EXCLUDED.due
                """, .none))
        }
        let cancelled = timers.filter { $0.due == nil }
        if !cancelled.isEmpty {
            parts.append(("""
                DELETE FROM timers t USING unnest(\(cancelled.map(\.caseID)), \(cancelled.map(\.name))) AS u(case_id, name)
                WHERE t.case_id = u.case_id AND t.name = u.name
                """, .none))
        }
    }
}

extension PreparedBatch.Check {
    /// What `kakari_require` is told of this check: the kind of row, and the values that
    /// must all be among those returned.
    var kind: String {
        switch self {
        case .casesUpdated: "case"
        case .casesInserted: "new case"
        case .keysInserted: "key"
        case .eventsResolved: "queued event"
        case .none, .each: ""
        }
    }

    /// The values the statement must return, as text.
    var expected: [String] {
        switch self {
        case .casesUpdated(let ids), .casesInserted(let ids): ids
        case .keysInserted(let keys): keys.map(\.key)
        case .eventsResolved(let ids): ids.map { String($0) }
        case .none, .each: []
        }
    }

    /// The refusal of a statement that `kakari_require` stopped: `value` of a `kind` of row
    /// was not changed. `verify(returned:)` refuses with it too.
    static func refusal(kind: String, value: String) -> StoreError {
        switch kind {
        case "case": StoreError(.conflict, "case \(value) was changed by someone else meanwhile", caseID: value)
        case "new case": StoreError(.duplicateCase, "case \(value) already exists", caseID: value)
        case "key": StoreError(.conflict, "key \(value) was used meanwhile")
        default: StoreError(.conflict, "queued event \(value) was already handled")
        }
    }

    /// Refuses the batch when `rows` (what the statement returned) miss one it should have changed.
    func verify(_ rows: [PostgresRow]) throws {
        switch self {
        case .none:
            return
        case .each(let checks):
            var values = Array(repeating: [String](), count: checks.count)
            for row in rows {
                let (part, value) = try row.decode((Int64, String).self)
                // -1: the audit chain's new last entry, when the statement appends it.
                if part >= 0 { values[Int(part)].append(value) }
            }
            for (check, returned) in zip(checks, values) { try check.verify(returned: Set(returned)) }
        default:
            try verify(returned: Set(try rows.map { try $0.decode(String.self) }))
        }
    }

    /// Refuses the batch when `returned` (the values a statement returned, as text) misses one.
    func verify(returned: Set<String>) throws {
        if let missing = expected.first(where: { !returned.contains($0) }) { throw Self.refusal(kind: kind, value: missing) }
    }
}
