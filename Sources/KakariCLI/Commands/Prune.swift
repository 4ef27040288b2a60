import ArgumentParser
import Foundation
import KakariCore
import KakariEngine

extension Kakari {
    /// `kakari prune --finished-before DATE`: history retention.
    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract: "Delete the histories of cases finished before a date, in bulk, keeping their counts (leads and admins).",
            discussion: """
            Finished cases last changed before DATE (the start of that day, ward time) are deleted with \
            their history, tasks and timers in one transaction; how many, by workflow, version and result, \
            is kept (see --summary). Refused, deleting nothing, while one of them still has an open task, \
            a running timer or an unfinished child.

            Example: kakari prune --finished-before 2010-04-01
            """)
        @Option(help: ArgumentHelp("Prune cases finished before this day.", valueName: "YYYY-MM-DD")) var finishedBefore: String?
        @Flag(help: "Show the counts kept by earlier prunes instead.") var summary = false
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if finishedBefore == nil && !summary { throw ValidationError("give --finished-before DATE or --summary") }
        }

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global)
                if summary {
                    let rows = try await context.engine.store.pruneSummary()
                    if context.json {
                        Output.printJSON(rows.map {
                            ["pruned_at": context.output.iso($0.prunedAt), "by": $0.by, "finished_before": context.output.iso($0.finishedBefore),
                             "workflow": $0.workflow, "version": $0.version, "result": $0.result, "cases": $0.cases] as [String: Any]
                        })
                        return
                    }
                    var table = TextTable(["PRUNED", "BY", "FINISHED BEFORE", "WORKFLOW", "RESULT", "CASES"])
                    for r in rows {
                        table.append([context.output.date(r.prunedAt), r.by, context.output.date(r.finishedBefore),
                                      "\(r.workflow)@\(r.version)", r.result, String(r.cases)])
                    }
                    print(table.rendered)
                    return
                }
                guard case .success(.date(let day)) = FieldType.date.parse(finishedBefore!) else {
                    throw ValidationError("--finished-before '\(finishedBefore!)' is not a date (YYYY-MM-DD)")
                }
                let started = Date()
                let r = try await context.engine.prune(finishedBefore: day, by: context.user)
                if context.json {
                    Output.printJSON(["cases": r.cases, "history_entries": r.historyEntries, "tasks": r.tasks])
                } else {
                    print("pruned \(r.cases) finished cases (\(r.historyEntries) history entries, \(r.tasks) tasks) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
                }
            }
        }
    }
}
