import Foundation
import KakariCore

/// Where deployed definitions, cases, their history, tasks, timers and queued events live.
///
/// Reads see committed data; `commit` writes a batch atomically and refuses it whole
/// (`StoreError.conflict`) when a case changed since it was read. SQLite (GRDB) is the
/// embedded default; a PostgreSQL backend implements the same protocol.
public protocol CaseStore: Sendable {
    /// Creates or upgrades the schema. Shipped migrations are never edited, only appended.
    func migrate() async throws

    // MARK: Settings (the simulated clock, the time zone)
    func setting(_ key: String) async throws -> String?
    func setSetting(_ key: String, _ value: String) async throws

    // MARK: Definitions
    /// Stores a bundle's files and the workflow versions that changed, in one transaction.
    func deploy(files: [SourceFileRecord], versions: [WorkflowVersion], at: Date, by: String) async throws -> Int64
    func workflowVersions() async throws -> [WorkflowVersion]
    func bundleFiles(_ bundle: Int64) async throws -> [SourceFileRecord]
    func latestBundle() async throws -> Int64?

    // MARK: Cases
    func caseRecord(_ id: String) async throws -> CaseRecord?
    /// What a `send` reads before it decides, all at once: the case, the latest bundle and
    /// one setting (the simulated clock's time; nil: none). The default makes the three reads
    /// side by side; PostgreSQL makes them one statement (fix 51).
    func sendReads(caseID: String, setting: String?) async throws -> SendReads
    /// Several cases in one read, by id (missing ones are absent).
    func caseRecords(_ ids: [String]) async throws -> [String: CaseRecord]
    func cases(_ filter: CaseFilter) async throws -> [CaseRecord]
    func children(of id: String) async throws -> [String]
    func history(_ id: String) async throws -> [HistoryEntry]
    /// Every case id, for verification.
    func caseIDs() async throws -> [String]
    func caseCount() async throws -> Int

    // MARK: Tasks
    func tasks(_ filter: TaskFilter) async throws -> [TaskRecord]
    func task(_ id: Int64) async throws -> TaskRecord?

    // MARK: Timers and queued events
    func dueTimers(before: Date, limit: Int) async throws -> [TimerRecord]
    func nextTimerDue() async throws -> Date?
    func timers(of id: String) async throws -> [TimerRecord]
    func enqueue(_ events: [QueuedEvent]) async throws
    func pendingEvents(limit: Int) async throws -> [QueuedEvent]
    func events(status: QueuedEvent.Status) async throws -> [QueuedEvent]

    // MARK: Writing
    func idempotency(_ key: String) async throws -> IdempotencyRecord?
    /// Which of `keys` have been used, in one read.
    func usedKeys(_ keys: [String]) async throws -> Set<String>
    func commit(_ batch: CommitBatch) async throws
    /// Writes the batches `next` gives, one after another until it gives nil, as one
    /// transaction: all of them or none (a refusal, or an error `next` throws, rolls every
    /// earlier batch back). For an import too large to hold in memory at once; only one batch
    /// is in memory at a time. Reads made while it runs do not see its batches.
    func commit(chunks next: () async throws -> CommitBatch?) async throws
    /// How many decisions the engine puts in each batch when it commits a group of many
    /// (`kakari daemon`, the demo) through `commit(chunks:)`: a store that writes one batch
    /// while the next is being built gains from several; nil, the group goes as one batch.
    var groupChunkSize: Int? { get }

    // MARK: Operations (changing workflows while cases run)
    /// How many unfinished cases of `workflow`@`version` are in each state.
    func runningCaseCounts(workflow: String, version: Int) async throws -> [String: Int]
    /// Deletes, in bulk and in one transaction, the finished cases last changed before
    /// `finishedBefore` with their history, tasks, timers and keys, and records how many by
    /// workflow, version and result. Deletes nothing and returns the reasons when one of them
    /// still has an open task, a running timer or an unfinished child.
    func prune(finishedBefore: Date, at: Date, by: String) async throws -> PruneResult
    /// Every prune's counts, oldest first.
    func pruneSummary() async throws -> [PrunedCount]

    // MARK: Audit
    /// Stores a bundle like `deploy(files:versions:at:by:)` and appends `audit` to the audit
    /// chain in the same transaction.
    func deploy(files: [SourceFileRecord], versions: [WorkflowVersion], at: Date, by: String, audit: [AuditEntry]) async throws -> Int64
    /// Queues events like `enqueue(_:)` and appends `audit` to the audit chain in the same
    /// transaction.
    func enqueue(_ events: [QueuedEvent], audit: [AuditEntry]) async throws
    /// Appends entries to the audit chain in one transaction: each is numbered and hashed
    /// as `AuditChain.link` does (in this process, or on the store's server) after the last
    /// stored entry, read inside that transaction, and the head (`AuditChain.headSetting`)
    /// moves to the new last entry.
    func appendAudit(_ entries: [AuditEntry]) async throws
    /// Audit entries matching `filter`, in chain order.
    func audit(_ filter: AuditFilter) async throws -> [AuditEntry]

    // MARK: Erasure
    /// Rewrites, in one transaction, every stored text that contains `marker` (case snapshots,
    /// history payloads and details, task titles, queued events' fields) as `rewrite` returns
    /// it; history's append-only guard is lifted for this transaction only. Appends `audit` in
    /// the same transaction, then compacts the store so the old row versions leave its files.
    func erase(containing marker: String, rewrite: @escaping @Sendable (String) -> String, audit: [AuditEntry]) async throws -> ErasureCount

    // MARK: Several daemons
    /// Claims work for `worker`: due timers (by `now`) of up to `limit` cases or, when none is
    /// due, the pending events of up to `limit` cases, in order. The cases stay held for
    /// `worker` until `releaseClaims` or until `lease` seconds pass (a crashed daemon's claims
    /// are taken over then); other workers skip held cases, so each case's events are applied
    /// by one worker at a time, in delivery order. A store with one writer may hold nothing.
    func claimWork(worker: String, now: Date, limit: Int, lease: TimeInterval) async throws -> ClaimedWork
    /// Gives back the claims `worker` holds on `caseIDs`.
    func releaseClaims(worker: String, caseIDs: [String]) async throws
    /// Waits up to `seconds` for new work (events queued by others), returning early when
    /// `stop` turns true. A store without notifications simply waits.
    func waitForWork(seconds: Double, stop: @Sendable () -> Bool) async throws
}

/// A definition file as stored with a bundle.
public struct SourceFileRecord: Hashable, Sendable {
    public var path: String
    public var text: String
    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// A running timer of a case.
public struct TimerRecord: Hashable, Sendable {
    public var caseID: String
    public var name: String
    public var due: Date
    public init(caseID: String, name: String, due: Date) {
        self.caseID = caseID
        self.name = name
        self.due = due
    }
}

/// The case, the latest bundle and a setting, read together for a `send`.
public struct SendReads: Sendable {
    public var record: CaseRecord?
    public var latestBundle: Int64?
    public var setting: String?

    public init(record: CaseRecord?, latestBundle: Int64?, setting: String?) {
        self.record = record
        self.latestBundle = latestBundle
        self.setting = setting
    }
}

extension CaseStore {
    public func sendReads(caseID: String, setting: String?) async throws -> SendReads {
        // Each is a round trip to the store, and on a busy machine the waits, not the reads,
        // cost most: they are made side by side.
        async let record = caseRecord(caseID)
        async let bundle = latestBundle()
        async let value = optionalSetting(setting)
        return SendReads(record: try await record, latestBundle: try await bundle, setting: try await value)
    }

    private func optionalSetting(_ key: String?) async throws -> String? {
        guard let key else { return nil }
        return try await setting(key)
    }
}
