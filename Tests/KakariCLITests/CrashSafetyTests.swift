import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// The daemon killed with SIGKILL at random moments while it works through a large queue.
@Suite("Crash safety of the daemon")
struct CrashSafetyTests {
    /// Ten events per household, in file order: seven that take it to payment_arranged, then
    /// three that the finished case must reject.
    static let perCase: [(event: String, fields: [String: String], applies: Bool)] = [
        ("assign", [:], true),
        ("visit", ["slot": "平日午前", "result": "不在"], true),
        ("visit", ["slot": "平日午後", "result": "不在"], true),
        ("visit", ["slot": "平日夜間", "result": "不在"], true),
        ("visit", ["slot": "休日", "result": "面接", "contact_outcome": "納付相談希望"], true),
        ("triage", ["referral": "納付相談"], true),
        ("counselling", ["outcome": "分納誓約"], true),
        ("withdraw", ["reason": "完了後"], false),
        ("visit", ["slot": "休日", "result": "不在"], false),
        ("assign", [:], false),
    ]
    static let columns = ["reason", "slot", "result", "contact_outcome", "referral", "outcome"]

    @Test("20,400 queued events and 200 timers survive 20 SIGKILLs of the daemon: each applied or rejected exactly once, and verify passes",
          .timeLimit(.minutes(20)))
    func killTheDaemon() async throws {
        let started = Date()
        try await withWorkspace { w in
            // 200 households whose deadline will be due, imported at the start.
            let late = (1...200).map { String(format: "A%04d", $0) }
            try w.importHouseholds(late)
            #expect(try w.kakari(["clock", "set", "2026-03-19T09:00:00+09:00"]).status == 0)
            // 2,000 households imported four months later, with ten events each.
            let busy = (1...2000).map { String(format: "B%04d", $0) }
            try w.importHouseholds(busy)
            var rows = ["case,event,key," + Self.columns.joined(separator: ",")]
            for (n, e) in Self.perCase.enumerated() {
                for id in busy {
                    rows.append("\(id),\(e.event),\(id)-\(n)," + Self.columns.map { e.fields[$0] ?? "" }.joined(separator: ","))
                }
            }
            // Events for the households whose deadline fires first: rejected.
            for id in late { rows.append("\(id),assign,\(id)-0," + Self.columns.map { _ in "" }.joined(separator: ",")) }
            let first = try w.write("events.csv", rows.joined(separator: "\n") + "\n")
            // A second file reusing keys of the first: duplicates.
            let again = try w.write("again.csv", "case,event,key\n" + busy.prefix(200).map { "\($0),assign,\($0)-0" }.joined(separator: "\n") + "\n")
            let q1 = try #require(try w.json(["events", "import", first]) as? [String: Any])
            #expect(q1["queued"] as? Int == 20_200)
            let q2 = try #require(try w.json(["events", "import", again]) as? [String: Any])
            #expect(q2["queued"] as? Int == 200)
            // Move the clock past the first households' deadline without firing anything:
            // the daemon finds 200 timers due.
            let engine = try await w.engine()
            try await engine.setClock(ISO8601DateFormatter().date(from: "2026-03-24T09:00:00+09:00")!)
            #expect(try await engine.store.dueTimers(before: try await engine.now(), limit: 1000).count == 200)
            let prepared = Date()

            var generator = SeededGenerator(seed: UInt64(Date().timeIntervalSince1970))
            var killedWhileBusy = 0
            for _ in 1...20 {
                let daemon = KakariProcess(folder: w.folder, user: "admin").start(["daemon", "--poll", "0.1", "--lease", "2"])
                daemon.standardOutput = FileHandle.nullDevice
                daemon.standardError = FileHandle.nullDevice
                try daemon.run()
                let delay = Double.random(in: 0.3...2.5, using: &generator)
                try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                if try await !engine.store.pendingEvents(limit: 1).isEmpty { killedWhileBusy += 1 }
                kill(daemon.processIdentifier, SIGKILL)
                daemon.waitUntilExit()
                #expect(daemon.terminationReason == .uncaughtSignal)
            }
            let killed = Date()
            let once = try w.kakari(["daemon", "--once"], as: "admin")
            #expect(once.status == 0, "\(once.stderr)")
            let finished = Date()

            #expect(try await engine.store.events(status: .pending).isEmpty)
            let applied = try await engine.store.events(status: .applied)
            let rejected = try await engine.store.events(status: .rejected)
            let duplicate = try await engine.store.events(status: .duplicate)
            #expect(applied.count == 14_000)
            #expect(rejected.count == 6_200)
            #expect(duplicate.count == 200)
            #expect(applied.count + rejected.count + duplicate.count == 20_400)
            #expect(Set(applied.map(\.id)).count == applied.count)
            #expect(duplicate.allSatisfy { $0.reason == "key \($0.key ?? "") was already used" })
            let appliedByCase = Dictionary(grouping: applied, by: \.caseID)
            for id in busy {
                let history = try await engine.store.history(id)
                let events = history.filter { $0.kind == .decision }.dropFirst().map(\.event)
                #expect(events == ["assign", "visit", "visit", "visit", "visit", "triage", "counselling"], "\(id)")
                #expect(history.count == 8, "\(id)")
                #expect(appliedByCase[id]?.count == 7, "\(id)")
                #expect((appliedByCase[id] ?? []).map(\.key) == (0..<7).map { "\(id)-\($0)" }, "\(id): applied in file order")
                let s = try await engine.caseRecord(id).snapshot
                #expect(s.state == "payment_arranged", "\(id)")
                #expect(s.data["visits"] == .int(4), "\(id)")
            }
            for id in late {
                let history = try await engine.store.history(id)
                #expect(history.map(\.event) == ["start", "timer:deadline"], "\(id)")
                #expect(history.last?.at == ISO8601DateFormatter().date(from: "2026-03-23T00:00:00Z"))
                #expect(try await engine.caseRecord(id).snapshot.state == "contract_ended")
            }
            for e in rejected where e.caseID.hasPrefix("A") {
                #expect(e.reason == "case \(e.caseID) is finished (契約期間終了) and accepts no events")
            }
            let verify = try w.kakari(["verify"])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            #expect(verify.stdout.hasSuffix("2200 cases replayed, 0 mismatches\n"))
            print("CRASH-TEST: prepare \(prepared.timeIntervalSince(started)) s, 20 kills \(killed.timeIntervalSince(prepared)) s (\(killedWhileBusy) while events were pending), daemon --once \(finished.timeIntervalSince(killed)) s, checks \(Date().timeIntervalSince(finished)) s")
        }
        print("CRASH-TEST total: \(Date().timeIntervalSince(started)) s")
    }
}
