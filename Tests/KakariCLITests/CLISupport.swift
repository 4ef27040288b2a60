import Foundation
import KakariCore
import KakariEngine
import KakariSQLite
import KakariStore
import KakariTesting
import Testing

/// A temporary folder with a store made by the real binary (`kakari init`, `kakari deploy`),
/// and the means to run `kakari` in it and to digest the store's content.
struct Workspace: Sendable {
    let folder: String
    /// The workspace's store (see `TestBackend`).
    var location: StoreLocation { TestBackend.location(folder: folder) }

    /// `kakari init --clock simulated --start START` then `kakari deploy Workflows/`.
    init(start: String = "2025-11-20T09:00:00+09:00", clock: String = "simulated") throws {
        folder = NSTemporaryDirectory() + "kakari-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let initArgs = clock == "simulated" ? ["init", "--clock", "simulated", "--start", start] : ["init"]
        let created = try KakariProcess(folder: folder).run(initArgs)
        guard created.status == 0 else { throw Failure("kakari init failed: \(created.stderr)") }
        let deployed = try KakariProcess(folder: folder).run(["deploy", Repository.workflows])
        guard deployed.status == 0 else { throw Failure("kakari deploy failed: \(deployed.stderr)") }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs `kakari ARGS` in the folder as `user`.
    @discardableResult
    func kakari(_ arguments: [String], as user: String = "yamada") throws -> KakariProcess.Result {
        try KakariProcess(folder: folder, user: user).run(arguments)
    }

    /// Runs `kakari ARGS --json`, expects exit 0 and parses stdout.
    func json(_ arguments: [String], as user: String = "yamada", sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let r = try kakari(arguments + ["--json"], as: user)
        #expect(r.status == 0, "kakari \(arguments.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8), options: [.fragmentsAllowed])
    }

    /// Writes `text` to a file in the folder and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = folder + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func write(_ name: String, data: Data) throws -> String {
        let file = folder + "/" + name
        try data.write(to: URL(fileURLWithPath: file))
        return file
    }

    /// An engine on the same file, opened as another process would.
    func engine() async throws -> Engine {
        Engine(store: SealedStore(base: try await location.open(), keys: KeyFolder(path: folder + "/keys")))
    }

    /// Every case, history entry, task, timer, queued event and idempotency key: equal digests
    /// mean the store did not change.
    func digest() async throws -> String {
        try await StoreDigest.of(try await location.open())
    }

    /// Households in CSV, the columns of Examples/households.csv.
    static let header = "household_no,name,kana,address,town,birth_year,sex,members,nominal_householder,preschool_children"

    static func household(_ id: String, town: String = "練馬") -> String {
        "\(id),練馬　太郎,ネリマ　タロウ,練馬区\(town)1丁目1番1号,\(town),1970,男,練馬　太郎;練馬　花子,false,false"
    }

    /// Imports households through the CLI and expects success.
    func importHouseholds(_ ids: [String], town: String = "練馬") throws {
        let file = try write("h-\(UUID().uuidString).csv", ([Self.header] + ids.map { Self.household($0, town: town) }).joined(separator: "\n") + "\n")
        let r = try kakari(["cases", "import", "household-visit", file])
        #expect(r.status == 0, "import: \(r.stderr)")
    }
}

/// Runs `body` in a fresh workspace and removes it afterwards.
func withWorkspace<T>(start: String = "2025-11-20T09:00:00+09:00", _ body: (Workspace) async throws -> T) async throws -> T {
    let w = try Workspace(start: start)
    defer { w.remove() }
    return try await body(w)
}

/// A JSON object's keys.
func keys(_ value: Any?) -> Set<String> {
    Set((value as? [String: Any])?.keys.map { $0 } ?? [])
}
