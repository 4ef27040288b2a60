import ArgumentParser
import Foundation
import KakariEngine

extension Kakari {
    /// `kakari store copy SQLITE POSTGRES`: moving a ward's store to PostgreSQL.
    struct Store: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store",
            abstract: "Work on whole stores.",
            subcommands: [Copy.self]
        )

        /// `kakari store copy SQLITE_URL POSTGRES_URL`.
        struct Copy: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "copy",
                abstract: "Copy a SQLite store into a new PostgreSQL store, then verify it.",
                discussion: """
                Every definition bundle, case, history entry, task, timer, queued event, idempotency key \
                and setting is copied in one transaction: all of it or nothing. The target database is \
                created when missing and must hold no cases or definitions yet. Stop the daemons on the \
                source first. Afterwards every case of the target is replayed, as 'kakari verify' does; \
                a mismatch exits 1. Sealed personal values are copied as they are: point KAKARI_KEYS \
                (or --keys) of the PostgreSQL store's users at the same key folder.

                Example: kakari store copy kakari.sqlite postgres://kakari@db.example:5432/nerima
                """
            )
            @Argument(help: ArgumentHelp("The SQLite store to copy (a path or sqlite:PATH).", valueName: "SQLITE_URL")) var source: String
            @Argument(help: ArgumentHelp("The PostgreSQL store to fill.", valueName: "POSTGRES_URL")) var target: String
            @Flag(help: "Machine-readable output on stdout.") var json = false
            @Option(help: ArgumentHelp("The source's key folder, to verify sealed datasets (default: $KAKARI_KEYS, then SQLITE.keys).", valueName: "DIR"))
            var keys: String?

            func run() async throws {
                try await failing {
                    let report = try await StoreCopy.copy(from: StoreLocation(source), to: StoreLocation(target),
                                                              keys: StoreLocation(source).keyFolder(keys))
                    if json {
                        Output.printJSON([
                            "copied": Dictionary(uniqueKeysWithValues: report.counts.map { ($0.table, $0.rows) }),
                            "checked": report.checked,
                            "mismatches": report.mismatches.map { ["case": $0.caseID, "problem": $0.problem] },
                        ] as [String: Any])
                    } else {
                        for (table, rows) in report.counts { print("\(table): \(rows)") }
                        for m in report.mismatches { print(m.description) }
                        print("copied to \(StoreLocation(target)); \(report.checked) cases replayed, \(report.mismatches.count) mismatch\(report.mismatches.count == 1 ? "" : "es")")
                    }
                    if !report.mismatches.isEmpty { throw ExitCode(1) }
                }
            }
        }
    }
}
