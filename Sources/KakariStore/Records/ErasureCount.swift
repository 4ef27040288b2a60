import Foundation

/// How many stored rows an erasure (`kakari purge`) rewrote, by table.
public struct ErasureCount: Hashable, Sendable, Codable {
    public var cases = 0
    public var historyEntries = 0
    public var tasks = 0
    public var queuedEvents = 0

    public init(cases: Int = 0, historyEntries: Int = 0, tasks: Int = 0, queuedEvents: Int = 0) {
        self.cases = cases
        self.historyEntries = historyEntries
        self.tasks = tasks
        self.queuedEvents = queuedEvents
    }
}
