import ArgumentParser
import Foundation
import KakariEngine
import KakariStore

/// Runs a command body and turns any failure into one or more sentences on stderr and the
/// contract's exit code (1 refused input, 2 usage, 3 not permitted). No stack traces.
func failing<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch let error as EngineError {
        report(error.message)
        throw ExitCode(error.category.rawValue)
    } catch let error as ImportError {
        report(error.description, prefix: false)
        throw ExitCode(1)
    } catch let error as DeployRefusal {
        print(error.errors.rendered)
        report("\(error.errors.diagnostics.count) problem\(error.errors.diagnostics.count == 1 ? "" : "s") found; nothing was deployed")
        throw ExitCode(1)
    } catch let error as StoreError {
        report(error.message)
        throw ExitCode(1)
    } catch let error as CustomStringConvertible {
        report(error.description)
        throw ExitCode(1)
    }
}

/// Writes a message for a person to stderr.
func report(_ message: String, prefix: Bool = true) {
    FileHandle.standardError.write(Data(((prefix ? "kakari: " : "") + message + "\n").utf8))
}
