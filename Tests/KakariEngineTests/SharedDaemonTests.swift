import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// Several engines working one store at once, as several daemons on several machines do.
@Suite("Several daemons on one store")
struct SharedDaemonTests {
    /// Seven events that take a household to payment_arranged, then one its finished case rejects.
    static let script: [(event: String, fields: [String: String])] = [
        ("assign", [:]),
        ("visit", ["slot": "平日午前", "result": "不在"]),
        ("visit", ["slot": "平日午後", "result": "不在"]),
        ("visit", ["slot": "平日夜間", "result": "不在"]),
        ("visit", ["slot": "休日", "result": "面接", "contact_outcome": "納付相談希望"]),
        ("triage", ["referral": "納付相談"]),
        ("counselling", ["outcome": "分納誓約"]),
        ("withdraw", ["reason": "完了後"]),
    ]
    static let columns = ["reason", "slot", "result", "contact_outcome", "referral", "outcome"]

    @Test("three engines share 960 queued events: each applied or rejected once, every case's in delivery order")
    func threeEngines() async throws {
        try await withStore { s in
            let ids = (1...120).map { String(format: "S%04d", $0) }
            try await s.importHouseholds(ids.map { ($0, "練馬") })
            var rows = ["case,event,key," + Self.columns.joined(separator: ",")]
            for (n, e) in Self.script.enumerated() {
                for id in ids { rows.append("\(id),\(e.event),\(id)-\(n)," + Self.columns.map { e.fields[$0] ?? "" }.joined(separator: ",")) }
            }
            let file = s.folder + "/events.csv"
            try (rows.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            #expect(try await s.engine.importEvents(file: file, by: "yamada") == 960)
            let now = try await s.engine.now()
            let location = s.location
            let reports = try await withThrowingTaskGroup(of: Engine.StepReport.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let engine = Engine(store: try await location.open())
                        var total = Engine.StepReport()
                        // Work until nothing is pending: another engine may still hold some.
                        while try await !engine.store.pendingEvents(limit: 1).isEmpty {
                            let report = try await engine.runDue(now: now, lease: 5)
                            total.add(report)
                            if report.total == 0 { try await Task.sleep(nanoseconds: 20_000_000) }
                        }
                        return total
                    }
                }
                return try await group.reduce(into: [Engine.StepReport]()) { $0.append($1) }
            }
            #expect(reports.map(\.eventsApplied).reduce(0, +) == 840)
            #expect(reports.map(\.eventsRejected).reduce(0, +) == 120)
            #expect(try await s.engine.store.events(status: .applied).count == 840)
            #expect(try await s.engine.store.events(status: .rejected).count == 120)
            let applied = Dictionary(grouping: try await s.engine.store.events(status: .applied), by: \.caseID)
            for id in ids {
                #expect(try await s.engine.store.history(id).map(\.event) == ["start"] + Self.script.prefix(7).map(\.event), "\(id)")
                #expect(applied[id]?.map(\.key) == (0..<7).map { "\(id)-\($0)" }, "\(id)")
                #expect(try await s.state(id) == "payment_arranged")
            }
            try await s.expectVerifies()
        }
    }
}
