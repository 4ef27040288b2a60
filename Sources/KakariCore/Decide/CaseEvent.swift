/// What can happen to a case: its start, a named event (sent, imported, or delivered by
/// completing a task), a timer falling due, or the end of a child case.
public enum CaseEvent: Hashable, Sendable, Codable {
    /// A new case with its initial data; `parent` is set for a child case.
    case start(data: [String: Value], parent: String?)
    /// A named event with its fields; `task` is the key of the task whose completion sent it.
    case signal(name: String, fields: [String: Value], task: String?)
    /// A timer of the current state (or the deadline) fell due.
    case timer(name: String)
    /// The child case the state waits for finished with `result`.
    case childFinished(child: String, result: String)
    /// An operator pauses the case: its timers stop and it accepts no event but `resume`.
    case suspend(reason: String)
    /// An operator ends a suspension: timers and task due dates move forward by the time paused.
    case resume(reason: String)
    /// An operator's manual correction: the case leaves its state and enters `state`.
    case move(state: String, reason: String)
    /// An operator ends the case as cancelled, closing its tasks and timers.
    case cancel(reason: String)
    /// An operator moves the case from version `from` to version `to` of its workflow,
    /// entering `state` of the new version.
    case migrate(from: Int, to: Int, state: String, reason: String)
    /// An operator reopens the closed task `task`: the case enters `state`, the state that task
    /// belonged to, again.
    case reopen(task: String, state: String, reason: String)

    /// The name shown in a case's history.
    public var displayName: String {
        switch self {
        case .start: "start"
        case .signal(let name, _, _): name
        case .timer(let name): "timer:\(name)"
        case .childFinished(_, let result): "child:\(result)"
        case .suspend: "case.suspend"
        case .resume: "case.resume"
        case .move: "case.move"
        case .cancel: "case.cancel"
        case .migrate: "case.migrate"
        case .reopen: "task.reopen"
        }
    }

    /// The operator's reason, for the events only an operator sends.
    public var reason: String? {
        switch self {
        case .start, .signal, .timer, .childFinished: nil
        case .suspend(let r), .resume(let r), .move(_, let r), .cancel(let r), .migrate(_, _, _, let r), .reopen(_, _, let r): r
        }
    }

    /// The version a migration moves the case to; its decider decides the event.
    public var migrationTarget: Int? {
        if case .migrate(_, let to, _, _) = self { return to }
        return nil
    }
}
