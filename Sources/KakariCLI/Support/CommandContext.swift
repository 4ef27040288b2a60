import ArgumentParser
import Foundation
import KakariEngine
import KakariStore

/// What a command that works on a store needs: the engine, who acts, and how to print.
struct CommandContext {
    let engine: Engine
    let user: String
    let json: Bool
    let output: Output

    /// Opens the store named by `--store` / `KAKARI_STORE` and checks the user against the
    /// deployed staff directory (exit 3 for someone not in it).
    static func open(_ global: GlobalOptions, create: Bool = false, checkUser: Bool = true) async throws -> CommandContext {
        let location = StoreLocation(global.store ?? ProcessInfo.processInfo.environment["KAKARI_STORE"])
        let store = try await location.open(create: create)
        var engine = Engine(store: SealedStore(base: store, keys: location.keyFolder(global.keys)))
        engine.command = commandName()
        let user = global.actingUser
        let bundle = try await engine.currentBundle()
        if checkUser, let staff = bundle?.staff, !staff.users.isEmpty, staff.user(user) == nil {
            throw await engine.notPermitted("'\(user)' is not in the deployed staff directory; act as a listed user with --as or KAKARI_USER", user: user)
        }
        return CommandContext(engine: engine, user: user, json: global.json,
                              output: Output(timeZone: bundle?.calendar.timeZone ?? TimeZone(identifier: "Asia/Tokyo")!))
    }

    /// The command being run as typed without its arguments (`tasks complete`), found by
    /// walking the subcommand tree along the command line.
    static func commandName(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> String {
        var commands: [ParsableCommand.Type] = Kakari.configuration.subcommands
        var words: [String] = []
        for argument in arguments {
            guard let match = commands.first(where: { $0._commandName == argument }) else { break }
            words.append(argument)
            commands = match.configuration.subcommands
        }
        return words.isEmpty ? "kakari" : words.joined(separator: " ")
    }
}
