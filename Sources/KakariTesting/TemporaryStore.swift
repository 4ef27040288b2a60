import Foundation
import KakariEngine
import KakariStore

/// A fresh store in its own temporary folder, with the ward's workflows deployed: each test
/// gets its own real SQLite file, or its own PostgreSQL schema (see `TestBackend`).
public struct TemporaryStore: Sendable {
    public let folder: String
    public let location: StoreLocation
    public let engine: Engine

    /// Creates the store. `simulatedStart` gives it a simulated clock starting then.
    public init(simulatedStart: Date? = Date(timeIntervalSince1970: 1_763_596_800), deploy: Bool = true) async throws {
        folder = NSTemporaryDirectory() + "kakari-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        location = TestBackend.location(folder: folder)
        let store = try await location.open(create: true)
        if let simulatedStart {
            try await store.setSetting(Settings.clockMode, "simulated")
            try await store.setSetting(Settings.clockNow, String(Int(simulatedStart.timeIntervalSince1970)))
        } else {
            try await store.setSetting(Settings.clockMode, "real")
        }
        // As the command line does: the store seen through the sealing layer, keys in the folder.
        engine = Engine(store: SealedStore(base: store, keys: KeyFolder(path: folder + "/keys")))
        if deploy { _ = try await engine.deploy(paths: [Repository.workflows], by: "yamada") }
    }

    /// The store beneath the sealing layer: what is really written.
    public var raw: any CaseStore { engine.underlyingStore }

    /// The same store opened again, as another process would.
    public func openAgain() async throws -> any CaseStore {
        try await location.open()
    }

    /// Removes the folder and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A digest of the store's content (see `StoreDigest`).
    public func digest() async throws -> String {
        try await StoreDigest.of(engine.store)
    }
}

/// A digest of everything a store holds: every case, history entry, task, timer, queued event,
/// the clock and the deployed versions. Equal digests mean nothing changed, which is how tests
/// show that a refused command wrote nothing.
public enum StoreDigest {
    public static func of(_ store: any CaseStore) async throws -> String {
        var parts: [String] = []
        for id in try await store.caseIDs() {
            if let r = try await store.caseRecord(id) { parts.append(StoreJSON.encode(r.snapshot)) }
            parts.append(StoreJSON.encode(try await store.history(id)))
            parts.append("\(try await store.timers(of: id).map { "\($0.name)=\($0.due.timeIntervalSince1970)" })")
        }
        parts.append(StoreJSON.encode(try await store.tasks(TaskFilter(statuses: Set(TaskRecord.Status.allCases)))))
        for status in [QueuedEvent.Status.pending, .applied, .rejected, .duplicate] {
            parts.append(StoreJSON.encode(try await store.events(status: status)))
        }
        parts.append(try await store.setting(Settings.clockNow) ?? "")
        parts.append("\(try await store.workflowVersions().count)")
        return parts.joined(separator: "\n")
    }
}
