import Foundation
import KakariCore

/// A task as staff see it: the core's order plus who holds it and where it stands.
public struct TaskRecord: Hashable, Sendable, Codable {
    /// Where a task stands. Open and claimed tasks are on worklists; done and withdrawn are closed.
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case open, claimed, done, withdrawn
    }

    public var id: Int64
    public var caseID: String
    public var key: String
    public var kind: String
    public var title: String
    public var section: String
    public var assignee: String?
    public var status: Status
    public var due: Date?
    public var followUp: Date?
    public var priority: Int
    public var event: String
    public var decision: Bool
    public var contractor: Bool
    public var createdAt: Date
    public var closedAt: Date?
    public var completedBy: String?
    /// The dataset of the task's case when a sealing store found its title sealed; not a column.
    public var dataset: String? = nil

    public init(id: Int64, caseID: String, order: TaskOrder, createdAt: Date) {
        self.id = id
        self.caseID = caseID
        self.key = order.key
        self.kind = order.kind
        self.title = order.title
        self.section = order.section
        self.assignee = nil
        self.status = .open
        self.due = order.due
        self.followUp = order.followUp
        self.priority = order.priority
        self.event = order.event
        self.decision = order.decision
        self.contractor = order.contractor
        self.createdAt = createdAt
    }

    public var isOpen: Bool { status == .open || status == .claimed }
}
