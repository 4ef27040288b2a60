import ArgumentParser
import Foundation
import KakariAnalysis
import KakariEngine
import KakariStore

extension Kakari {
    /// `kakari report [--html FILE]`: where the cases stand.
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Where the cases stand: a terminal summary, or a self-contained HTML page.",
            discussion: """
            Without --html, prints the cases in each state, the open and overdue tasks per \
            section and the cases waiting longest. With --html FILE, writes one printable page \
            that needs no network: each workflow's diagram coloured by its number of cases, the \
            funnel of states reached, cases entering and leaving each state per week, the tasks \
            per section and the oldest waiting cases.

            Example: kakari report --html status.html
            """
        )
        @Option(help: ArgumentHelp("Write the HTML page here.", valueName: "FILE")) var html: String?
        @Option(help: ArgumentHelp("How many of the oldest waiting cases to list.", valueName: "N")) var oldest = 20
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global)
                let engine = context.engine
                guard let bundle = try await engine.currentBundle() else { throw EngineError(.refused, "nothing is deployed; run kakari deploy first") }
                let now = try await engine.now()
                var cases: [StatusReport.CaseInfo] = []
                for record in try await engine.store.cases(CaseFilter()) {
                    let s = record.snapshot
                    let moves = try await engine.store.history(s.id).filter { $0.kind == .decision && $0.event != "start" || $0.seq == 1 }
                        .map { (at: $0.at, from: $0.seq == 1 ? nil : $0.from, to: $0.to) }
                    cases.append(.init(id: s.id, workflow: s.workflow, state: s.state, finished: s.finished, enteredAt: s.enteredAt, moves: moves))
                }
                let tasks = try await engine.store.tasks(TaskFilter()).map { StatusReport.TaskInfo(section: $0.section, open: $0.isOpen, due: $0.due) }
                let labels = Dictionary(bundle.staff.sections.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
                let report = StatusReport(definitions: Array(bundle.workflows.values), sectionLabels: labels, cases: cases, tasks: tasks,
                                          now: now, calendar: bundle.calendar, oldestCount: oldest)
                if let html {
                    let title = "案件の状況 (Kakari: where the cases stand)"
                    do {
                        try HTML.page(report, title: title).write(toFile: html, atomically: true, encoding: .utf8)
                    } catch {
                        throw EngineError(.refused, "cannot write \(html): \(error.localizedDescription)")
                    }
                    print("wrote \(html)")
                    return
                }
                print("Where the cases stand on \(context.output.date(now)):")
                for part in report.workflows {
                    print("\n\(part.definition.label) (\(part.definition.name)), \(part.total) cases")
                    var table = TextTable(["STATE", "", "NOW", "REACHED"])
                    for s in part.definition.states where part.entered[s.name] != nil || part.current[s.name] != nil {
                        table.append([s.name, s.label, String(part.current[s.name] ?? 0), String(part.entered[s.name] ?? 0)])
                    }
                    print(table.rendered)
                }
                print("\nTasks per section:")
                var sections = TextTable(["SECTION", "OPEN", "OVERDUE"])
                for s in report.sections { sections.append([s.label, String(s.open), String(s.overdue)]) }
                print(sections.rendered)
                print("\nOldest waiting cases:")
                var waiting = TextTable(["CASE", "WORKFLOW", "STATE", "SINCE", "DAYS"])
                for c in report.oldest {
                    waiting.append([c.id, c.workflow, c.label, context.output.date(c.since), String(Int(now.timeIntervalSince(c.since) / 86_400))])
                }
                print(waiting.rendered)
            }
        }
    }
}
