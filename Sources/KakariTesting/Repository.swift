import Foundation

/// Paths into the repository, for tests that read the real workflows and fixtures.
public enum Repository {
    /// The repository's top folder, found from this file's location.
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static var workflows: String { root + "/Workflows" }
    public static var fixtures: String { root + "/Tests/Fixtures" }
    public static var examples: String { root + "/Examples" }
}
