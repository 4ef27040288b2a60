import ArgumentParser
import KakariDefinitions

extension Kakari {
    /// `kakari graph FILE`: the state diagram of one workflow.
    struct Graph: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "graph",
            abstract: "Draw the state diagram of one workflow (Mermaid or Graphviz DOT).",
            discussion: "Example: kakari graph Workflows/household-visit.yaml --format dot | dot -Tsvg > visit.svg"
        )

        @Argument(help: "The workflow file.")
        var file: String

        @Option(help: "mermaid (default) or dot.")
        var format: GraphRenderer.Format = .mermaid

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (bundle, name) = try await loadWorkflow(file)
            guard let definition = bundle.workflows[name] else { throw ExitCode(1) }
            let labels = Dictionary(bundle.staff.sections.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
            print(GraphRenderer(definition: definition, sectionLabels: labels).render(format), terminator: "")
        }
    }
}

extension GraphRenderer.Format: ExpressibleByArgument {}

import Foundation
