import Foundation
import KakariCore
import KakariStore

/// `kakari bench`: end-to-end figures of the engine on a fresh store, each beside the same
/// store's bare baseline measured in the same run (see `StoreBaseline`).
///
/// The workload is the ward's household survey at a chosen scale: `cases` invented households
/// are imported, a few hundred are assigned one `send` at a time and the rest through the
/// daemon's queue (group commit), a section's worklist is read, and the clock is moved past
/// the contract's end so that every case's deadline timer falls due on one day.
public struct Benchmark: Sendable {
    public var engine: Engine
    /// How many households to import.
    public var cases: Int
    /// The folder of definitions to deploy (the ward's `Workflows/`).
    public var workflows: String
    /// Opens the same store again, as a restarted daemon would.
    public var reopen: @Sendable () async throws -> any CaseStore
    /// Where the generated CSV goes.
    public var scratchFolder: String
    /// Runs `kakari daemon --once` on the same store in a process of its own and returns its
    /// wall time and peak resident memory (MB). When set, the daemon's figures come from that
    /// process, as a ward runs it; when `nil`, the queue is worked in this process.
    public var daemonProcess: (@Sendable () async throws -> (seconds: Double, peakMegabytes: Double))?

    static let workflow = "household-visit"
    static let lead = "yamada"
    static let section = "survey_contractor"
    /// How many `assign` events go one at a time through `Engine.send`; the rest go through
    /// the daemon's queue.
    static let singleEvents = 300
    /// In how many rounds the single events alternate with their bare transactions.
    static let singleRounds = 5

    public init(engine: Engine, cases: Int, workflows: String, scratchFolder: String,
                reopen: @escaping @Sendable () async throws -> any CaseStore,
                daemonProcess: (@Sendable () async throws -> (seconds: Double, peakMegabytes: Double))? = nil) {
        self.engine = engine
        self.daemonProcess = daemonProcess
        self.cases = cases
        self.workflows = workflows
        self.scratchFolder = scratchFolder
        self.reopen = reopen
    }

    /// Runs every figure, calling `progress` with the name of each step as it starts.
    public func run(progress: (String) -> Void) async throws -> [BenchFigure] {
        let n = cases
        var figures: [BenchFigure] = []
        let baseline = engine.underlyingStore as? any StoreBaseline
        _ = try await engine.deploy(paths: [workflows], by: Self.lead)
        guard let bundle = try await engine.currentBundle(), let towns = bundle.tables["towns"]?.keys, !towns.isEmpty else {
            throw EngineError(.refused, "\(workflows) has no towns table; the benchmark uses the ward's household survey")
        }

        // Import: the whole file in one transaction, against bare inserts of as many rows.
        progress("import")
        let csv = (scratchFolder as NSString).appendingPathComponent("kakari-bench-\(n).csv")
        try SyntheticHouseholds.write(count: n, towns: towns.sorted(), seed: 20_091_111, to: csv)
        defer { try? FileManager.default.removeItem(atPath: csv) }
        let importSeconds = try await time { _ = try await engine.importCases(workflow: Self.workflow, file: csv, dataset: nil, by: Self.lead) }
        let bareInsert = try await baseline?.bareInserts(count: n, perTransaction: n)
        figures.append(BenchFigure(name: "import (cases import, one transaction)", cases: n, value: Double(n) / importSeconds,
                                   unit: "cases/s", baselineName: "bare row + history insert, one transaction",
                                   baseline: bareInsert.map { Double(n) / $0 }))

        // Start-up: open the store again and find the work due, as a daemon restarted after
        // kill -9 does; every case has a pending deadline timer now.
        progress("start-up")
        let startup = try await time {
            let store = try await reopen()
            _ = try await store.nextTimerDue()
            _ = try await store.dueTimers(before: Date.distantFuture, limit: Engine.groupSize)
            _ = try await store.pendingEvents(limit: Engine.groupSize)
        }
        figures.append(BenchFigure(name: "start-up with every deadline timer pending", cases: n, value: startup * 1000,
                                   unit: "ms", higherIsBetter: false))

        // One event per transaction, the path of `kakari send`, in rounds that alternate with
        // the bare transactions, so that both meet the same moments of the machine (a
        // checkpoint after the import, another process). Measured one after the other, the
        // ratio of one binary ranged 0.65–0.76 over three runs at 10⁶ cases on PostgreSQL.
        // Each run ends by settling its writes (`StoreBaseline.settleWrites`), timed with it.
        progress("single events")
        let ids = try await engine.store.caseIDs()
        let single = min(Self.singleEvents, ids.count)
        var singleSeconds = 0.0
        var bareSeconds = 0.0
        try await baseline?.prepareBenchTables(rows: max(n, 1))
        for round in 0..<Self.singleRounds {
            let part = single * round / Self.singleRounds..<single * (round + 1) / Self.singleRounds
            singleSeconds += try await time {
                for id in ids[part] {
                    _ = try await engine.send(caseID: id, event: "assign", fields: [:], key: nil, by: Self.lead)
                }
                try await baseline?.settleWrites()
            }
            if let baseline {
                bareSeconds += try await time {
                    _ = try await baseline.bareCommits(part, perTransaction: 1, rows: max(n, 1))
                    try await baseline.settleWrites()
                }
            }
        }
        try await baseline?.dropBenchTables()
        figures.append(BenchFigure(name: "single event (kakari send), durable", cases: n, value: Double(single) / max(singleSeconds, 1e-9),
                                   unit: "events/s", baselineName: "bare update + history insert, one per transaction",
                                   baseline: baseline.map { _ in Double(single) / max(bareSeconds, 1e-9) }))

        // The rest through the daemon's queue: group commit.
        progress("daemon")
        let now = try await engine.now()
        let rest = ids.dropFirst(single).map {
            QueuedEvent(caseID: $0, event: "assign", fields: [:], key: nil, enqueuedAt: now, by: Self.lead, source: "bench")
        }
        try await engine.store.enqueue(rest)
        var applied = 0
        var groupSeconds: Double
        var daemonMemory: Double?
        if let daemonProcess {
            (groupSeconds, daemonMemory) = try await daemonProcess()
            guard try await engine.store.pendingEvents(limit: 1).isEmpty else {
                throw EngineError(.refused, "the benchmark's daemon left queued events unapplied")
            }
            applied = rest.count - (try await engine.store.events(status: .rejected).count)
        } else {
            groupSeconds = try await time { applied = try await engine.runDue(now: now).eventsApplied }
        }
        let groups = max(1, rest.count / Engine.groupSize)
        let bareGroup = try await baseline?.bareCommits(transactions: groups, perTransaction: Engine.groupSize, rows: max(n, 1))
        figures.append(BenchFigure(name: "daemon, queued events (group commit \(Engine.groupSize))", cases: n,
                                   value: Double(applied) / groupSeconds, unit: "events/s",
                                   baselineName: "bare update + history insert, \(Engine.groupSize) per transaction",
                                   baseline: bareGroup.map { Double(groups * Engine.groupSize) / $0 }))
        if let daemonMemory {
            figures.append(BenchFigure(name: "daemon's peak resident memory (kakari daemon --once)", cases: n, value: daemonMemory,
                                       unit: "MB", higherIsBetter: false))
        }

        // A section's worklist with every household's visit task open.
        progress("worklist")
        var reads: [Double] = []
        for _ in 0..<200 {
            reads.append(try await time { _ = try await engine.store.tasks(TaskFilter(section: Self.section, limit: 50)) })
        }
        let bareReads = try await baseline?.bareWorklistReads(section: Self.section, limit: 50, repeats: 200)
        for (label, q) in [("p50", 0.5), ("p99", 0.99)] {
            figures.append(BenchFigure(name: "tasks list --section (first 50), \(label)", cases: n,
                                       value: Self.percentile(reads, q) * 1000, unit: "ms",
                                       baselineName: "bare indexed query of the same ids",
                                       baseline: bareReads.map { Self.percentile($0, q) * 1000 }, higherIsBetter: false))
        }

        // The contract ends: every case's deadline falls due on one day.
        progress("timers")
        guard let due = try await engine.store.nextTimerDue() else { return figures }
        var fired = 0
        let timerSeconds = try await time { fired = try await engine.advanceClock(to: due.addingTimeInterval(86_400)).timersFired }
        figures.append(BenchFigure(name: "timers falling due on one day (clock advance)", cases: n,
                                   value: Double(fired) / timerSeconds, unit: "timers/s",
                                   baselineName: "bare update + history insert, \(Engine.groupSize) per transaction",
                                   baseline: bareGroup.map { Double(groups * Engine.groupSize) / $0 }))
        figures.append(BenchFigure(name: "peak resident memory of the bench process (the import's)", cases: n, value: ProcessMemory.peakMegabytes(),
                                   unit: "MB", higherIsBetter: false))
        return figures
    }

    private func time(_ body: () async throws -> Void) async throws -> Double {
        let started = ContinuousClock.now
        try await body()
        return max(started.secondsElapsed, 1e-9)
    }

    static func percentile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)]
    }
}
