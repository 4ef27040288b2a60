import ArgumentParser
import Foundation
import KakariEngine

extension Kakari {
    /// `kakari send ID EVENT [FIELD=VALUE...] [--key KEY]`.
    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send",
            abstract: "Deliver an event to a case now.",
            discussion: """
            With --key, delivery is idempotent: a repeated key returns the first outcome with applied: false.

            Example: kakari send H000001 withdraw reason=転出 --key ward-2009-0001
            """
        )
        @Argument(help: "The case id.") var id: String
        @Argument(help: "The event.") var event: String
        @Argument(help: "FIELD=VALUE pairs.") var fields: [String] = []
        @Option(help: ArgumentHelp("An idempotency key.", valueName: "IDEMPOTENCY_KEY")) var key: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let values = try assignments(fields)
                let context = try await CommandContext.open(global)
                let o = try await context.engine.send(caseID: id, event: event, fields: values, key: key, by: context.user)
                if context.json {
                    Output.printJSON(o)
                } else {
                    print("\(o.caseID): \(o.from) → \(o.to)\(o.applied ? "" : " (already applied with this key)")")
                }
            }
        }
    }
}
