import KakariCore

/// Draws a workflow's states and transitions as Mermaid `stateDiagram-v2` or Graphviz DOT,
/// with labels, events, guards and the section each task goes to.
public struct GraphRenderer {
    /// The output formats.
    public enum Format: String, CaseIterable, Sendable { case mermaid, dot }

    public let definition: WorkflowDefinition
    public let sectionLabels: [String: String]

    public init(definition: WorkflowDefinition, sectionLabels: [String: String] = [:]) {
        self.definition = definition
        self.sectionLabels = sectionLabels
    }

    public func render(_ format: Format) -> String {
        format == .mermaid ? mermaid() : dot()
    }

    struct Edge { var from: String; var to: String; var label: String }

    var edges: [Edge] {
        var out: [Edge] = []
        for state in definition.states {
            for (trigger, branch) in state.allBranches {
                var label = trigger
                if let c = branch.conditionSource { label += " [\(c)]" }
                out.append(Edge(from: state.name, to: branch.target, label: label))
            }
        }
        if let deadline = definition.deadline, let target = deadline.branches.first?.target {
            out.append(Edge(from: "*", to: target, label: "deadline"))
        }
        return out
    }

    func taskNote(_ state: StateDefinition) -> String? {
        guard !state.tasks.isEmpty else { return nil }
        return state.tasks.map { task in
            let section: String
            switch task.section {
            case .fixed(let s): section = sectionLabels[s] ?? s
            case .route(_, let source): section = "→ \(source)"
            }
            return "\(task.label) @ \(section)\(task.due.map { " (\($0))" } ?? "")"
        }.joined(separator: "; ")
    }

    private func mermaid() -> String {
        var lines = ["stateDiagram-v2"]
        for state in definition.states {
            lines.append("    \(state.name): \(escapeMermaid(state.label))")
        }
        lines.append("    [*] --> \(definition.initial)")
        let deadlineFrom = definition.states.filter { !$0.isFinal && !(definition.deadline?.except.contains($0.name) ?? true) }
        for edge in edges {
            if edge.from == "*" {
                for s in deadlineFrom { lines.append("    \(s.name) --> \(edge.to): \(escapeMermaid(edge.label))") }
            } else {
                lines.append("    \(edge.from) --> \(edge.to): \(escapeMermaid(edge.label))")
            }
        }
        for state in definition.states where state.isFinal { lines.append("    \(state.name) --> [*]") }
        for state in definition.states {
            if let note = taskNote(state) { lines.append("    note right of \(state.name): \(escapeMermaid(note))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func escapeMermaid(_ s: String) -> String {
        s.replacingOccurrences(of: ":", with: "：").replacingOccurrences(of: "\"", with: "'")
            .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: ";", with: "；")
    }

    private func dot() -> String {
        var lines = ["digraph \"\(definition.name)\" {", "    rankdir=LR;", "    node [shape=box, style=rounded, fontname=\"sans-serif\"];",
                     "    __start [shape=point];"]
        for state in definition.states {
            var label = "\(state.label)\\n(\(state.name))"
            if let note = taskNote(state) { label += "\\n\(note)" }
            let shape = state.isFinal ? ", peripheries=2" : ""
            lines.append("    \(state.name) [label=\"\(escapeDot(label))\"\(shape)];")
        }
        lines.append("    __start -> \(definition.initial);")
        let deadlineFrom = definition.states.filter { !$0.isFinal && !(definition.deadline?.except.contains($0.name) ?? true) }
        for edge in edges {
            let froms = edge.from == "*" ? deadlineFrom.map(\.name) : [edge.from]
            for from in froms { lines.append("    \(from) -> \(edge.to) [label=\"\(escapeDot(edge.label))\"];") }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func escapeDot(_ s: String) -> String {
        s.replacingOccurrences(of: "\"", with: "\\\"")
    }
}
