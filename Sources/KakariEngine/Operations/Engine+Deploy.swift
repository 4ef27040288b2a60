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
    ///
    /// A new version that drops a state holding running cases of the latest version is refused
    /// (the states and their case counts are listed) unless `map` says where those cases go
    /// (`OLD_STATE` → `NEW_STATE`): then, after the deploy, exactly those cases migrate to the
    /// new version. Every mapped case is checked against the new version first; if any could
    /// not move, nothing is deployed.
    public func deploy(paths: [String], map: [String: String] = [:], by user: String) async throws -> [Deployed] {
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
        let stranded = try await strandedStates(versions, bundle: bundle, existing: existing, map: map, now: now)
        if !versions.isEmpty || supportChanged {
            let files = bundle.sources.map { SourceFileRecord(path: $0.path, text: $0.text) }
            let changed = versions.map { "\($0.name)@\($0.version)" }.joined(separator: ", ")
            let entry = AuditEntry(at: Self.auditTime(), user: user, command: command, action: .deploy,
                                   detail: changed.isEmpty ? "staff, tables or calendar" : changed)
            _ = try await store.deploy(files: files, versions: versions, at: now, by: user, audit: [entry])
            await cache.invalidate()
        }
        for (workflow, states) in stranded.sorted(by: { $0.key < $1.key }) {
            guard let version = versions.first(where: { $0.name == workflow })?.version else { continue }
            _ = try await migrate(workflow: workflow, to: version, map: map, filter: nil, states: states, dryRun: false,
                                  reason: "deploy of \(workflow)@\(version) removed \(states.sorted().joined(separator: ", "))", by: user)
        }
        return report
    }

    /// The states, by workflow, that the new versions drop while running cases of the latest
    /// version are in them. Refuses when one is not mapped or a mapped case could not move.
    func strandedStates(_ versions: [WorkflowVersion], bundle: DefinitionBundle, existing: [WorkflowVersion],
                        map: [String: String], now: Date) async throws -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        var problems: [String] = []
        for version in versions {
            guard let latest = existing.filter({ $0.name == version.name }).max(by: { $0.version < $1.version }),
                  let definition = bundle.workflows[version.name] else { continue }
            let counts = try await store.runningCaseCounts(workflow: version.name, version: latest.version)
            let gone = counts.keys.filter { definition.state($0) == nil }.sorted()
            guard !gone.isEmpty else { continue }
            out[version.name] = Set(gone)
            for state in gone where map[state] == nil {
                problems.append("\(version.name)@\(latest.version): state \(state) has \(counts[state]!) running case\(counts[state]! == 1 ? "" : "s") and is not in the new version")
            }
            if problems.isEmpty {
                let decider = Decider(definition: definition, calendar: bundle.calendar)
                let cases = try await store.cases(CaseFilter(workflow: version.name))
                    .map(\.snapshot).filter { !$0.finished && $0.version == latest.version && gone.contains($0.state) }
                for step in Self.planMigration(cases, decider: decider, to: version.version, map: map, reason: "deploy", now: now) {
                    if let problem = step.item.problem { problems.append("case \(step.item.caseID) cannot move: \(problem)") }
                }
            }
        }
        guard problems.isEmpty else {
            throw EngineError(.refused, "the deploy would strand running cases; nothing was deployed:\n  "
                + problems.joined(separator: "\n  ")
                + "\nmap each state with --map OLD_STATE=NEW_STATE, or move the cases out of it first (kakari cases move / cases migrate)")
        }
        return out
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
