import Foundation
import KakariCore

/// Where the cases stand, computed from what a store holds (read by the command line and
/// passed in as plain values): per workflow the cases in each state, the funnel, entries and
/// exits per week; per section the open and overdue tasks; the cases waiting longest.
public struct StatusReport: Sendable {
    /// A case as the report needs it.
    public struct CaseInfo: Sendable {
        public var id: String
        public var workflow: String
        public var state: String
        public var finished: Bool
        public var enteredAt: Date
        /// Its moves: when, from which state (nil for the start), to which.
        public var moves: [(at: Date, from: String?, to: String)]
        public init(id: String, workflow: String, state: String, finished: Bool, enteredAt: Date, moves: [(at: Date, from: String?, to: String)]) {
            self.id = id
            self.workflow = workflow
            self.state = state
            self.finished = finished
            self.enteredAt = enteredAt
            self.moves = moves
        }
    }

    /// A task as the report needs it.
    public struct TaskInfo: Sendable {
        public var section: String
        public var open: Bool
        public var due: Date?
        public init(section: String, open: Bool, due: Date?) {
            self.section = section
            self.open = open
            self.due = due
        }
    }

    /// One workflow's part of the report.
    public struct WorkflowPart: Sendable {
        public var definition: WorkflowDefinition
        /// Cases now in each state.
        public var current: [String: Int]
        /// Cases that ever entered each state.
        public var entered: [String: Int]
        /// Per state, per week (from `firstWeek`): cases entering and leaving.
        public var weeklyIn: [String: [Int]]
        public var weeklyOut: [String: [Int]]
        public var weeks: Int
        public var total: Int
    }

    /// Open and overdue tasks of one section.
    public struct SectionLoad: Sendable {
        public var section: String
        public var label: String
        public var open: Int
        public var overdue: Int
    }

    public var now: Date
    /// The Monday (00:00 in the calendar's zone) of the first week shown.
    public var firstWeek: Date
    public var workflows: [WorkflowPart]
    public var sections: [SectionLoad]
    /// Unfinished cases, longest in their state first.
    public var oldest: [(id: String, workflow: String, state: String, label: String, since: Date)]
    public var calendar: BusinessCalendar

    public init(definitions: [WorkflowDefinition], sectionLabels: [String: String], cases: [CaseInfo], tasks: [TaskInfo],
                now: Date, calendar: BusinessCalendar, oldestCount: Int = 20) {
        self.now = now
        self.calendar = calendar
        let earliest = cases.flatMap { $0.moves.map(\.at) }.min() ?? now
        let day = calendar.day(of: earliest)
        let midnight = calendar.gregorian.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
        firstWeek = midnight.addingTimeInterval(-Double((day.isoWeekday + 6) % 7) * 86_400)
        let weekOf = { [firstWeek] (d: Date) in max(0, Int(d.timeIntervalSince(firstWeek) / (7 * 86_400))) }
        let weeks = weekOf(now) + 1
        workflows = definitions.sorted { $0.name < $1.name }.compactMap { definition in
            let mine = cases.filter { $0.workflow == definition.name }
            guard !mine.isEmpty else { return nil }
            var part = WorkflowPart(definition: definition, current: [:], entered: [:], weeklyIn: [:], weeklyOut: [:], weeks: weeks, total: mine.count)
            for c in mine {
                part.current[c.state, default: 0] += 1
                var seen: Set<String> = []
                for move in c.moves {
                    if move.from == move.to { continue }
                    if seen.insert(move.to).inserted { part.entered[move.to, default: 0] += 1 }
                    let w = min(weekOf(move.at), weeks - 1)
                    part.weeklyIn[move.to, default: Array(repeating: 0, count: weeks)][w] += 1
                    if let from = move.from { part.weeklyOut[from, default: Array(repeating: 0, count: weeks)][w] += 1 }
                }
            }
            return part
        }
        var loads: [String: SectionLoad] = [:]
        for t in tasks where t.open {
            var l = loads[t.section] ?? SectionLoad(section: t.section, label: sectionLabels[t.section] ?? t.section, open: 0, overdue: 0)
            l.open += 1
            if let due = t.due, due < now { l.overdue += 1 }
            loads[t.section] = l
        }
        sections = loads.values.sorted { ($0.open, $1.section) > ($1.open, $0.section) }
        let byName = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        oldest = cases.filter { !$0.finished }.sorted { ($0.enteredAt, $0.id) < ($1.enteredAt, $1.id) }.prefix(oldestCount).map { c in
            (id: c.id, workflow: c.workflow, state: c.state, label: byName[c.workflow]?.state(c.state)?.label ?? c.state, since: c.enteredAt)
        }
    }
}
