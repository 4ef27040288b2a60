import Foundation
import KakariCore

/// An event from another system waiting for the daemon (`events import`), and what became
/// of it. Rejected events are kept with their reason, never dropped.
public struct QueuedEvent: Hashable, Sendable, Codable {
    /// Where a queued event stands.
    public enum Status: String, Hashable, Sendable, Codable { case pending, applied, rejected, duplicate }

    public var id: Int64
    public var caseID: String
    public var event: String
    public var fields: [String: Value]
    public var key: String?
    public var enqueuedAt: Date
    public var by: String
    public var source: String
    public var status: Status
    public var reason: String?
    public var resolvedAt: Date?

    public init(id: Int64 = 0, caseID: String, event: String, fields: [String: Value], key: String?, enqueuedAt: Date,
                by: String, source: String, status: Status = .pending, reason: String? = nil, resolvedAt: Date? = nil) {
        self.id = id
        self.caseID = caseID
        self.event = event
        self.fields = fields
        self.key = key
        self.enqueuedAt = enqueuedAt
        self.by = by
        self.source = source
        self.status = status
        self.reason = reason
        self.resolvedAt = resolvedAt
    }
}
