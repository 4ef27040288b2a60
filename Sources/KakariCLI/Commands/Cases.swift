import ArgumentParser
import Foundation
import KakariCore
import KakariEngine
import KakariStore

extension Kakari {
    /// `kakari cases …`: import, start, list and show cases.
    struct Cases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cases",
            abstract: "Import, start, list and show cases.",
            subcommands: [Import.self, Start.self, List.self, Show.self, Find.self, Suspend.self, Resume.self, Move.self, Cancel.self, Migrate.self]
        )

        /// `kakari cases import WORKFLOW FILE.csv`.
        struct Import: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "import",
                abstract: "Start one case per CSV row, all or nothing.",
                discussion: """
                UTF-8 (with or without BOM) or Shift_JIS/CP932. Headers name fields by name or label; \
                an 'id' column or the workflow's id field gives each case its id. Errors name the row and column.

                With --dataset, the personal (pii) fields are encrypted with the dataset's own key, \
                kept in the key folder (--keys, KAKARI_KEYS, or STORE.keys beside a SQLite file), never \
                in the store; a new dataset needs --purpose and --until, the last day its personal data \
                may be used. After that day they are withheld; 'kakari purge --dataset NAME' erases them.

                Example: kakari cases import household-visit Examples/households.csv --dataset survey-2026 \
                --purpose "国保実態調査 2026" --until 2027-03-31
                """
            )
            @Argument(help: "The workflow.") var workflow: String
            @Argument(help: "The CSV file.") var file: String
            @Option(help: "The dataset the rows belong to: their personal fields are sealed with its key.") var dataset: String?
            @Option(help: ArgumentHelp("What a new dataset's personal data is for.", valueName: "TEXT")) var purpose: String?
            @Option(help: ArgumentHelp("The last day a new dataset's personal data may be used.", valueName: "YYYY-MM-DD")) var until: String?
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await failing {
                    var day: Day?
                    if let until {
                        guard let d = Day(iso: until) else { throw EngineError(.usage, "--until takes a date as YYYY-MM-DD, not '\(until)'") }
                        day = d
                    }
                    if dataset == nil, purpose != nil || until != nil {
                        throw EngineError(.usage, "--purpose and --until belong to a dataset; give its name with --dataset")
                    }
                    let context = try await CommandContext.open(global)
                    let started = Date()
                    let n = try await context.engine.importCases(workflow: workflow, file: file, dataset: dataset, purpose: purpose,
                                                                 until: day, by: context.user)
                    if dataset == nil, !context.json {
                        report("no --dataset: the personal fields of these cases are stored unencrypted")
                    }
                    if context.json { Output.printJSON(["imported": n, "workflow": workflow]) } else {
                        print("imported \(n) cases of \(workflow) in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
                    }
                }
            }
        }

        /// `kakari cases start WORKFLOW ID [FIELD=VALUE...]`.
        struct Start: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "start",
                abstract: "Start one case.",
                discussion: "Example: kakari cases start household-visit H000001 name='練馬　太郎' address=練馬区練馬1-1-1 town=練馬"
            )
            @Argument(help: "The workflow.") var workflow: String
            @Argument(help: "The new case's id.") var id: String
            @Argument(help: "FIELD=VALUE pairs.") var fields: [String] = []
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await failing {
                    let values = try assignments(fields)
                    let context = try await CommandContext.open(global)
                    let snapshot = try await context.engine.startCase(workflow: workflow, id: id, fields: values, by: context.user)
                    if context.json {
                        Output.printJSON(["id": snapshot.id, "workflow": snapshot.workflow, "version": snapshot.version, "state": snapshot.state])
                    } else {
                        print("\(snapshot.id): \(snapshot.workflow)@\(snapshot.version) \(snapshot.state)")
                    }
                }
            }
        }

        /// `kakari cases list`.
        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List cases.",
                                                            discussion: "Example: kakari cases list --workflow household-visit --state absent --json")
            @Option(help: "Only this workflow.") var workflow: String?
            @Option(help: "Only cases in this state.") var state: String?
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    var stateName = state
                    if let state, let bundle = try await context.engine.currentBundle() {
                        let definitions = bundle.workflows.values.filter { workflow == nil || $0.name == workflow }
                        let names = Set(definitions.flatMap { $0.states.map(\.name) })
                        if !names.contains(state) {
                            guard let byLabel = definitions.flatMap(\.states).first(where: { $0.label == state })?.name else {
                                throw EngineError(.refused, "there is no state '\(state)'\(NameSuggestion.hint(for: state, in: names).map { "; \($0)" } ?? "")")
                            }
                            stateName = byLabel
                        }
                    }
                    let cases = try await context.engine.visibleCases(CaseFilter(workflow: workflow, state: stateName), by: context.user)
                    if context.json {
                        Output.printJSON(cases.map {
                            ["id": $0.snapshot.id, "workflow": $0.snapshot.workflow, "version": $0.snapshot.version,
                             "state": $0.snapshot.state, "updated_at": context.output.iso($0.updatedAt)] as [String: Any]
                        })
                        return
                    }
                    let bundle = try await context.engine.currentBundle()
                    var table = TextTable(["ID", "WORKFLOW", "STATE", "UPDATED"])
                    for c in cases {
                        let label = bundle?.workflows[c.snapshot.workflow]?.state(c.snapshot.state)?.label ?? c.snapshot.state
                        table.append([c.snapshot.id, "\(c.snapshot.workflow)@\(c.snapshot.version)", label, context.output.date(c.updatedAt)])
                    }
                    print(table.rendered)
                }
            }
        }
    }
}
