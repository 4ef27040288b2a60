import Foundation
import Synchronization
import GRDB
import KakariCore
import KakariStore
import CSQLiteSettings

extension SQLiteStore {
    /// Writes a batch in one transaction; any refusal (a case changed meanwhile, a duplicate
    /// case, a task changed) rolls the whole batch back.
    public func commit(_ batch: CommitBatch) async throws {
        guard !batch.isEmpty else { return }
        do {
            let encoded = EncodedBatch(batch)
            try await write { db in try Self.apply(encoded, db) }
        } catch {
            throw Self.refusal(error)
        }
    }

    /// One IMMEDIATE transaction held open across the batches: each batch is applied on the
    /// writer connection while `next` builds the ones after it, so building (deciding, sealing)
    /// and writing share the machine's cores; the transaction is committed after the last.
    ///
    /// BEGIN and each batch are queued on the writer connection in order as soon as they are
    /// ready, up to `decisionsAhead` decisions beyond the one being written, rather than one at a
    /// time: the builder does not wait for each write to end before building the next batch,
    /// and the writer does not wait for a hand-over between batches (fix 37). Once one of them
    /// fails, those queued after it do nothing, and the transaction is rolled back.
    /// While it is open, `write` from this process would meet it; it refuses rather than join
    /// it (see `write`).
    public func commit(chunks next: () async throws -> CommitBatch?) async throws {
        let owner = UUID()
        let writer = OrderedWriter(pool)
        /// Refuses an access after this commit's transaction ended without it.
        @Sendable func owning(_ db: Database) throws {
            guard db.isInsideTransaction, self.chunkedOwner.withLock({ $0 }) == owner else {
                throw StoreError(.conflict, "the group's transaction ended before it was committed")
            }
        }
        var queued = [writer.enqueue { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
            self.chunkedOwner.withLock { $0 = owner }
        }]
        do {
            // The decisions in each queued job (none in BEGIN), and their sum.
            var sizes = [0], waiting = 0
            while let batch = try await next() {
                guard !batch.isEmpty else { continue }
                let encoded = EncodedBatch(batch)
                queued.append(writer.enqueue { db in try owning(db); try Self.apply(encoded, db) })
                sizes.append(batch.cases.count)
                waiting += batch.cases.count
                while queued.count > 1, waiting > Self.decisionsAhead {
                    try await queued.removeFirst().value
                    waiting -= sizes.removeFirst()
                }
            }
            for write in queued { try await write.value }
            queued = []
            let checkpointDue = try await pool.writeWithoutTransaction { db in
                try owning(db)
                kakari_sqlite_defer_checkpoints(1)
                defer { kakari_sqlite_defer_checkpoints(0) }
                try db.cachedStatement(sql: "COMMIT").execute()
                self.chunkedOwner.withLock { $0 = nil }
                return kakari_sqlite_checkpoint_due() == 1
            }
            // The commit is durable now; the checkpoint it left runs next on the writer while
            // the caller goes on (a daemon reads and decides its next group meanwhile), and
            // the next write waits for it. Its failures are left for a later commit, as
            // SQLite's own automatic checkpoint leaves them.
            if checkpointDue {
                pool.asyncWriteWithoutTransaction { db in _ = try? db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            }
        } catch {
            // The batches queued when `next` failed must end before the rollback. A BEGIN that
            // failed opened nothing, and an open transaction it met belongs to another task of
            // this process, which ends it itself: `rollBack` leaves a transaction it does not own.
            for write in queued { _ = await write.result }
            await rollBack(owner)
            throw Self.refusal(error)
        }
    }

    /// How many decisions `commit(chunks:)` lets wait on the writer, in batches queued beyond
    /// the one being written (at least one batch): about a daemon's group, so that the builder
    /// goes on while the writer runs the checkpoint the last group left (fix 38), and so
    /// that an import's batches (thousands of rows each) never pile up in memory.
    static let decisionsAhead = 1024

    /// Ends the transaction of the commit `owner`, if it is still open. It runs in a task of
    /// its own: when the failure is the caller's cancellation (a daemon's pass past its
    /// deadline), a write from the cancelled task is refused before it runs, and the connection
    /// would stay inside the transaction, refusing every later BEGIN.
    private func rollBack(_ owner: UUID) async {
        let pool = self.pool
        _ = await Task {
            try await pool.writeWithoutTransaction { db in
                guard self.chunkedOwner.withLock({ $0 }) == owner else { return }
                self.chunkedOwner.withLock { $0 = nil }
                if db.isInsideTransaction { try db.cachedStatement(sql: "ROLLBACK").execute() }
            }
        }.result
    }

    /// A group goes in batches of this many decisions, each written while the next is built.
    /// 64 rather than 32 (fix 35): each batch costs the same hand-overs between threads
    /// (a task, the writer's queue, the read ahead), whatever its size; 128 was no faster.
    public var groupChunkSize: Int? { 64 }

    /// What a failed write says: a store refusal as it is, SQLite's own errors as sentences.
    static func refusal(_ error: Error) -> Error {
        switch error {
        case let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED:
            return StoreError(.conflict, "the store is busy; try again")
        case let error as DatabaseError:
            return StoreError(.unavailable, "the store refused the change: \(error.message ?? "\(error.resultCode)")")
        default:
            return error
        }
    }

    static func apply(_ encoded: EncodedBatch, _ db: Database) throws {
        let batch = encoded.batch
        for (i, write) in batch.cases.enumerated() { try apply(write, snapshot: encoded.snapshots[i], payloads: encoded.payloads[i], db) }
        for record in batch.idempotency {
            var used = try DirectStatement(db, "SELECT 1 FROM idempotency WHERE key = ?")
            used.bind(record.key)
            if try used.int() != nil { throw StoreError(.conflict, "key \(record.key) was used meanwhile", caseID: record.caseID) }
            var insert = try DirectStatement(db, "INSERT INTO idempotency(key, case_id, event, from_state, to_state, at) VALUES (?, ?, ?, ?, ?, ?)")
            insert.bind(record.key); insert.bind(record.caseID); insert.bind(record.event); insert.bind(record.from); insert.bind(record.to)
            insert.bind(record.at.timeIntervalSince1970)
            try insert.execute()
        }
        for resolution in batch.resolvedEvents {
            var resolve = try DirectStatement(db, "UPDATE queued_events SET status = ?, reason = ?, resolved_at = ? WHERE id = ? AND status = 'pending'")
            resolve.bind(resolution.status.rawValue); resolve.bind(resolution.reason); resolve.bind(resolution.at.timeIntervalSince1970)
            resolve.bind(Int(resolution.id))
            try resolve.execute()
            guard db.changesCount == 1 else { throw StoreError(.conflict, "queued event \(resolution.id) was already handled") }
        }
        for change in batch.taskChanges { try apply(change, db) }
        for (key, value) in batch.settings.sorted(by: { $0.key < $1.key }) { try setSetting(key, value, db) }
        try appendAudit(batch.audit, db)
    }

    /// Sets one setting inside the caller's transaction.
    static func setSetting(_ key: String, _ value: String, _ db: Database) throws {
        var upsert = try DirectStatement(db, "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        upsert.bind(key); upsert.bind(value)
        try upsert.execute()
    }

    static func apply(_ w: CaseWrite, snapshot: [UInt8], payloads: [String?], _ db: Database) throws {
        let s = w.snapshot
        let at = w.at.timeIntervalSince1970
        if let expected = w.expectedSequence {
            var update = try DirectStatement(db, """
                UPDATE cases SET version = ?, state = ?, finished = ?, sequence = ?, snapshot = ?, updated_at = ?
                WHERE id = ? AND sequence = ?
                """)
            update.bind(s.version); update.bind(s.state); update.bind(s.finished); update.bind(s.sequence)
            update.bind(utf8: snapshot); update.bind(at); update.bind(s.id); update.bind(expected)
            try update.execute()
            guard db.changesCount == 1 else {
                throw StoreError(.conflict, "case \(s.id) was changed by someone else meanwhile", caseID: s.id)
            }
        } else {
            var exists = try DirectStatement(db, "SELECT 1 FROM cases WHERE id = ?")
            exists.bind(s.id)
            if try exists.int() != nil {
                throw StoreError(.duplicateCase, "case \(s.id) already exists", caseID: s.id)
            }
            var insert = try DirectStatement(db, """
                INSERT INTO cases(id, workflow, version, state, finished, parent, sequence, snapshot, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            insert.bind(s.id); insert.bind(s.workflow); insert.bind(s.version); insert.bind(s.state); insert.bind(s.finished)
            insert.bind(s.parent); insert.bind(s.sequence); insert.bind(utf8: snapshot); insert.bind(at); insert.bind(at)
            try insert.execute()
        }
        if !w.history.isEmpty {
            // A case created by this write has no history yet.
            let last = w.expectedSequence == nil ? 0 : try lastHistorySeq(of: s.id, db)
            for (offset, entry) in w.history.enumerated() { try insert(entry, seq: last + offset + 1, payload: payloads[offset], db) }
        }
        // Tasks opened in this batch are written before those it closes, so a task opened
        // and closed within one batch ends closed.
        for order in w.openTasks {
            var insert = try DirectStatement(db, """
                INSERT INTO tasks(case_id, key, kind, title, section, status, assignee, due, follow_up, priority, event, decision, contractor, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let holder = w.claims[order.key]
            insert.bind(s.id); insert.bind(order.key); insert.bind(order.kind); insert.bind(order.title); insert.bind(order.section)
            insert.bind(holder == nil ? "open" : "claimed"); insert.bind(holder); insert.bind(order.due?.timeIntervalSince1970)
            insert.bind(order.followUp?.timeIntervalSince1970); insert.bind(order.priority); insert.bind(order.event)
            insert.bind(order.decision); insert.bind(order.contractor); insert.bind(at)
            try insert.execute()
        }
        for closed in w.closedTasks {
            var close = try DirectStatement(db, """
                UPDATE tasks SET status = ?, closed_at = ?, completed_by = ? WHERE case_id = ? AND key = ? AND status IN ('open', 'claimed')
                """)
            close.bind(closed.status.rawValue); close.bind(at); close.bind(closed.by); close.bind(s.id); close.bind(closed.key)
            try close.execute()
        }
        for dates in w.taskDates {
            try db.cachedStatement(sql: "UPDATE tasks SET due = ?, follow_up = ? WHERE case_id = ? AND key = ? AND status IN ('open', 'claimed')")
                .execute(arguments: [dates.due?.timeIntervalSince1970, dates.followUp?.timeIntervalSince1970, s.id, dates.key])
        }
        for (name, due) in w.timers.sorted(by: { $0.key < $1.key }) {
            if let due {
                var upsert = try DirectStatement(db, "INSERT INTO timers(case_id, name, due) VALUES (?, ?, ?) ON CONFLICT(case_id, name) DO UPDATE SET due = excluded.due")
                upsert.bind(s.id); upsert.bind(name); upsert.bind(due.timeIntervalSince1970)
                try upsert.execute()
            } else {
                var delete = try DirectStatement(db, "DELETE FROM timers WHERE case_id = ? AND name = ?")
                delete.bind(s.id); delete.bind(name)
                try delete.execute()
            }
        }
    }

    /// The last history entry's number for a case (0 when it has none).
    static func lastHistorySeq(of caseID: String, _ db: Database) throws -> Int {
        var last = try DirectStatement(db, "SELECT MAX(seq) FROM history WHERE case_id = ?")
        last.bind(caseID)
        return try last.int() ?? 0
    }

    static func insert(_ entry: HistoryEntry, seq: Int, payload: String?, _ db: Database) throws {
        var insert = try DirectStatement(db, """
            INSERT INTO history(case_id, seq, at, kind, event, payload, from_state, to_state, by, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.bind(entry.caseID); insert.bind(seq); insert.bind(entry.at.timeIntervalSince1970); insert.bind(entry.kind.rawValue)
        insert.bind(entry.event); insert.bind(payload); insert.bind(entry.from); insert.bind(entry.to); insert.bind(entry.by)
        insert.bind(entry.detail)
        try insert.execute()
    }

    static func apply(_ change: TaskChange, _ db: Database) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT case_id, status, assignee FROM tasks WHERE id = ?"), arguments: [change.taskID]) else {
            throw StoreError(.notFound, "there is no task \(change.taskID)")
        }
        let status = TaskRecord.Status(rawValue: row["status"]) ?? .open
        let assignee: String? = row["assignee"]
        guard change.expectedStatus.contains(status) else {
            throw StoreError(.taskChanged, "task \(change.taskID) is \(status.rawValue) now")
        }
        if let expected = change.expectedAssignee, expected != assignee {
            throw StoreError(.taskChanged, "task \(change.taskID) is held by \(assignee ?? "nobody") now")
        }
        var sets: [String] = []
        var arguments: StatementArguments = []
        if let a = change.assignee { sets.append("assignee = ?"); arguments += [a] }
        if let s = change.status { sets.append("status = ?"); arguments += [s.rawValue] }
        if let s = change.section { sets.append("section = ?"); arguments += [s] }
        if let d = change.due { sets.append("due = ?"); arguments += [d?.timeIntervalSince1970] }
        guard !sets.isEmpty else { return }
        arguments += [change.taskID, status.rawValue]
        try db.execute(sql: "UPDATE tasks SET \(sets.joined(separator: ", ")) WHERE id = ? AND status = ?", arguments: arguments)
        guard db.changesCount == 1 else { throw StoreError(.taskChanged, "task \(change.taskID) was changed meanwhile") }
        let caseID: String = row["case_id"]
        let last = try lastHistorySeq(of: caseID, db)
        try insert(change.history, seq: last + 1, payload: change.history.payload.map { JSONWriter.encode($0) }, db)
    }
}

/// A batch with its JSON texts already made, so that the writer connection only runs
/// statements: `commit(chunks:)` makes them on the caller's thread while the batch before is
/// being written.
struct EncodedBatch: Sendable {
    let batch: CommitBatch
    /// Each case write's snapshot, as stored (UTF-8).
    let snapshots: [[UInt8]]
    /// Each case write's history payloads, as stored.
    let payloads: [[String?]]

    init(_ batch: CommitBatch) {
        self.batch = batch
        snapshots = batch.cases.map { write in
            let text = JSONWriter.encodedBytes(write.snapshot)
            // Remembered before the commit: a read uses it only for a row holding these very
            // bytes, which a rolled-back write never leaves.
            SnapshotCache.shared.remember(write.snapshot, utf8: text)
            return text
        }
        payloads = batch.cases.map { $0.history.map { $0.payload.map { JSONWriter.encode($0) } } }
    }
}

/// Runs jobs on the writer connection in the order they are queued, without waiting for one to
/// end before queueing the next. Once a job fails, the jobs after it are skipped: each batch
/// of a transaction builds on the ones before it.
///
/// Written by hand: GRDB's `writeWithoutTransaction` waits for its job, and jobs started from
/// several tasks would reach the writer's queue in no particular order; `asyncWriteWithoutTransaction`
/// queues in call order but reports nothing back, which is the part added here.
struct OrderedWriter: Sendable {
    private let pool: DatabasePool
    private let failed = FailureFlag()

    init(_ pool: DatabasePool) { self.pool = pool }

    /// Queues `body` now; the task ends when it has run (or was skipped) on the writer.
    func enqueue(_ body: @escaping @Sendable (Database) throws -> Void) -> Task<Void, Error> {
        let (done, finish) = AsyncThrowingStream<Void, Error>.makeStream()
        let failed = self.failed
        pool.asyncWriteWithoutTransaction { db in
            do {
                if failed.isSet { throw StoreError(.conflict, "an earlier part of the group failed") }
                try body(db)
                finish.finish()
            } catch {
                failed.set()
                finish.finish(throwing: error)
            }
        }
        return Task { for try await _ in done {} }
    }

    /// Set once a job has failed. Only the writer's jobs read and set it, one at a time, but
    /// not always on the same thread: the lock makes each one see the last one's mark.
    private final class FailureFlag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }
}
