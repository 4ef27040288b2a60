import ArgumentParser
import Foundation

/// A refusal to show a person: one sentence on stderr and the contract's exit code
/// (1 refused input, 2 usage, 3 not permitted). Every command's errors end here.
struct CommandFailure: Error {
    var message: String
    var code: Int32

    static func refused(_ message: String) -> CommandFailure { .init(message: message, code: 1) }
    static func notPermitted(_ message: String) -> CommandFailure { .init(message: message, code: 3) }

    /// Prints the message and exits with the code.
    func exit() -> Never {
        FileHandle.standardError.write(Data("kakari: \(message)\n".utf8))
        Foundation.exit(code)
    }
}

/// Runs a command body, turning any failure into a sentence and an exit code.
func failing<T>(_ body: () async throws -> T) async -> T {
    do {
        return try await body()
    } catch let failure as CommandFailure {
        failure.exit()
    } catch let error as CustomStringConvertible {
        CommandFailure.refused(error.description).exit()
    } catch {
        CommandFailure.refused("\(error)").exit()
    }
}
