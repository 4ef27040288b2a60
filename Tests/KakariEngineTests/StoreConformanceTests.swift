import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// What every `CaseStore` must do, written once: `scripts/test` runs the suite on SQLite and
/// again on PostgreSQL (`TestBackend`), so both backends answer to the same tests.
@Suite("Store conformance (SQLite and PostgreSQL)")
struct StoreConformanceTests {
    static let t0 = Date(timeIntervalSince1970: 1_763_596_800)

    static func snapshot(_ id: String, state: String = "listed", sequence: Int = 1, parent: String? = nil,
                         timers: [String: Date] = [:]) -> CaseSnapshot {
        CaseSnapshot(id: id, workflow: "household-visit", version: 1, state: state, data: ["name": .string("練馬　太郎")],
                     timers: timers, parent: parent, sequence: sequence, enteredAt: t0)
    }

    static func entry(_ id: String, _ event: String, to: String) -> HistoryEntry {
        HistoryEntry(caseID: id, seq: 0, at: t0, kind: .admin, event: event, payload: nil, from: nil, to: to, by: "yamada", detail: "{}")
    }

    static func order(_ key: String) -> TaskOrder {
        TaskOrder(key: key, kind: "visit", title: "訪問", section: "nenkin", due: t0.addingTimeInterval(86_400), followUp: nil,
                  priority: 1, event: "visit", decision: false, contractor: true)
    }

    /// A batch starting case `id` with one history entry, a task and a timer.
    static func start(_ id: String, parent: String? = nil, due: Date? = nil) -> CommitBatch {
        var batch = CommitBatch()
        let due = due ?? t0.addingTimeInterval(3600)
        batch.cases = [CaseWrite(snapshot: snapshot(id, parent: parent, timers: ["deadline": due]), expectedSequence: nil,
                                 history: [entry(id, "start", to: "listed")], openTasks: [order("visit")],
                                 timers: ["deadline": due], at: t0)]
        return batch
    }

    /// A batch moving case `id` from `from` to sequence `from + 1`.
    static func move(_ id: String, from: Int, to state: String) -> CommitBatch {
        var batch = CommitBatch()
        batch.cases = [CaseWrite(snapshot: snapshot(id, state: state, sequence: from + 1), expectedSequence: from,
                                 history: [entry(id, "assign", to: state)], at: t0)]
        return batch
    }

    static func withEmptyStore<T>(_ body: (any CaseStore) async throws -> T) async throws -> T {
        let t = try await TemporaryStore(simulatedStart: t0, deploy: false)
        defer { t.remove() }
        return try await body(t.engine.store)
    }

    static func code(_ body: () async throws -> Void) async -> StoreError.Code? {
        do { try await body(); return nil } catch let error as StoreError { return error.code } catch { return nil }
    }

    @Test("a committed case reads back whole: snapshot, history in order, open task, timer")
    func roundTrip() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H1"))
            try await store.commit(Self.move("H1", from: 1, to: "awaiting_visit"))
            #expect(try await store.caseRecord("H1")?.snapshot == Self.snapshot("H1", state: "awaiting_visit", sequence: 2))
            #expect(try await store.history("H1").map(\.seq) == [1, 2])
            #expect(try await store.history("H1").map(\.event) == ["start", "assign"])
            #expect(try await store.tasks(TaskFilter(caseID: "H1")).map(\.key) == ["visit"])
            #expect(try await store.timers(of: "H1") == [TimerRecord(caseID: "H1", name: "deadline", due: Self.t0.addingTimeInterval(3600))])
            #expect(try await store.caseCount() == 1)
            #expect(try await store.caseRecords(["H1", "H404"]).keys.sorted() == ["H1"])
        }
    }

    @Test("a send's reads give its case, the latest bundle and the setting asked for, and nothing for a case or setting that is not there")
    func sendReads() async throws {
        try await Self.withEmptyStore { store in
            var none = try await store.sendReads(caseID: "H1", setting: "no.such.setting")
            #expect(none.record == nil && none.latestBundle == nil && none.setting == nil)
            try await store.commit(Self.start("H1"))
            try await store.commit(Self.move("H1", from: 1, to: "awaiting_visit"))
            let bundle = try await store.deploy(files: [SourceFileRecord(path: "w.yaml", text: "x")], versions: [], at: Self.t0, by: "yamada")
            try await store.setSetting("clock.now", "1700000000")
            let reads = try await store.sendReads(caseID: "H1", setting: "clock.now")
            #expect(reads.record?.snapshot == Self.snapshot("H1", state: "awaiting_visit", sequence: 2))
            #expect(reads.record == (try await store.caseRecord("H1")))
            #expect(reads.latestBundle == bundle && reads.setting == "1700000000")
            #expect(try await store.sendReads(caseID: "H1", setting: nil).setting == nil)
            none = try await store.sendReads(caseID: "H2", setting: "no.such.setting")
            #expect(none.record == nil && none.latestBundle == bundle && none.setting == nil)
        }
    }

    @Test("reading many cases at once gives each stored case once, whatever the number asked and repeats among them")
    func manyCases() async throws {
        try await Self.withEmptyStore { store in
            var batch = CommitBatch()
            batch.cases = (1...620).flatMap { Self.start("H\($0)").cases }
            try await store.commit(batch)
            for count in [1, 2, 8, 9, 33, 500, 501, 620] {
                let asked = (1...count).map { "H\($0)" }
                #expect(try await store.caseRecords(asked).keys.sorted() == asked.sorted(), "\(count) asked")
            }
            let mixed = ["H7", "H0", "H7", "H3", "H9999"]
            let found = try await store.caseRecords(mixed)
            #expect(found.keys.sorted() == ["H3", "H7"] && found["H3"]?.snapshot.id == "H3")
        }
    }

    @Test("a batch whose case moved meanwhile is refused whole as a conflict, and writes nothing")
    func staleSequence() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H1"))
            try await store.commit(Self.start("H2"))
            try await store.commit(Self.move("H1", from: 1, to: "awaiting_visit"))
            var stale = Self.move("H2", from: 1, to: "awaiting_visit")
            stale.cases += Self.move("H1", from: 1, to: "withdrawn").cases
            stale.idempotency = [IdempotencyRecord(key: "K", caseID: "H2", event: "assign", from: "listed", to: "awaiting_visit", at: Self.t0)]
            #expect(await Self.code { try await store.commit(stale) } == .conflict)
            #expect(try await store.caseRecord("H2")?.snapshot.sequence == 1)
            #expect(try await store.history("H2").count == 1)
            #expect(try await store.idempotency("K") == nil)
        }
    }

    @Test("a second start of the same case is refused as a duplicate")
    func duplicateCase() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H1"))
            #expect(await Self.code { try await store.commit(Self.start("H1")) } == .duplicateCase)
            #expect(try await store.history("H1").count == 1)
        }
    }

    @Test("a row the database refuses (a task key opened twice) refuses the batch whole; the next batch writes every kind of value")
    func refusedRow() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H1"))
            var repeated = Self.move("H1", from: 1, to: "awaiting_visit")
            repeated.cases[0].openTasks = [Self.order("visit")]
            await #expect(throws: (any Error).self) { try await store.commit(repeated) }
            #expect(try await store.caseRecord("H1")?.snapshot.sequence == 1)
            #expect(try await store.history("H1").count == 1)

            // The statements the refusal stopped in the middle are whole again: nil, numbers,
            // booleans and texts, a timer deleted and a task closed.
            var next = Self.move("H1", from: 1, to: "awaiting_visit")
            next.cases[0].openTasks = [TaskOrder(key: "triage", kind: "triage", title: "振分け 練馬", section: "kokuho", due: nil,
                                                 followUp: Self.t0.addingTimeInterval(7200), priority: 3, event: "triage",
                                                 decision: true, contractor: false),
                                       // An empty text is stored as an empty text, not as NULL.
                                       TaskOrder(key: "aside", kind: "triage", title: "", section: "kokuho", due: nil, followUp: nil,
                                                 priority: 0, event: "triage", decision: false, contractor: false)]
            next.cases[0].closedTasks = [ClosedTask(key: "visit", status: .done, by: "matsumoto")]
            next.cases[0].timers = ["deadline": Date?.none]
            try await store.commit(next)
            #expect(try await store.history("H1").map(\.seq) == [1, 2])
            #expect(try await store.timers(of: "H1").isEmpty)
            let tasks = try await store.tasks(TaskFilter(statuses: [.open, .done], caseID: "H1")).sorted { $0.key < $1.key }
            #expect(tasks.map(\.key) == ["aside", "triage", "visit"])
            #expect(tasks[0].title == "" && tasks[0].status == .open)
            #expect(tasks[1].due == nil && tasks[1].followUp == Self.t0.addingTimeInterval(7200) && tasks[1].priority == 3)
            #expect(tasks[1].decision && !tasks[1].contractor && tasks[1].title == "振分け 練馬" && tasks[1].status == .open)
            #expect(tasks[2].status == .done && tasks[2].completedBy == "matsumoto" && tasks[2].closedAt == Self.t0)
            #expect(try await store.caseRecord("H1")?.snapshot == next.cases[0].snapshot)
        }
    }

    /// Gives the batches one after another, then nil; `failing` throws in place of that batch.
    final class Chunks {
        var batches: [CommitBatch]
        let failing: Int?
        var given = 0
        struct Broken: Error {}

        init(_ batches: [CommitBatch], failing: Int? = nil) {
            self.batches = batches
            self.failing = failing
        }

        func next() throws -> CommitBatch? {
            defer { given += 1 }
            if given == failing { throw Broken() }
            return given < batches.count ? batches[given] : nil
        }
    }

    @Test("batches committed in chunks are one transaction: all written at the end, in order")
    func chunks() async throws {
        try await Self.withEmptyStore { store in
            let chunks = Chunks([Self.start("H1"), Self.start("H2"), Self.move("H1", from: 1, to: "awaiting_visit"), CommitBatch()])
            try await store.commit(chunks: { try chunks.next() })
            #expect(chunks.given == 5, "asked until nil")
            #expect(try await store.caseIDs().sorted() == ["H1", "H2"])
            #expect(try await store.caseRecord("H1")?.snapshot.state == "awaiting_visit", "a later chunk sees an earlier one's case")
            #expect(try await store.history("H1").count == 2)
            #expect(try await store.tasks(TaskFilter(caseID: "H2")).count == 1)
            #expect(try await store.timers(of: "H2").count == 1)
            try await store.commit(Self.start("H3"))
            #expect(try await store.caseCount() == 3, "the store takes ordinary commits again")
        }
    }

    @Test("a refusal in a later chunk, or an error while the next chunk is built, leaves nothing of the earlier chunks")
    func chunksAllOrNothing() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H0"))
            let duplicate = Chunks([Self.start("H1"), Self.start("H2"), Self.start("H0")])
            #expect(await Self.code { try await store.commit(chunks: { try duplicate.next() }) } == .duplicateCase)
            let broken = Chunks([Self.start("H1"), Self.start("H2"), Self.start("H3")], failing: 2)
            await #expect(throws: Chunks.Broken.self) { try await store.commit(chunks: { try broken.next() }) }
            #expect(try await store.caseIDs() == ["H0"])
            #expect(try await store.history("H1").isEmpty)
            #expect(try await store.tasks(TaskFilter()).count == 1)
            try await store.commit(Self.start("H1"))
            #expect(try await store.caseIDs().sorted() == ["H0", "H1"], "nothing of the failed attempts is left in the way")
        }
    }

    @Test("an idempotency key is recorded once; a batch reusing it is refused whole")
    func idempotencyKeys() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H1"))
            var first = Self.move("H1", from: 1, to: "awaiting_visit")
            first.idempotency = [IdempotencyRecord(key: "K1", caseID: "H1", event: "assign", from: "listed", to: "awaiting_visit", at: Self.t0)]
            try await store.commit(first)
            var again = Self.move("H1", from: 2, to: "withdrawn")
            again.idempotency = first.idempotency
            #expect(await Self.code { try await store.commit(again) } == .conflict)
            #expect(try await store.caseRecord("H1")?.snapshot.state == "awaiting_visit")
            #expect(try await store.usedKeys(["K1", "K2"]) == ["K1"])
            #expect(try await store.idempotency("K1")?.to == "awaiting_visit")
        }
    }

    @Test("queued events come back in delivery order; each is resolved once")
    func queuedEvents() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H1"))
            let events = (1...5).map {
                QueuedEvent(caseID: "H1", event: "visit", fields: ["n": .int($0)], key: $0 == 3 ? nil : "k\($0)", enqueuedAt: Self.t0, by: "yamada", source: "test.csv")
            }
            try await store.enqueue(events)
            let pending = try await store.pendingEvents(limit: 10)
            #expect(pending.map { $0.fields["n"] } == (1...5).map { .int($0) })
            #expect(pending.map(\.key) == ["k1", "k2", nil, "k4", "k5"])
            #expect(pending.map(\.id) == pending.map(\.id).sorted())
            var batch = CommitBatch()
            batch.resolvedEvents = [EventResolution(id: pending[0].id, status: .rejected, reason: "no", at: Self.t0)]
            try await store.commit(batch)
            #expect(await Self.code { try await store.commit(batch) } == .conflict)
            #expect(try await store.events(status: .rejected).map(\.reason) == ["no"])
            #expect(try await store.pendingEvents(limit: 2).map(\.id) == Array(pending[1...2].map(\.id)))
        }
    }

    @Test("timers are found by due time, moved, and deleted")
    func timers() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H2", due: Self.t0.addingTimeInterval(200)))
            try await store.commit(Self.start("H1", due: Self.t0.addingTimeInterval(100)))
            #expect(try await store.nextTimerDue() == Self.t0.addingTimeInterval(100))
            #expect(try await store.dueTimers(before: Self.t0.addingTimeInterval(150), limit: 10).map(\.caseID) == ["H1"])
            #expect(try await store.dueTimers(before: Self.t0.addingTimeInterval(300), limit: 10).map(\.caseID) == ["H1", "H2"])
            var batch = Self.move("H1", from: 1, to: "awaiting_visit")
            batch.cases[0].timers = ["deadline": Date?.none, "reminder": Self.t0.addingTimeInterval(500)]
            try await store.commit(batch)
            #expect(try await store.timers(of: "H1").map(\.name) == ["reminder"])
            #expect(try await store.nextTimerDue() == Self.t0.addingTimeInterval(200))
        }
    }

    @Test("a task change that finds the task changed is refused and records nothing")
    func taskChange() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H1"))
            let task = try #require(try await store.tasks(TaskFilter(caseID: "H1")).first)
            var claim = CommitBatch()
            claim.taskChanges = [TaskChange(taskID: task.id, expectedStatus: [.open], assignee: .some("matsumoto"), status: .claimed,
                                            history: Self.entry("H1", "task.claim", to: "listed"))]
            try await store.commit(claim)
            #expect(try await store.task(task.id)?.assignee == "matsumoto")
            #expect(await Self.code { try await store.commit(claim) } == .taskChanged)
            #expect(try await store.history("H1").map(\.event) == ["start", "task.claim"])
            #expect(try await store.tasks(TaskFilter(assignee: "matsumoto")).map(\.id) == [task.id])
        }
    }

    @Test("of eight writers moving one case from the same sequence, exactly one succeeds")
    func racingWriters() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        try await t.engine.store.commit(Self.start("H1"))
        let location = t.location
        let results = try await withThrowingTaskGroup(of: StoreError.Code?.self) { group in
            for n in 0..<8 {
                group.addTask {
                    let store = try await location.open()
                    return await Self.code { try await store.commit(Self.move("H1", from: 1, to: "state\(n)")) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0 == nil }.count == 1)
        #expect(results.filter { $0 == .conflict }.count == 7)
        #expect(try await t.engine.store.history("H1").count == 2)
    }

    @Test("settings, bundles and workflow versions read back as written")
    func definitions() async throws {
        try await Self.withEmptyStore { store in
            try await store.setSetting("clock.now", "1")
            try await store.setSetting("clock.now", "2")
            #expect(try await store.setting("clock.now") == "2")
            #expect(try await store.setting("missing") == nil)
            let bundle = try await store.deploy(files: [SourceFileRecord(path: "b.yaml", text: "b: 係"), SourceFileRecord(path: "a.yaml", text: "a")],
                                                versions: [WorkflowVersion(name: "w", version: 1, hash: "h", bundle: 0, deployedAt: Self.t0, deployedBy: "yamada")],
                                                at: Self.t0, by: "yamada")
            #expect(try await store.latestBundle() == bundle)
            #expect(try await store.bundleFiles(bundle).map(\.path) == ["a.yaml", "b.yaml"])
            #expect(try await store.bundleFiles(bundle).last?.text == "b: 係")
            #expect(try await store.workflowVersions() == [WorkflowVersion(name: "w", version: 1, hash: "h", bundle: bundle, deployedAt: Self.t0, deployedBy: "yamada")])
        }
    }

    @Test("claimed work comes timers first, then each claimed case's events in delivery order")
    func claimedWork() async throws {
        try await Self.withEmptyStore { store in
            try await store.commit(Self.start("H1", due: Self.t0))
            try await store.commit(Self.start("H2", due: Self.t0.addingTimeInterval(9999)))
            try await store.enqueue(["H2", "H1", "H2"].map {
                QueuedEvent(caseID: $0, event: "visit", fields: [:], key: nil, enqueuedAt: Self.t0, by: "yamada", source: "t")
            })
            let first = try await store.claimWork(worker: "a", now: Self.t0, limit: 10, lease: 30)
            #expect(first.timers.map(\.caseID) == ["H1"])
            #expect(first.events.isEmpty)
            var batch = Self.move("H1", from: 1, to: "awaiting_visit")
            batch.cases[0].timers = ["deadline": Date?.none]
            try await store.commit(batch)
            try await store.releaseClaims(worker: "a", caseIDs: first.caseIDs)
            let second = try await store.claimWork(worker: "a", now: Self.t0, limit: 10, lease: 30)
            #expect(second.timers.isEmpty)
            #expect(second.events.map(\.caseID) == ["H2", "H1", "H2"])
            #expect(second.caseIDs == ["H1", "H2"])
        }
    }
}
