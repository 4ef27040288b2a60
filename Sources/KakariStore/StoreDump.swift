import Foundation

/// Everything a store holds, as records: what `kakari store copy` reads from one store and
/// writes into another. Ids (bundles, tasks, queued events) are kept, so references between
/// rows stay as they were.
public struct StoreDump: Sendable {
    /// A deployed bundle's row.
    public struct Bundle: Hashable, Sendable {
        public var id: Int64
        public var deployedAt: Date
        public var deployedBy: String
        public init(id: Int64, deployedAt: Date, deployedBy: String) {
            self.id = id
            self.deployedAt = deployedAt
            self.deployedBy = deployedBy
        }
    }

    public var settings: [String: String] = [:]
    public var bundles: [Bundle] = []
    public var bundleFiles: [(bundle: Int64, file: SourceFileRecord)] = []
    public var workflowVersions: [WorkflowVersion] = []
    public var cases: [CaseRecord] = []
    public var history: [HistoryEntry] = []
    public var tasks: [TaskRecord] = []
    public var timers: [TimerRecord] = []
    public var queuedEvents: [QueuedEvent] = []
    public var idempotency: [IdempotencyRecord] = []
    /// The audit chain, entries kept with their numbers and hashes (the head is a setting).
    public var audit: [AuditEntry] = []

    public init() {}

    /// Row counts by table, for the report.
    public var counts: [(table: String, rows: Int)] {
        [("settings", settings.count), ("bundles", bundles.count), ("bundle_files", bundleFiles.count),
         ("workflow_versions", workflowVersions.count), ("cases", cases.count), ("history", history.count),
         ("tasks", tasks.count), ("timers", timers.count), ("queued_events", queuedEvents.count),
         ("idempotency", idempotency.count), ("audit", audit.count)]
    }
}
