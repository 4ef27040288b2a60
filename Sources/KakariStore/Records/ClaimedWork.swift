import Foundation

/// Work a daemon has claimed: due timers or pending events of cases no other daemon holds,
/// in the order they are to be done (timers by due time, events in delivery order).
public struct ClaimedWork: Sendable {
    public var timers: [TimerRecord]
    public var events: [QueuedEvent]

    public init(timers: [TimerRecord] = [], events: [QueuedEvent] = []) {
        self.timers = timers
        self.events = events
    }

    public var isEmpty: Bool { timers.isEmpty && events.isEmpty }

    /// The cases the claim holds.
    public var caseIDs: [String] { Array(Set(timers.map(\.caseID) + events.map(\.caseID))).sorted() }
}
