import Foundation
import KakariCore

/// A case as stored: the core's snapshot (a cache of its history) and when it last changed.
public struct CaseRecord: Hashable, Sendable {
    public var snapshot: CaseSnapshot
    public var createdAt: Date
    public var updatedAt: Date
    /// The dataset whose personal fields the case holds (`cases import --dataset`), when the
    /// store seals them; nil otherwise. Not a column: a sealing store finds it in the values.
    public var dataset: String? = nil

    public init(snapshot: CaseSnapshot, createdAt: Date, updatedAt: Date) {
        self.snapshot = snapshot
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Which cases to list.
public struct CaseFilter: Hashable, Sendable {
    public var workflow: String?
    public var state: String?
    public var limit: Int?

    public init(workflow: String? = nil, state: String? = nil, limit: Int? = nil) {
        self.workflow = workflow
        self.state = state
        self.limit = limit
    }
}

/// Which tasks to list.
public struct TaskFilter: Hashable, Sendable {
    public var section: String?
    public var assignee: String?
    public var statuses: Set<TaskRecord.Status>
    public var caseID: String?
    public var limit: Int?

    public init(section: String? = nil, assignee: String? = nil, statuses: Set<TaskRecord.Status> = [.open, .claimed],
                caseID: String? = nil, limit: Int? = nil) {
        self.section = section
        self.assignee = assignee
        self.statuses = statuses
        self.caseID = caseID
        self.limit = limit
    }
}
