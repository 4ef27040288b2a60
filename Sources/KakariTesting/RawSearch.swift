import Foundation
import KakariEngine
import KakariPostgres

/// Searches what a store really keeps for texts, bypassing Kakari: the bytes of the SQLite
/// file and its write-ahead log, or, on PostgreSQL, every row of the store's tables as text and
/// the server's data files (after a checkpoint, when the tests may read the data folder).
/// How tests show that names never reach the store in plain text and are gone after a purge.
public enum RawSearch {
    /// The places where each text was found (empty when none was), by text.
    public static func find(_ texts: [String], in location: StoreLocation) async throws -> [String: [String]] {
        var found: [String: [String]] = [:]
        switch location {
        case .sqlite(let path):
            for file in [path, path + "-wal", path + "-shm", path + "-journal"] {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                for text in texts where data.range(of: Data(text.utf8)) != nil { found[text, default: []].append(file) }
            }
        case .postgres(let url):
            let store = PostgresStore(location: try PostgresLocation(url), maximumConnections: 1)
            for table in PostgresStore.ownTables {
                guard try await store.text(unsafeSQL: "SELECT to_regclass('\(table)')::text") != nil else { continue }
                for text in texts {
                    let quoted = text.replacingOccurrences(of: "'", with: "''")
                    let n = try await store.text(unsafeSQL: "SELECT COUNT(*)::text FROM \(table) t WHERE t::text LIKE '%\(quoted)%'") ?? "0"
                    if n != "0" { found[text, default: []].append("table \(table)") }
                }
            }
            try await store.execute(unsafeSQL: "CHECKPOINT")
            if let folder = try await store.text(unsafeSQL: "SHOW data_directory"), FileManager.default.isReadableFile(atPath: folder) {
                for file in files(under: folder + "/base") + files(under: folder + "/pg_wal") {
                    guard let data = FileManager.default.contents(atPath: file) else { continue }
                    for text in texts where data.range(of: Data(text.utf8)) != nil { found[text, default: []].append(file) }
                }
            }
        }
        return found
    }

    /// Whether the server's data files could be searched too (PostgreSQL only).
    public static func readsDataFiles(_ location: StoreLocation) async throws -> Bool {
        guard case .postgres(let url) = location else { return true }
        let store = PostgresStore(location: try PostgresLocation(url), maximumConnections: 1)
        guard let folder = try await store.text(unsafeSQL: "SHOW data_directory") else { return false }
        return FileManager.default.isReadableFile(atPath: folder + "/base")
    }

    static func files(under folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var out: [String] = []
        while let name = walker.nextObject() as? String {
            let path = folder + "/" + name
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue { out.append(path) }
        }
        return out
    }
}
