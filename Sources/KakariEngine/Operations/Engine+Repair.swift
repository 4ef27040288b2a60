import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// Suspends a case: its timers stop and it accepts no event until resumed.
    public func suspend(caseID: String, reason: String, by user: String) async throws -> Outcome {
        try await operate(.suspend(reason: reason), on: caseID, by: user, action: "suspend a case")
    }

    /// Resumes a suspended case; its timers and open tasks' dates move forward by the suspension.
    public func resume(caseID: String, reason: String, by user: String) async throws -> Outcome {
        try await operate(.resume(reason: reason), on: caseID, by: user, action: "resume a case")
    }

    /// A manual correction: the case leaves its state and enters `state` (a name or a label).
    public func move(caseID: String, to state: String, reason: String, by user: String) async throws -> Outcome {
        try checkOperator(user, reason: reason, action: "move a case")
        try await requireSupervisor(user, to: "move a case")
        let record = try await caseRecord(caseID)
        let definition = try await decider(record.snapshot.workflow, record.snapshot.version).definition
        let name = try Self.stateName(state, in: definition)
        return try await operate(.move(state: name, reason: reason), on: caseID, by: user, action: "move a case")
    }

    /// Ends a case as cancelled, withdrawing its tasks and cancelling its timers.
    public func cancel(caseID: String, reason: String, by user: String) async throws -> Outcome {
        try await operate(.cancel(reason: reason), on: caseID, by: user, action: "cancel a case")
    }

    /// Reopens a closed task: its case enters the task's state again, which creates its tasks anew.
    public func reopen(taskID: Int64, reason: String, by user: String) async throws -> Outcome {
        try checkOperator(user, reason: reason, action: "reopen a task")
        try await requireSupervisor(user, to: "reopen a task")
        let task = try await self.task(taskID)
        guard !task.isOpen else { throw EngineError(.refused, "task \(taskID) is \(task.status.rawValue); only a closed task can be reopened") }
        // The task was created by the decision its key's first number counts (the case's
        // n-th decision); that decision's target is the state the task belongs to.
        let decisions = try await store.history(task.caseID).filter { $0.kind == .decision }
        guard let n = Int(task.key.split(separator: ".").first ?? ""), n >= 1, n <= decisions.count else {
            throw EngineError(.refused, "task \(taskID) does not name the decision that created it")
        }
        let state = decisions[n - 1].to
        return try await operate(.reopen(task: task.key, state: state, reason: reason), on: task.caseID, by: user, action: "reopen a task")
    }

    /// Checks who acts and why, then delivers an operator's event now.
    func operate(_ event: CaseEvent, on caseID: String, by user: String, action: String) async throws -> Outcome {
        try checkOperator(user, reason: event.reason ?? "", action: action)
        try await requireSupervisor(user, to: action)
        return try await deliver(event, to: caseID, by: user, at: try await now())
    }

    /// Every operator action needs a reason, recorded in the history.
    func checkOperator(_ user: String, reason: String, action: String) throws {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw EngineError(.usage, "give a reason (--reason) to \(action); it goes into the case history")
        }
    }

    /// A state of `definition` by its name or its label.
    static func stateName(_ text: String, in definition: WorkflowDefinition) throws -> String {
        if definition.state(text) != nil { return text }
        if let byLabel = definition.states.first(where: { $0.label == text }) { return byLabel.name }
        let hint = NameSuggestion.hint(for: text, in: definition.states.map(\.name)).map { "; \($0)" } ?? ""
        throw EngineError(.refused, "\(definition.name) has no state '\(text)'\(hint)")
    }
}
