import Foundation

/// Something a decision asks the world to do. The core only describes effects; the engine
/// carries them out in the same transaction as the state change.
public enum Effect: Hashable, Sendable, Codable {
    /// Give a task to a section.
    case openTask(TaskOrder)
    /// Close an open task: `completed` when its own completion caused the decision,
    /// withdrawn otherwise (the case left the state).
    case closeTask(key: String, completed: Bool)
    case scheduleTimer(name: String, due: Date)
    case cancelTimer(name: String)
    /// Start a case of another workflow, which reports its result back.
    case startChild(id: String, workflow: String, data: [String: Value])
    /// Tell the parent case this case finished with `result`.
    case notifyParent(parent: String, result: String)
    /// Move the due and follow-up dates of the case's open tasks forward by a suspension
    /// from `suspendedAt` until the decision's time (`BusinessCalendar.postpone`).
    case postponeTasks(suspendedAt: Date)
}

/// A task to create, fully computed from the definition and the case's data.
public struct TaskOrder: Hashable, Sendable, Codable {
    public var key: String
    public var kind: String
    public var title: String
    public var section: String
    public var due: Date?
    public var followUp: Date?
    public var priority: Int
    public var event: String
    public var decision: Bool
    public var contractor: Bool
    /// The kind of an earlier task whose completer this one goes to (`retain:`).
    public var retain: String?

    public init(key: String, kind: String, title: String, section: String, due: Date?, followUp: Date?,
                priority: Int, event: String, decision: Bool, contractor: Bool, retain: String? = nil) {
        self.key = key
        self.kind = kind
        self.title = title
        self.section = section
        self.due = due
        self.followUp = followUp
        self.priority = priority
        self.event = event
        self.decision = decision
        self.contractor = contractor
        self.retain = retain
    }
}
