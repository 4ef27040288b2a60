import Foundation
import KakariDefinitions
import KakariTesting
import Testing

/// Every broken file under Tests/Fixtures/lint/broken/ pins the exact diagnostics of one rule
/// in NAME.expected: file, line, column and message.
@Suite("lint on broken fixtures")
struct LintFixtureTests {
    static let folder = Repository.fixtures + "/lint/broken"
    static let support = Repository.fixtures + "/lint/support"

    static var fixtures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test("each fixture gives exactly its expected diagnostics", arguments: fixtures)
    func fixture(_ name: String) throws {
        let expected = try String(contentsOfFile: Self.folder + "/" + name.replacingOccurrences(of: ".yaml", with: ".expected"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let started = Date()
        let result = BundleLoader.lint(paths: [Self.folder + "/" + name], context: [Self.support])
        let actual = result.diagnostics.map { $0.description.replacingOccurrences(of: Self.folder + "/", with: "") }
        #expect(actual == expected)
        // Hostile input must be refused quickly; a generous bound that a hang cannot meet.
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("there is a fixture for every rule the issue lists")
    func coverage() {
        #expect(Self.fixtures.count >= 45)
    }

    @Test("a 50 MB file is refused at once, without being parsed")
    func hugeFile() throws {
        let path = NSTemporaryDirectory() + "kakari-huge-\(UUID().uuidString).yaml"
        let line = "# " + String(repeating: "x", count: 1022) + "\n"
        _ = FileManager.default.createFile(atPath: path, contents: Data(String(repeating: line, count: 50 * 1024).utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let started = Date()
        let result = BundleLoader.lint(paths: [path], context: [Self.support])
        #expect(result.diagnostics.map(\.message) == ["file is 50.0 MB; definition files are limited to 2 MB"])
        #expect(Date().timeIntervalSince(started) < 5)
    }
}
