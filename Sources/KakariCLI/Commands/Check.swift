import ArgumentParser
import Foundation
import KakariAnalysis
import KakariDefinitions

extension Kakari {
    /// `kakari check WORKFLOW.yaml`: model checking of a workflow.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Prove that every case of a workflow ends somewhere (model checking).",
            discussion: """
            Explores every reachable configuration of the workflow (its states, the values its \
            conditions can tell apart, running timers, child results, every outcome of every task \
            form) and proves that every path can reach a final state, that no state waits for an \
            event nobody can send, that every form outcome is handled and that every final state \
            is reachable. The other files of the folder give the staff, tables, calendar and child \
            workflows; a folder checks each of its workflows. On a defect it prints the shortest \
            counterexample as commands to replay on a simulated store, and exits 1.

            Example: kakari check Workflows/household-visit.yaml
            """
        )

        @Argument(help: "The workflow file (or a folder: all its workflows).")
        var path: String

        @Option(help: ArgumentHelp("At most this many configurations per workflow.", valueName: "N"))
        var limit = 200_000

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            let bundle: DefinitionBundle
            let names: [String]
            if isFolder.boolValue {
                let errors = BundleLoader.lint(paths: [path])
                if !errors.diagnostics.isEmpty {
                    print(errors.rendered)
                    throw ExitCode(1)
                }
                bundle = try await failing { try BundleLoader.load(paths: [path]) }
                names = bundle.workflows.keys.sorted()
            } else {
                let (loaded, name) = try await loadWorkflow(path)
                bundle = loaded
                names = [name]
            }
            let folder = isFolder.boolValue ? path : (path as NSString).deletingLastPathComponent
            let checker = ModelChecker(workflows: bundle.workflows, calendar: bundle.calendar, start: ModelChecker.defaultStart, limit: limit)
            var failed = false
            var items: [[String: Any]] = []
            for (n, name) in names.enumerated() {
                let result = checker.check(name)
                failed = failed || !result.proven
                if global.json {
                    items.append([
                        "workflow": result.workflow, "proven": result.proven, "configurations": result.configurations,
                        "transitions": result.transitions,
                        "defects": result.defects.map { d in
                            ["kind": d.kind.rawValue, "state": d.state, "message": d.message,
                             "replay": d.steps.flatMap(\.commandLines)] as [String: Any]
                        },
                    ])
                } else {
                    print((n == 0 ? "" : "\n") + result.rendered(folder: folder.isEmpty ? "." : folder), terminator: "")
                }
            }
            if global.json { Output.printJSON(isFolder.boolValue ? items as Any : items[0] as Any) }
            if failed { throw ExitCode(1) }
        }
    }
}
