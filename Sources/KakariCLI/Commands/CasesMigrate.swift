import ArgumentParser
import Foundation
import KakariEngine

/// `OLD=NEW` pairs as a mapping of state names.
func stateMap(_ pairs: [String]) throws -> [String: String] {
    var out: [String: String] = [:]
    for pair in pairs {
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("--map '\(pair)' is not OLD_STATE=NEW_STATE")
        }
        out[parts[0]] = parts[1]
    }
    return out
}

extension Kakari.Cases {
    /// `kakari cases migrate --workflow W --to VERSION [--map OLD=NEW…] [--where EXPR] [--dry-run] --reason R`.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Move running cases to another version of their workflow (leads and admins).",
            discussion: """
            Each case leaves its state (open tasks withdrawn, timers cancelled) and enters the mapped \
            state of the new version, which creates its tasks and timers; the move is in its history. \
            500 cases per transaction. --dry-run lists, case by case, what would happen and which cases \
            cannot move and why; without it the command refuses (nothing moved) while any chosen case \
            cannot move.

            Example: kakari cases migrate --workflow household-visit --to 2 --map visit4=visit3 --where "children > 0" --dry-run --reason '第5回訪問の追加'
            """)
        @Option(help: "The workflow.") var workflow: String
        @Option(help: "The version to move to.") var to: Int
        @Option(help: ArgumentHelp("OLD_STATE=NEW_STATE, repeatable.", valueName: "OLD=NEW")) var map: [String] = []
        @Option(name: .customLong("where"), help: "Only cases whose data satisfies this expression.") var filter: String?
        @Flag(help: "Report without moving anything.") var dryRun = false
        @Option(help: "Why (recorded in each case's history).") var reason: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let mapping = try stateMap(map)
                let context = try await CommandContext.open(global)
                let items = try await context.engine.migrate(workflow: workflow, to: to, map: mapping, filter: filter,
                                                             dryRun: dryRun, reason: reason, by: context.user)
                if context.json {
                    Output.printJSON(items.map {
                        ["case": $0.caseID, "from_version": $0.fromVersion, "from": $0.fromState, "to": $0.toState ?? NSNull(),
                         "problem": $0.problem ?? NSNull(), "moved": !dryRun && $0.problem == nil] as [String: Any]
                    })
                    return
                }
                var table = TextTable(["CASE", "FROM", "TO", dryRun ? "WOULD" : "RESULT"])
                for i in items {
                    table.append([i.caseID, "\(workflow)@\(i.fromVersion) \(i.fromState)", i.toState.map { "\(workflow)@\(to) \($0)" } ?? "-",
                                  i.problem.map { "cannot move: \($0)" } ?? (dryRun ? "move" : "moved")])
                }
                if !items.isEmpty { print(table.rendered) }
                let stuck = items.filter { $0.problem != nil }.count
                print("\(items.count - stuck) case\(items.count - stuck == 1 ? "" : "s") \(dryRun ? "would move" : "moved")"
                      + (stuck > 0 ? ", \(stuck) cannot move" : ""))
            }
        }
    }
}
