import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// The store parts of later features, on both backends: task dates and claims carried by a
/// write, counts of running cases, prune, the audit chain, the bare baseline.
extension StoreConformanceTests {
    @Test("a write moves the dates of its case's open tasks only, and a task it hands to a holder starts claimed by them")
    func taskDatesAndClaims() async throws {
        try await Self.withEmptyStore { store in
            var start = Self.start("H1")
            start.cases[0].openTasks.append(Self.order("call"))
            start.cases[0].claims = ["call": "matsumoto"]
            try await store.commit(start)
            let opened = try await store.tasks(TaskFilter(caseID: "H1"))
            #expect(opened.map { "\($0.key) \($0.status.rawValue) \($0.assignee ?? "-")" }.sorted() == ["call claimed matsumoto", "visit open -"])

            let due = Self.t0.addingTimeInterval(10 * 86_400), followUp = Self.t0.addingTimeInterval(5 * 86_400)
            var batch = Self.move("H1", from: 1, to: "awaiting_visit")
            batch.cases[0].closedTasks = [ClosedTask(key: "call", status: .done, by: "matsumoto")]
            batch.cases[0].taskDates = [TaskDates(key: "visit", due: due, followUp: followUp),
                                        TaskDates(key: "call", due: due, followUp: nil)]
            try await store.commit(batch)
            let tasks = try await store.tasks(TaskFilter(statuses: Set(TaskRecord.Status.allCases), caseID: "H1"))
            let visit = try #require(tasks.first { $0.key == "visit" })
            let call = try #require(tasks.first { $0.key == "call" })
            #expect(visit.due == due && visit.followUp == followUp)
            #expect(call.status == .done && call.due == Self.order("call").due, "a closed task keeps its dates")
        }
    }

    @Test("a task that a batch opens and closes again ends closed, beside another case's rows written in the same batch")
    func openedAndClosedInOneBatch() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H1"))
            try await store.commit(Self.start("H2"))
            var batch = Self.move("H1", from: 1, to: "awaiting_visit")
            batch.cases[0].openTasks = [Self.order("call")]
            batch.cases[0].closedTasks = [ClosedTask(key: "call", status: .withdrawn, by: nil)]
            batch.cases += Self.move("H2", from: 1, to: "awaiting_visit").cases
            batch.cases[1].timers = ["deadline": Date?.none]
            try await store.commit(batch)
            let tasks = try await store.tasks(TaskFilter(statuses: Set(TaskRecord.Status.allCases), caseID: "H1"))
            #expect(tasks.map { "\($0.key) \($0.status.rawValue)" }.sorted() == ["call withdrawn", "visit open"])
            #expect(try await store.history("H2").map(\.seq) == [1, 2])
            #expect(try await store.timers(of: "H2").isEmpty)
        }
    }

    @Test("a batch refused as a conflict leaves none of its rows and none of its audit entries, whichever row refused it")
    func refusedWithAudit() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H1"))
            try await store.commit(Self.start("H2"))
            try await store.enqueue([QueuedEvent(caseID: "H1", event: "assign", fields: [:], key: nil, enqueuedAt: Self.t0, by: "yamada", source: "t")])
            let queued = try #require(try await store.pendingEvents(limit: 1).first)
            let audit = [AuditEntry(at: Self.t0, user: "yamada", command: "kakari send", action: .write, caseID: "H1", fields: [], detail: "assign")]
            var first = Self.move("H1", from: 1, to: "awaiting_visit")
            first.audit = audit
            first.idempotency = [IdempotencyRecord(key: "K1", caseID: "H1", event: "assign", from: "listed", to: "awaiting_visit", at: Self.t0)]
            first.resolvedEvents = [EventResolution(id: queued.id, status: .applied, reason: nil, at: Self.t0)]
            try await store.commit(first)
            let chain = try await store.audit(AuditFilter())
            #expect(chain.count == 1)

            var stale = Self.move("H2", from: 1, to: "awaiting_visit")
            stale.cases += Self.move("H1", from: 1, to: "withdrawn").cases
            var reused = Self.move("H2", from: 1, to: "awaiting_visit")
            reused.idempotency = first.idempotency
            var again = Self.move("H2", from: 1, to: "awaiting_visit")
            again.resolvedEvents = first.resolvedEvents
            let refusals = [(stale, "case H1 was changed by someone else meanwhile"), (reused, "key K1 was used meanwhile"),
                            (again, "queued event \(queued.id) was already handled")]
            for (batch, sentence) in refusals {
                var batch = batch
                batch.audit = audit
                do {
                    try await store.commit(batch)
                    Issue.record("committed: \(sentence)")
                } catch let error as StoreError {
                    #expect(error.code == .conflict && error.message == sentence)
                }
            }
            #expect(try await store.audit(AuditFilter()) == chain)
            #expect(try await store.setting(AuditChain.headSetting) == chain.last.map { "\($0.seq) \($0.hash)" })
            #expect(try await store.caseRecord("H2")?.snapshot.sequence == 1)
            #expect(try await store.history("H2").count == 1)
            #expect(try await store.usedKeys(["K1"]) == ["K1"])
        }
    }

    @Test("a chunked commit with more audit entries than a store holds back makes one chain; a failure after them leaves none")
    func chunkedAudit() async throws {
        try await Self.withEmptyStore { store in
            // Three chunks of 3,000 new cases, each with its audit entry: 9,000 entries, more
            // than PostgreSQL holds back for the end of the transaction (8,192).
            func chunk(_ k: Int) -> CommitBatch {
                var batch = CommitBatch()
                batch.cases = (0..<3_000).flatMap { Self.start("C\(k)-\($0)").cases }
                batch.audit = batch.cases.map {
                    AuditEntry(at: Self.t0, user: "yamada", command: "kakari cases import", action: .write, caseID: $0.snapshot.id, fields: ["name"], detail: "start")
                }
                return batch
            }
            let failing = Chunks([chunk(1), chunk(2), chunk(3), chunk(4)], failing: 4)
            do {
                try await store.commit(chunks: { try failing.next() })
                Issue.record("the failing chunk was not reported")
            } catch is Chunks.Broken {}
            #expect(try await store.audit(AuditFilter()).isEmpty)
            #expect(try await store.caseCount() == 0)

            let chunks = Chunks([chunk(1), chunk(2), chunk(3)])
            try await store.commit(chunks: { try chunks.next() })
            let entries = try await store.audit(AuditFilter())
            #expect(entries.count == 9_000 && entries.last?.seq == 9_000)
            #expect(entries.first?.caseID == "C1-0" && entries.last?.caseID == "C3-2999", "in the order of the chunks")
            #expect(AuditChain.verify(entries, head: try await store.setting(AuditChain.headSetting)) == nil)
        }
    }

    @Test("running cases are counted by state; prune deletes old finished cases whole, counts them, and is refused by an open task")
    func runningCountsAndPrune() async throws {
        try await Self.withEmptyStore { store in
            for id in ["H1", "H2", "H3"] { try await store.commit(Self.start(id)) }
            try await store.commit(Self.move("H2", from: 1, to: "awaiting_visit"))
            #expect(try await store.runningCaseCounts(workflow: "household-visit", version: 1) == ["listed": 2, "awaiting_visit": 1])

            // H3 finishes with its task and timer closed; H1 finishes with its task still open.
            var finish = CommitBatch()
            for (id, closeTask) in [("H3", true), ("H1", false)] {
                var s = Self.snapshot(id, state: "withdrawn", sequence: 2)
                s.finished = true
                s.result = "withdrawn"
                finish.cases.append(CaseWrite(snapshot: s, expectedSequence: 1, history: [Self.entry(id, "withdraw", to: "withdrawn")],
                                              closedTasks: closeTask ? [ClosedTask(key: "visit", status: .withdrawn, by: nil)] : [],
                                              timers: ["deadline": nil], at: Self.t0))
            }
            try await store.commit(finish)
            let later = Self.t0.addingTimeInterval(86_400)
            let refused = try await store.prune(finishedBefore: later, at: later, by: "admin")
            #expect(refused.cases == 0 && refused.blockers.count == 1 && refused.blockers[0].hasPrefix("H1: task "))
            #expect(try await store.caseCount() == 3)

            var closeH1 = CommitBatch()
            let visit = try #require(try await store.tasks(TaskFilter(caseID: "H1")).first)
            closeH1.taskChanges = [TaskChange(taskID: visit.id, expectedStatus: [.open], status: .withdrawn,
                                              history: Self.entry("H1", "task.cancel", to: "withdrawn"))]
            try await store.commit(closeH1)
            let pruned = try await store.prune(finishedBefore: later, at: later, by: "admin")
            #expect(pruned.cases == 2 && pruned.historyEntries == 5 && pruned.tasks == 2 && pruned.blockers.isEmpty)
            #expect(try await store.caseIDs() == ["H2"])
            #expect(try await store.history("H1").isEmpty)
            #expect(try await store.pruneSummary().map { "\($0.workflow)@\($0.version) \($0.result) \($0.cases) \($0.by)" }
                == ["household-visit@1 withdrawn 2 admin"])
        }
    }

    @Test("audit entries from commits, deploys, queued events and on their own make one chain, even from sixteen writers at once")
    func auditChain() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        let store = t.engine.store
        func entry(_ detail: String, _ caseID: String? = nil) -> AuditEntry {
            AuditEntry(at: Self.t0, user: "yamada", command: "test", action: .write, caseID: caseID, fields: ["name"], detail: detail)
        }
        _ = try await store.deploy(files: [], versions: [], at: Self.t0, by: "yamada", audit: [entry("deploy")])
        var start = Self.start("H1")
        start.audit = [entry("start", "H1")]
        try await store.commit(start)
        try await store.enqueue([QueuedEvent(caseID: "H1", event: "visit", fields: [:], key: nil, enqueuedAt: Self.t0, by: "yamada", source: "t")],
                                audit: [entry("queued", "H1")])
        try await store.appendAudit([entry("read a"), entry("read b")])
        let location = t.location
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<16 {
                group.addTask {
                    let other = try await location.open()
                    try await other.appendAudit([entry("writer \(n) first"), entry("writer \(n) second")])
                }
            }
            try await group.waitForAll()
        }
        let entries = try await store.audit(AuditFilter())
        #expect(entries.count == 5 + 32)
        #expect(AuditChain.verify(entries, head: try await store.setting(AuditChain.headSetting)) == nil)
        #expect(try await store.audit(AuditFilter(caseID: "H1")).map(\.detail) == ["start", "queued"])
        #expect(entries.first?.fields == ["name"] && entries.first?.caseID == nil)
    }

    @Test("the bare baseline runs its transactions in scratch tables, in ranges that continue one another, and drops them")
    func baseline() async throws {
        try await Self.withEmptyStore { store in
            let baseline = try #require(((store as? SealedStore)?.base ?? store) as? any StoreBaseline)
            #expect(try await baseline.bareCommits(transactions: 5, perTransaction: 3, rows: 4) > 0)
            #expect(try await baseline.bareInserts(count: 7, perTransaction: 3) > 0)
            #expect(try await baseline.bareWorklistReads(section: "nenkin", limit: 5, repeats: 3).count == 3)
            // Ranges run one after another continue the same history (a repeated (row, seq)
            // would break its key), and a run's writes settle.
            try await baseline.prepareBenchTables(rows: 4)
            #expect(try await baseline.bareCommits(0..<2, perTransaction: 1, rows: 4) > 0)
            #expect(try await baseline.bareCommits(2..<9, perTransaction: 1, rows: 4) > 0)
            try await baseline.settleWrites()
            try await baseline.dropBenchTables()
            // Dropped: made again from nothing without complaint, and dropped again.
            try await baseline.prepareBenchTables(rows: 2)
            try await baseline.dropBenchTables()
        }
    }
}
