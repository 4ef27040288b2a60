import Foundation
import KakariStore

extension StoreLocation {
    /// A fresh simulated-clock store for a rehearsal (`kakari demo`, `kakari bench`) starting at
    /// `start`. An existing SQLite file is replaced only when it is itself a simulated store:
    /// a store on the real clock holds real work, and is refused.
    public func openRehearsal(start: Date, purpose: String) async throws -> any CaseStore {
        if case .sqlite(let file) = self, FileManager.default.fileExists(atPath: file) {
            let existing = try await open()
            guard try await existing.setting(Settings.clockMode) == "simulated" else {
                throw EngineError(.refused, "\(file) is a store on the real clock; \(purpose) replaces only simulated stores (choose another --store)")
            }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        }
        let store = try await open(create: true)
        try await store.setSetting(Settings.clockMode, "simulated")
        try await store.setSetting(Settings.clockNow, String(Int(start.timeIntervalSince1970)))
        return store
    }
}
