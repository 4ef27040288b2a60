import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// What one pass of the engine did.
    public struct StepReport: Hashable, Sendable {
        public var timersFired = 0
        public var eventsApplied = 0
        public var eventsRejected = 0
        public var total: Int { timersFired + eventsApplied + eventsRejected }
        public init() {}
    }

    /// How many timers or queued events one transaction takes at most (group commit).
    public static let groupSize = 1024

    /// How long a daemon's claim on a case lasts when it is not given back (a crashed
    /// daemon's cases are taken over then), in seconds.
    public static let defaultLease: TimeInterval = 30

    /// Fires every timer due by `now` (each at its own due time, in order) and applies the
    /// queued events, until nothing is left to do. Work is claimed case by case (several
    /// daemons share it; each case's events go to one daemon at a time, in delivery order)
    /// and committed in groups: many cases' timers or events in one transaction, all or
    /// nothing, so a crash loses nothing and repeats nothing, and throughput is not bounded
    /// by one commit per event. `groups` bounds the pass: after that many groups it returns,
    /// with work perhaps left, so that a caller can give each pass a deadline however long
    /// the backlog is.
    public func runDue(now: Date, user: String = "kakari-daemon", lease: TimeInterval = Engine.defaultLease,
                       groups: Int = .max, shouldStop: @Sendable () -> Bool = { false }) async throws -> StepReport {
        var report = StepReport()
        var done = 0
        while done < groups, !shouldStop() {
            done += 1
            let work = try await store.claimWork(worker: worker, now: now, limit: Self.groupSize, lease: lease)
            if work.isEmpty { break }
            if !work.timers.isEmpty {
                report.add(try await process(work.timers.map(WorkItem.timer), now: now, user: user))
            }
            if !work.events.isEmpty {
                report.add(try await process(work.events.map(WorkItem.queued), now: now, user: user))
            }
            try await store.releaseClaims(worker: worker, caseIDs: work.caseIDs)
        }
        return report
    }

    /// A unit of the daemon's work.
    enum WorkItem {
        case timer(TimerRecord)
        case queued(QueuedEvent)

        var caseID: String {
            switch self { case .timer(let t): t.caseID; case .queued(let e): e.caseID }
        }

        /// The idempotency key of a queued event.
        var key: String? {
            if case .queued(let e) = self { e.key } else { nil }
        }
    }

    /// Processes items in order into one batch and commits it; when the batch cannot commit
    /// (another writer changed one of its cases), processes them one by one instead.
    func process(_ items: [WorkItem], now: Date, user: String) async throws -> StepReport {
        var builder = BatchBuilder(engine: self, by: user, at: now)
        var report = StepReport()
        // A refusal leaves the builder as it was only when it comes before any write; rather
        // than undo a half-added item, the group is then handled item by item.
        let grouped = try await commitGroup(items, caseOf: \.caseID, keyOf: \.key, builder: &builder) { item, builder in
            try await add(item, to: &builder, now: now, user: user, report: &report)
        }
        if grouped { return report }
        var single = StepReport()
        for item in items { single.add(try await process(item, now: now, user: user)) }
        return single
    }

    private func process(_ item: WorkItem, now: Date, user: String) async throws -> StepReport {
        for _ in 0..<Self.retries {
            var builder = BatchBuilder(engine: self, by: user, at: now)
            var report = StepReport()
            try await builder.prefetch(cases: [item.caseID], keys: item.key.map { [$0] } ?? [])
            do {
                try await add(item, to: &builder, now: now, user: user, report: &report)
            } catch let error as EngineError {
                builder = BatchBuilder(engine: self, by: user, at: now)
                report = StepReport()
                try await record(failure: error.message, of: item, in: &builder, user: user, now: now, report: &report)
            }
            do {
                try await commit(builder.batch)
                return report
            } catch let error as StoreError where error.code == .conflict {
                continue
            }
        }
        return StepReport()
    }

    /// Decides one item into the batch, or throws `EngineError` (leaving the builder to be restored).
    private func add(_ item: WorkItem, to builder: inout BatchBuilder, now: Date, user: String, report: inout StepReport) async throws {
        switch item {
        case .timer(let timer):
            let (snapshot, expected) = try await builder.current(timer.caseID)
            // Another daemon (or an earlier group) may have fired it already.
            guard snapshot.timers[timer.name] == timer.due else {
                // A row that disagrees with its case is brought back in line with it, so the
                // loop cannot find it due again.
                builder.appendAdmin(nil, snapshot: snapshot, expected: expected, timers: [timer.name: snapshot.timers[timer.name]])
                return
            }
            builder.by = user
            builder.at = timer.due
            let decider = try await builder.decider(snapshot)
            let decision: Decision
            do { decision = try decider.decide(snapshot, .timer(name: timer.name), now: timer.due) }
            catch { throw EngineError(.refused, error.message) }
            try await builder.add(decision, expected: expected)
            report.timersFired += 1
        case .queued(let event):
            let at = max(now, event.enqueuedAt)
            if let key = event.key, builder.usedKeys.contains(key) || builder.keys.contains(key) {
                builder.batch.resolvedEvents.append(EventResolution(id: event.id, status: .duplicate, reason: "key \(key) was already used", at: at))
                report.eventsRejected += 1
                return
            }
            // Refusals found before anything is written are recorded in place, so one bad
            // event does not break up the group.
            func reject(_ reason: String) {
                builder.batch.resolvedEvents.append(EventResolution(id: event.id, status: .rejected, reason: reason, at: at))
                report.eventsRejected += 1
            }
            let snapshot: CaseSnapshot, expected: Int?
            do { (snapshot, expected) = try await builder.current(event.caseID) } catch let error as EngineError { return reject(error.message) }
            builder.by = event.by
            builder.at = at
            let decider = try await builder.decider(snapshot)
            let decision: Decision
            do { decision = try decider.decide(snapshot, .signal(name: event.event, fields: event.fields, task: nil), now: at) }
            catch { return reject(error.message) }
            try await builder.add(decision, expected: expected)
            if let key = event.key {
                builder.keys.insert(key)
                builder.batch.idempotency.append(IdempotencyRecord(key: key, caseID: event.caseID, event: event.event,
                                                                   from: decision.from ?? "", to: decision.to, at: at))
            }
            builder.batch.resolvedEvents.append(EventResolution(id: event.id, status: .applied, reason: nil, at: at))
            report.eventsApplied += 1
        }
    }

    /// A queued event that cannot be applied is kept as rejected with its reason; a timer
    /// whose branches cannot be taken is spent, and the failure recorded in the case history.
    private func record(failure: String, of item: WorkItem, in builder: inout BatchBuilder, user: String, now: Date,
                        report: inout StepReport) async throws {
        switch item {
        case .queued(let event):
            builder.batch.resolvedEvents.append(EventResolution(id: event.id, status: .rejected, reason: failure, at: max(now, event.enqueuedAt)))
            report.eventsRejected += 1
        case .timer(let timer):
            logger.error("timer \(timer.name) of case \(timer.caseID) failed: \(failure)")
            guard let (snapshot, expected) = try? await builder.current(timer.caseID) else { return }
            // The timer's row goes so the daemon does not spin on it; the case keeps it, so
            // `kakari verify` reports the case for an operator to look at.
            builder.by = user
            builder.at = timer.due
            let entry = HistoryEntry(caseID: timer.caseID, seq: 0, at: timer.due, kind: .admin, event: "timer.failed", payload: nil,
                                     from: snapshot.state, to: snapshot.state, by: user,
                                     detail: StoreJSON.encode(["timer": timer.name, "reason": failure]))
            builder.appendAdmin(entry, snapshot: snapshot, expected: expected, timers: [timer.name: nil])
        }
    }
}
