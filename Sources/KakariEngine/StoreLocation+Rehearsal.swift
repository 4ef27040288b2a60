import Foundation
import KakariPostgres
import KakariStore

extension StoreLocation {
    /// A fresh simulated-clock store for a rehearsal (`kakari demo`, `kakari bench`) starting at
    /// `start`. An existing store is replaced only when it is itself a simulated store (or, in
    /// PostgreSQL, holds no definitions and no cases yet): a store on the real clock holds real
    /// work, and is refused. A SQLite file is deleted; a PostgreSQL store's tables are dropped
    /// from its schema (the database and the schema stay).
    public func openRehearsal(start: Date, purpose: String) async throws -> any CaseStore {
        switch self {
        case .sqlite(let file):
            if FileManager.default.fileExists(atPath: file) {
                let existing = try await open()
                guard try await existing.setting(Settings.clockMode) == "simulated" else {
                    throw Self.refusal(file, purpose)
                }
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
            }
        case .postgres(let url):
            let existing = PostgresStore(location: try PostgresLocation(url), maximumConnections: 1)
            try await existing.createIfMissing()
            if try await existing.isInitialised() {
                let simulated = try await existing.setting(Settings.clockMode) == "simulated"
                let empty = try await existing.isEmpty()
                guard simulated || empty else { throw Self.refusal("\(existing.location)", purpose) }
                try await existing.reset()
            }
        }
        let store = try await open(create: true)
        try await store.setSetting(Settings.clockMode, "simulated")
        try await store.setSetting(Settings.clockNow, String(Int(start.timeIntervalSince1970)))
        return store
    }

    private static func refusal(_ store: String, _ purpose: String) -> EngineError {
        EngineError(.refused, "\(store) is a store on the real clock; \(purpose) replaces only simulated stores (choose another --store)")
    }
}
