import Foundation
import KakariAnalysis
import KakariDefinitions
import KakariTesting
import Testing

@Suite("kakari simulate: Monte Carlo over the pure core")
struct SimulatorTests {
    static func simulator(profile text: String? = nil, cases: Int) throws -> Simulator {
        let bundle = try BundleLoader.load(paths: [Repository.workflows])
        let path = Repository.examples + "/demo.yaml"
        let yaml = try text ?? String(contentsOfFile: path, encoding: .utf8)
        let sections = Dictionary(bundle.staff.users.map { ($0.id, $0.section) }, uniquingKeysWith: { a, _ in a })
        let profile = try SimulationProfile(yaml: yaml, path: path, sections: sections)
        return Simulator(workflows: bundle.workflows, calendar: bundle.calendar, profile: profile, workflow: "household-visit", cases: cases)
    }

    @Test("the same seed gives the same runs; another seed gives others")
    func deterministic() throws {
        let simulator = try Self.simulator(cases: 150)
        let a = simulator.simulate(runs: 3, seed: 7)
        let b = simulator.simulate(runs: 3, seed: 7)
        let c = simulator.simulate(runs: 3, seed: 8)
        #expect(a.runs == b.runs)
        #expect(a.runs != c.runs)
        #expect(a.weeklyCSV == b.weeklyCSV)
    }

    @Test("every household ends in a final state or is counted unfinished, and work lands on the sections")
    func accounting() throws {
        let summary = try Self.simulator(cases: 200).simulate(runs: 2, seed: 11)
        for run in summary.runs {
            #expect(run.finals.values.reduce(run.unfinished, +) == 200)
            #expect(run.refused == 0, "the demo profile only gives outcomes the workflow takes")
            #expect((run.weekly["survey_contractor"]?.first ?? 0) >= 200, "every household gets its first visit task in week 1")
            #expect(run.weekly["kokuho_shikaku"]?.reduce(0, +) ?? 0 > 0)
            #expect(run.peakBacklog >= 200)
        }
        #expect(summary.finals.map(\.state).contains("payment_arranged"))
        #expect(summary.weeklyCSV.hasPrefix("section,week,p10,p50,p90\n"))
    }

    @Test("with no investigators every household runs into the contract's end")
    func capacityMatters() throws {
        let profile = """
        demo:
          start: 2026-06-01T09:00:00+09:00
          days: 122
          seed: 1
          staff_per_day: {kokuho_shikaku: 100}
          start_events: [assign]
        """
        let summary = try Self.simulator(profile: profile, cases: 50).simulate(runs: 2, seed: 3)
        let ended = try #require(summary.finals.first { $0.state == "contract_ended" })
        #expect(ended.spread.p10 == 50 && ended.spread.p90 == 50)
        #expect(summary.unfinishedByDeadline.p50 == 0)
        #expect(summary.daysToFinish.p50 >= 120 && summary.daysToFinish.p50 <= 124)
    }

    @Test("a profile without demo: is refused with one sentence")
    func badProfile() throws {
        #expect(throws: SimulationError.self) { try Self.simulator(profile: "other: 1\n", cases: 1) }
    }
}
