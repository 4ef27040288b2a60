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

    /// The name shown in a case's history.
    public var displayName: String {
        switch self {
        case .start: "start"
        case .signal(let name, _, _): name
        case .timer(let name): "timer:\(name)"
        case .childFinished(_, let result): "child:\(result)"
        }
    }
}
