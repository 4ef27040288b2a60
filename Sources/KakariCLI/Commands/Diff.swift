import ArgumentParser
import Foundation
import KakariDefinitions

extension Kakari {
    /// `kakari diff OLD.yaml NEW.yaml`: what changed between two versions of a workflow.
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Show what changed between two versions of a workflow: states, transitions, guards, tasks, forms, fields, timers.",
            discussion: """
            Each file is loaded with the definition files of its own folder and of the other file's \
            folder (calendar, staff, tables). + added, - removed, ~ changed. Exit 0 whether or not \
            anything changed.

            Example: kakari diff Workflows/household-visit.yaml new/household-visit.yaml --json
            """
        )
        @Argument(help: "The old workflow file.") var old: String
        @Argument(help: "The new workflow file.") var new: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let folders = [old, new].map { ($0 as NSString).deletingLastPathComponent }
            let a = try await failing { try BundleLoader.loadWorkflow(file: old, context: [folders[0], folders[1]]).0 }
            let b = try await failing { try BundleLoader.loadWorkflow(file: new, context: [folders[1], folders[0]]).0 }
            let changes = WorkflowDiff.compare(a, b)
            if global.json {
                Output.printJSON(changes.map { ["change": $0.kind.rawValue, "element": $0.element, "path": $0.path, "detail": $0.detail] })
            } else if changes.isEmpty {
                print("no changes in workflow terms")
            } else {
                for change in changes { print(change.description) }
            }
        }
    }
}
