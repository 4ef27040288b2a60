import Foundation
import KakariCore
@testable import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// A group of many events committed as one transaction. On SQLite it is written in chunks,
/// each while the next is decided (`CaseStore.groupChunkSize`), so these groups span several
/// chunks and come back to a case that an earlier chunk already wrote.
@Suite("Group commit across chunks")
struct GroupCommitTests {
    /// Enough households for several chunks of SQLite's group (64 decisions each).
    static let households = (1...300).map { String(format: "H%03d", $0) }

    @Test("a group that comes back to a case in a later chunk applies every event in order and sees the earlier ones' effects")
    func laterChunkSeesEarlierOnes() async throws {
        try await withStore { s in
            try await s.importHouseholds(Self.households.map { ($0, "練馬") })
            var group = Self.households.map {
                Engine.Delivery(caseID: $0, event: .signal(name: "assign", fields: [:], task: nil), by: "yamada")
            }
            // H002 was assigned in the first chunk: assigning it again in a later one is refused.
            group.insert(.init(caseID: "H002", event: .signal(name: "assign", fields: [:], task: nil), by: "yamada"), at: 200)
            // H001's visit task, opened in the first chunk, is withdrawn in the last.
            group.append(.init(caseID: "H001", event: .signal(name: "withdraw", fields: ["reason": .string("転出")], task: nil), by: "suzuki"))
            let result = try await s.engine.deliverGroup(group, at: try await s.engine.now())

            #expect(result.applied == 301)
            #expect(result.refused.map(\.0.caseID) == ["H002"])
            #expect(try await s.path("H001") == ["start →listed", "assign listed→awaiting_visit", "withdraw awaiting_visit→withdrawn"])
            #expect(try await s.path("H002") == ["start →listed", "assign listed→awaiting_visit"])
            #expect(try await s.openTasks("H001").isEmpty)
            #expect(try await s.allTasks("H001").map(\.status) == [.withdrawn])
            #expect(try await s.openTasks("H300").map(\.kind) == ["visit"])
            try await s.expectVerifies()
        }
    }

    @Test("a group handed cases as the caller read them, one changed since by another writer, applies each event once and never writes over the change")
    func handedInReads() async throws {
        try await withStore { s in
            try await s.importHouseholds(Self.households.map { ($0, "練馬") })
            let read = try await s.engine.store.caseRecords(Self.households)
            // Another writer moves H040 after the caller read it.
            _ = try await s.engine.send(caseID: "H040", event: "assign", fields: [:], key: nil, by: "yamada")
            let group = Self.households.map {
                Engine.Delivery(caseID: $0, event: .signal(name: "assign", fields: [:], task: nil), by: "yamada")
            }
            let result = try await s.engine.deliverGroup(group, at: try await s.engine.now(), read: read)

            #expect(result.applied == 299)
            #expect(result.refused.map(\.0.caseID) == ["H040"], "H040 was assigned already, by the other writer")
            #expect(try await s.path("H040") == ["start →listed", "assign listed→awaiting_visit"])
            #expect(try await s.path("H041") == ["start →listed", "assign listed→awaiting_visit"])
            try await s.expectVerifies()
        }
    }

    @Test("a case written by an earlier chunk is written again by a later one in the same transaction, not taken for a concurrent change")
    func rewriteAcrossChunks() async throws {
        try await withStore { s in
            try await s.importHouseholds(Self.households.map { ($0, "練馬") })
            let now = try await s.engine.now()
            let items = Self.households.map { ($0, "assign", [String: Value]()) } + [("H001", "withdraw", ["reason": .string("転出")])]
            var builder = BatchBuilder(engine: s.engine, by: "yamada", at: now)
            // Taken for a conflict, the group would not commit: `commitGroup` would return false.
            let grouped = try await s.engine.commitGroup(items, caseOf: \.0, keyOf: { _ in nil }, builder: &builder) { item, builder in
                let (snapshot, expected) = try await builder.current(item.0)
                let decision = try await builder.decider(snapshot).decide(snapshot, .signal(name: item.1, fields: item.2, task: nil), now: now)
                try await builder.add(decision, expected: expected)
            }
            #expect(grouped)
            #expect(try await s.path("H001") == ["start →listed", "assign listed→awaiting_visit", "withdraw awaiting_visit→withdrawn"])
            #expect(try await s.state("H300") == "awaiting_visit")
            try await s.expectVerifies()
        }
    }

    @Test("the daemon applies a queue of many chunks once each, a case's two events in the order they were sent")
    func daemonQueueAcrossChunks() async throws {
        try await withStore { s in
            try await s.importHouseholds(Self.households.map { ($0, "練馬") })
            let now = try await s.engine.now()
            var queue = Self.households.map {
                QueuedEvent(caseID: $0, event: "assign", fields: [:], key: "assign-\($0)", enqueuedAt: now, by: "yamada", source: "test")
            }
            queue.append(QueuedEvent(caseID: "H003", event: "withdraw", fields: ["reason": .string("死亡")], key: "withdraw-H003",
                                     enqueuedAt: now, by: "suzuki", source: "test"))
            try await s.engine.store.enqueue(queue)

            let report = try await s.engine.runDue(now: now)

            #expect(report.eventsApplied == 301)
            #expect(report.eventsRejected == 0)
            #expect(try await s.engine.store.pendingEvents(limit: 1).isEmpty)
            #expect(try await s.path("H003") == ["start →listed", "assign listed→awaiting_visit", "withdraw awaiting_visit→withdrawn"])
            #expect(try await s.state("H300") == "awaiting_visit")
            #expect(try await s.engine.store.idempotency("withdraw-H003")?.to == "withdrawn")
            try await s.expectVerifies()
        }
    }

    @Test("a group whose task is cancelled half-way commits all or nothing, and the store takes the next write")
    func cancelledGroup() async throws {
        try await withStore { s in
            try await s.importHouseholds((Self.households + ["H301"]).map { ($0, "練馬") })
            let engine = s.engine
            let now = try await engine.now()
            // What a daemon's pass past its deadline meets: its task is cancelled while the
            // group is being written (on SQLite, after the first chunks).
            let pass = Task {
                var builder = BatchBuilder(engine: engine, by: "yamada", at: now)
                return try await engine.commitGroup(Self.households, caseOf: { $0 }, keyOf: { _ in nil }, builder: &builder) { id, builder in
                    if id == "H200" { withUnsafeCurrentTask { $0?.cancel() } }
                    let (snapshot, expected) = try await builder.current(id)
                    let decision = try await builder.decider(snapshot).decide(snapshot, .signal(name: "assign", fields: [:], task: nil), now: now)
                    try await builder.add(decision, expected: expected)
                }
            }
            _ = await pass.result
            let first = try await s.state("H001"), last = try await s.state("H300")
            #expect(first == last, "a group must be written whole or not at all")
            // The writer is not left inside the abandoned transaction.
            _ = try await engine.send(caseID: "H301", event: "assign", fields: [:], key: nil, by: "yamada")
            #expect(try await s.state("H301") == "awaiting_visit")
            try await s.expectVerifies()
        }
    }

    @Test("a pass bounded to one group takes one group and leaves the rest queued for the next pass")
    func boundedPass() async throws {
        try await withStore { s in
            try await s.importHouseholds(Self.households.map { ($0, "練馬") })
            let now = try await s.engine.now()
            // 80 assignments, then more that the state no longer accepts: a group and 44 events.
            let count = Engine.groupSize + 44
            let queue = (0..<count).map { i in
                QueuedEvent(caseID: Self.households[i % 80], event: "assign", fields: [:], key: "assign-\(i)", enqueuedAt: now, by: "yamada", source: "test")
            }
            try await s.engine.store.enqueue(queue)

            let first = try await s.engine.runDue(now: now, groups: 1)
            #expect(first.total == Engine.groupSize)
            #expect(try await s.engine.store.pendingEvents(limit: count).count == 44)
            let rest = try await s.engine.runDue(now: now)
            #expect(rest.total == 44)
            #expect(first.eventsApplied + rest.eventsApplied == 80)
            try await s.expectVerifies()
        }
    }
}
