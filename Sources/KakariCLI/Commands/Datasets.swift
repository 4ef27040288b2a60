import ArgumentParser
import Foundation
import KakariEngine

extension Kakari {
    /// `kakari datasets`: what each dataset is for and until when.
    struct Datasets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "datasets",
            abstract: "List the datasets: purpose, end date, and whether they are in use, ended or purged.",
            discussion: "Example: kakari datasets --json")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global)
                try await context.engine.requireSupervisor(context.user, to: "list datasets")
                let ended = try await context.engine.endedDatasets()
                let rows = try await context.engine.datasets()
                func status(_ d: DatasetRecord) -> String { d.purgedAt != nil ? "purged" : ended[d.name] != nil ? "ended" : "in use" }
                if context.json {
                    Output.printJSON(rows.map {
                        ["dataset": $0.name, "purpose": $0.purpose, "until": $0.until, "status": status($0), "created_by": $0.createdBy,
                         "created_at": context.output.iso($0.createdAt), "purged_at": context.output.iso($0.purgedAt)] as [String: Any]
                    })
                    return
                }
                var table = TextTable(["DATASET", "PURPOSE", "UNTIL", "STATUS"])
                for d in rows { table.append([d.name, d.purpose, d.until, status(d)]) }
                print(table.rendered)
                if !ended.isEmpty {
                    print("\nended and not yet purged: \(ended.keys.sorted().joined(separator: ", ")); erase with 'kakari purge --dataset NAME'")
                }
            }
        }
    }
}
