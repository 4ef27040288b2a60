import Foundation
import KakariCore

/// A workflow's states drawn as inline SVG, each labelled and coloured by its number of cases.
///
/// The layout is written by hand on purpose: the report must open on a closed ward network
/// with no external scripts or fonts, so Graphviz, Mermaid or a JavaScript layout library are
/// not available to the page. A simple layered layout is enough for a dozen states: states
/// are put in columns by their breadth-first distance from the initial state (final states
/// all in the last column), ordered in each column by the row of the state that first leads
/// to them; forward transitions are drawn as curves to the right, the others as arcs below.
struct StateDiagram {
    let definition: WorkflowDefinition
    /// Column and row of each state.
    private(set) var positions: [String: (column: Int, row: Int)] = [:]
    private(set) var columns = 0
    private(set) var rows = 0

    static let width = 176.0, height = 52.0, columnGap = 64.0, rowGap = 22.0, margin = 16.0

    init(_ definition: WorkflowDefinition) {
        self.definition = definition
        var distance: [String: Int] = [definition.initial: 0]
        var order = [definition.initial]
        var queue = [definition.initial]
        while !queue.isEmpty {
            let name = queue.removeFirst()
            for target in Self.targets(of: name, in: definition) where distance[target] == nil {
                distance[target] = distance[name]! + 1
                order.append(target)
                queue.append(target)
            }
        }
        for s in definition.states where distance[s.name] == nil { distance[s.name] = 1; order.append(s.name) }
        let lastOpen = definition.states.filter { !$0.isFinal }.compactMap { distance[$0.name] }.max() ?? 0
        var perColumn: [Int: Int] = [:]
        for name in order {
            let isFinal = definition.state(name)?.isFinal ?? false
            let column = isFinal ? lastOpen + 1 : distance[name]!
            positions[name] = (column, perColumn[column, default: 0])
            perColumn[column, default: 0] += 1
        }
        columns = (perColumn.keys.max() ?? 0) + 1
        rows = perColumn.values.max() ?? 1
    }

    /// The states a state leads to, in file order; the deadline counts from the initial state.
    static func targets(of name: String, in definition: WorkflowDefinition) -> [String] {
        var out = definition.state(name)?.allBranches.map(\.branch.target) ?? []
        if name == definition.initial, let deadline = definition.deadline { out += deadline.branches.map(\.target) }
        return out
    }

    private func box(_ name: String) -> (x: Double, y: Double) {
        let p = positions[name] ?? (0, 0)
        return (Self.margin + Double(p.column) * (Self.width + Self.columnGap),
                Self.margin + Double(p.row) * (Self.height + Self.rowGap))
    }

    /// The SVG, with each state's group carrying `data-state` and `data-count`.
    func svg(counts: [String: Int]) -> String {
        let w = Self.margin * 2 + Double(columns) * Self.width + Double(max(columns - 1, 0)) * Self.columnGap
        let h = Self.margin * 2 + Double(rows) * Self.height + Double(max(rows - 1, 0)) * Self.rowGap + 36
        let total = max(counts.values.reduce(0, +), 1)
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-label=\"\(HTML.escape(definition.label))\">",
                   "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>"]
        var drawn: Set<String> = []
        for state in definition.states {
            for (trigger, branch) in state.allBranches.map({ ($0.trigger, $0.branch) }) + deadlineEdges(state.name) {
                guard drawn.insert("\(state.name)>\(branch.target)").inserted else { continue }
                out.append(edge(from: state.name, to: branch.target, title: trigger, dashed: trigger == "deadline"))
            }
        }
        for state in definition.states {
            let (x, y) = box(state.name)
            let n = counts[state.name] ?? 0
            let fill: String
            if state.isFinal {
                fill = n > 0 ? "#d8efd8" : "#f1f7f1"
            } else if n > 0 {
                fill = String(format: "rgba(230,120,20,%.2f)", 0.18 + 0.6 * Double(n) / Double(total))
            } else {
                fill = "#ffffff"
            }
            out.append("<g class=\"state\" data-state=\"\(HTML.escape(state.name))\" data-count=\"\(n)\">"
                + "<title>\(HTML.escape(state.name))</title>"
                + "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(Self.width)\" height=\"\(Self.height)\" rx=\"\(state.isFinal ? 14 : 5)\" fill=\"\(fill)\" stroke=\"\(state.isFinal ? "#3a7a3a" : "#555")\" stroke-width=\"\(state.name == definition.initial ? 2.5 : 1.2)\"/>"
                + "<text x=\"\(x + Self.width / 2)\" y=\"\(y + 21)\" text-anchor=\"middle\" class=\"label\(state.label.count > 13 ? " long" : "")\">\(HTML.escape(state.label))</text>"
                + "<text x=\"\(x + Self.width / 2)\" y=\"\(y + 41)\" text-anchor=\"middle\" class=\"count\">\(n) 件</text></g>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    private func deadlineEdges(_ name: String) -> [(String, Branch)] {
        guard name == definition.initial, let deadline = definition.deadline else { return [] }
        return deadline.branches.map { ("deadline", $0) }
    }

    private func edge(from: String, to: String, title: String, dashed: Bool) -> String {
        let a = box(from), b = box(to)
        let (w, h) = (Self.width, Self.height)
        let path: String
        if from == to {
            path = "M\(a.x + w * 0.35),\(a.y) C\(a.x + w * 0.35),\(a.y - 26) \(a.x + w * 0.65),\(a.y - 26) \(a.x + w * 0.65),\(a.y)"
        } else if (positions[to]?.column ?? 0) > (positions[from]?.column ?? 0) {
            let (x1, y1, x2, y2) = (a.x + w, a.y + h / 2, b.x, b.y + h / 2)
            let mid = (x1 + x2) / 2
            path = "M\(x1),\(y1) C\(mid),\(y1) \(mid),\(y2) \(x2),\(y2)"
        } else {
            let (x1, y1, x2, y2) = (a.x + w / 2, a.y + h, b.x + w / 2, b.y + h)
            let dip = max(y1, y2) + 30 + abs(x1 - x2) * 0.08
            path = "M\(x1),\(y1) C\(x1),\(dip) \(x2),\(dip) \(x2),\(y2)"
        }
        return "<path class=\"edge\" d=\"\(path)\" fill=\"none\" stroke=\"#777\" stroke-width=\"1.2\"\(dashed ? " stroke-dasharray=\"5 4\"" : "") marker-end=\"url(#arrow)\"><title>\(HTML.escape(title))</title></path>"
    }
}
