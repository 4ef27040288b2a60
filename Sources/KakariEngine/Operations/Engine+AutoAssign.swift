import Foundation
import KakariCore
import KakariDefinitions
import KakariStore

extension Engine {
    /// Hands the open, unassigned tasks of `section` that contractors may do to the
    /// section's contractors: never to one whose home town (`home_town` in staff.yaml) is the
    /// case's town or one of its neighbours (`neighbours` in the towns table), and to the
    /// one with the fewest open tasks first (ties by login). All assignments are committed
    /// together; tasks nobody may take stay unassigned and are reported.
    public func autoAssign(section: String, by user: String) async throws -> AutoAssignment {
        try await requireSupervisor(user, to: "hand out tasks")
        guard let bundle = try await currentBundle(), bundle.staff.section(section) != nil else {
            throw EngineError(.refused, "there is no section '\(section)'")
        }
        let contractors = bundle.staff.users.filter { $0.section == section && $0.role == .contractor }.sorted { $0.id < $1.id }
        var load: [String: Int] = [:]
        for c in contractors { load[c.id] = try await store.tasks(TaskFilter(assignee: c.id)).count }
        let tasks = try await store.tasks(TaskFilter(section: section, statuses: [.open])).filter { $0.assignee == nil }
        let records = try await store.caseRecords(Array(Set(tasks.map(\.caseID))))
        var report = AutoAssignment()
        var batch = CommitBatch()
        let now = try await self.now()
        for task in tasks {
            guard let record = records[task.caseID] else { continue }
            if task.decision || !task.contractor {
                report.unassigned.append(.init(task: task.id, caseID: task.caseID, reason: "not a task for contractors"))
                continue
            }
            let town = try await self.town(of: record.snapshot)
            let allowed = contractors.filter { Self.homeTownConflict($0, town: town, bundle: bundle) == nil }
            guard let chosen = allowed.min(by: { (load[$0.id] ?? 0, $0.id) < (load[$1.id] ?? 0, $1.id) }) else {
                let reason = contractors.isEmpty ? "section \(section) has no contractors"
                    : "every contractor lives in \(town ?? "its town") or next to it"
                report.unassigned.append(.init(task: task.id, caseID: task.caseID, reason: reason))
                continue
            }
            load[chosen.id, default: 0] += 1
            report.assigned.append(.init(task: task.id, caseID: task.caseID, town: town, assignee: chosen.id))
            let detail = StoreJSON.encode(["assignee": chosen.id, "previous": "", "task": String(task.id), "auto": "true"])
            let entry = HistoryEntry(caseID: task.caseID, seq: 0, at: now, kind: .admin, event: "task.assign", payload: nil,
                                     from: record.snapshot.state, to: record.snapshot.state, by: user, detail: detail)
            batch.taskChanges.append(TaskChange(taskID: task.id, expectedStatus: [.open], expectedAssignee: .some(nil),
                                                assignee: .some(chosen.id), status: .claimed, history: entry))
        }
        do {
            try await commit(batch)
        } catch let error as StoreError where error.code == .taskChanged || error.code == .notFound {
            throw EngineError(.refused, "\(error.message); nothing was assigned, run it again")
        }
        return report
    }

    /// The case's town: the value of its field drawn from the towns table (or named `town`).
    func town(of snapshot: CaseSnapshot) async throws -> String? {
        let definition = try await decider(snapshot.workflow, snapshot.version).definition
        let name = definition.fields.first { $0.table == "towns" }?.name ?? "town"
        if case .string(let town)? = snapshot.data[name] { return town }
        return nil
    }

    /// Why `person` may not visit a case in `town` (their home town or a neighbour of it),
    /// or nil when they may. A case without a town cannot be checked, so it is refused to
    /// anyone with a home town.
    public static func homeTownConflict(_ person: StaffDirectory.User, town: String?, bundle: DefinitionBundle) -> String? {
        guard person.role == .contractor, let home = person.homeTown else { return nil }
        guard let town else { return "the case has no town, and \(person.id) lives in \(home)" }
        if town == home { return "\(person.id) lives in \(home), the case's town" }
        let rows = bundle.tables["towns"]?.rows
        let near = { (a: String, b: String) -> Bool in
            if case .list(let neighbours)? = rows?[a]?["neighbours"] { return neighbours.contains(b) }
            return false
        }
        if near(home, town) || near(town, home) {
            return "\(person.id) lives in \(home), next to \(town)"
        }
        return nil
    }
}
