import Foundation
import KakariCore

/// Everything one transaction writes: the cases that changed (with their history, tasks and
/// timers), idempotency keys, queued events resolved, task changes. A store commits all of it
/// or none of it.
public struct CommitBatch: Sendable {
    public var cases: [CaseWrite] = []
    public var idempotency: [IdempotencyRecord] = []
    public var resolvedEvents: [EventResolution] = []
    public var taskChanges: [TaskChange] = []
    /// Audit entries for this write, appended to the chain (numbered and hashed from the
    /// last stored entry) inside the same transaction.
    public var audit: [AuditEntry] = []
    /// Settings written with the batch (a dataset's purpose and end date with its cases).
    public var settings: [String: String] = [:]

    public init() {}

    public var isEmpty: Bool {
        cases.isEmpty && idempotency.isEmpty && resolvedEvents.isEmpty && taskChanges.isEmpty && audit.isEmpty && settings.isEmpty
    }
}

/// One case's share of a batch.
public struct CaseWrite: Sendable {
    public var snapshot: CaseSnapshot
    /// The sequence the stored case must still have (optimistic concurrency); nil for a new case.
    public var expectedSequence: Int?
    public var history: [HistoryEntry]
    public var openTasks: [TaskOrder]
    public var closedTasks: [ClosedTask]
    /// Timers to set (a date) or delete (nil), by name.
    public var timers: [String: Date?]
    public var at: Date
    /// New due and follow-up dates for open tasks (after a suspension), by task key.
    public var taskDates: [TaskDates] = []
    /// Holders of tasks this write opens, by task key: those tasks start claimed by them
    /// (a migration keeps a claim on a task it re-creates with the same kind and section).
    public var claims: [String: String] = [:]

    public init(snapshot: CaseSnapshot, expectedSequence: Int?, history: [HistoryEntry], openTasks: [TaskOrder] = [],
                closedTasks: [ClosedTask] = [], timers: [String: Date?] = [:], at: Date) {
        self.snapshot = snapshot
        self.expectedSequence = expectedSequence
        self.history = history
        self.openTasks = openTasks
        self.closedTasks = closedTasks
        self.timers = timers
        self.at = at
    }
}

/// A task the decision closed.
public struct ClosedTask: Hashable, Sendable {
    public var key: String
    public var status: TaskRecord.Status
    public var by: String?

    public init(key: String, status: TaskRecord.Status, by: String?) {
        self.key = key
        self.status = status
        self.by = by
    }
}

/// An open task's dates moved by a resumed suspension.
public struct TaskDates: Hashable, Sendable {
    public var key: String
    public var due: Date?
    public var followUp: Date?

    public init(key: String, due: Date?, followUp: Date?) {
        self.key = key
        self.due = due
        self.followUp = followUp
    }
}

/// What became of a queued event.
public struct EventResolution: Hashable, Sendable {
    public var id: Int64
    public var status: QueuedEvent.Status
    public var reason: String?
    public var at: Date

    public init(id: Int64, status: QueuedEvent.Status, reason: String?, at: Date) {
        self.id = id
        self.status = status
        self.reason = reason
        self.at = at
    }
}

/// A change to a task outside the core (claim, release, assign, a lead's correction), with
/// the history entry that records it. `expectedStatus` guards against a concurrent change.
public struct TaskChange: Sendable {
    public var taskID: Int64
    public var expectedStatus: Set<TaskRecord.Status>
    public var expectedAssignee: String??
    public var assignee: String??
    public var status: TaskRecord.Status?
    public var section: String?
    public var due: Date??
    public var history: HistoryEntry

    public init(taskID: Int64, expectedStatus: Set<TaskRecord.Status>, expectedAssignee: String?? = nil,
                assignee: String?? = nil, status: TaskRecord.Status? = nil, section: String? = nil, due: Date?? = nil,
                history: HistoryEntry) {
        self.taskID = taskID
        self.expectedStatus = expectedStatus
        self.expectedAssignee = expectedAssignee
        self.assignee = assignee
        self.status = status
        self.section = section
        self.due = due
        self.history = history
    }
}
