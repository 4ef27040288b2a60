import ArgumentParser
import KakariDefinitions

extension Kakari {
    /// `kakari schema`: the JSON Schema of the definition format.
    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",
            abstract: "Print the JSON Schema of the workflow format, for editors.",
            discussion: "Example: kakari schema > .vscode/kakari.schema.json"
        )

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            print(WorkflowSchema.json)
        }
    }
}
