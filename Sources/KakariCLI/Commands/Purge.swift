import ArgumentParser
import Foundation
import KakariEngine

extension Kakari {
    /// `kakari purge --dataset NAME`: erasure at the end of a dataset's purpose.
    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "purge",
            abstract: "Erase a dataset's personal data for good and write an erasure certificate (leads and admins).",
            discussion: """
            Overwrites every sealed personal value of the dataset in the store (cases, history, task \
            titles, queued events) in one transaction, compacts the store so the old values leave its \
            files, and destroys the dataset's key file. States, dates, counts and the other fields stay, \
            so statistics, 'cases list' and 'verify' still work. The certificate (what, how many \
            records, when, by whom, and the audit entry that records it, with its hash) is written to \
            --certificate and its SHA-256 appended to the audit log.

            Example: kakari purge --dataset survey-2026 --certificate erasure-survey-2026.json
            """)
        @Option(help: "The dataset to erase.") var dataset: String
        @Option(help: ArgumentHelp("Where to write the certificate (default: DATASET-erasure-certificate.json).", valueName: "FILE"))
        var certificate: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global)
                let path = certificate ?? "\(dataset)-erasure-certificate.json"
                let c = try await context.engine.purge(dataset: dataset, by: context.user)
                let text = c.json
                guard FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8)) else {
                    throw EngineError(.refused, "dataset \(dataset) was purged, but the certificate could not be written to \(path); it is:\n\(text)")
                }
                if context.json {
                    Output.printJSON(["dataset": c.dataset, "cases": c.cases, "history_entries": c.historyEntries, "tasks": c.tasks,
                                      "queued_events": c.queuedEvents, "key_destroyed": c.keyDestroyed, "audit_entry": c.auditEntry,
                                      "certificate": path, "sha256": c.sha256])
                    return
                }
                print("""
                    purged dataset \(c.dataset) (\(c.purpose)): personal values erased in \(c.cases) cases, \
                    \(c.historyEntries) history entries, \(c.tasks) tasks and \(c.queuedEvents) queued events; \
                    key \(c.keyDestroyed ? "destroyed" : "already gone")
                    certificate: \(path) (sha256 \(c.sha256)), audit entry \(c.auditEntry)
                    """)
            }
        }
    }
}
