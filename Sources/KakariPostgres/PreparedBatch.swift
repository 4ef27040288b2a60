import Foundation
import KakariCore
import KakariStore
import PostgresNIO

/// A batch's rows as the arguments of `kakari_write` (migration 12), made before the
/// transaction sends them (fix 41): a daemon makes the next batch's while the server writes
/// the one before.
///
/// The whole batch is one call of one prepared statement (fix 49): every kind of row comes as
/// arrays, empty for what the batch lacks, so the statement's text never changes and the
/// server parses and plans it once per connection. Before fix 49 the batch's statements were
/// joined into one data-modifying `WITH` whose text depended on what the batch held, which
/// the server planned afresh on every write (fixes 45 and 46). Inside the function the
/// statements run one after another, so a task opened and closed in one batch, or a case
/// started with its history and tasks, need no statements of their own any more.
///
/// What needs the transaction itself (task changes, which read their task first, and
/// settings) is done by `PostgresStore.apply` after the call, and the audit chain of such a
/// batch by `appendAudit`, last.
struct PreparedBatch: Sendable {
    /// The call of `kakari_write`, prepared once on each connection by postgres-nio.
    struct Write: FixedStatement {
        /// How many arguments `kakari_write` takes.
        static let arity = 83
        static let name = "kakari_write"
        static let sql = "SELECT kakari_write(" + (1...arity).map { "$\($0)" }.joined(separator: ", ") + ")"
        /// The arguments, in the function's order.
        let bindings: PostgresBindings
    }

    let batch: CommitBatch
    /// The call that writes the batch's rows; nil when it has none (only task changes,
    /// settings or audit entries that the caller writes).
    let write: Write?
    /// Whether the call appends the batch's audit entries to the chain itself; if not, the
    /// caller appends them after everything else it writes. When it does, the call is the
    /// batch's whole write and refuses itself whole (`kakari_require`): it needs no
    /// transaction around it (fix 47).
    let appendsAudit: Bool

    /// Whether the call is all the batch writes but its audit entries: no task changes or
    /// settings (which need the transaction) follow it.
    var writesAll: Bool { Self.callWritesAll(batch) }

    private static func callWritesAll(_ batch: CommitBatch) -> Bool { batch.taskChanges.isEmpty && batch.settings.isEmpty }

    /// The call for `batch`. With `audit`, a batch with no task changes and no settings (which
    /// are written after the call) appends its audit entries in the same call: the whole
    /// write is then one round trip (fix 46).
    init(_ batch: CommitBatch, audit: Bool = false) {
        self.batch = batch
        appendsAudit = audit && !batch.audit.isEmpty && Self.callWritesAll(batch)
        let rows = !batch.cases.isEmpty || !batch.idempotency.isEmpty || !batch.resolvedEvents.isEmpty
        guard rows || appendsAudit else {
            write = nil
            return
        }
        var b = PostgresBindings(capacity: Write.arity)
        Self.bindCases(batch.cases, &b)
        let keys = batch.idempotency
        b.append(keys.map(\.key)); b.append(keys.map(\.caseID)); b.append(keys.map(\.event)); b.append(keys.map(\.from))
        b.append(keys.map(\.to)); b.append(keys.map(\.at.timeIntervalSince1970))
        let resolved = batch.resolvedEvents
        b.append(resolved.map(\.id)); b.append(resolved.map(\.status.rawValue)); b.append(resolved.map { $0.reason ?? "" })
        b.append(resolved.map { $0.reason != nil }); b.append(resolved.map(\.at.timeIntervalSince1970))
        PostgresStore.bindAudit(appendsAudit ? batch.audit : [], &b)
        precondition(b.count == Write.arity, "kakari_write takes \(Write.arity) arguments, not \(b.count)")
        write = Write(bindings: b)
    }

    /// The stored texts of `snapshots`, remembered so that the next read need not decode them.
    private static func encodeSnapshots(_ snapshots: [CaseSnapshot]) -> [String] {
        snapshots.map { snapshot in
            let text = JSONWriter.encode(snapshot)
            SnapshotCache.shared.remember(snapshot, text: text)
            return text
        }
    }

    /// The arguments for the cases of a batch: those updated (only where their sequence is
    /// still the one read), new ones, then their history, tasks opened, closed and re-dated,
    /// and timers set and cancelled, in the order of `kakari_write`'s parameters.
    private static func bindCases(_ writes: [CaseWrite], _ b: inout PostgresBindings) {
        let updates = writes.filter { $0.expectedSequence != nil }
        let u = updates.map(\.snapshot)
        b.append(u.map(\.id)); b.append(u.map(\.version)); b.append(u.map(\.state)); b.append(u.map(\.finished))
        b.append(u.map(\.sequence)); b.append(encodeSnapshots(u)); b.append(updates.map(\.at.timeIntervalSince1970))
        b.append(updates.map { $0.expectedSequence ?? 0 })

        let inserts = writes.filter { $0.expectedSequence == nil }
        let s = inserts.map(\.snapshot)
        b.append(s.map(\.id)); b.append(s.map(\.workflow)); b.append(s.map(\.version)); b.append(s.map(\.state))
        b.append(s.map(\.finished)); b.append(s.map { $0.parent ?? "" }); b.append(s.map(\.sequence)); b.append(encodeSnapshots(s))
        b.append(inserts.map(\.at.timeIntervalSince1970))

        // History: each case's entries follow its last one.
        let entries = writes.flatMap { w in w.history.enumerated().map { (n: $0.offset + 1, entry: $0.element) } }
        let e = entries.map(\.entry)
        b.append(e.map(\.caseID)); b.append(entries.map(\.n)); b.append(e.map(\.at.timeIntervalSince1970)); b.append(e.map(\.kind.rawValue))
        b.append(e.map(\.event)); b.append(e.map { $0.payload.map { JSONWriter.encode($0) } ?? "" }); b.append(e.map { $0.payload != nil })
        b.append(e.map { $0.from ?? "" }); b.append(e.map { $0.from != nil }); b.append(e.map(\.to)); b.append(e.map(\.by))
        b.append(e.map(\.detail))

        // Tasks opened, before those closed, so a task opened and closed within one batch
        // ends closed. A task the write hands to a holder (`claims`) starts claimed by them.
        let opened = writes.flatMap { w in w.openTasks.map { (caseID: w.snapshot.id, at: w.at, order: $0, holder: w.claims[$0.key]) } }
        let o = opened.map(\.order)
        let holders = opened.map(\.holder)
        b.append(opened.map(\.caseID)); b.append(o.map(\.key)); b.append(o.map(\.kind)); b.append(o.map(\.title)); b.append(o.map(\.section))
        b.append(holders.map { $0 ?? "" }); b.append(holders.map { $0 != nil })
        b.append(o.map { $0.due?.timeIntervalSince1970 ?? 0 }); b.append(o.map { $0.due != nil })
        b.append(o.map { $0.followUp?.timeIntervalSince1970 ?? 0 }); b.append(o.map { $0.followUp != nil })
        b.append(o.map(\.priority)); b.append(o.map(\.event)); b.append(o.map(\.decision)); b.append(o.map(\.contractor))
        b.append(opened.map(\.at.timeIntervalSince1970))

        let closed = writes.flatMap { w in w.closedTasks.map { (caseID: w.snapshot.id, at: w.at, task: $0) } }
        let t = closed.map(\.task)
        b.append(closed.map(\.caseID)); b.append(t.map(\.key)); b.append(t.map(\.status.rawValue)); b.append(t.map { $0.by ?? "" })
        b.append(t.map { $0.by != nil }); b.append(closed.map(\.at.timeIntervalSince1970))

        // New dates of open tasks (a resumed suspension), after the tasks this batch opened.
        let dated = writes.flatMap { w in w.taskDates.map { (caseID: w.snapshot.id, dates: $0) } }
        let d = dated.map(\.dates)
        b.append(dated.map(\.caseID)); b.append(d.map(\.key)); b.append(d.map { $0.due?.timeIntervalSince1970 ?? 0 })
        b.append(d.map { $0.due != nil }); b.append(d.map { $0.followUp?.timeIntervalSince1970 ?? 0 }); b.append(d.map { $0.followUp != nil })

        let timers = writes.flatMap { w in w.timers.sorted { $0.key < $1.key }.map { (caseID: w.snapshot.id, name: $0.key, due: $0.value) } }
        let set = timers.compactMap { t in t.due.map { (caseID: t.caseID, name: t.name, due: $0) } }
        b.append(set.map(\.caseID)); b.append(set.map(\.name)); b.append(set.map(\.due.timeIntervalSince1970))
        let cancelled = timers.filter { $0.due == nil }
        b.append(cancelled.map(\.caseID)); b.append(cancelled.map(\.name))
    }

    /// The refusal of a write that `kakari_require` stopped (SQLSTATE KR001): `value` of a
    /// `kind` of row was not changed.
    static func refusal(kind: String, value: String) -> StoreError {
        switch kind {
        case "case": StoreError(.conflict, "case \(value) was changed by someone else meanwhile", caseID: value)
        case "new case": StoreError(.duplicateCase, "case \(value) already exists", caseID: value)
        case "key": StoreError(.conflict, "key \(value) was used meanwhile")
        default: StoreError(.conflict, "queued event \(value) was already handled")
        }
    }
}
