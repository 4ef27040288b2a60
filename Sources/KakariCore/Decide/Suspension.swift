import Foundation

/// A case paused by an operator: since when, and the timers it had then (they are not
/// running while the case is suspended, and start again, postponed, on resume).
public struct Suspension: Hashable, Sendable, Codable {
    public var at: Date
    public var timers: [String: Date]

    public init(at: Date, timers: [String: Date]) {
        self.at = at
        self.timers = timers
    }
}
