import Foundation

/// The first outcome of an event delivered with an idempotency key; a repeat returns it.
public struct IdempotencyRecord: Hashable, Sendable, Codable {
    public var key: String
    public var caseID: String
    public var event: String
    public var from: String
    public var to: String
    public var at: Date

    public init(key: String, caseID: String, event: String, from: String, to: String, at: Date) {
        self.key = key
        self.caseID = caseID
        self.event = event
        self.from = from
        self.to = to
        self.at = at
    }
}
