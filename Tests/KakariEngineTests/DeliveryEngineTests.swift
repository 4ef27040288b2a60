import Foundation
import KakariCore
import KakariEngine
import KakariSQLite
import KakariStore
import KakariTesting
import Testing

/// Idempotent delivery, concurrent writers on one file, refusals that change nothing, and
/// the ward's whole list in one import.
@Suite("Delivery, idempotency and imports on the engine")
struct DeliveryEngineTests {
    @Test("the same idempotency key twice gives one transition; the second returns applied=false with the first outcome")
    func sameKeyTwice() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬"), ("H2", "練馬")])
            let first = try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: "ward-0001", by: "yamada")
            #expect(first == Engine.Outcome(caseID: "H1", event: "assign", from: "listed", to: "awaiting_visit", applied: true))
            let digest = try await s.digest()
            let again = try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: "ward-0001", by: "yamada")
            #expect(again == Engine.Outcome(caseID: "H1", event: "assign", from: "listed", to: "awaiting_visit", applied: false))
            // The same key for another case is a mistake in the sender's keys: refused, not applied.
            await #expect(throws: EngineError(.refused, "key ward-0001 was already used for 'assign' on case H1")) {
                try await s.engine.send(caseID: "H2", event: "withdraw", fields: ["reason": "転出"], key: "ward-0001", by: "suzuki")
            }
            #expect(try await s.digest() == digest, "a repeated key changes nothing")
            #expect(try await s.path("H1") == ["start →listed", "assign listed→awaiting_visit"])
            #expect(try await s.state("H2") == "listed")
        }
    }

    @Test("a refused event with a key does not use the key up")
    func refusedKeyStaysFree() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬")])
            await #expect(throws: EngineError.self) {
                try await s.engine.send(caseID: "H1", event: "triage", fields: ["referral": "資格喪失"], key: "k1", by: "yamada")
            }
            #expect(try await s.engine.store.idempotency("k1") == nil)
            #expect(try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: "k1", by: "yamada").applied)
        }
    }

    @Test("eight engines on the same file delivering the same key at once make exactly one transition")
    func sameKeyConcurrently() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬")])
            let location = s.location
            let outcomes = try await withThrowingTaskGroup(of: Engine.Outcome.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let engine = Engine(store: try await location.open())
                        return try await engine.send(caseID: "H1", event: "withdraw", fields: ["reason": "転出"], key: "K", by: "yamada")
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter(\.applied).count == 1)
            #expect(Set(outcomes.map { "\($0.from)→\($0.to)" }) == ["listed→withdrawn"])
            #expect(try await s.path("H1") == ["start →listed", "withdraw listed→withdrawn"])
            try await s.expectVerifies()
        }
    }

    @Test("concurrent visits to the same households from separate engines lose no update")
    func concurrentVisits() async throws {
        try await withStore { s in
            let ids = (1...6).map { String(format: "H%03d", $0) }
            try await s.importHouseholds(ids.map { ($0, "練馬") })
            for id in ids { _ = try await s.engine.send(caseID: id, event: "assign", fields: [:], key: nil, by: "yamada") }
            let location = s.location
            // Three engines each send one absent visit to every household (no task: a signal).
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<3 {
                    group.addTask {
                        let engine = Engine(store: try await location.open())
                        var n = 0
                        for id in ids.shuffled() {
                            let o = try await engine.send(caseID: id, event: "visit", fields: ["slot": "休日", "result": "不在"],
                                                          key: "w\(worker)-\(id)", by: "yamada")
                            if o.applied { n += 1 }
                        }
                        return n
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(applied == 18)
            for id in ids {
                #expect(try await s.snapshot(id).data["visits"] == .int(3))
                #expect(try await s.path(id).filter { $0.hasPrefix("visit") }.count == 3)
                #expect(try await s.openTasks(id).count == 1)
            }
            try await s.expectVerifies()
        }
    }

    @Test("5,000 rows of Examples/households.csv import in one go", .timeLimit(.minutes(15)))
    func wholeList() async throws {
        try await withStore { s in
            let clock = ContinuousClock()
            var n = 0
            let elapsed = try await clock.measure {
                n = try await s.engine.importCases(workflow: "household-visit", file: Repository.examples + "/households.csv", dataset: nil, by: "yamada")
            }
            print("IMPORT-5000: \(elapsed)")
            #expect(n == 5000)
            #expect(try await s.engine.store.caseCount() == 5000)
            let h1 = try await s.snapshot("H000001")
            #expect(h1.state == "listed")
            #expect(h1.data["name"] == .string("太田　悠真"))
            #expect(h1.data["members"] == .list(["太田　悠真", "太田　萌", "太田　陸"]))
            #expect(h1.data["preschool_children"] == .bool(true))
            #expect(h1.data["birth_year"] == .int(1990))
            #expect(try await s.engine.store.timers(of: "H005000").count == 1)
        }
    }

    @Test("an import refused for one bad row leaves the store exactly as it was")
    func refusedImportChangesNothing() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬")])
            let before = try await s.digest()
            let file = s.folder + "/bad.csv"
            try ([TemporaryStore.header,
                  "H2,練馬　次郎,,練馬区練馬1-1-1,練馬,1970,男,,false,false",
                  "H3,練馬　三郎,,練馬区練馬1-1-2,練馬,abc,男,,false,false"].joined(separator: "\n"))
                .write(toFile: file, atomically: true, encoding: .utf8)
            let error = await #expect(throws: ImportError.self) {
                try await s.engine.importCases(workflow: "household-visit", file: file, dataset: nil, by: "yamada")
            }
            #expect(error?.description == "\(file):3:6: birth_year: 'abc' is not a whole number\n\(file): nothing was imported")
            #expect(try await s.digest() == before)
        }
    }

    @Test("a queued event that became invalid by its turn is rejected with its reason and kept")
    func queuedEventRejected() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬")])
            let file = s.folder + "/events.csv"
            try "case,event,key,reason\nH1,withdraw,e1,転出\nH1,assign,e2,\n".write(toFile: file, atomically: true, encoding: .utf8)
            #expect(try await s.engine.importEvents(file: file, by: "yamada") == 2)
            let report = try await s.engine.runDue(now: try await s.engine.now())
            #expect(report.eventsApplied == 1)
            #expect(report.eventsRejected == 1)
            let rejected = try await s.engine.store.events(status: .rejected)
            #expect(rejected.map(\.key) == ["e2"])
            #expect(rejected.first?.reason == "case H1 is finished (調査対象外) and accepts no events")
            #expect(try await s.engine.store.events(status: .applied).map(\.key) == ["e1"])
            #expect(try await s.engine.store.events(status: .pending).isEmpty)
            #expect(try await s.state("H1") == "withdrawn")
            try await s.expectVerifies()
        }
    }
}
