import ArgumentParser
import Foundation
import KakariEngine
import KakariStore

extension Kakari {
    /// `kakari events import|rejected`.
    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "events", abstract: "Queue events from other systems; list the rejected ones.",
                                                        subcommands: [Import.self, Rejected.self])

        /// `kakari events import FILE.csv`.
        struct Import: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "import",
                abstract: "Queue a batch of events (columns case, event, key, then fields), all or nothing.",
                discussion: "The daemon applies each exactly once, in file order per case.\n\nExample: kakari events import registry-results.csv"
            )
            @Argument(help: "The CSV file.") var file: String
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    let n = try await context.engine.importEvents(file: file, by: context.user)
                    if context.json { Output.printJSON(["queued": n]) } else { print("queued \(n) events for the daemon") }
                }
            }
        }

        /// `kakari events rejected`.
        struct Rejected: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "rejected", abstract: "Queued events the daemon could not apply, with the reason.",
                                                            discussion: "Example: kakari events rejected --json")
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    let events = try await context.engine.store.events(status: .rejected) + context.engine.store.events(status: .duplicate)
                    let out = context.output
                    if context.json {
                        Output.printJSON(events.sorted { $0.id < $1.id }.map {
                            ["id": $0.id, "case": $0.caseID, "event": $0.event, "key": $0.key ?? NSNull(), "reason": $0.reason ?? "",
                             "status": $0.status.rawValue, "source": $0.source, "at": out.iso($0.resolvedAt)] as [String: Any]
                        })
                        return
                    }
                    var table = TextTable(["ID", "CASE", "EVENT", "KEY", "SOURCE", "REASON"])
                    for e in events.sorted(by: { $0.id < $1.id }) { table.append([String(e.id), e.caseID, e.event, e.key ?? "", e.source, e.reason ?? ""]) }
                    print(table.rendered)
                }
            }
        }
    }
}
