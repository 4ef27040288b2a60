import Foundation
import KakariCore
import KakariDefinitions
import KakariStore

extension Engine {
    /// Where a recorded history goes another way under a new definition.
    public struct Divergence: Hashable, Sendable, CustomStringConvertible {
        public var caseID: String
        public var seq: Int
        public var event: String
        public var expected: String
        public var got: String
        public var description: String { "case \(caseID) entry \(seq) (\(event)): recorded \(expected), new definition gives \(got)" }
    }

    /// Runs the recorded history of every case on the latest deployed version of the workflow
    /// in `file` through that file's definition, and reports the first entry of each case
    /// where it would have gone differently: another transition, a refusal, or (after the last
    /// entry) different data or open tasks. Writes nothing.
    public func replay(against file: String, workflow expected: String? = nil) async throws -> (checked: Int, divergences: [Divergence]) {
        let folder = (file as NSString).deletingLastPathComponent
        let loaded: (WorkflowDefinition, DefinitionBundle)
        do { loaded = try BundleLoader.loadWorkflow(file: file, context: [folder]) } catch { throw EngineError(.refused, error.rendered) }
        let (definition, bundle) = loaded
        if let expected, expected != definition.name {
            throw EngineError(.refused, "\(file) defines \(definition.name), not \(expected)")
        }
        let version = try await latestVersion(of: definition.name).version
        let decider = Decider(definition: definition, calendar: bundle.calendar)
        var divergences: [Divergence] = []
        let cases = try await store.cases(CaseFilter(workflow: definition.name)).filter { $0.snapshot.version == version }
        for record in cases {
            let id = record.snapshot.id
            let decisions = try await store.history(id).filter { $0.kind == .decision }
            let versions = HistoryReplay.versions(decisions, current: version)
            let deciders = Dictionary(versions.map { ($0, decider) }, uniquingKeysWith: { a, _ in a })
            switch HistoryReplay.run(decisions, id: id, deciders: deciders, first: versions[0]) {
            case .failure(let d):
                divergences.append(Divergence(caseID: id, seq: d.seq, event: d.event, expected: d.expected, got: d.got))
            case .success(let replayed):
                let stored = record.snapshot
                let last = decisions.last.map { ($0.seq, $0.event) } ?? (0, "")
                if replayed.data != stored.data {
                    let fields = Set(replayed.data.keys).union(stored.data.keys).filter { replayed.data[$0] != stored.data[$0] }.sorted()
                    divergences.append(Divergence(caseID: id, seq: last.0, event: last.1, expected: "data as stored",
                                                  got: "different \(fields.joined(separator: ", "))"))
                } else if replayed.openTasks.map(\.kind) != stored.openTasks.map(\.kind) {
                    divergences.append(Divergence(caseID: id, seq: last.0, event: last.1,
                                                  expected: "open tasks \(stored.openTasks.map(\.kind).joined(separator: ","))",
                                                  got: "open tasks \(replayed.openTasks.map(\.kind).joined(separator: ","))"))
                }
            }
        }
        return (cases.count, divergences)
    }
}
