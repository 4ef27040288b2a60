import ArgumentParser
import Foundation
import KakariCore
import KakariEngine
import KakariStore

extension Kakari {
    /// `kakari demo`: the quickstart.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Rehearse the household survey: a fresh simulated store, four months of visits, then a summary.",
            discussion: """
            Makes a fresh simulated store (--store, default kakari-demo.sqlite), deploys the ward's \
            workflows, imports the example households, simulates the investigators, staff and the \
            registry division as Examples/demo.yaml describes, and prints where the households ended.

            Example: kakari demo --store /tmp/rehearsal.sqlite
            """
        )
        @Option(help: ArgumentHelp("The definitions to deploy.", valueName: "FOLDER")) var workflows = "Workflows"
        @Option(help: ArgumentHelp("The simulated behaviour.", valueName: "FILE")) var profile = "Examples/demo.yaml"
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let started = Date()
                let path = global.store ?? "kakari-demo.sqlite"
                let location = StoreLocation(path)
                let profile = try DemoProfile(path: self.profile)
                let store = try await location.openRehearsal(start: profile.start, purpose: "the demo")
                let engine = Engine(store: SealedStore(base: store, keys: location.keyFolder(global.keys)))
                let lead = "yamada"
                let deployed = try await engine.deploy(paths: [workflows], by: lead)
                report("deployed \(deployed.map { "\($0.name)@\($0.version)" }.joined(separator: ", "))", prefix: false)
                // The households' personal fields are sealed with the demo's own key, as a ward's would be.
                let start = Day(profile.start, in: TimeZone(identifier: "Asia/Tokyo")!)
                let imported = try await engine.importCases(workflow: "household-visit", file: profile.households, dataset: "demo",
                                                            purpose: "kakari demo: a rehearsal of the household survey",
                                                            until: Day(year: start.year + 1, month: start.month, day: 1), by: lead)
                report("imported \(imported) households from \(profile.households)", prefix: false)
                var simulation = DemoSimulation(engine: engine, profile: profile)
                let bar = ProgressBar(title: "simulating \(profile.days) days")
                let transitions = try await simulation.run { day, days in bar.update(day, of: days) }
                bar.finish()
                let summary = try await DemoSummary.read(engine)
                let elapsed = Date().timeIntervalSince(started)
                if global.json {
                    Output.printJSON([
                        "store": path, "households": imported, "transitions": transitions, "seconds": elapsed,
                        "states": summary.counts.map { ["workflow": $0.workflow, "state": $0.state, "label": $0.label, "finished": $0.finished, "cases": $0.cases] as [String: Any] },
                        "sections": summary.sections.map { ["section": $0.section, "label": $0.label, "created": $0.created, "done": $0.done, "open": $0.open, "overdue": $0.overdue] as [String: Any] },
                    ] as [String: Any])
                    return
                }
                let output = Output(timeZone: TimeZone(identifier: "Asia/Tokyo")!)
                print("\nWhere the cases stand on \(output.date(summary.now)):")
                var states = TextTable(["WORKFLOW", "STATE", "", "CASES"])
                for c in summary.counts { states.append([c.workflow, c.label, c.finished ? "final" : "open", String(c.cases)]) }
                print(states.rendered)
                print("\nTasks per section:")
                var sections = TextTable(["SECTION", "CREATED", "DONE", "OPEN", "OVERDUE"])
                for s in summary.sections { sections.append([s.label, String(s.created), String(s.done), String(s.open), String(s.overdue)]) }
                print(sections.rendered)
                print("\n\(transitions) transitions in \(String(format: "%.1f", elapsed)) s; the store is \(path): try")
                print("  kakari cases list --store \(path) --state registry_check --as yamada")
                print("  kakari tasks list --store \(path) --section kokuho_seiri --as suzuki")
            }
        }
    }
}

/// A progress bar on stderr, redrawn in place.
final class ProgressBar {
    let title: String
    private var last = -1

    init(title: String) { self.title = title }

    /// Redraws on a terminal; elsewhere (a log, a pipe) writes a line per quarter.
    private let terminal = isatty(2) == 1

    func update(_ done: Int, of total: Int) {
        let percent = total == 0 ? 100 : done * 100 / total
        guard percent != last else { return }
        if !terminal {
            if percent / 25 != last / 25 || last < 0 { FileHandle.standardError.write(Data("\(title): \(percent)%\n".utf8)) }
            last = percent
            return
        }
        last = percent
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(title) \(bar) \(percent)%".utf8))
    }

    func finish() { if terminal { FileHandle.standardError.write(Data("\n".utf8)) } }
}
