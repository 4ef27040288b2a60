import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// What `user` may see; refuses (exit 3, audited) someone not in the staff directory.
    public func visibility(of user: String) async throws -> Visibility {
        guard let person = try await person(user) else { return .everything }
        switch person.role {
        case .lead, .admin: return .everything
        case .staff: return .section(person.section)
        case .contractor: return .assignments(user: user, section: person.section)
        case .duty: return .confirmOnly
        }
    }

    /// Case `id` as `user` may see it; the personal fields shown are audited. Someone who
    /// may not see it is refused (exit 3, audited) whether or not it exists.
    public func readCase(_ id: String, by user: String) async throws -> CaseView {
        let visibility = try await self.visibility(of: user)
        let allTasks = try await store.tasks(TaskFilter(statuses: Set(TaskRecord.Status.allCases), caseID: id))
        var tasks = allTasks
        switch visibility {
        case .everything:
            break
        case .section(let section):
            guard allTasks.contains(where: { $0.section == section }) else {
                throw await notPermitted("case \(id) has no task in section \(section); \(user) may not see it", user: user, caseID: id)
            }
        case .assignments(let holder, _):
            tasks = allTasks.filter { $0.assignee == holder && $0.isOpen }
            guard !tasks.isEmpty else {
                throw await notPermitted("\(user) sees a case only while holding one of its open tasks; case \(id) has none", user: user, caseID: id)
            }
        case .confirmOnly:
            throw await notPermitted(Self.dutyMessage(user), user: user, caseID: id)
        }
        var record = try await caseRecord(id)
        let definition = try await decider(record.snapshot.workflow, record.snapshot.version).definition
        var history = try await store.history(id)
        var children = try await store.children(of: id)
        var visible: Set<String>?
        if case .assignments = visibility {
            let seen = Set(tasks.flatMap { definition.taskKinds[$0.kind]?.sees ?? [] })
            visible = seen
            record.snapshot.data = record.snapshot.data.filter { seen.contains($0.key) }
            record.snapshot.parent = nil
            children = []
            history = history.map { Self.redact($0, to: seen) }
        }
        var notice: String?
        if let withheld = try await withheldFields(of: record.dataset, in: definition) {
            // The dataset's purpose has ended: its personal fields are served to no one.
            record.snapshot.data = record.snapshot.data.filter { !withheld.contains($0.key) }
            history = history.map { Self.redact($0, to: Set(definition.fields.map(\.name)).subtracting(withheld)) }
            tasks = tasks.map { Self.withholdTitle($0) }
            notice = "the purpose of dataset \(record.dataset ?? "") has ended: its personal fields are withheld until it is purged"
        }
        let shown = definition.fields.filter { (record.snapshot.data[$0.name] ?? .null) != .null }
        try await auditRead(id, fields: shown, by: user)
        return CaseView(record: record, history: history, tasks: tasks, children: children, visibleFields: visible, notice: notice)
    }

    /// The cases `user` may see among those matching `filter` (no personal data is shown,
    /// so nothing is audited unless the user is refused).
    public func visibleCases(_ filter: CaseFilter, by user: String) async throws -> [CaseRecord] {
        let ids: Set<String>
        switch try await visibility(of: user) {
        case .everything:
            return try await store.cases(filter)
        case .section(let section):
            ids = Set(try await store.tasks(TaskFilter(section: section, statuses: Set(TaskRecord.Status.allCases))).map(\.caseID))
        case .assignments(let holder, _):
            ids = Set(try await store.tasks(TaskFilter(assignee: holder)).map(\.caseID))
        case .confirmOnly:
            throw await notPermitted(Self.dutyMessage(user), user: user)
        }
        return try await store.cases(filter).filter { ids.contains($0.snapshot.id) }
    }

    /// The tasks `user` may see among those matching `filter`: staff their section's,
    /// contractors their own open ones. Asking for another section's list is refused.
    public func visibleTasks(_ filter: TaskFilter, by user: String) async throws -> [TaskRecord] {
        var filter = filter
        let visibility = try await self.visibility(of: user)
        switch visibility {
        case .everything:
            break
        case .section(let section), .assignments(_, let section):
            if let asked = filter.section, asked != section {
                throw await notPermitted("\(user) works in \(section) and may not list the tasks of \(asked)", user: user)
            }
            filter.section = section
        case .confirmOnly:
            throw await notPermitted(Self.dutyMessage(user), user: user)
        }
        if case .assignments(let holder, _) = visibility {
            filter.assignee = holder
            filter.statuses = filter.statuses.intersection([.open, .claimed])
            if filter.statuses.isEmpty { return [] }
        }
        var tasks = try await store.tasks(filter)
        if tasks.contains(where: { $0.dataset != nil }) {
            let ended = try await endedDatasets()
            tasks = tasks.map { ended[$0.dataset ?? ""] != nil ? Self.withholdTitle($0) : $0 }
        }
        // A section may hide unclaimed work, or colleagues' work, from its staff.
        if case .section(let id) = visibility, let section = try await currentBundle()?.staff.section(id),
           !section.showsUnclaimed || !section.showsClaimedByOthers {
            return tasks.filter { section.shows(status: $0.status.rawValue, assignee: $0.assignee, to: user) }
        }
        return tasks
    }

    /// Refuses a member of staff an unclaimed task of a section that hands out its work
    /// (`unclaimed: hidden`): a lead assigns it.
    func requireOffered(_ task: TaskRecord, to user: String) async throws {
        guard let person = try await person(user), person.role == .staff,
              let section = try await currentBundle()?.staff.section(task.section), !section.showsUnclaimed else { return }
        throw await notPermitted("section \(task.section) hands out its work; ask a lead to assign task \(task.id)", user: user, caseID: task.caseID)
    }

    /// Task `id` with the case fields its `sees` lists, if `user` may see it: staff of its
    /// section, its contractor while it is assigned to them and open, leads and admins.
    /// The personal fields shown are audited.
    public func readTask(_ id: Int64, by user: String) async throws -> TaskView {
        let visibility = try await self.visibility(of: user)
        var task = try await self.task(id)
        switch visibility {
        case .everything:
            break
        case .section(let section):
            guard task.section == section else {
                throw await notPermitted("task \(id) belongs to section \(task.section); \(user) is in \(section)", user: user, caseID: task.caseID)
            }
            if let rules = try await currentBundle()?.staff.section(section), !rules.shows(status: task.status.rawValue, assignee: task.assignee, to: user) {
                throw await notPermitted("section \(section) does not show task \(id) to \(user) (held by someone else, or not yet handed out)", user: user, caseID: task.caseID)
            }
        case .assignments(let holder, _):
            guard task.assignee == holder, task.isOpen else {
                throw await notPermitted("\(user) sees a task only while it is assigned to them and open; task \(id) is not", user: user, caseID: task.caseID)
            }
        case .confirmOnly:
            throw await notPermitted(Self.dutyMessage(user), user: user, caseID: task.caseID)
        }
        let record = try await caseRecord(task.caseID)
        let definition = try await decider(record.snapshot.workflow, record.snapshot.version).definition
        let kind = definition.taskKinds[task.kind]
        let withheld = try await withheldFields(of: record.dataset, in: definition) ?? []
        let fields = (kind?.sees ?? []).filter { !withheld.contains($0) }
            .compactMap { name in definition.field(name).map { (field: $0, value: record.snapshot.data[name] ?? .null) } }
        if !withheld.isEmpty { task = Self.withholdTitle(task) }
        try await auditRead(task.caseID, fields: fields.filter { $0.value != .null }.map { $0.field }, by: user, detail: "task \(id)")
        return TaskView(task: task, definition: kind, fields: fields)
    }

    static func dutyMessage(_ user: String) -> String {
        "the duty desk confirms a household with 'kakari cases find --name NAME'; \(user) may not open cases or tasks"
    }

    /// A task of an ended dataset: its title may quote personal fields, so its kind stands in.
    static func withholdTitle(_ task: TaskRecord) -> TaskRecord {
        var task = task
        task.title = "\(task.kind) (個人情報は利用期間終了のため非表示)"
        return task
    }

    /// A history entry with only the `visible` fields of its event, and no data changes.
    static func redact(_ entry: HistoryEntry, to visible: Set<String>) -> HistoryEntry {
        var e = entry
        switch e.payload {
        case .start(let data, let parent)?: e.payload = .start(data: data.filter { visible.contains($0.key) }, parent: parent)
        case .signal(let name, let fields, let task)?: e.payload = .signal(name: name, fields: fields.filter { visible.contains($0.key) }, task: task)
        default: break
        }
        e.detail = ""
        return e
    }
}
