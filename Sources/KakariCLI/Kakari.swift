import ArgumentParser

/// The `kakari` command: a thin root whose subcommands each live in their own file.
@main
struct Kakari: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kakari",
        abstract: "Kakari (係): workflows for municipal case work, written as YAML state machines.",
        discussion: """
        Section leads describe each kind of case in YAML; the engine advances every case and \
        gives tasks to the section that must act; staff work their tasks from this command line.
        """,
        subcommands: [
            Lint.self, Graph.self, Schema.self, Check.self, Simulate.self, Report.self, Diff.self, Replay.self, Prune.self,
            Init.self, Deploy.self, Workflows.self, Cases.self, Send.self, Events.self, Tasks.self, Daemon.self, Clock.self,
            Verify.self, Audit.self, Datasets.self, Purge.self, Roles.self, Demo.self, Bench.self, Store.self,
        ]
    )

    /// Runs the command, with usage errors exiting 2 as the command-line contract says
    /// (swift-argument-parser's default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error).rawValue == 64 {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

import Foundation
