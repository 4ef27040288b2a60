import ArgumentParser
import Foundation
import KakariEngine

extension Kakari {
    /// `kakari replay --against NEW.yaml`: a regression test of a procedure change on real histories.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Replay the recorded histories of the current version through a new definition and report where they diverge.",
            discussion: """
            Every case on the latest deployed version of the workflow is replayed, event by event, \
            through the new file's definition; the first entry where it goes another way is reported \
            (case, history entry, what was recorded, what the new definition gives). Writes nothing. \
            Exit 0 when nothing diverges, 1 otherwise.

            Example: kakari replay --against new/household-visit.yaml --workflow household-visit
            """)
        @Option(help: "The new workflow file.") var against: String
        @Option(help: "The workflow (checked against the file).") var workflow: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global)
                let (checked, divergences) = try await context.engine.replay(against: against, workflow: workflow)
                if context.json {
                    Output.printJSON(["checked": checked, "divergences": divergences.map {
                        ["case": $0.caseID, "seq": $0.seq, "event": $0.event, "expected": $0.expected, "got": $0.got] as [String: Any]
                    }] as [String: Any])
                } else {
                    if !divergences.isEmpty {
                        var table = TextTable(["CASE", "SEQ", "EVENT", "RECORDED", "NEW DEFINITION"])
                        for d in divergences { table.append([d.caseID, String(d.seq), d.event, d.expected, d.got]) }
                        print(table.rendered)
                    }
                    print("\(checked) histories replayed, \(divergences.count) diverge")
                }
                if !divergences.isEmpty { throw ExitCode(1) }
            }
        }
    }
}
