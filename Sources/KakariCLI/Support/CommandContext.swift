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
        let engine = Engine(store: store)
        let user = global.user ?? ProcessInfo.processInfo.environment["KAKARI_USER"] ?? ProcessInfo.processInfo.userName
        let bundle = try await engine.currentBundle()
        if checkUser, let staff = bundle?.staff, !staff.users.isEmpty, staff.user(user) == nil {
            throw EngineError(.notPermitted, "'\(user)' is not in the deployed staff directory; act as a listed user with --as or KAKARI_USER")
        }
        return CommandContext(engine: engine, user: user, json: global.json,
                              output: Output(timeZone: bundle?.calendar.timeZone ?? TimeZone(identifier: "Asia/Tokyo")!))
    }
}
