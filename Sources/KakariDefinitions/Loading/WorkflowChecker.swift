import KakariCore
import Yams

/// Checks the shape of a loaded workflow: every state reachable from the initial one, and a
/// final state reachable from every state.
struct WorkflowChecker {
    let reader: NodeReader
    let stateKeyNodes: [String: Node]

    func check(_ definition: WorkflowDefinition, initialNode: Node) {
        guard definition.state(definition.initial) != nil else { return }
        var edges: [String: Set<String>] = [:]
        for state in definition.states where !state.isFinal {
            var targets = Set(state.allBranches.map(\.branch.target))
            if let deadline = definition.deadline, !deadline.except.contains(state.name) {
                targets.formUnion(deadline.branches.map(\.target))
            }
            edges[state.name] = targets
        }
        var reached: Set<String> = [definition.initial]
        var queue = [definition.initial]
        while let s = queue.popLast() {
            for t in edges[s] ?? [] where reached.insert(t).inserted { queue.append(t) }
        }
        for state in definition.states where !reached.contains(state.name) {
            reader.error(stateKeyNodes[state.name], "state '\(state.name)' cannot be reached from '\(definition.initial)'",
                         hint: "no transition leads to it")
        }
        var canFinish = Set(definition.states.filter(\.isFinal).map(\.name))
        var changed = true
        while changed {
            changed = false
            for (s, targets) in edges where !canFinish.contains(s) && !targets.isDisjoint(with: canFinish) {
                canFinish.insert(s)
                changed = true
            }
        }
        for state in definition.states where reached.contains(state.name) && !canFinish.contains(state.name) {
            reader.error(stateKeyNodes[state.name], "no final state can be reached from state '\(state.name)'",
                         hint: "cases entering it would never finish")
        }
    }
}
