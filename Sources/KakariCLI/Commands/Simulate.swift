import ArgumentParser
import Foundation
import KakariAnalysis
import KakariDefinitions

extension Kakari {
    /// `kakari simulate WORKFLOW --cases N --profile FILE`: Monte Carlo rehearsal.
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "simulate",
            abstract: "Rehearse a workflow many times over (Monte Carlo), without a store.",
            discussion: """
            Runs the workflow's cases through the pure core with a simulated clock, the profile \
            giving the shares of each task's outcomes, working hours and each section's capacity \
            (the demo: mapping of Examples/demo.yaml). Prints, as p10/p50/p90 over the runs: the \
            cases ending in each final state, tasks per section per week, the peak backlog, the \
            days a case takes, and the share not finished when the profile's days have passed. \
            The same --seed gives the same figures.

            Example: kakari simulate Workflows/household-visit.yaml --cases 1000 --profile Examples/demo.yaml --runs 20
            """
        )

        @Argument(help: "The workflow file (its folder gives the staff, tables, calendar and child workflows).")
        var file: String
        @Option(help: ArgumentHelp("Cases per run.", valueName: "N")) var cases: Int
        @Option(help: ArgumentHelp("The behaviour profile.", valueName: "FILE.yaml")) var profile: String
        @Option(help: ArgumentHelp("How many runs.", valueName: "R")) var runs = 10
        @Option(help: ArgumentHelp("The random seed (default: the profile's).", valueName: "S")) var seed: UInt64?
        @Flag(help: "Print the weekly table as CSV (section,week,p10,p50,p90).") var csv = false
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard (1...1_000_000).contains(cases) else { throw ValidationError("--cases must be from 1 to 1000000") }
            guard (1...10_000).contains(runs) else { throw ValidationError("--runs must be from 1 to 10000") }
        }

        func run() async throws {
            let (bundle, name) = try await loadWorkflow(file)
            let summary = try await failing { () throws -> SimulationSummary in
                guard let text = try? String(contentsOfFile: profile, encoding: .utf8) else {
                    throw SimulationError("cannot read the profile \(profile)")
                }
                let sections = Dictionary(bundle.staff.users.map { ($0.id, $0.section) }, uniquingKeysWith: { a, _ in a })
                let p = try SimulationProfile(yaml: text, path: profile, sections: sections)
                let simulator = Simulator(workflows: bundle.workflows, calendar: bundle.calendar, profile: p, workflow: name, cases: cases)
                return simulator.simulate(runs: runs, seed: seed ?? p.seed)
            }
            if csv {
                print(summary.weeklyCSV, terminator: "")
                return
            }
            let labels = Dictionary(bundle.staff.sections.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
            if global.json {
                func spread(_ s: SimulationSummary.Spread) -> [String: Double] { ["p10": s.p10, "p50": s.p50, "p90": s.p90] }
                Output.printJSON([
                    "workflow": name, "cases": cases, "runs": runs,
                    "finals": summary.finals.map { ["state": $0.state, "label": $0.label] .merging(spread($0.spread).mapValues { $0 as Any }) { a, _ in a } },
                    "weekly": summary.weekly.map { ["section": $0.section, "weeks": $0.weeks.map(spread)] as [String: Any] },
                    "peak_backlog": spread(summary.peakBacklog), "days_to_finish": spread(summary.daysToFinish),
                    "unfinished_by_deadline": spread(summary.unfinishedByDeadline),
                ] as [String: Any])
                return
            }
            print("simulate: \(name), \(cases) cases × \(runs) runs (p10 / p50 / p90 over the runs)\n")
            var finals = TextTable(["FINAL STATE", "", "P10", "P50", "P90"])
            for f in summary.finals { finals.append([f.state, f.label, int(f.spread.p10), int(f.spread.p50), int(f.spread.p90)]) }
            print(finals.rendered)
            let weeks = summary.weekly.map(\.weeks.count).max() ?? 0
            print("\nTasks per section per week (p50; --csv for p10/p50/p90):")
            var weekly = TextTable(["SECTION"] + (0..<weeks).map { "W\($0 + 1)" })
            for (section, spreads) in summary.weekly {
                weekly.append([labels[section] ?? section] + (0..<weeks).map { $0 < spreads.count ? int(spreads[$0].p50) : "0" })
            }
            print(weekly.rendered)
            var other = TextTable(["MEASURE", "P10", "P50", "P90"])
            other.append(["peak backlog (open tasks)", int(summary.peakBacklog.p10), int(summary.peakBacklog.p50), int(summary.peakBacklog.p90)])
            other.append(["days to finish (median case)", one(summary.daysToFinish.p10), one(summary.daysToFinish.p50), one(summary.daysToFinish.p90)])
            let u = summary.unfinishedByDeadline
            other.append(["not finished by the deadline", percent(u.p10), percent(u.p50), percent(u.p90)])
            print("")
            print(other.rendered)
        }

        private func int(_ v: Double) -> String { String(Int(v.rounded())) }
        private func one(_ v: Double) -> String { String(format: "%.1f", v) }
        private func percent(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }
    }
}
