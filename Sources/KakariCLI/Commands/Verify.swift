import ArgumentParser
import KakariEngine

extension Kakari {
    /// `kakari verify`: replays every case.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Replay every case's history and check it reproduces the stored state, and check the audit chain; exit 1 on any mismatch.",
            discussion: "Example: kakari verify"
        )
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global)
                let (checked, mismatches) = try await context.engine.verify()
                let audit = try await context.engine.verifyAudit()
                if context.json {
                    Output.printJSON(["checked": checked, "mismatches": mismatches.map { ["case": $0.caseID, "problem": $0.problem] },
                                      "audit": ["checked": audit.checked, "broken": breakJSON(audit.broken)] as [String: Any]])
                } else {
                    for m in mismatches { print(m.description) }
                    if let broken = audit.broken { print(broken.description) }
                    print(auditSummary(checked: audit.checked, broken: audit.broken))
                    print("\(checked) cases replayed, \(mismatches.count) mismatch\(mismatches.count == 1 ? "" : "es")")
                }
                if !mismatches.isEmpty || audit.broken != nil { throw ExitCode(1) }
            }
        }
    }
}
