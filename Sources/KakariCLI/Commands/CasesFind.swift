import ArgumentParser
import Foundation
import KakariEngine

extension Kakari.Cases {
    /// `kakari cases find --name NAME [--address ADDRESS]`: the duty desk's check.
    struct Find: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "find",
            abstract: "Confirm that a named household is on the survey list (name and address only).",
            discussion: """
            For the duty desk (防災宿直) answering a resident who calls to check a visit is genuine. \
            Spaces and full-width characters do not matter; --address matches any part of the address. \
            Answers yes (with the name and address) or no; each lookup is audited.

            Example: kakari cases find --name '練馬　太郎' --address 練馬1丁目
            """
        )
        @Option(help: "The householder's name.") var name: String
        @Option(help: "Part of the address.") var address: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global)
                let found = try await context.engine.findHousehold(name: name, address: address, by: context.user)
                if context.json {
                    Output.printJSON(["found": !found.isEmpty, "households": found.map { ["name": $0.name, "address": $0.address] }])
                    return
                }
                guard !found.isEmpty else {
                    print("no: no household of that name\(address == nil ? "" : " and address") is on the survey list")
                    return
                }
                print("yes: on the survey list")
                for h in found { print("  \(h.name)  \(h.address)") }
            }
        }
    }
}
