import Foundation

/// Runs the built `kakari` binary as a user would, capturing its output and exit code.
public struct KakariProcess: Sendable {
    /// What a run printed and how it ended.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The binary built beside the tests; $KAKARI_BINARY, when set, names it explicitly
    /// (for builds with their own --scratch-path).
    public static var binary: String {
        if let explicit = ProcessInfo.processInfo.environment["KAKARI_BINARY"], !explicit.isEmpty { return explicit }
        let candidates = [Repository.root + "/.build/debug/kakari"]
            + ((try? FileManager.default.contentsOfDirectory(atPath: Repository.root + "/.build")) ?? [])
                .map { Repository.root + "/.build/\($0)/debug/kakari" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    public var folder: String
    public var environment: [String: String]

    /// Runs in `folder` (the folder's store, see `TestBackend`) as `user`.
    public init(folder: String, user: String = "yamada") {
        self.folder = folder
        var env = ProcessInfo.processInfo.environment
        env["KAKARI_USER"] = user
        // The folder's own store: kakari.sqlite there, or its schema when the tests run on PostgreSQL.
        if TestBackend.postgres != nil {
            env["KAKARI_STORE"] = TestBackend.location(folder: folder).description
        } else {
            env.removeValue(forKey: "KAKARI_STORE")
        }
        // Dataset keys in the folder too, never in the tester's home.
        env["KAKARI_KEYS"] = folder + "/keys"
        environment = env
    }

    /// Runs `kakari ARGS` and waits for it.
    @discardableResult
    public func run(_ arguments: [String], input: String? = nil) throws -> Result {
        try Self.capture(start(arguments))
    }

    /// Runs a configured process to its end, capturing what it printed.
    static func capture(_ process: Process) throws -> Result {
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting, so a large output cannot fill the pipe and block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A configured, not yet started process (for tests that kill it).
    public func start(_ arguments: [String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = environment
        return process
    }
}

extension KakariProcess {
    /// Runs a command line through `/bin/sh -c` in the folder, as a person pasting it would.
    @discardableResult
    public func runShell(_ commandLine: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", commandLine]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = environment
        return try Self.capture(process)
    }
}
