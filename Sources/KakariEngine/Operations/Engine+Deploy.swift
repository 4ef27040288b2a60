import Crypto
import Foundation
import KakariCore
import KakariDefinitions
import KakariStore

extension Engine {
    /// A workflow as `deploy` reports it.
    public struct Deployed: Hashable, Sendable {
        public var name: String
        public var version: Int
        public var changed: Bool
    }

    /// Checks `paths` as one bundle and stores it, all or nothing. A workflow whose content
    /// (its file, with the calendar and tables it runs on) changed gets a new version;
    /// running cases keep theirs.
    public func deploy(paths: [String], by user: String) async throws -> [Deployed] {
        try await requireSupervisor(user, to: "deploy definitions")
        let bundle: DefinitionBundle
        do {
            bundle = try BundleLoader.load(paths: paths)
        } catch {
            throw DeployRefusal(errors: error)
        }
        guard !bundle.workflows.isEmpty else { throw EngineError(.refused, "\(paths.joined(separator: " ")) holds no workflow") }
        let existing = try await store.workflowVersions()
        let support = bundle.supportFiles.compactMap { bundle.source($0) }.map(Self.fileKey).sorted().joined(separator: "\n")
        var versions: [WorkflowVersion] = []
        var report: [Deployed] = []
        let now = try await self.now()
        for name in bundle.workflows.keys.sorted() {
            let text = bundle.source(bundle.workflowFiles[name]!)?.text ?? ""
            let hash = SHA256.hash(data: Data((text + "\n" + support).utf8)).map { String(format: "%02x", $0) }.joined()
            let latest = existing.filter { $0.name == name }.max { $0.version < $1.version }
            if let latest, latest.hash == hash {
                report.append(Deployed(name: name, version: latest.version, changed: false))
            } else {
                let version = (latest?.version ?? 0) + 1
                versions.append(WorkflowVersion(name: name, version: version, hash: hash, bundle: 0, deployedAt: now, deployedBy: user))
                report.append(Deployed(name: name, version: version, changed: true))
            }
        }
        let supportNow = Set(bundle.supportFiles.compactMap { bundle.source($0) }.map(Self.fileKey))
        var supportChanged = true
        if let id = try await store.latestBundle() {
            let old = try await cache.bundle(id, store: store)
            supportChanged = Set(old.supportFiles.compactMap { old.source($0) }.map(Self.fileKey)) != supportNow
        }
        if !versions.isEmpty || supportChanged {
            let files = bundle.sources.map { SourceFileRecord(path: $0.path, text: $0.text) }
            let changed = versions.map { "\($0.name)@\($0.version)" }.joined(separator: ", ")
            let entry = AuditEntry(at: Self.auditTime(), user: user, command: command, action: .deploy,
                                   detail: changed.isEmpty ? "staff, tables or calendar" : changed)
            _ = try await store.deploy(files: files, versions: versions, at: now, by: user, audit: [entry])
            await cache.invalidate()
        }
        return report
    }

    /// A file's identity for change detection: its name (not the folder it was deployed
    /// from) and its text.
    static func fileKey(_ file: SourceFile) -> String {
        "\((file.path as NSString).lastPathComponent)\n\(file.text)"
    }
}

/// A deploy refused because the files do not pass lint; carries every diagnostic.
public struct DeployRefusal: Error, CustomStringConvertible {
    public var errors: DefinitionErrors
    public var description: String { errors.rendered }
}
