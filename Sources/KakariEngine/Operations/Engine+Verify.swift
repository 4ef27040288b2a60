import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// A case whose history does not reproduce its stored state.
    public struct Mismatch: Hashable, Sendable, CustomStringConvertible {
        public var caseID: String
        public var problem: String
        public var description: String { "case \(caseID): \(problem)" }
    }

    /// Replays every case's history through the core and compares the result with the stored
    /// case, its open tasks and its timers.
    public func verify(progress: ((Int, Int) -> Void)? = nil) async throws -> (checked: Int, mismatches: [Mismatch]) {
        let ids = try await store.caseIDs()
        var mismatches: [Mismatch] = []
        for (n, id) in ids.enumerated() {
            if let problem = try await replayProblem(id) { mismatches.append(Mismatch(caseID: id, problem: problem)) }
            progress?(n + 1, ids.count)
        }
        return (ids.count, mismatches)
    }

    /// Why case `id` does not replay, or nil when it does.
    public func replayProblem(_ id: String) async throws -> String? {
        guard let record = try await store.caseRecord(id) else { return "missing" }
        let stored = record.snapshot
        let decisions = try await store.history(id).filter { $0.kind == .decision }
        let versions = HistoryReplay.versions(decisions, current: stored.version)
        var deciders: [Int: Decider] = [:]
        do {
            for v in Set(versions) { deciders[v] = try await self.decider(stored.workflow, v) }
        } catch { return "\(error)" }
        let snapshot: CaseSnapshot
        switch HistoryReplay.run(decisions, id: id, deciders: deciders, first: versions[0]) {
        case .success(let s): snapshot = s
        case .failure(let d):
            if d.got.hasPrefix("refused: ") { return "replay refused an event the history holds: \(d.got.dropFirst(9))" }
            if d.event == "start" && d.got == "no start" { return "its history does not begin with a start" }
            return "entry \(d.seq) (\(d.event)) replays as \(d.got), recorded \(d.expected)"
        }
        if snapshot != stored {
            var differences: [String] = []
            if snapshot.state != stored.state { differences.append("state \(stored.state), replay gives \(snapshot.state)") }
            if snapshot.data != stored.data {
                let fields = Set(snapshot.data.keys).union(stored.data.keys).filter { snapshot.data[$0] != stored.data[$0] }.sorted()
                differences.append("data differs in \(fields.joined(separator: ", "))")
            }
            if snapshot.sequence != stored.sequence { differences.append("sequence \(stored.sequence), replay gives \(snapshot.sequence)") }
            if snapshot.timers != stored.timers { differences.append("timers differ") }
            if snapshot.openTasks != stored.openTasks { differences.append("open tasks differ") }
            return differences.isEmpty ? "the stored snapshot differs from the replay" : differences.joined(separator: "; ")
        }
        let open = try await store.tasks(TaskFilter(caseID: id)).map(\.key).sorted()
        if open != stored.openTasks.map(\.key).sorted() {
            return "open tasks in the task list (\(open.joined(separator: ", "))) differ from the case's (\(stored.openTasks.map(\.key).joined(separator: ", ")))"
        }
        let timers = try await store.timers(of: id)
        if Dictionary(timers.map { ($0.name, $0.due) }, uniquingKeysWith: { a, _ in a }) != stored.timers {
            return "timers in the timer table differ from the case's"
        }
        return nil
    }
}
