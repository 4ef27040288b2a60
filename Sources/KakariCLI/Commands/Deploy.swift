import ArgumentParser
import Foundation
import KakariEngine

extension Kakari {
    /// `kakari deploy PATH...`: stores checked definitions as one bundle.
    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deploy",
            abstract: "Validate and store definitions as one bundle, all or nothing.",
            discussion: """
            A changed workflow gets a new version; running cases keep theirs. Prints NAME@VERSION \
            per workflow. A new version that drops a state with running cases is refused (exit 1, \
            with the states and case counts) unless --map says where those cases go; they then \
            migrate to the new version (see docs/operations.md).

            Example: kakari deploy Workflows/
            """
        )

        @Argument(help: "Files or folders of definitions.")
        var paths: [String]

        @Option(help: ArgumentHelp("Where running cases of a state the new version drops go (OLD_STATE=NEW_STATE, repeatable); they migrate to the new version.", valueName: "OLD=NEW"))
        var map: [String] = []

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let mapping = try stateMap(map)
                let context = try await CommandContext.open(global)
                let deployed = try await context.engine.deploy(paths: paths, map: mapping, by: context.user)
                if context.json {
                    Output.printJSON(deployed.map { ["name": $0.name, "version": $0.version, "changed": $0.changed] as [String: Any] })
                } else {
                    for d in deployed { print("\(d.name)@\(d.version)\(d.changed ? "" : " (unchanged)")") }
                }
            }
        }
    }

    /// `kakari workflows`: deployed workflows and versions.
    struct Workflows: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "workflows", abstract: "List deployed workflows and their versions.",
                                                        discussion: "Example: kakari workflows --json")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global)
                let versions = try await context.engine.workflowVersions()
                if context.json {
                    Output.printJSON(versions.map {
                        ["name": $0.name, "version": $0.version, "hash": $0.hash, "deployed_at": context.output.iso($0.deployedAt),
                         "deployed_by": $0.deployedBy] as [String: Any]
                    })
                    return
                }
                var table = TextTable(["WORKFLOW", "VERSION", "DEPLOYED", "BY"])
                for v in versions { table.append([v.name, String(v.version), context.output.date(v.deployedAt), v.deployedBy]) }
                print(table.rendered)
            }
        }
    }
}
