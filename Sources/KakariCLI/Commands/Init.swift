import ArgumentParser
import Foundation
import KakariStore
import KakariEngine

extension Kakari {
    /// `kakari init`: creates an empty store.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create an empty store.",
            discussion: """
            A simulated-clock store is for rehearsals, demos and tests: its time moves only with \
            'kakari clock advance'.

            Example: kakari init --clock simulated --start 2009-06-01T09:00:00+09:00
            """
        )

        @Option(help: "real (default) or simulated.")
        var clock: String = "real"

        @Option(help: ArgumentHelp("Where a simulated clock starts (ISO 8601).", valueName: "ISO8601"))
        var start: String?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard clock == "real" || clock == "simulated" else { throw ValidationError("--clock is real or simulated") }
            if start != nil && clock != "simulated" { throw ValidationError("--start goes with --clock simulated") }
            if let start, ISO8601DateFormatter().date(from: start) == nil {
                throw ValidationError("--start '\(start)' is not an ISO 8601 time such as 2009-06-01T09:00:00+09:00")
            }
        }

        func run() async throws {
            try await failing {
                let location = StoreLocation(global.store ?? ProcessInfo.processInfo.environment["KAKARI_STORE"])
                if case .sqlite(let path) = location, FileManager.default.fileExists(atPath: path) {
                    throw EngineError(.refused, "\(path) already exists; choose another --store or remove it")
                }
                let store = try await location.open(create: true)
                try await store.setSetting(Settings.clockMode, clock)
                var detail = "store created with the real clock"
                if clock == "simulated" {
                    let date = start.flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date()
                    try await store.setSetting(Settings.clockNow, String(Int(date.timeIntervalSince1970)))
                    detail = "store created with a simulated clock at \(Int(date.timeIntervalSince1970))"
                }
                // The first entry of the audit chain says who made the store, and how.
                try await store.appendAudit([AuditEntry(at: Engine.auditTime(), user: global.actingUser, command: "init", action: .admin, detail: detail)])
                if global.json { Output.printJSON(["store": location.description, "clock": clock]) } else { print("created \(location) (\(clock) clock)") }
            }
        }
    }
}
