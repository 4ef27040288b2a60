import ArgumentParser
import Foundation
import KakariDefinitions

extension Kakari {
    /// `kakari lint PATH...`: checks definition files and prints every problem.
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check workflow, staff, lookup and calendar files.",
            discussion: """
            A folder means every .yaml in it, checked together. Each problem is printed as \
            FILE:LINE:COLUMN: error: MESSAGE, followed by the line and a caret. Exit 1 if any.

            Example: kakari lint Workflows/
            """
        )

        @Argument(help: "Files or folders to check.")
        var paths: [String]

        @Option(help: ArgumentHelp("Further files or folders to check against, without reporting on them (default: the other files in each file's folder).", valueName: "PATH"))
        var context: [String] = []

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let result = BundleLoader.lint(paths: paths, context: context)
            if result.diagnostics.isEmpty {
                if !global.json { print("ok: \(paths.joined(separator: " "))") } else { print("[]") }
                return
            }
            if global.json {
                let items = result.diagnostics.map {
                    ["file": $0.file, "line": $0.line, "column": $0.column, "message": $0.message, "hint": $0.hint ?? ""] as [String: Any]
                }
                let data = try JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(result.rendered)
                FileHandle.standardError.write(Data("\(result.diagnostics.count) problem\(result.diagnostics.count == 1 ? "" : "s") found\n".utf8))
            }
            throw ExitCode(1)
        }
    }
}
