import Foundation
import KakariEngine

/// Which backend the tests' stores live on. By default each test's store is a SQLite file
/// in its own folder; with `KAKARI_TEST_POSTGRES=postgres://USER@HOST:PORT/DB` (set by
/// `scripts/test` for its second run) each test's store is a schema of its own in that
/// database, named after the test's folder, so the whole suite runs on PostgreSQL too.
public enum TestBackend {
    /// The PostgreSQL database the tests use, when they run on PostgreSQL.
    public static var postgres: String? {
        guard let url = ProcessInfo.processInfo.environment["KAKARI_TEST_POSTGRES"], !url.isEmpty else { return nil }
        return url
    }

    /// Where the store of the test whose folder is `folder` lives (`kakari.sqlite` in it, or
    /// the folder's schema of the test database).
    public static func location(folder: String) -> StoreLocation {
        guard let base = postgres else { return .sqlite(path: folder + "/kakari.sqlite") }
        let name = "t_" + String(URL(fileURLWithPath: folder).lastPathComponent.lowercased()
            .map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }.suffix(60))
        return .postgres(url: base + (base.contains("?") ? "&" : "?") + "schema=" + name)
    }
}
