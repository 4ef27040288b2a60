import Foundation
import KakariCore
import KakariEngine
import KakariPostgres
import KakariStore
import KakariTesting
import Testing

/// What only the PostgreSQL store has: claims that keep daemons apart and end with their
/// lease, the history guarded by triggers, and messages for people when the server is away.
/// Runs when the suite runs on PostgreSQL (`scripts/test` sets KAKARI_TEST_POSTGRES).
@Suite("PostgreSQL store", .enabled(if: TestBackend.postgres != nil))
struct PostgresStoreTests {
    static let t0 = StoreConformanceTests.t0

    @Test("two workers never hold the same case; a claim given back or past its lease is taken over")
    func claims() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        let store = t.engine.store
        for n in 1...4 { try await store.commit(StoreConformanceTests.start("H\(n)", due: Self.t0.addingTimeInterval(9999))) }
        try await store.enqueue((1...4).flatMap { n in (0..<2).map { _ in
            QueuedEvent(caseID: "H\(n)", event: "visit", fields: [:], key: nil, enqueuedAt: Self.t0, by: "yamada", source: "t")
        } })
        // The limit counts events: the first two queued are both H1's.
        let a = try await store.claimWork(worker: "a", now: Self.t0, limit: 2, lease: 60)
        #expect(a.caseIDs == ["H1"])
        #expect(a.events.count == 2)
        let b = try await store.claimWork(worker: "b", now: Self.t0, limit: 10, lease: 60)
        #expect(b.caseIDs == ["H2", "H3", "H4"])
        #expect(b.events.map(\.caseID) == ["H2", "H2", "H3", "H3", "H4", "H4"])
        #expect(try await store.claimWork(worker: "c", now: Self.t0, limit: 10, lease: 60).isEmpty)
        try await store.releaseClaims(worker: "a", caseIDs: a.caseIDs)
        // A claim whose lease has ended (here at once) is taken over.
        #expect(try await store.claimWork(worker: "z", now: Self.t0, limit: 10, lease: 0).caseIDs == ["H1"], "a gave H1 back")
        #expect(try await store.claimWork(worker: "y", now: Self.t0, limit: 10, lease: 60).caseIDs == ["H1"], "z's lease ended")
        #expect(try await store.claimWork(worker: "c", now: Self.t0, limit: 10, lease: 60).isEmpty)
    }

    @Test("history rows cannot be changed or deleted, even with SQL")
    func appendOnly() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        try await t.engine.store.commit(StoreConformanceTests.start("H1"))
        let store = try #require(t.raw as? PostgresStore)
        for sql in ["UPDATE history SET to_state = 'x'", "DELETE FROM history", "TRUNCATE history"] {
            await #expect(throws: StoreError.self) { try await store.execute(unsafeSQL: sql) }
        }
        #expect(try await store.history("H1").count == 1)
    }

    @Test("an unreachable server or a bad address is one sentence, without SQL")
    func messages() async throws {
        do {
            _ = try await StoreLocation.postgres(url: "postgres://kakari@127.0.0.1:1/kakari").open()
            Issue.record("expected a refusal")
        } catch let error as StoreError {
            #expect(error.code == .unavailable)
            #expect(error.message == "cannot reach PostgreSQL at 127.0.0.1:1; is the server running?")
        }
        #expect(throws: StoreError(.invalidStore, "'postgres://kakari@localhost' names no database; write postgres://USER@HOST[:PORT]/DB")) {
            try PostgresLocation("postgres://kakari@localhost")
        }
        let missing = StoreLocation.postgres(url: String(try #require(TestBackend.postgres).dropLast("postgres".count)) + "kakari_missing_db")
        await #expect(throws: StoreError(.invalidStore, "there is no database 'kakari_missing_db' at 127.0.0.1:\(try PostgresLocation(TestBackend.postgres!).port); create the store with 'kakari init'")) {
            _ = try await missing.open()
        }
    }

    @Test("a server that does not answer is given up after the store's timeout, with a sentence; the store works again after")
    func timeout() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        try await t.engine.store.commit(StoreConformanceTests.start("H1"))
        guard case .postgres(let url) = t.location else { Issue.record("not a PostgreSQL store"); return }
        let option = url.contains("?") ? "&timeout=" : "?timeout="
        let impatient = PostgresStore(location: try PostgresLocation(url + option + "1"), maximumConnections: 1)
        #expect(try await impatient.cases(CaseFilter()).map(\.snapshot.id) == ["H1"], "connected before the wait")
        // Another session holds the cases table until it is cancelled below (at most 120 s): a
        // read of it gets no answer meanwhile, however slowly a loaded machine runs this test.
        let holder = PostgresStore(location: try PostgresLocation(url), maximumConnections: 1)
        let held = Task { try await holder.execute(unsafeSQL: "DO $$ BEGIN LOCK TABLE cases IN ACCESS EXCLUSIVE MODE; PERFORM pg_sleep(120); END $$") }
        // Waits (on a third connection) until the holder has the lock, however slow the machine.
        let lockHeld = """
            DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_locks WHERE relation = 'cases'::regclass
                AND mode = 'AccessExclusiveLock' AND granted) THEN RAISE EXCEPTION 'not yet'; END IF; END $$
            """
        let observer = try #require(t.raw as? PostgresStore)
        var waited = 0
        while (try? await observer.execute(unsafeSQL: lockHeld)) == nil {
            waited += 1
            try #require(waited < 600, "the holder never took the lock")
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let port = try PostgresLocation(url).port
        await #expect(throws: StoreError(.unavailable, "PostgreSQL at 127.0.0.1:\(port) did not answer within 1 s; try again")) {
            _ = try await impatient.cases(CaseFilter())
        }
        try await observer.execute(unsafeSQL: """
            DO $$ BEGIN PERFORM pg_cancel_backend(pid) FROM pg_locks WHERE relation = 'cases'::regclass
                AND mode = 'AccessExclusiveLock' AND granted; END $$
            """)
        _ = await held.result
        #expect(try await impatient.cases(CaseFilter()).map(\.snapshot.id) == ["H1"])
        #expect(throws: StoreError(.invalidStore, "timeout 'soon' must be a number of seconds (0 waits for ever)")) {
            try PostgresLocation(url + option + "soon")
        }
    }

    @Test("a server with no connection slot free is waited for until one frees, and given up after the store's timeout with a sentence")
    func fullServer() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        guard case .postgres(let url) = t.location else { Issue.record("not a PostgreSQL store"); return }
        let admin = try #require(t.raw as? PostgresStore)
        // A role allowed one connection is refused a second with "too many connections" (53300),
        // the refusal a server whose every slot is taken gives, without filling the shared server.
        let role = "kakari_full_" + UUID().uuidString.prefix(8).lowercased()
        try await admin.execute(unsafeSQL: "CREATE ROLE \(role) LOGIN CONNECTION LIMIT 1")
        let location = try PostgresLocation(url.replacingOccurrences(of: "://postgres@", with: "://\(role)@"))
        #expect(location.user == role)
        let holder = PostgresStore(location: location, maximumConnections: 1)
        let held = Task { try await holder.execute(unsafeSQL: "SELECT pg_sleep(120)") }
        var waited = 0
        let holding = "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE usename = '\(role)') THEN RAISE EXCEPTION 'not yet'; END IF; END $$"
        while (try? await admin.execute(unsafeSQL: holding)) == nil {
            waited += 1
            try #require(waited < 600, "the holder never connected")
            try await Task.sleep(nanoseconds: 50_000_000)
        }

        let impatient = PostgresStore(location: try PostgresLocation(url.replacingOccurrences(of: "://postgres@", with: "://\(role)@") + "&timeout=1"))
        await #expect(throws: StoreError(.unavailable, "PostgreSQL at 127.0.0.1:\(location.port) is not available (too many connections for role \"\(role)\"); try again")) {
            try await impatient.probe()
        }
        // A patient probe is still waiting when the slot frees, and then connects.
        let patient = Task { try await PostgresStore(location: location).probe() }
        try await Task.sleep(nanoseconds: 300_000_000)
        try await admin.execute(unsafeSQL: "DO $$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(role)'; END $$")
        _ = await held.result
        try await patient.value
        try await admin.execute(unsafeSQL: "DO $$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(role)'; END $$")
        try await admin.execute(unsafeSQL: "DROP ROLE \(role)")
    }

    @Test("the timeout applies to each batch of a commit in chunks, so an import longer than the timeout as a whole is not cut off")
    func timeoutPerChunk() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        guard case .postgres(let url) = t.location else { Issue.record("not a PostgreSQL store"); return }
        // Generous figures: on a loaded machine one small batch's statements must stay well
        // within the timeout, while the whole (three batches, 7.5 s of building each) exceeds it.
        let patient = PostgresStore(location: try PostgresLocation(url + (url.contains("?") ? "&timeout=" : "?timeout=") + "20"), maximumConnections: 2)
        var given = 0
        let started = Date()
        try await patient.commit(chunks: {
            guard given < 3 else { return nil }
            given += 1
            try await Task.sleep(nanoseconds: 7_500_000_000)
            return StoreConformanceTests.start("H\(given)")
        })
        #expect(Date().timeIntervalSince(started) > 20, "the whole took longer than the timeout")
        #expect(try await patient.caseIDs().sorted() == ["H1", "H2", "H3"])
    }

    @Test("a table filled in bulk is measured for the planner at once, without waiting for autovacuum; a small one is left to it")
    func statistics() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        let store = try #require(t.raw as? PostgresStore)
        try await store.commit(StoreConformanceTests.start("H1"))
        func rowsKnown(_ table: String) async throws -> String? {
            try await store.text(unsafeSQL: "SELECT reltuples::bigint::text FROM pg_class WHERE oid = '\(table)'::regclass")
        }
        #expect(try await rowsKnown("queued_events") == "-1", "never measured yet")
        // One bulk write past `statisticsCheckRows` rows.
        let count = PostgresStore.statisticsCheckRows + 2_000
        try await store.enqueue((0..<count).map { _ in
            QueuedEvent(caseID: "H1", event: "visit", fields: [:], key: nil, enqueuedAt: Self.t0, by: "yamada", source: "t")
        })
        #expect(try await rowsKnown("queued_events") == "\(count)")
        #expect(try await rowsKnown("cases") == "-1", "one row: left to autovacuum")
        // Nothing has grown since: nothing to measure again.
        #expect(try await store.refreshStatistics() == [])
    }

    @Test("due timers sharing one date are read from an index in firing order, not all sorted")
    func timersInFiringOrder() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        let store = try #require(t.raw as? PostgresStore)
        // Twenty thousand deadline timers on one date, as a survey's contract end gives them.
        try await store.execute(unsafeSQL: """
            INSERT INTO timers(case_id, name, due) SELECT 'H' || g, 'deadline', \(Self.t0.timeIntervalSince1970) FROM generate_series(1, 20000) g
            """)
        try await store.execute(unsafeSQL: "ANALYZE timers")
        let plan = try #require(try await store.text(unsafeSQL: """
            EXPLAIN (FORMAT JSON) SELECT case_id, name, due FROM timers WHERE due <= \(Self.t0.timeIntervalSince1970)
            ORDER BY due, case_id COLLATE "C", name COLLATE "C" LIMIT 1024
            """))
        #expect(plan.contains("timers_in_firing_order"))
        #expect(!plan.contains("Sort"), "no sort: \(plan)")
        let first = try await store.dueTimers(before: Self.t0, limit: 3)
        #expect(first.map(\.caseID) == ["H1", "H10", "H100"], "case ids in byte order")
    }

    @Test("the claim reads pending events from their own index even when the statistics still say every event is pending")
    func pendingEventsInOrder() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        let store = try #require(t.raw as? PostgresStore)
        // A backlog half drained: measured while all 20,000 were pending, then 15,000 applied,
        // before autovacuum (kept off here) measures the table again.
        try await store.execute(unsafeSQL: "ALTER TABLE queued_events SET (autovacuum_enabled = false)")
        try await store.execute(unsafeSQL: """
            INSERT INTO queued_events(case_id, event, fields, enqueued_at, by, source, status)
            SELECT 'H' || g, 'visit', '{}', 0, 'yamada', 't', 'pending' FROM generate_series(1, 20000) g
            """)
        try await store.execute(unsafeSQL: "ANALYZE queued_events")
        try await store.execute(unsafeSQL: "UPDATE queued_events SET status = 'applied' WHERE id <= 15000")
        let plan = try #require(try await store.text(unsafeSQL: """
            EXPLAIN (FORMAT JSON) SELECT DISTINCT case_id FROM (
                SELECT q.case_id FROM queued_events q
                WHERE q.status = 'pending' AND NOT EXISTS (
                    SELECT 1 FROM case_claims h WHERE h.case_id = q.case_id AND h.worker <> 'a' AND h.until > now())
                ORDER BY q.id LIMIT 1024) AS pending_cases
            """))
        #expect(plan.contains("queued_events_pending"), "\(plan)")
        let claimed = try await store.claimWork(worker: "a", now: Self.t0, limit: 2, lease: 60)
        #expect(claimed.events.map(\.caseID) == ["H15001", "H15002"])
    }

    @Test("a transition's audit entries are numbered and hashed by the server in its one statement, exactly as the chain defines them")
    func auditAppendedByTheServer() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        let store = t.engine.store
        try await store.appendAudit([AuditEntry(at: Self.t0, user: "yamada", command: "test", action: .read, caseID: nil, fields: [], detail: "first")])
        try await store.commit(StoreConformanceTests.start("H1"))
        var move = StoreConformanceTests.move("H1", from: 1, to: "awaiting_visit")
        let at = Self.t0.addingTimeInterval(0.123)
        move.audit = [AuditEntry(at: at, user: "山田", command: "kakari send", action: .write, caseID: "H1", fields: ["name", "town"],
                                 detail: "visit 訪問待ち→面接"),
                      AuditEntry(at: at, user: "山田", command: "kakari send", action: .read, caseID: nil, fields: [], detail: "")]
        try await store.commit(move)
        let entries = try await store.audit(AuditFilter())
        #expect(entries.map(\.seq) == [1, 2, 3])
        // What the client would have linked after the first entry, hash for hash.
        let expected = AuditChain.link(move.audit, after: (entries[0].seq, entries[0].hash))
        #expect(entries.dropFirst().map(\.hash) == expected.map(\.hash))
        #expect(entries.dropFirst().map(\.previousHash) == expected.map(\.previousHash))
        #expect(entries[2].caseID == nil && entries[1].detail == "visit 訪問待ち→面接")
        #expect(AuditChain.verify(entries, head: try await store.setting(AuditChain.headSetting)) == nil)
        #expect(try await store.setting(AuditChain.headSetting) == "3 \(entries[2].hash)")
    }

    @Test("statements each connection has prepared keep working after the store is dropped and made again under them")
    func preparedAcrossReset() async throws {
        let t = try await TemporaryStore(simulatedStart: Self.t0, deploy: false)
        defer { t.remove() }
        let store = try #require(t.raw as? PostgresStore)
        // Enough reads and writes at once that the pool's connections each prepare them.
        func roundOfWork() async throws -> [String?] {
            try await store.commit(StoreConformanceTests.start("H1"))
            try await store.commit(StoreConformanceTests.move("H1", from: 1, to: "awaiting_visit"))
            return try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<8 { group.addTask { try await store.caseRecord("H1")?.snapshot.state } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(try await roundOfWork() == Array(repeating: "awaiting_visit", count: 8))
        try await store.reset()
        try await store.migrate()
        #expect(try await store.caseRecord("H1") == nil)
        #expect(try await roundOfWork() == Array(repeating: "awaiting_visit", count: 8))
        #expect(try await store.latestBundle() == nil)
    }
}
