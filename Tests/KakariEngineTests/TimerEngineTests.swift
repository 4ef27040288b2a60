import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// Due dates across business-day boundaries and timers fired by the simulated clock, each at
/// its own due time, in order.
@Suite("Timers and business days on the engine")
struct TimerEngineTests {
    /// Friday 2026-11-20 09:00 in Tokyo; Monday the 23rd is 勤労感謝の日.
    static let fridayBeforeHoliday = tokyo("2026-11-20T09:00:00+09:00")

    @Test("a task created on the Friday before 勤労感謝の日 is due five business days later on Monday 30 November, not Friday the 27th")
    func fridayBeforeHoliday() async throws {
        try await withStore(start: Self.fridayBeforeHoliday) { s in
            try await s.contactedHousehold("H1")
            let triage = try await s.openTask("H1", kind: "triage")
            #expect(triage.due == tokyo("2026-11-30T09:00:00+09:00"))
            try await s.complete("H1", "triage", ["referral": "納付相談"], by: "nakamura")
            let counselling = try await s.openTask("H1", kind: "counselling")
            // 10 business days: 24, 25, 26, 27, 30 Nov, 1, 2, 3, 4, 7 Dec.
            #expect(counselling.due == tokyo("2026-12-07T09:00:00+09:00"))
            #expect(counselling.followUp == tokyo("2026-11-30T09:00:00+09:00"))
        }
    }

    @Test("a calendar period ending on a closed day rolls to the next open day: 10 days from Friday 2026-11-20 is Monday the 30th; the deadline rolls past the weekend, 春分の日 and its 振替休日")
    func calendarPeriodsRoll() async throws {
        try await withStore(start: Self.fridayBeforeHoliday) { s in
            try await s.importHouseholds([("H1", "練馬")])
            // 4 months on is Saturday 2027-03-20; 21 is 春分の日 (Sunday), 22 its 振替休日.
            #expect(try await s.engine.store.timers(of: "H1").map(\.due) == [tokyo("2027-03-23T09:00:00+09:00")])
            _ = try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: nil, by: "yamada")
            let visit = try await s.openTask("H1", kind: "visit")
            #expect(visit.due == tokyo("2026-11-30T09:00:00+09:00"))
            #expect(visit.followUp == tokyo("2026-11-30T09:00:00+09:00"))
        }
    }

    @Test("business days skip the year-end closure: five business days from Friday 2025-12-26 is Friday 2026-01-09")
    func yearEndClosure() async throws {
        try await withStore(start: tokyo("2025-12-26T09:00:00+09:00")) { s in
            try await s.contactedHousehold("H1")
            #expect(try await s.openTask("H1", kind: "triage").due == tokyo("2026-01-09T09:00:00+09:00"))
        }
    }

    @Test("advancing the clock fires every timer at its own due time, in order, and work they start is dated from then")
    func timersFireInOrder() async throws {
        try await withStore(start: Self.fridayBeforeHoliday) { s in
            // A at Friday 09:00, C the same day at 15:00, B on Tuesday 24th at 09:00.
            try await s.importHouseholds([("A", "練馬")])
            // R: a household whose residence check is waiting 30 days for the second visit.
            try await s.contactedHousehold("R")
            try await s.complete("R", "triage", ["referral": "不現住調査"], by: "nakamura")
            let child = try #require(try await s.engine.store.children(of: "R").first)
            try await s.complete(child, "accept_request", [:], by: "kato")
            try await s.complete(child, "field_visit", ["visited_on": "2026-11-20", "partner": "吉田 浩", "resident_found": "false"], by: "kato")
            _ = try await s.engine.advanceClock(to: tokyo("2026-11-20T15:00:00+09:00"))
            try await s.importHouseholds([("C", "練馬")])
            _ = try await s.engine.advanceClock(to: tokyo("2026-11-24T09:00:00+09:00"))
            try await s.importHouseholds([("B", "練馬")])

            let expected: [(String, String, Date)] = [
                // 30 days from Friday 20 Nov is Sunday 20 Dec: Monday the 21st.
                (child, "timer:thirty_days", tokyo("2026-12-21T09:00:00+09:00")),
                ("A", "timer:deadline", tokyo("2027-03-23T09:00:00+09:00")),
                (child, "timer:deadline", tokyo("2027-03-23T09:00:00+09:00")),
                ("C", "timer:deadline", tokyo("2027-03-23T15:00:00+09:00")),
                ("B", "timer:deadline", tokyo("2027-03-24T09:00:00+09:00")),
            ]
            let report = try await s.engine.advanceClock(to: tokyo("2027-04-01T09:00:00+09:00"))
            #expect(report.timersFired >= expected.count)
            var fired: [(String, String, Date)] = []
            for id in ["A", "B", "C", child] {
                for entry in try await s.engine.store.history(id) where entry.event.hasPrefix("timer:") && entry.kind == .decision {
                    fired.append((id, entry.event, entry.at))
                }
            }
            fired.sort { ($0.2, $0.0) < ($1.2, $1.0) }
            #expect(fired.map { "\($0.0) \($0.1) \($0.2)" } == expected.map { "\($0.0) \($0.1) \($0.2)" })
            #expect(try await s.state("A") == "contract_ended")
            #expect(try await s.state("B") == "contract_ended")
            #expect(try await s.state("C") == "contract_ended")
            // The second field visit task was created when the 30-day timer fired, not when
            // the clock stopped: ten business days from Monday 21 Dec, skipping 29 Dec–3 Jan.
            let visits = try await s.allTasks(child).filter { $0.kind == "field_visit" }
            #expect(visits.count == 2)
            let second = try #require(visits.last)
            #expect(second.title == "実地調査 2 回目 練馬区練馬1丁目1番1号")
            #expect(second.createdAt == tokyo("2026-12-21T09:00:00+09:00"))
            #expect(second.due == tokyo("2027-01-08T09:00:00+09:00"))
            // The child's own deadline then took it to the overdue review, dated at its due time.
            #expect(try await s.state(child) == "overdue_review")
            #expect(try await s.engine.now() == tokyo("2027-04-01T09:00:00+09:00"))
        }
    }

    @Test("advancing in many small steps fires the same timers at the same times as one big step")
    func stepsAgree() async throws {
        func run(steps: Int) async throws -> [String] {
            try await withStore(start: Self.fridayBeforeHoliday) { s in
                try await s.importHouseholds([("A", "練馬"), ("B", "石神井町")])
                _ = try await s.engine.send(caseID: "B", event: "assign", fields: [:], key: nil, by: "yamada")
                let end = tokyo("2027-04-01T09:00:00+09:00")
                let start = try await s.engine.now()
                for i in 1...steps {
                    _ = try await s.engine.advanceClock(to: start.addingTimeInterval(end.timeIntervalSince(start) * Double(i) / Double(steps)).rounded())
                }
                var out: [String] = []
                for id in ["A", "B"] {
                    for e in try await s.engine.store.history(id) { out.append("\(id) \(e.seq) \(e.event) \(e.at.timeIntervalSince1970) \(e.to)") }
                }
                return out
            }
        }
        let once = try await run(steps: 1)
        #expect(once.contains { $0.hasPrefix("A 2 timer:deadline") })
        #expect(try await run(steps: 37) == once)
    }

    @Test("the clock does not go back")
    func clockForwardOnly() async throws {
        try await withStore { s in
            let error = await #expect(throws: EngineError.self) {
                try await s.engine.advanceClock(to: tokyo("2025-11-19T09:00:00+09:00"))
            }
            #expect(error?.message.hasPrefix("the clock cannot go back") == true)
            let now = try await s.engine.now()
            #expect(now == tokyo("2025-11-20T09:00:00+09:00"))
        }
    }
}

extension Date {
    /// To the whole second, as the engine stores times.
    func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
