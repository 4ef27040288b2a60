import ArgumentParser
import Foundation
import KakariEngine
import KakariStore

extension Kakari {
    /// `kakari audit …`: the chained audit log.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Show and verify the audit log of writes, refusals and readings of personal data.",
            subcommands: [Show.self, Verify.self]
        )

        /// `kakari audit show [--case ID] [--user U]`.
        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show",
                abstract: "List audit entries, oldest first (leads and admins).",
                discussion: "Example: kakari audit show --case H000001 --json"
            )
            @Option(name: .customLong("case"), help: "Only entries about this case.") var caseID: String?
            @Option(help: "Only entries by this user.") var user: String?
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    let entries = try await context.engine.audit(AuditFilter(caseID: caseID, user: user), by: context.user)
                    let out = context.output
                    if context.json {
                        Output.printJSON(entries.map {
                            ["seq": $0.seq, "at": out.iso($0.at), "user": $0.user, "command": $0.command, "action": $0.action.rawValue,
                             "case": $0.caseID ?? NSNull(), "fields": $0.fields, "detail": $0.detail, "hash": $0.hash] as [String: Any]
                        })
                        return
                    }
                    var table = TextTable(["SEQ", "AT", "USER", "COMMAND", "ACTION", "CASE", "FIELDS", "DETAIL"])
                    for e in entries {
                        table.append([String(e.seq), out.date(e.at), e.user, e.command, e.action.rawValue, e.caseID ?? "",
                                      e.fields.joined(separator: ","), e.detail])
                    }
                    print(table.rendered)
                }
            }
        }

        /// `kakari audit verify`.
        struct Verify: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "verify",
                abstract: "Check the audit chain; exit 1 and the first broken entry if any entry was edited, removed or reordered.",
                discussion: "Example: kakari audit verify"
            )
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    let (checked, broken) = try await context.engine.verifyAudit()
                    if context.json {
                        let head = try await context.engine.store.setting(AuditChain.headSetting)
                        Output.printJSON(["checked": checked, "head": head.map { $0 as Any } ?? NSNull(), "broken": breakJSON(broken)])
                    } else {
                        if let broken { print(broken.description) }
                        print(auditSummary(checked: checked, broken: broken))
                    }
                    if broken != nil { throw ExitCode(1) }
                }
            }
        }
    }
}

/// The first broken audit entry as JSON (`seq`, `problem`), or null.
func breakJSON(_ broken: AuditChain.Break?) -> Any {
    guard let broken else { return NSNull() }
    return ["seq": broken.seq, "problem": broken.problem] as [String: Any]
}

/// The line `audit verify` and `verify` end the chain's check with.
func auditSummary(checked: Int, broken: AuditChain.Break?) -> String {
    "\(checked) audit entries checked, chain \(broken == nil ? "intact" : "broken")"
}
