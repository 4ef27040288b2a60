import Foundation
import KakariCore

/// One appended line of a case's history: an accepted event and the decision it led to,
/// or an administrative change (a task handed to someone else). Never rewritten.
public struct HistoryEntry: Hashable, Sendable, Codable {
    /// Decisions replay through the core; administrative entries are records only.
    public enum Kind: String, Hashable, Sendable, Codable { case decision, admin }

    public var caseID: String
    public var seq: Int
    public var at: Date
    public var kind: Kind
    /// The event's display name (`visit`, `timer:deadline`, `child:registry_deleted`, `task.assign`).
    public var event: String
    /// The event itself, for replay (nil for administrative entries).
    public var payload: CaseEvent?
    /// For a start: the workflow version it started on.
    public var from: String?
    public var to: String
    public var by: String
    /// What changed, as JSON text: data changes for decisions, the change for admin entries.
    public var detail: String

    public init(caseID: String, seq: Int, at: Date, kind: Kind, event: String, payload: CaseEvent?,
                from: String?, to: String, by: String, detail: String) {
        self.caseID = caseID
        self.seq = seq
        self.at = at
        self.kind = kind
        self.event = event
        self.payload = payload
        self.from = from
        self.to = to
        self.by = by
        self.detail = detail
    }
}
