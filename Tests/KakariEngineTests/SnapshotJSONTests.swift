import Foundation
import KakariCore
import KakariStore
import Testing

@Suite("Snapshots written by hand")
struct SnapshotJSONTests {
    @Test("a snapshot written by SnapshotJSON reads back as the same snapshot, awkward text included")
    func roundTrip() throws {
        let snapshot = CaseSnapshot(
            id: "H\"1\\\n", workflow: "household-visit", version: 3, state: "awaiting_visit",
            data: ["name": .string("練馬　太郎\t\u{1}"), "visits": .int(-2), "ok": .bool(true), "since": .date(Day(year: 2009, month: 5, day: 11)),
                   "members": .list(["a", "「b」"]), "none": .null],
            openTasks: [.init(key: "2.1", kind: "visit", event: "visit")],
            timers: ["deadline": Date(timeIntervalSince1970: 1_763_596_800), "t": Date(timeIntervalSince1970: 1.5)],
            waitingFor: "H1/4", parent: "P", finished: false, result: nil, sequence: 7,
            enteredAt: Date(timeIntervalSince1970: 1_763_596_801))
        let text = SnapshotJSON.encode(snapshot)
        #expect(try StoreJSON.decode(CaseSnapshot.self, text) == snapshot)
        let minimal = CaseSnapshot(id: "x", workflow: "w", version: 1, state: "s", data: [:], enteredAt: Date(timeIntervalSince1970: 0))
        #expect(try StoreJSON.decode(CaseSnapshot.self, SnapshotJSON.encode(minimal)) == minimal)
    }
}
