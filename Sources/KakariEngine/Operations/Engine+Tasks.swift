import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// The task `id`, or a refusal naming it.
    public func task(_ id: Int64) async throws -> TaskRecord {
        guard let task = try await store.task(id) else { throw EngineError(.refused, "there is no task \(id)") }
        return task
    }

    /// Completes a task: its form values become the event that advances the case.
    public func completeTask(_ id: Int64, fields: [String: String], by user: String) async throws -> Outcome {
        let task = try await self.task(id)
        guard task.isOpen else { throw EngineError(.refused, "task \(id) is \(task.status.rawValue), not open") }
        try await requireWorker(user, for: task)
        try await requireAwayFromHome(user, task)
        if task.assignee == nil { try await requireOffered(task, to: user) }
        if let holder = task.assignee, holder != user {
            throw await notPermitted("task \(id) is claimed by \(holder); ask them or a lead to release it", user: user, caseID: task.caseID)
        }
        let record = try await caseRecord(task.caseID)
        let decider = try await self.decider(record.snapshot.workflow, record.snapshot.version)
        let kinds = decider.definition.taskKinds
        let definition = kinds[task.kind]
        if let confirms = definition?.confirms {
            let prepared = try await store.tasks(TaskFilter(statuses: [.done], caseID: task.caseID))
                .filter { $0.kind == confirms }.max { $0.id < $1.id }
            if let preparer = prepared?.completedBy, preparer == user {
                throw await notPermitted("\(user) completed '\(confirms)' on case \(task.caseID); a different person must confirm it", user: user, caseID: task.caseID)
            }
        }
        try await requireOutsideCriticalSection(task, for: user, kinds: kinds)
        let values = try parse(fields, against: definition?.form ?? [], what: "the form of task \(id) (\(task.kind))")
        return try await deliver(.signal(name: task.event, fields: values, task: task.key), to: task.caseID, by: user, at: try await now())
    }

    /// Takes an open task for oneself.
    public func claim(_ id: Int64, by user: String) async throws {
        let task = try await self.task(id)
        try await requireWorker(user, for: task)
        try await requireAwayFromHome(user, task)
        guard task.status == .open else {
            throw EngineError(.refused, task.status == .claimed ? "task \(id) is already claimed by \(task.assignee ?? "someone")" : "task \(id) is \(task.status.rawValue)")
        }
        try await requireOutsideCriticalSection(task, for: user)
        try await requireOffered(task, to: user)
        try await change(task, by: user, event: "task.claim", detail: ["assignee": user]) {
            TaskChange(taskID: id, expectedStatus: [.open], assignee: .some(user), status: .claimed, history: $0)
        }
    }

    /// Piled execution: claims for `user` the first open task of `kind` on their worklist (their
    /// section's, or `section`'s for a lead), in worklist order, skipping tasks they may not take
    /// (a decision for a contractor, a household in their home town). Nil when there is none.
    /// A task someone else claims meanwhile is passed over for the next.
    public func claimNext(kind: String?, section: String?, by user: String) async throws -> TaskRecord? {
        let person = try await person(user)
        let wanted = section ?? person.map(\.section)
        if person?.role == .staff, let wanted, try await currentBundle()?.staff.section(wanted)?.showsUnclaimed == false { return nil }
        for task in try await store.tasks(TaskFilter(section: wanted, statuses: [.open])) where kind == nil || task.kind == kind {
            if let person {
                if task.decision && person.role == .contractor { continue }
                if !Self.supervises(person) && person.section != task.section { continue }
                if try await homeTownConflict(person, task) != nil { continue }
            }
            do {
                try await claim(task.id, by: user)
                return try await self.task(task.id)
            } catch let error as EngineError where error.category == .refused {
                continue
            }
        }
        return nil
    }

    /// Gives a claimed task back to its section's list.
    public func release(_ id: Int64, by user: String) async throws {
        let task = try await self.task(id)
        guard task.status == .claimed else { throw EngineError(.refused, "task \(id) is \(task.status.rawValue), not claimed") }
        if task.assignee != user { try await requireSupervisor(user, to: "release a task someone else holds") }
        try await change(task, by: user, event: "task.release", detail: ["previous": task.assignee ?? ""]) {
            TaskChange(taskID: id, expectedStatus: [.claimed], expectedAssignee: .some(task.assignee),
                       assignee: .some(nil), status: .open, history: $0)
        }
    }

    /// Hands a task to someone.
    public func assign(_ id: Int64, to assignee: String, by user: String) async throws {
        let task = try await self.task(id)
        guard task.isOpen else { throw EngineError(.refused, "task \(id) is \(task.status.rawValue)") }
        if task.assignee != user { try await requireSupervisor(user, to: "hand out a task") }
        if let staff = try await currentBundle()?.staff, !staff.users.isEmpty {
            guard let person = staff.user(assignee) else { throw EngineError(.refused, "there is no user '\(assignee)' in the staff directory") }
            if task.decision && person.role == .contractor {
                throw EngineError(.refused, "task \(id) is a decision and cannot go to a contractor (\(assignee))")
            }
            if !Self.supervises(person) && person.section != task.section {
                throw EngineError(.refused, "task \(id) belongs to section \(task.section); \(assignee) is in \(person.section)")
            }
            if let conflict = try await homeTownConflict(person, task) {
                throw EngineError(.refused, "\(conflict); task \(id) must go to someone else")
            }
        }
        try await requireOutsideCriticalSection(task, for: assignee)
        try await change(task, by: user, event: "task.assign", detail: ["assignee": assignee, "previous": task.assignee ?? ""]) {
            TaskChange(taskID: id, expectedStatus: [.open, .claimed], assignee: .some(assignee), status: .claimed, history: $0)
        }
    }

    /// A lead's correction: another section, or another due date, recorded in the history.
    public func updateTask(_ id: Int64, section: String?, due: Date??, by user: String) async throws {
        let task = try await self.task(id)
        try await requireSupervisor(user, to: "change a task's section or due date")
        guard task.isOpen else { throw EngineError(.refused, "task \(id) is \(task.status.rawValue)") }
        if let section, let staff = try await currentBundle()?.staff, !staff.sections.isEmpty, staff.section(section) == nil {
            throw EngineError(.refused, "there is no section '\(section)'")
        }
        var detail: [String: String] = [:]
        if let section { detail["section"] = section; detail["previous_section"] = task.section }
        if let due { detail["due"] = due.map { "\($0.timeIntervalSince1970)" } ?? ""; detail["previous_due"] = task.due.map { "\($0.timeIntervalSince1970)" } ?? "" }
        try await change(task, by: user, event: "task.update", detail: detail) {
            TaskChange(taskID: id, expectedStatus: [task.status], section: section, due: due, history: $0)
        }
    }

    /// A critical section (`critical:`): refuses `user` a task while someone else holds another
    /// task of the same section in the same case.
    func requireOutsideCriticalSection(_ task: TaskRecord, for user: String, kinds: [String: TaskDefinition]? = nil) async throws {
        var kinds = kinds
        if kinds == nil {
            let record = try await caseRecord(task.caseID)
            kinds = try await decider(record.snapshot.workflow, record.snapshot.version).definition.taskKinds
        }
        guard let kinds, let section = kinds[task.kind]?.critical else { return }
        let members = Set(kinds.values.filter { $0.critical == section }.map(\.kind))
        for other in try await store.tasks(TaskFilter(statuses: [.claimed], caseID: task.caseID))
        where other.id != task.id && members.contains(other.kind) && other.assignee != user {
            throw EngineError(.refused, "task \(other.id) (\(other.kind)) of case \(task.caseID) is in the same critical section '\(section)' and held by \(other.assignee ?? "someone"); wait until it is done")
        }
    }

    /// Refuses a contractor a task whose case is in or next to their home town (exit 3, audited).
    func requireAwayFromHome(_ user: String, _ task: TaskRecord) async throws {
        if let person = try await person(user), let conflict = try await homeTownConflict(person, task) {
            throw await notPermitted("\(conflict); task \(task.id) must go to someone else", user: user, caseID: task.caseID)
        }
    }

    /// Why `person` may not visit the case of `task` (see `homeTownConflict(_:town:bundle:)`).
    func homeTownConflict(_ person: StaffDirectory.User, _ task: TaskRecord) async throws -> String? {
        guard person.role == .contractor, person.homeTown != nil, let bundle = try await currentBundle() else { return nil }
        return Self.homeTownConflict(person, town: try await town(of: try await caseRecord(task.caseID).snapshot), bundle: bundle)
    }

    /// Commits a change to a task with the history entry that records it.
    private func change(_ task: TaskRecord, by user: String, event: String, detail: [String: String],
                        _ makeChange: (HistoryEntry) -> TaskChange) async throws {
        let record = try await caseRecord(task.caseID)
        var detail = detail
        detail["task"] = String(task.id)
        let entry = HistoryEntry(caseID: task.caseID, seq: 0, at: try await now(), kind: .admin, event: event, payload: nil,
                                 from: record.snapshot.state, to: record.snapshot.state, by: user, detail: StoreJSON.encode(detail))
        var batch = CommitBatch()
        batch.taskChanges = [makeChange(entry)]
        do {
            try await commit(batch)
        } catch let error as StoreError where error.code == .taskChanged || error.code == .notFound {
            throw EngineError(.refused, error.message)
        }
    }
}
