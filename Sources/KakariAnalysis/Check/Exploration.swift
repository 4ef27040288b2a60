import Foundation
import KakariCore

/// The breadth-first exploration of one workflow's configurations, through the pure
/// `Decider`: every node is a real snapshot reached by real decisions, kept once per
/// configuration (see `GuardDomain`), so a path to it is a sequence of events that a
/// simulated store accepts too.
///
/// Time: events are sent at the moment the case can take them; of the running timers,
/// the one due first fires next (as `kakari clock advance` would fire it).
struct Exploration {
    /// A child case a node's state started.
    struct ChildStart: Hashable {
        var id: String
        var workflow: String
        var data: [String: Value]
    }

    /// A configuration, with the first (shortest) way it was reached.
    struct Node {
        var snapshot: CaseSnapshot
        var now: Date
        var parent: Int?
        var step: ReplayStep?
        var depth: Int
        var child: ChildStart?
    }

    private struct Key: Hashable {
        var state: String
        var values: [Value]
        var timers: [String]
        var waiting: Bool
        var finished: Bool
        /// Open tasks by kind (and item), and kept events: with tasks that stay, the same state
        /// and data can wait for different work.
        var tasks: [String]
        var pending: [String]
    }

    /// A task's event that no branch could take: the case would be stuck with the task done.
    struct Refusal {
        var node: Int
        var step: ReplayStep
        var message: String
    }

    let workflows: [String: WorkflowDefinition]
    let decider: Decider
    let domain: GuardDomain
    let limit: Int
    /// How many child workflows deep this exploration is (children of children…).
    let depth: Int

    private(set) var nodes: [Node] = []
    private(set) var successors: [Set<Int>] = []
    private(set) var refusals: [Refusal] = []
    private(set) var transitions = 0
    private(set) var truncated = false
    private var index: [Key: Int] = [:]
    private var childCache: [ChildStart: [ChildOutcome]] = [:]

    /// How a child case can end: its result, the steps that get it there, and how long they take.
    struct ChildOutcome {
        var result: String
        var steps: [ReplayStep]
        var elapsed: TimeInterval
    }

    init(workflows: [String: WorkflowDefinition], definition: WorkflowDefinition, calendar: BusinessCalendar, limit: Int, depth: Int) {
        self.workflows = workflows
        decider = Decider(definition: definition, calendar: calendar)
        domain = GuardDomain(definition)
        self.limit = limit
        self.depth = depth
    }

    /// Explores from the starts of `caseID` with each of `starts`; `announce` adds the
    /// `kakari cases start` step (a child case is started by its parent instead).
    mutating func run(caseID: String, starts: [[String: Value]], at start: Date, parent: String?, announce: Bool) {
        for data in starts {
            let decision: Decision
            do { decision = try decider.start(id: caseID, version: 1, data: data, parent: parent, now: start) } catch { continue }
            let fields = decider.definition.fields.compactMap { f in data[f.name].map { ReplayStep.FieldValue(name: f.name, value: $0) } }
            let step: ReplayStep? = announce ? .start(workflow: decider.definition.name, caseID: caseID, fields: fields) : nil
            _ = add(decision, at: start, parent: nil, step: step)
        }
        var cursor = 0
        while cursor < nodes.count {
            if nodes.count > limit { truncated = true; break }
            expand(cursor)
            cursor += 1
        }
    }

    /// The steps from the start to `node`.
    func path(to node: Int) -> [ReplayStep] {
        var steps: [ReplayStep] = []
        var i: Int? = node
        while let n = i {
            if let step = nodes[n].step { steps.append(step) }
            i = nodes[n].parent
        }
        return steps.reversed()
    }

    private mutating func add(_ decision: Decision, at now: Date, parent: Int?, step: ReplayStep?) -> Int {
        let s = decision.after
        let key = Key(state: s.state, values: domain.abstractValues(s.data), timers: s.timers.keys.sorted(),
                      waiting: s.waitingFor != nil, finished: s.finished,
                      tasks: s.openTasks.map { $0.kind + ($0.item.map { "/" + $0 } ?? "") }.sorted(),
                      pending: (s.pending ?? []).map(\.name))
        if let existing = index[key] { return existing }
        // The child the case still waits for (a spent deadline does not restart it).
        var child = parent.flatMap { nodes[$0].child }.flatMap { $0.id == s.waitingFor ? $0 : nil }
        for effect in decision.effects {
            if case .startChild(let id, let workflow, let data) = effect { child = ChildStart(id: id, workflow: workflow, data: data) }
        }
        nodes.append(Node(snapshot: s, now: now, parent: parent, step: step,
                          depth: parent.map { nodes[$0].depth + 1 } ?? 0, child: child))
        successors.append([])
        index[key] = nodes.count - 1
        return nodes.count - 1
    }

    private mutating func expand(_ i: Int) {
        let node = nodes[i]
        let s = node.snapshot
        guard !s.finished, let state = decider.definition.state(s.state) else { return }
        let today = decider.calendar.day(of: node.now)
        // Completing an open task.
        for task in s.openTasks {
            for fields in domain.inputs(for: task.event, today: today) {
                let step = ReplayStep.send(caseID: s.id, event: task.event, fields: ordered(fields, task.event), task: task.key)
                let decision: Decision
                do {
                    decision = try decider.decide(s, .signal(name: task.event, fields: fields, task: task.key), now: node.now)
                } catch {
                    if error.code == .noBranchMatched || error.code == .expressionFailed {
                        refusals.append(Refusal(node: i, step: step, message: error.message))
                    }
                    continue
                }
                link(i, decision, at: node.now, step: step)
            }
        }
        // Events from outside: the ones the workflow declares.
        for event in state.eventOrder where decider.definition.events[event] != nil && !s.openTasks.contains(where: { $0.event == event }) {
            for fields in domain.inputs(for: event, today: today) {
                let decision: Decision
                do {
                    decision = try decider.decide(s, .signal(name: event, fields: fields, task: nil), now: node.now)
                } catch { continue }
                link(i, decision, at: node.now, step: .send(caseID: s.id, event: event, fields: ordered(fields, event), task: nil))
            }
        }
        // Events kept until a later state takes them, sent where they are not yet accepted
        // (once: a second copy would make the exploration endless).
        for (event, declared) in decider.definition.events.sorted(by: { $0.key < $1.key })
        where declared.unaccepted == .keep && state.transitions[event] == nil && !(s.pending ?? []).contains(where: { $0.name == event }) {
            for fields in domain.inputs(for: event, today: today) {
                let decision: Decision
                do {
                    decision = try decider.decide(s, .signal(name: event, fields: fields, task: nil), now: node.now)
                } catch { continue }
                link(i, decision, at: node.now, step: .send(caseID: s.id, event: event, fields: ordered(fields, event), task: nil))
            }
        }
        // The timer due first.
        if let first = s.timers.values.min() {
            for name in s.timers.keys.sorted() where s.timers[name] == first {
                let at = max(first, node.now)
                let decision: Decision
                do { decision = try decider.decide(s, .timer(name: name), now: at) } catch { continue }
                link(i, decision, at: at, step: .advance(seconds: Int(at.timeIntervalSince(node.now)), timer: name))
            }
        }
        // The child case's results.
        if let waiting = s.waitingFor, let child = node.child, child.id == waiting {
            for outcome in childOutcomes(child, at: node.now) {
                let at = node.now.addingTimeInterval(outcome.elapsed)
                let step = ReplayStep.child(caseID: child.id, workflow: child.workflow, result: outcome.result, steps: outcome.steps)
                let decision: Decision
                do {
                    decision = try decider.decide(s, .childFinished(child: child.id, result: outcome.result), now: at)
                } catch {
                    refusals.append(Refusal(node: i, step: step, message: error.message))
                    continue
                }
                link(i, decision, at: at, step: step)
            }
        }
    }

    private mutating func link(_ from: Int, _ decision: Decision, at now: Date, step: ReplayStep) {
        guard decision.applied else { return }
        transitions += 1
        let to = add(decision, at: now, parent: from, step: step)
        successors[from].insert(to)
    }

    private func ordered(_ fields: [String: Value], _ event: String) -> [ReplayStep.FieldValue] {
        decider.definition.eventFields(event).compactMap { f in fields[f.name].map { .init(name: f.name, value: $0) } }
    }

    /// The results a child case started with `child.data` can end with, each by its shortest path.
    private mutating func childOutcomes(_ child: ChildStart, at now: Date) -> [ChildOutcome] {
        if let known = childCache[child] { return known }
        guard depth < 4, let definition = workflows[child.workflow] else { return [] }
        var sub = Exploration(workflows: workflows, definition: definition, calendar: decider.calendar, limit: limit, depth: depth + 1)
        sub.run(caseID: child.id, starts: [child.data], at: now, parent: "parent", announce: false)
        var outcomes: [ChildOutcome] = []
        for (n, node) in sub.nodes.enumerated() where node.snapshot.finished {
            guard let result = node.snapshot.result, !outcomes.contains(where: { $0.result == result }) else { continue }
            outcomes.append(ChildOutcome(result: result, steps: sub.path(to: n), elapsed: node.now.timeIntervalSince(now)))
        }
        outcomes.sort { $0.result < $1.result }
        childCache[child] = outcomes
        return outcomes
    }
}
