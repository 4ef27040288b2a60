import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// What a delivered event did.
    public struct Outcome: Hashable, Sendable {
        public var caseID: String
        public var event: String
        public var from: String
        public var to: String
        public var applied: Bool

        public init(caseID: String, event: String, from: String, to: String, applied: Bool) {
            self.caseID = caseID
            self.event = event
            self.from = from
            self.to = to
            self.applied = applied
        }
    }

    /// How many times a commit is retried when another writer changed the case first.
    static let retries = 50

    /// Delivers `event` to case `id` now and commits the decision with everything it causes.
    /// Retries on a concurrent change; refuses (nothing written) when the core refuses.
    /// `read` is the case as the caller just read it, used for the first attempt.
    func deliver(_ event: CaseEvent, to id: String, by user: String, at now: Date, key: String? = nil, read: CaseRecord? = nil,
                 resolution: ((Outcome) -> EventResolution)? = nil) async throws -> Outcome {
        var read = read
        for attempt in 0..<Self.retries {
            if let key, let first = try await store.idempotency(key) {
                return Outcome(caseID: first.caseID, event: first.event, from: first.from, to: first.to, applied: false)
            }
            let record: CaseRecord
            if let r = read { record = r; read = nil } else { record = try await caseRecord(id) }
            let decider = try await self.decider(record.snapshot.workflow, event.migrationTarget ?? record.snapshot.version)
            let decision: Decision
            do {
                decision = try decider.decide(record.snapshot, event, now: now)
            } catch {
                // Another sender with the same key may have moved the case meanwhile: then
                // the answer is its outcome, not a refusal.
                if let key, let first = try await store.idempotency(key) {
                    return Outcome(caseID: first.caseID, event: first.event, from: first.from, to: first.to, applied: false)
                }
                throw EngineError(.refused, error.message)
            }
            var builder = BatchBuilder(engine: self, by: user, at: now)
            try await builder.add(decision, expected: record.snapshot.sequence)
            let outcome = Outcome(caseID: id, event: event.displayName, from: decision.from ?? "", to: decision.to,
                                  applied: decision.applied)
            if let key {
                builder.batch.idempotency.append(IdempotencyRecord(key: key, caseID: id, event: outcome.event,
                                                                   from: outcome.from, to: outcome.to, at: now))
            }
            if let resolution { builder.batch.resolvedEvents.append(resolution(outcome)) }
            do {
                try await commit(builder.batch)
                return outcome
            } catch let error as StoreError where error.code == .conflict {
                logger.debug("retrying \(event.displayName) on \(id) after a concurrent change", metadata: ["attempt": "\(attempt)"])
                try await Task.sleep(nanoseconds: UInt64.random(in: 1_000_000...(5_000_000 * UInt64(attempt + 1))))
            }
        }
        throw EngineError(.refused, "case \(id) is changing too often to apply \(event.displayName); try again")
    }
}

/// Turns decisions into one `CommitBatch`, following their effects: a child case started,
/// a parent told its child finished. Each case touched is written once, with the sequence
/// it had when read; later decisions in the same batch see the earlier ones' results.
struct BatchBuilder {
    let engine: Engine
    var by: String
    var at: Date
    var batch = CommitBatch()
    private var index: [String: Int] = [:]
    /// Idempotency keys used by this batch.
    var keys: Set<String> = []
    /// The dataset that cases started by this batch belong to (`cases import --dataset`).
    var dataset: String?
    /// Cases read ahead in one query for a group, and keys known to be used.
    var prefetched: [String: CaseSnapshot] = [:]
    var usedKeys: Set<String> = []
    private var deciders: [String: Decider] = [:]

    /// Reads ahead, in one query each, the cases and keys of items about to be added.
    mutating func prefetch(cases ids: [String], keys: [String]) async throws {
        let (records, used) = try await Self.read(cases: unknownCases(ids), keys: keys, from: engine.store)
        take(records, usedKeys: used)
    }

    /// The cases `ids` and which of `keys` are used, one query each (none for an empty list).
    static func read(cases ids: [String], keys: [String], from store: any CaseStore) async throws -> ([String: CaseRecord], Set<String>) {
        (ids.isEmpty ? [:] : try await store.caseRecords(ids), keys.isEmpty ? [] : try await store.usedKeys(keys))
    }

    /// The cases among `ids` that this builder has neither read nor written.
    func unknownCases(_ ids: [String]) -> [String] {
        Array(Set(ids).filter { prefetched[$0] == nil && index[$0] == nil })
    }

    /// Takes cases and keys read ahead. A case known meanwhile (written by this batch or a
    /// chunk it handed over) stays as the builder has it: the store may not have it so yet.
    mutating func take(_ records: [String: CaseRecord], usedKeys keys: Set<String>) {
        for (id, record) in records where prefetched[id] == nil && index[id] == nil { prefetched[id] = record.snapshot }
        usedKeys.formUnion(keys)
    }

    /// The decider of a workflow version, looked up once per batch.
    mutating func decider(_ snapshot: CaseSnapshot) async throws -> Decider {
        let key = "\(snapshot.workflow)@\(snapshot.version)"
        if let d = deciders[key] { return d }
        let d = try await engine.decider(snapshot.workflow, snapshot.version)
        deciders[key] = d
        return d
    }

    init(engine: Engine, by: String, at: Date) {
        self.engine = engine
        self.by = by
        self.at = at
    }

    /// The case as this batch leaves it, with the sequence the store must still have.
    func current(_ id: String) async throws -> (CaseSnapshot, Int?) {
        if let i = index[id] { return (batch.cases[i].snapshot, batch.cases[i].expectedSequence) }
        if let s = prefetched[id] { return (s, s.sequence) }
        let record = try await engine.caseRecord(id)
        return (record.snapshot, record.snapshot.sequence)
    }

    /// Hands over the batch built so far and starts an empty one (a group committed in
    /// chunks). Cases it writes are then taken from it as it leaves them, with the sequence it
    /// writes, so a later decision on one of them writes it again after it.
    mutating func flush() -> CommitBatch {
        let out = batch
        for write in out.cases { prefetched[write.snapshot.id] = write.snapshot }
        batch = CommitBatch()
        index = [:]
        return out
    }

    /// Records an entry that is not a decision (a failed timer), with the snapshot to keep.
    mutating func appendAdmin(_ entry: HistoryEntry?, snapshot: CaseSnapshot, expected: Int?, timers: [String: Date?]) {
        let id = snapshot.id
        var write = index[id].map { batch.cases[$0] } ?? CaseWrite(snapshot: snapshot, expectedSequence: expected, history: [], at: at)
        write.snapshot = snapshot
        if let entry { write.history.append(entry) }
        for (name, due) in timers { write.timers[name] = .some(due) }
        if let i = index[id] { batch.cases[i] = write } else {
            index[id] = batch.cases.count
            batch.cases.append(write)
        }
    }

    mutating func add(_ decision: Decision, expected: Int?) async throws {
        let id = decision.after.id
        var write: CaseWrite
        if let i = index[id] {
            write = batch.cases[i]
            write.snapshot = decision.after
        } else {
            write = CaseWrite(snapshot: decision.after, expectedSequence: expected, history: [], at: at)
        }
        write.at = at
        if decision.applied {
            write.history.append(HistoryEntry(
                caseID: id, seq: 0, at: at, kind: .decision, event: decision.event.displayName, payload: decision.event,
                from: decision.from, to: decision.to, by: by, detail: HistoryDetail(changes: decision.from == nil ? [] : decision.changes, version: decision.after.version,
                                                       note: decision.note ?? decision.event.reason, dataset: decision.from == nil ? dataset : nil).json))
        }
        var followUps: [Effect] = []
        for effect in decision.effects {
            switch effect {
            case .openTask(let order):
                write.openTasks.append(order)
                if let kind = order.retain, let holder = try await familiar(kind, caseID: id, decision: decision) {
                    write.claims[order.key] = holder
                }
            case .closeTask(let key, let completed):
                write.closedTasks.append(ClosedTask(key: key, status: completed ? .done : .withdrawn, by: completed ? by : nil))
            case .scheduleTimer(let name, let due): write.timers[name] = .some(due)
            case .cancelTimer(let name): write.timers[name] = .some(nil)
            case .startChild, .notifyParent: followUps.append(effect)
            case .postponeTasks(let since):
                let calendar = try await engine.decider(decision.after.workflow, decision.after.version).calendar
                for task in try await engine.store.tasks(TaskFilter(caseID: id)) {
                    write.taskDates.append(TaskDates(
                        key: task.key, due: task.due.map { calendar.postpone($0, suspendedAt: since, resumedAt: at) },
                        followUp: task.followUp.map { calendar.postpone($0, suspendedAt: since, resumedAt: at) }))
                }
            }
        }
        if case .timer(let name) = decision.event, !decision.applied { write.timers[name] = .some(nil) }
        if let i = index[id] { batch.cases[i] = write } else {
            index[id] = batch.cases.count
            batch.cases.append(write)
        }
        for effect in followUps {
            switch effect {
            case .startChild(let childID, let workflow, let data):
                let version = try await engine.latestVersion(of: workflow)
                let decider = try await engine.decider(workflow, version.version)
                do {
                    let child = try decider.start(id: childID, version: version.version, data: data, parent: id, now: at)
                    try await add(child, expected: nil)
                } catch let error as DecisionError {
                    throw EngineError(.refused, "the child case \(childID) of \(workflow) cannot start: \(error.message)")
                }
            case .notifyParent(let parent, let result):
                let (snapshot, expected) = try await current(parent)
                let decider = try await engine.decider(snapshot.workflow, snapshot.version)
                do {
                    let next = try decider.decide(snapshot, .childFinished(child: id, result: result), now: at)
                    try await add(next, expected: expected)
                } catch let error as DecisionError {
                    throw EngineError(.refused, "parent case \(parent) cannot take the result '\(result)' of \(id): \(error.message)")
                }
            default: break
            }
        }
    }
}

extension BatchBuilder {
    /// Who completed the latest task of `kind` in the case: the person a `retain:` task goes
    /// to (retain familiar). The task this decision completes counts first.
    func familiar(_ kind: String, caseID: String, decision: Decision) async throws -> String? {
        let tasks = try await engine.store.tasks(TaskFilter(statuses: [.open, .claimed, .done], caseID: caseID))
        if case .signal(_, _, let key?) = decision.event, tasks.first(where: { $0.key == key })?.kind == kind { return by }
        return tasks.filter { $0.kind == kind && $0.status == .done }.max { $0.id < $1.id }?.completedBy
    }
}

/// What a history entry records besides the event: the data that changed and the version.
/// A start's changes are its data, which the entry's event already holds, so they are left out.
struct HistoryDetail: Codable {
    var changes: [Decision.Change]
    var version: Int
    var note: String?
    var dataset: String?

    /// The detail as JSON, written by `JSONWriter` (it is on every transition's path).
    var json: String {
        var out = "{\"changes\":" + JSONWriter.encode(changes)
        if let dataset { out += ",\"dataset\":"; JSONWriter.string(dataset, &out) }
        if let note { out += ",\"note\":"; JSONWriter.string(note, &out) }
        return out + ",\"version\":\(version)}"
    }
}
