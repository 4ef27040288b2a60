import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// History retention: finished cases deleted in bulk, their counts kept.
@Suite("Pruning finished histories")
struct PruneTests {
    /// Writes `count` finished households directly through the store in one batch (a start and
    /// a final decision each), last changed at `at`; `openTask` leaves a task open on the first.
    static func bulkFinished(_ s: TemporaryStore, count: Int, prefix: String, at: Date, openTask: Bool = false) async throws {
        var batch = CommitBatch()
        batch.cases.reserveCapacity(count)
        for i in 0..<count {
            let id = prefix + String(format: "%06d", i)
            let data: [String: Value] = ["household_no": .string(id), "name": .string("練馬　太郎"), "address": .string("練馬区練馬1-1-1"),
                                         "town": .string("練馬")]
            let snapshot = CaseSnapshot(id: id, workflow: "household-visit", version: 1, state: "payment_arranged", data: data,
                                        finished: true, result: "payment_counselled", sequence: 2, enteredAt: at)
            let history = [
                HistoryEntry(caseID: id, seq: 0, at: at, kind: .decision, event: "start", payload: .start(data: data, parent: nil),
                             from: nil, to: "listed", by: "yamada", detail: "{}"),
                HistoryEntry(caseID: id, seq: 0, at: at, kind: .decision, event: "counselling", payload: nil,
                             from: "counselling", to: "payment_arranged", by: "suzuki", detail: "{}"),
            ]
            var write = CaseWrite(snapshot: snapshot, expectedSequence: nil, history: history, at: at)
            if openTask && i == 0 {
                write.openTasks = [TaskOrder(key: "2.1", kind: "counselling", title: "納付相談", section: "kokuho_seiri", due: nil,
                                             followUp: nil, priority: 0, event: "counselling", decision: false, contractor: false)]
            }
            batch.cases.append(write)
        }
        try await s.engine.store.commit(batch)
    }

    @Test("prune deletes 100,000 finished cases in bulk, keeps their counts, and what remains still verifies")
    func prune100k() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H1")
            try await s.importHouseholds([("H2", "練馬")])
            _ = try await s.engine.cancel(caseID: "H2", reason: "重複登録", by: "yamada")
            try await Self.bulkFinished(s, count: 100_000, prefix: "P", at: tokyo("2025-04-01T09:00:00+09:00"))
            #expect(try await s.engine.store.caseCount() == 100_002)

            let started = Date()
            let result = try await s.engine.prune(finishedBefore: Day(year: 2025, month: 11, day: 1), by: "admin")
            let seconds = Date().timeIntervalSince(started)
            #expect(result.cases == 100_000 && result.historyEntries == 200_000 && result.blockers.isEmpty)
            #expect(seconds < 60, "pruned in \(seconds) s")
            #expect(try await s.engine.store.caseIDs() == ["H1", "H2"], "running cases and cases finished later stay")
            let summary = try await s.engine.store.pruneSummary()
            #expect(summary.map { "\($0.workflow)@\($0.version) \($0.result) \($0.cases) \($0.by)" } == ["household-visit@1 payment_counselled 100000 admin"])
            try await s.expectVerifies()
            #expect(try await s.engine.store.history("H2").map(\.event) == ["start", "case.cancel"], "a case finished after the date keeps its history")
        }
    }

    @Test("prune is refused, deleting nothing, while a finished case still has an open task; staff may not prune")
    func refusedPrune() async throws {
        try await withStore { s in
            try await Self.bulkFinished(s, count: 10, prefix: "Q", at: tokyo("2025-04-01T09:00:00+09:00"), openTask: true)
            let before = try await s.digest()
            do {
                _ = try await s.engine.prune(finishedBefore: Day(year: 2025, month: 11, day: 1), by: "yamada")
                Issue.record("a case with an open task was pruned")
            } catch let error as EngineError {
                #expect(error.category == .refused)
                #expect(error.message.contains("Q000000: task"))
            }
            do {
                _ = try await s.engine.prune(finishedBefore: Day(year: 2025, month: 11, day: 1), by: "suzuki")
                Issue.record("a staff member pruned")
            } catch let error as EngineError {
                #expect(error.category == .notPermitted)
            }
            #expect(try await s.digest() == before)
        }
    }
}
