import Foundation
import KakariCore
import KakariStore

/// The store protocol: reads open sealed values, `commit` and `enqueue` seal them, the rest
/// passes through to the wrapped store.
extension SealedStore {
    public func migrate() async throws { try await base.migrate() }
    public func setting(_ key: String) async throws -> String? { try await base.setting(key) }
    public func setSetting(_ key: String, _ value: String) async throws { try await base.setSetting(key, value) }

    public func deploy(files: [SourceFileRecord], versions: [WorkflowVersion], at: Date, by: String) async throws -> Int64 {
        try await base.deploy(files: files, versions: versions, at: at, by: by)
    }

    public func deploy(files: [SourceFileRecord], versions: [WorkflowVersion], at: Date, by: String, audit: [AuditEntry]) async throws -> Int64 {
        try await base.deploy(files: files, versions: versions, at: at, by: by, audit: audit)
    }

    public func workflowVersions() async throws -> [WorkflowVersion] { try await base.workflowVersions() }
    public func bundleFiles(_ bundle: Int64) async throws -> [SourceFileRecord] { try await base.bundleFiles(bundle) }
    public func latestBundle() async throws -> Int64? { try await base.latestBundle() }

    public func caseRecord(_ id: String) async throws -> CaseRecord? {
        guard let record = try await base.caseRecord(id) else { return nil }
        return try await open(record)
    }

    public func sendReads(caseID: String, setting: String?) async throws -> SendReads {
        var reads = try await base.sendReads(caseID: caseID, setting: setting)
        if let record = reads.record { reads.record = try await open(record) }
        return reads
    }

    public func caseRecords(_ ids: [String]) async throws -> [String: CaseRecord] {
        var out: [String: CaseRecord] = [:]
        for (id, record) in try await base.caseRecords(ids) { out[id] = try await open(record) }
        return out
    }

    public func cases(_ filter: CaseFilter) async throws -> [CaseRecord] {
        var out: [CaseRecord] = []
        for record in try await base.cases(filter) { out.append(try await open(record)) }
        return out
    }

    public func children(of id: String) async throws -> [String] { try await base.children(of: id) }

    public func history(_ id: String) async throws -> [HistoryEntry] {
        let entries = try await base.history(id)
        // Only a case of a dataset holds tokens, and a history is mostly read after its case,
        // which told whether it has one.
        if case .some(nil) = knownDataset(id) { return entries }
        guard let record = try await base.caseRecord(id) else { return entries }
        let dataset = Self.dataset(of: record.snapshot)
        remember(id, dataset: dataset)
        guard dataset != nil else { return entries }
        let fields = try await personalFields(record.snapshot.workflow, record.snapshot.version)
        var out: [HistoryEntry] = []
        for entry in entries { out.append(try await open(entry, fields: fields)) }
        return out
    }

    public func caseIDs() async throws -> [String] { try await base.caseIDs() }
    public func caseCount() async throws -> Int { try await base.caseCount() }

    public func tasks(_ filter: TaskFilter) async throws -> [TaskRecord] {
        var out: [TaskRecord] = []
        for task in try await base.tasks(filter) { out.append(try await open(task)) }
        return out
    }

    public func task(_ id: Int64) async throws -> TaskRecord? {
        guard let task = try await base.task(id) else { return nil }
        return try await open(task)
    }

    public func dueTimers(before: Date, limit: Int) async throws -> [TimerRecord] { try await base.dueTimers(before: before, limit: limit) }
    public func nextTimerDue() async throws -> Date? { try await base.nextTimerDue() }
    public func timers(of id: String) async throws -> [TimerRecord] { try await base.timers(of: id) }

    public func enqueue(_ events: [QueuedEvent]) async throws { try await base.enqueue(try await seal(events)) }
    public func enqueue(_ events: [QueuedEvent], audit: [AuditEntry]) async throws {
        try await base.enqueue(try await seal(events), audit: audit)
    }

    /// Queued events for cases of a dataset keep their personal fields sealed while they wait.
    func seal(_ events: [QueuedEvent]) async throws -> [QueuedEvent] {
        var out = events
        for i in out.indices where !out[i].fields.isEmpty {
            guard let dataset = try await dataset(ofCase: out[i].caseID, earlier: [:]),
                  let record = try await base.caseRecord(out[i].caseID) else { continue }
            let fields = try await personalFields(record.snapshot.workflow, record.snapshot.version)
            out[i].fields = try seal(out[i].fields, fields: fields, dataset: dataset, keys: try await keys(of: dataset))
        }
        return out
    }

    public func pendingEvents(limit: Int) async throws -> [QueuedEvent] {
        var out: [QueuedEvent] = []
        for event in try await base.pendingEvents(limit: limit) { out.append(try await open(event)) }
        return out
    }

    public func events(status: QueuedEvent.Status) async throws -> [QueuedEvent] {
        var out: [QueuedEvent] = []
        for event in try await base.events(status: status) { out.append(try await open(event)) }
        return out
    }

    public func idempotency(_ key: String) async throws -> IdempotencyRecord? { try await base.idempotency(key) }
    public func usedKeys(_ keys: [String]) async throws -> Set<String> { try await base.usedKeys(keys) }

    public func commit(_ batch: CommitBatch) async throws {
        var datasets: [String: String?] = [:]
        let sealed = try await seal(batch, datasets: &datasets)
        try await base.commit(sealed)
        for (id, dataset) in datasets { remember(id, dataset: dataset) }
    }

    /// Seals each batch as it comes. The datasets of the cases of earlier batches are kept
    /// (a child in a later batch takes its parent's), since the base store's reads do not see
    /// them until the end.
    public func commit(chunks next: () async throws -> CommitBatch?) async throws {
        var datasets: [String: String?] = [:]
        try await base.commit(chunks: {
            guard let batch = try await next() else { return nil }
            return try await self.seal(batch, datasets: &datasets)
        })
        for (id, dataset) in datasets { remember(id, dataset: dataset) }
    }

    public var groupChunkSize: Int? { base.groupChunkSize }

    /// `batch` with the personal fields of each case sealed under its dataset's key;
    /// `datasets` gains each case's dataset (nil: none). The datasets are worked out in order
    /// (a child takes its parent's); a large batch (an import's chunk) is then sealed in as
    /// many parts as the machine has cores, at once: encrypting is most of an import's work.
    func seal(_ batch: CommitBatch, datasets: inout [String: String?]) async throws -> CommitBatch {
        var ofCases: [String?] = []
        for write in batch.cases {
            let dataset = try await dataset(of: write, earlier: datasets)
            datasets[write.snapshot.id] = .some(dataset)
            ofCases.append(dataset)
        }
        var batch = batch
        let parts = min(Self.cores, batch.cases.count / Self.casesPerSealingPart)
        guard parts > 1 else {
            batch.cases = try await seal(batch.cases[...], under: ofCases[...])
            return batch
        }
        let writes = batch.cases, sealedUnder = ofCases
        let size = (writes.count + parts - 1) / parts
        try await withThrowingTaskGroup(of: (Int, [CaseWrite]).self) { group in
            for start in stride(from: 0, to: writes.count, by: size) {
                let range = start..<min(start + size, writes.count)
                group.addTask { (start, try await self.seal(writes[range], under: sealedUnder[range])) }
            }
            for try await (start, part) in group { batch.cases.replaceSubrange(start..<(start + part.count), with: part) }
        }
        return batch
    }

    /// `writes` each sealed under its dataset in `datasets` (same positions; nil: left as is).
    private func seal(_ writes: ArraySlice<CaseWrite>, under datasets: ArraySlice<String?>) async throws -> [CaseWrite] {
        var out: [CaseWrite] = []
        out.reserveCapacity(writes.count)
        for (write, dataset) in zip(writes, datasets) {
            if let dataset { out.append(try await seal(write, dataset: dataset)) } else { out.append(write) }
        }
        return out
    }

    /// A batch is sealed in parts of at least this many cases.
    public static let casesPerSealingPart = 256

    /// The machine's cores, asked once: `ProcessInfo` reads them from the system on every call,
    /// which cost as much as a tenth of the sealing of a simulated day's changes.
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    public func runningCaseCounts(workflow: String, version: Int) async throws -> [String: Int] {
        try await base.runningCaseCounts(workflow: workflow, version: version)
    }
    public func prune(finishedBefore: Date, at: Date, by: String) async throws -> PruneResult {
        try await base.prune(finishedBefore: finishedBefore, at: at, by: by)
    }
    public func pruneSummary() async throws -> [PrunedCount] { try await base.pruneSummary() }

    public func appendAudit(_ entries: [AuditEntry]) async throws { try await base.appendAudit(entries) }
    public func audit(_ filter: AuditFilter) async throws -> [AuditEntry] { try await base.audit(filter) }

    public func erase(containing marker: String, rewrite: @escaping @Sendable (String) -> String, audit: [AuditEntry]) async throws -> ErasureCount {
        try await base.erase(containing: marker, rewrite: rewrite, audit: audit)
    }

    public func claimWork(worker: String, now: Date, limit: Int, lease: TimeInterval) async throws -> ClaimedWork {
        var work = try await base.claimWork(worker: worker, now: now, limit: limit, lease: lease)
        for i in work.events.indices { work.events[i] = try await open(work.events[i]) }
        return work
    }
    public func releaseClaims(worker: String, caseIDs: [String]) async throws { try await base.releaseClaims(worker: worker, caseIDs: caseIDs) }
    public func waitForWork(seconds: Double, stop: @Sendable () -> Bool) async throws {
        try await base.waitForWork(seconds: seconds, stop: stop)
    }
}
