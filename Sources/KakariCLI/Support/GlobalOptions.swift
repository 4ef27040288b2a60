import ArgumentParser
import Foundation

/// The options every command accepts after its name (see the command-line contract).
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where cases live: a path, sqlite:PATH, or postgres://USER@HOST[:PORT]/DB.", valueName: "URL"))
    var store: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("Who acts (default: $KAKARI_USER, then the login name).", valueName: "USER"))
    var user: String?

    @Option(help: ArgumentHelp("The folder of dataset keys (default: $KAKARI_KEYS, then STORE.keys beside a SQLite file, ~/.kakari/keys for PostgreSQL).", valueName: "DIR"))
    var keys: String?

    @Flag(help: "Machine-readable output on stdout.")
    var json = false

    /// Who acts: `--as`, then `KAKARI_USER`, then the login name.
    var actingUser: String {
        user ?? ProcessInfo.processInfo.environment["KAKARI_USER"] ?? ProcessInfo.processInfo.userName
    }
}
