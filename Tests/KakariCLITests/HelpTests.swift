import Foundation
import KakariTesting
import Testing

@Suite("Command help")
struct HelpTests {
    static let commands: [[String]] = [
        ["lint"], ["graph"], ["schema"], ["init"], ["deploy"], ["workflows"], ["cases", "import"], ["cases", "start"],
        ["cases", "list"], ["cases", "show"], ["send"], ["events", "import"], ["events", "rejected"], ["tasks", "list"],
        ["tasks", "show"], ["tasks", "claim"], ["tasks", "release"], ["tasks", "assign"], ["tasks", "complete"],
        ["daemon"], ["clock", "advance"], ["clock", "set"], ["verify"], ["demo"], ["cases", "find"], ["audit", "show"],
        ["audit", "verify"],
    ]

    @Test("every command documents itself with an example", arguments: commands)
    func helpHasExample(_ command: [String]) throws {
        let folder = NSTemporaryDirectory()
        let result = try KakariProcess(folder: folder).run(command + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Example: kakari"))
    }

    @Test("a usage error exits 2 with a sentence, not a stack trace")
    func usageError() throws {
        let result = try KakariProcess(folder: NSTemporaryDirectory()).run(["send"])
        #expect(result.status == 2)
        #expect(!result.stderr.contains("Fatal error"))
    }
}
