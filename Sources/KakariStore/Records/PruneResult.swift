import Foundation

/// What a prune deleted, or why it deleted nothing.
public struct PruneResult: Hashable, Sendable {
    public var cases: Int
    public var historyEntries: Int
    public var tasks: Int
    /// Why the prune was refused (a case id and its reason); empty when it went ahead.
    public var blockers: [String]

    public init(cases: Int, historyEntries: Int, tasks: Int, blockers: [String]) {
        self.cases = cases
        self.historyEntries = historyEntries
        self.tasks = tasks
        self.blockers = blockers
    }
}

/// How many finished cases of one workflow version and result a prune deleted, kept for reports.
public struct PrunedCount: Hashable, Sendable {
    public var prunedAt: Date
    public var by: String
    public var finishedBefore: Date
    public var workflow: String
    public var version: Int
    public var result: String
    public var cases: Int

    public init(prunedAt: Date, by: String, finishedBefore: Date, workflow: String, version: Int, result: String, cases: Int) {
        self.prunedAt = prunedAt
        self.by = by
        self.finishedBefore = finishedBefore
        self.workflow = workflow
        self.version = version
        self.result = result
        self.cases = cases
    }
}
