import Foundation
import KakariCore

/// `kakari check`: proves, by exploring every reachable configuration of a workflow through
/// the pure `Decider`, that
/// - every path can reach a final state (no dead end, no cycle without a way out);
/// - no state waits for an event nobody can send (no task of the state delivers it and the
///   workflow does not declare it under `events:`);
/// - every outcome of every task form is taken by some branch (and every child result);
/// - every final state is reachable.
///
/// A defect comes with the shortest path that shows it, as steps to replay. No store, no
/// clock, no files: the same definitions give the same result.
public struct ModelChecker: Sendable {
    public var workflows: [String: WorkflowDefinition]
    public var calendar: BusinessCalendar
    /// The time the explored case starts at (replays start a simulated store there).
    public var start: Date
    /// At most this many configurations are explored; beyond it the workflow is not proven.
    public var limit: Int

    /// The id of the case on the replayed store.
    public static let caseID = "check-1"

    public init(workflows: [String: WorkflowDefinition], calendar: BusinessCalendar, start: Date, limit: Int = 200_000) {
        self.workflows = workflows
        self.calendar = calendar
        self.start = start
        self.limit = limit
    }

    /// A Wednesday morning in April, an open day far from the new-year closure.
    public static let defaultStart = Date(timeIntervalSince1970: 1_775_001_600) // 2026-04-01T09:00:00+09:00

    /// Checks the workflow named `name` (which must be one of `workflows`).
    public func check(_ name: String) -> CheckResult {
        let definition = workflows[name]!
        var exploration = Exploration(workflows: workflows, definition: definition, calendar: calendar, limit: limit, depth: 0)
        let domain = GuardDomain(definition)
        exploration.run(caseID: Self.caseID, starts: domain.initialData(caseID: Self.caseID, today: calendar.day(of: start)),
                        at: start, parent: nil, announce: true)
        let nodes = exploration.nodes
        var defects: [CheckResult.Defect] = []
        if exploration.truncated {
            defects.append(.init(kind: .tooLarge, state: definition.initial,
                                 message: "more than \(limit) configurations; nothing is proven (split the workflow, or bound its counters with conditions)",
                                 steps: []))
        }

        // Every path can reach a final state: walk back from the final configurations.
        var predecessors = Array(repeating: [Int](), count: nodes.count)
        for (from, set) in exploration.successors.enumerated() { for to in set { predecessors[to].append(from) } }
        var canFinish = Array(repeating: false, count: nodes.count)
        var queue = nodes.indices.filter { nodes[$0].snapshot.finished }
        for i in queue { canFinish[i] = true }
        while let i = queue.popLast() {
            for p in predecessors[i] where !canFinish[p] { canFinish[p] = true; queue.append(p) }
        }
        if !exploration.truncated, let stuck = nodes.indices.filter({ !canFinish[$0] }).min(by: { nodes[$0].depth < nodes[$1].depth }) {
            defects.append(stuckDefect(stuck, exploration, definition, canFinish))
        }

        // Every outcome of a task form (and every child result) is taken.
        var seen: Set<String> = []
        for refusal in exploration.refusals.sorted(by: { nodes[$0.node].depth < nodes[$1.node].depth }) {
            let state = nodes[refusal.node].snapshot.state
            let event: String
            switch refusal.step {
            case .send(_, let e, let fields, _):
                event = e
                let outcome = fields.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
                guard seen.insert("\(state)\t\(e)").inserted else { continue }
                defects.append(.init(kind: .unhandledOutcome, state: state,
                                     message: "in state '\(state)' (\(label(state, definition))), completing '\(event)' with \(outcome.isEmpty ? "its form" : outcome) is refused: \(refusal.message); the task is done and the case is stuck",
                                     steps: exploration.path(to: refusal.node) + [refusal.step]))
            case .child(_, let workflow, let result, _):
                guard seen.insert("\(state)\tchild:\(result)").inserted else { continue }
                defects.append(.init(kind: .unhandledOutcome, state: state,
                                     message: "in state '\(state)' (\(label(state, definition))), the child \(workflow) ending with '\(result)' is refused: \(refusal.message)",
                                     steps: exploration.path(to: refusal.node) + [refusal.step]))
            default: continue
            }
        }

        // No state waits for an event nobody can send.
        var firstInState: [String: Int] = [:]
        for (i, node) in nodes.enumerated() where firstInState[node.snapshot.state] == nil { firstInState[node.snapshot.state] = i }
        for state in definition.states where !state.isFinal {
            guard let reached = firstInState[state.name] else { continue }
            for event in state.eventOrder where definition.events[event] == nil && !state.tasks.contains(where: { $0.event == event }) {
                defects.append(.init(kind: .eventNobodySends, state: state.name,
                                     message: "state '\(state.name)' (\(state.label)) waits for '\(event)', which no task of the state delivers and the workflow does not declare under events:",
                                     steps: exploration.path(to: reached)))
            }
        }

        // Every final state is reachable.
        for state in definition.states where state.isFinal && firstInState[state.name] == nil && !exploration.truncated {
            let leading = definition.states.flatMap { s in
                s.allBranches.filter { $0.branch.target == state.name }.map { b in
                    "\(s.name) --\(b.trigger)\(b.branch.conditionSource.map { " [\($0)]" } ?? "")"
                }
            }
            let how = leading.isEmpty ? "no branch leads to it" : "no explored path takes \(leading.joined(separator: ", "))"
            defects.append(.init(kind: .unreachableFinal, state: state.name,
                                 message: "final state '\(state.name)' (\(state.label)) is never reached: \(how)", steps: []))
        }

        defects.sort { $0.kind < $1.kind }
        return CheckResult(workflow: definition.name, label: definition.label, configurations: nodes.count,
                           transitions: exploration.transitions, statesReached: firstInState.count,
                           statesTotal: definition.states.count, finalStates: definition.states.filter(\.isFinal).count,
                           defects: defects, start: start)
    }

    /// A configuration from which no final state can be reached: a dead end when nothing moves
    /// it at all, otherwise a cycle with no way out.
    private func stuckDefect(_ i: Int, _ exploration: Exploration, _ definition: WorkflowDefinition, _ canFinish: [Bool]) -> CheckResult.Defect {
        let node = exploration.nodes[i]
        let state = node.snapshot.state
        let steps = exploration.path(to: i)
        if exploration.successors[i].isEmpty {
            let waits = waitsFor(state, definition)
            return .init(kind: .deadEnd, state: state,
                         message: "the case is stuck in state '\(state)' (\(label(state, definition))): \(waits.isEmpty ? "nothing can move it" : "none of \(waits.joined(separator: ", ")) can move it")",
                         steps: steps)
        }
        var region: Set<String> = []
        var seen: Set<Int> = [i]
        var queue = [i]
        while let n = queue.popLast() {
            region.insert(exploration.nodes[n].snapshot.state)
            for m in exploration.successors[n] where seen.insert(m).inserted { queue.append(m) }
        }
        let cycle = region.sorted().map { "'\($0)'" }.joined(separator: ", ")
        return .init(kind: .noWayOut, state: state,
                     message: "from state '\(state)' (\(label(state, definition))) the case can only move among \(cycle) and never reaches a final state",
                     steps: steps)
    }

    private func waitsFor(_ state: String, _ definition: WorkflowDefinition) -> [String] {
        guard let s = definition.state(state) else { return [] }
        var out = s.eventOrder.map { "'\($0)'" } + s.timers.map { "timer '\($0.name)'" }
        if let child = s.child { out.append("the child \(child.workflow)") }
        return out
    }

    private func label(_ state: String, _ definition: WorkflowDefinition) -> String { definition.state(state)?.label ?? state }
}
