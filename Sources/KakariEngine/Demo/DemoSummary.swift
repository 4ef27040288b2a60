import Foundation
import KakariCore
import KakariStore

/// What the demo prints at the end: where the households ended, the tasks per section,
/// and the overdue ones.
public struct DemoSummary: Sendable {
    /// A state and how many cases are in it.
    public struct Count: Sendable {
        public var workflow: String
        public var state: String
        public var label: String
        public var finished: Bool
        public var cases: Int
    }

    /// Tasks of one section.
    public struct SectionTasks: Sendable {
        public var section: String
        public var label: String
        public var created: Int
        public var done: Int
        public var open: Int
        public var overdue: Int
    }

    public var counts: [Count]
    public var sections: [SectionTasks]
    public var now: Date

    /// Reads the summary from the store.
    public static func read(_ engine: Engine) async throws -> DemoSummary {
        let now = try await engine.now()
        let bundle = try await engine.currentBundle()
        // Counting needs no personal value: read past the sealing, so nothing is decrypted.
        let store = engine.underlyingStore
        var tally: [String: (Int, Bool)] = [:]
        for record in try await store.cases(CaseFilter()) {
            let key = "\(record.snapshot.workflow)\t\(record.snapshot.state)"
            tally[key, default: (0, record.snapshot.finished)].0 += 1
        }
        let counts = tally.map { key, value -> Count in
            let parts = key.split(separator: "\t").map(String.init)
            let label = bundle?.workflows[parts[0]]?.state(parts[1])?.label ?? parts[1]
            return Count(workflow: parts[0], state: parts[1], label: label, finished: value.1, cases: value.0)
        }.sorted { ($0.workflow, $0.finished ? 0 : 1, -$0.cases) < ($1.workflow, $1.finished ? 0 : 1, -$1.cases) }
        var perSection: [String: SectionTasks] = [:]
        for t in try await store.tasks(TaskFilter(statuses: Set(TaskRecord.Status.allCases))) {
            var s = perSection[t.section] ?? SectionTasks(section: t.section, label: bundle?.staff.section(t.section)?.label ?? t.section,
                                                          created: 0, done: 0, open: 0, overdue: 0)
            s.created += 1
            if t.status == .done { s.done += 1 }
            if t.isOpen {
                s.open += 1
                if let due = t.due, due < now { s.overdue += 1 }
            }
            perSection[t.section] = s
        }
        return DemoSummary(counts: counts, sections: perSection.values.sorted { $0.created > $1.created }, now: now)
    }
}
