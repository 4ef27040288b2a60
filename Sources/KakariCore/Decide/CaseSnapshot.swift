import Foundation

/// Everything the core needs to know about a case to decide its next step: the current state,
/// its data, its open tasks, running timers, the child it waits for and its parent.
/// The store keeps it as a cache; replaying the history must produce it again exactly.
public struct CaseSnapshot: Hashable, Sendable, Codable {
    /// An open task as the core knows it; the store adds assignee, status and dates.
    public struct OpenTask: Hashable, Sendable, Codable {
        public var key: String
        public var kind: String
        public var event: String
        /// The list item of a `for_each:` task.
        public var item: String?
        public init(key: String, kind: String, event: String, item: String? = nil) {
            self.key = key
            self.kind = kind
            self.event = event
            self.item = item
        }
    }

    /// An event kept until a state accepts it (`if_not_accepted: keep`), with its checked fields.
    public struct PendingEvent: Hashable, Sendable, Codable {
        public var name: String
        public var fields: [String: Value]
        public init(name: String, fields: [String: Value]) {
            self.name = name
            self.fields = fields
        }
    }

    public var id: String
    public var workflow: String
    public var version: Int
    public var state: String
    public var data: [String: Value]
    public var openTasks: [OpenTask]
    /// Running timers by name, with their due times.
    public var timers: [String: Date]
    /// The child case the current state waits for.
    public var waitingFor: String?
    public var parent: String?
    public var finished: Bool
    public var result: String?
    /// The number of decisions taken so far; the next one is `sequence + 1`.
    public var sequence: Int
    /// When the case entered its current state.
    public var enteredAt: Date
    /// Set while an operator has the case suspended.
    public var suspended: Suspension?
    /// Events kept for a later state, oldest first; nil when there are none (never empty).
    public var pending: [PendingEvent]?

    public init(
        id: String, workflow: String, version: Int, state: String, data: [String: Value],
        openTasks: [OpenTask] = [], timers: [String: Date] = [:], waitingFor: String? = nil,
        parent: String? = nil, finished: Bool = false, result: String? = nil, sequence: Int = 0,
        enteredAt: Date, suspended: Suspension? = nil, pending: [PendingEvent]? = nil
    ) {
        self.id = id
        self.workflow = workflow
        self.version = version
        self.state = state
        self.data = data
        self.openTasks = openTasks
        self.timers = timers
        self.waitingFor = waitingFor
        self.parent = parent
        self.finished = finished
        self.result = result
        self.sequence = sequence
        self.enteredAt = enteredAt
        self.suspended = suspended
        self.pending = pending
    }
}
