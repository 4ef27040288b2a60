import Foundation
import KakariCore
import KakariDefinitions
import KakariStore
import Logging

/// The engine: the shell around the pure core. It loads a case, asks `Decider` what an event
/// does, and commits the decision with its effects (tasks, timers, child cases, the parent's
/// next step) in one transaction, retrying when another writer got there first.
public struct Engine: Sendable {
    public let store: any CaseStore
    public let cache: DefinitionCache
    public var logger: Logger
    /// The command being run (`tasks complete`), recorded in the audit log.
    public var command: String = "api"
    /// Who this engine is when it claims work beside other daemons (unique per engine).
    public var worker = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"

    /// `cache` defaults to the sealing layer's own, when the store has one, so that the
    /// definitions are loaded once per process.
    public init(store: any CaseStore, cache: DefinitionCache? = nil, logger: Logger = Logger(label: "kakari")) {
        self.store = store
        self.cache = cache ?? (store as? SealedStore)?.definitions ?? DefinitionCache()
        self.logger = logger
    }

    // MARK: Time

    /// Whether the store runs on a simulated clock.
    public func isSimulated() async throws -> Bool {
        if let mode = await cache.clockMode { return mode == "simulated" }
        let mode = try await store.setting(Settings.clockMode)
        // `kakari init` sets the mode once and nothing changes it, so a set mode is remembered.
        if let mode { await cache.remember(clockMode: mode) }
        return mode == "simulated"
    }

    /// The current time: the simulated clock's, or the machine's, to the whole second (so
    /// that stored times replay exactly).
    public func now() async throws -> Date {
        try await time(clock: isSimulated() ? store.setting(Settings.clockNow) : nil)
    }

    /// The time given the simulated clock's setting (`clock`; nil on the machine's clock).
    func time(clock: String?) -> Date {
        if let clock, let seconds = Double(clock) { return Date(timeIntervalSince1970: seconds) }
        return Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
    }

    // MARK: Definitions

    /// Every deployed workflow version.
    public func workflowVersions() async throws -> [WorkflowVersion] {
        try await cache.workflowVersions(store: store)
    }

    /// The newest version of `workflow`.
    public func latestVersion(of workflow: String) async throws -> WorkflowVersion {
        let all = try await workflowVersions()
        guard let v = all.filter({ $0.name == workflow }).max(by: { $0.version < $1.version }) else {
            let names = Set(all.map(\.name))
            if names.isEmpty { throw EngineError(.refused, "no workflow is deployed; deploy one with 'kakari deploy Workflows/'") }
            let hint = NameSuggestion.hint(for: workflow, in: names).map { "; \($0)" } ?? ""
            throw EngineError(.refused, "there is no workflow '\(workflow)'\(hint)")
        }
        return v
    }

    /// The bundle deployed most recently (staff directory, tables, calendar).
    public func currentBundle() async throws -> DefinitionBundle? {
        try await bundle(store.latestBundle())
    }

    /// The bundle `id` (loaded once per process), nil for none.
    func bundle(_ id: Int64?) async throws -> DefinitionBundle? {
        guard let id else { return nil }
        return try await cache.bundle(id, store: store)
    }

    /// The definition of `workflow` at `version`, with the calendar it was deployed with.
    public func decider(_ workflow: String, _ version: Int) async throws -> Decider {
        guard let v = try await workflowVersions().first(where: { $0.name == workflow && $0.version == version }) else {
            throw EngineError(.refused, "workflow \(workflow)@\(version) is not deployed")
        }
        let bundle = try await cache.bundle(v.bundle, store: store)
        guard let definition = bundle.workflows[workflow] else {
            throw EngineError(.refused, "workflow \(workflow)@\(version) is missing from its bundle")
        }
        return Decider(definition: definition, calendar: bundle.calendar)
    }

    /// The case `id`, or a refusal naming it.
    public func caseRecord(_ id: String) async throws -> CaseRecord {
        try Self.existing(try await store.caseRecord(id), id)
    }

    /// `record`, case `id` as a store read it, or the refusal of a case that does not exist.
    static func existing(_ record: CaseRecord?, _ id: String) throws -> CaseRecord {
        guard let record else { throw EngineError(.refused, "there is no case \(id)") }
        return record
    }
}

/// The keys of the store's settings.
public enum Settings {
    public static let clockMode = "clock.mode"
    public static let clockNow = "clock.now"
}
