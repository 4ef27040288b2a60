import Foundation
import KakariPostgres
import KakariSQLite
import KakariStore

/// Where a store lives, parsed from `--store` / `KAKARI_STORE`: a path, `sqlite:PATH`, or
/// `postgres://USER@HOST[:PORT]/DB`.
public enum StoreLocation: Hashable, Sendable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// The default: `kakari.sqlite` in the current folder.
    public static let defaultPath = "kakari.sqlite"

    public init(_ text: String?) {
        guard let text, !text.isEmpty else { self = .sqlite(path: Self.defaultPath); return }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") { self = .postgres(url: text); return }
        if text.hasPrefix("sqlite:") { self = .sqlite(path: String(text.dropFirst("sqlite:".count))); return }
        self = .sqlite(path: text)
    }

    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url
        }
    }

    /// The folder of dataset keys: `explicit` (`--keys`), then `KAKARI_KEYS`, then `PATH.keys`
    /// beside a SQLite file, or `~/.kakari/keys` for PostgreSQL. Never inside the store.
    public func keyFolder(_ explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> KeyFolder {
        if let path = explicit ?? environment["KAKARI_KEYS"], !path.isEmpty { return KeyFolder(path: path) }
        switch self {
        case .sqlite(let path): return KeyFolder(path: path + ".keys")
        case .postgres: return KeyFolder(path: NSHomeDirectory() + "/.kakari/keys")
        }
    }

    /// Opens the store. `create` allows making a new file (for `init` and `demo`); otherwise
    /// a missing store is refused with a hint.
    public func open(create: Bool = false) async throws -> any CaseStore {
        switch self {
        case .postgres(let url):
            let store = PostgresStore(location: try PostgresLocation(url))
            if create {
                try await store.createIfMissing()
                if try await store.isInitialised() {
                    throw EngineError(.refused, "\(store.location) already holds a Kakari store; choose another --store")
                }
            } else {
                try await store.probe()
            }
            if !create, try await !store.isInitialised() {
                throw EngineError(.refused, "there is no store at \(store.location); create one with 'kakari init' or choose another with --store")
            }
            try await store.migrate()
            return store
        case .sqlite(let path):
            if !create && !FileManager.default.fileExists(atPath: path) {
                throw EngineError(.refused, "there is no store at \(path); create one with 'kakari init' or choose another with --store")
            }
            let store = try SQLiteStore(path: path)
            if create {
                try await store.migrate()
            } else if try await !store.isInitialised() {
                throw EngineError(.refused, "\(path) is not a Kakari store; create one with 'kakari init'")
            } else {
                try await store.migrate()
            }
            return store
        }
    }
}
