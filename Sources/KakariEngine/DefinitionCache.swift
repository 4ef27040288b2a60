import KakariCore
import KakariDefinitions
import KakariStore

/// Deployed bundles, loaded from the store's copies of their files once per process, and
/// the store's clock mode, which `kakari init` sets once.
public actor DefinitionCache {
    private var bundles: [Int64: DefinitionBundle] = [:]
    private var versions: [WorkflowVersion]?
    /// The clock mode read from the store, once it was found set.
    private(set) var clockMode: String?

    func remember(clockMode mode: String) { clockMode = mode }

    public init() {}

    /// The bundle stored under `id`, loaded and checked again from its files.
    func bundle(_ id: Int64, store: any CaseStore) async throws -> DefinitionBundle {
        if let b = bundles[id] { return b }
        let files = try await store.bundleFiles(id)
        do {
            let b = try BundleLoader.load(sources: files.map { SourceFile(path: $0.path, text: $0.text) })
            bundles[id] = b
            return b
        } catch {
            throw EngineError(.refused, "deployed bundle \(id) no longer loads: \(error.description)")
        }
    }

    func workflowVersions(store: any CaseStore) async throws -> [WorkflowVersion] {
        if let v = versions { return v }
        let v = try await store.workflowVersions()
        versions = v
        return v
    }

    /// Forgets what it knows of versions (after a deploy).
    func invalidate() { versions = nil }
}
