import KakariCore

/// What changed between two versions of a workflow, in its own terms (states, transitions,
/// guards, tasks, forms, fields, timers), not as text. A pure function of the two definitions.
public enum WorkflowDiff {
    /// The changes from `old` to `new`, in the order of the new definition.
    public static func compare(_ old: WorkflowDefinition, _ new: WorkflowDefinition) -> [WorkflowChange] {
        var out: [WorkflowChange] = []
        if old.name != new.name { out.append(.init(.changed, "workflow", "name", "\(old.name) → \(new.name)")) }
        if old.label != new.label { out.append(.init(.changed, "workflow", "label", "\(old.label) → \(new.label)")) }
        if old.initial != new.initial { out.append(.init(.changed, "workflow", "initial", "\(old.initial) → \(new.initial)")) }
        fields(old.fields, new.fields, element: "field", path: "", &out)
        for name in Set(old.events.keys).union(new.events.keys).sorted() {
            switch (old.events[name], new.events[name]) {
            case (nil, _?): out.append(.init(.added, "event", name))
            case (_?, nil): out.append(.init(.removed, "event", name))
            case (let a?, let b?) where a != b: fields(a.fields, b.fields, element: "event field", path: "event \(name) / ", &out)
            default: break
            }
        }
        timer(old.deadline, new.deadline, element: "deadline", path: "deadline", &out)
        let oldStates = Dictionary(old.states.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for state in new.states {
            guard let before = oldStates[state.name] else {
                out.append(.init(.added, "state", "state \(state.name)", state.label))
                continue
            }
            compare(before, state, &out)
        }
        let newNames = Set(new.states.map(\.name))
        for state in old.states where !newNames.contains(state.name) {
            out.append(.init(.removed, "state", "state \(state.name)", state.label))
        }
        return out
    }

    static func compare(_ a: StateDefinition, _ b: StateDefinition, _ out: inout [WorkflowChange]) {
        let path = "state \(b.name)"
        if a.label != b.label { out.append(.init(.changed, "state", path, "label \(a.label) → \(b.label)")) }
        if a.isFinal != b.isFinal || a.result != b.result {
            out.append(.init(.changed, "state", path, "final \(a.result ?? String(a.isFinal)) → \(b.result ?? String(b.isFinal))"))
        }
        for trigger in Set(a.transitions.keys).union(b.transitions.keys).sorted() {
            let where_ = "\(path) / on \(trigger)"
            switch (a.transitions[trigger], b.transitions[trigger]) {
            case (nil, let branches?): out.append(.init(.added, "transition", where_, targets(branches)))
            case (let branches?, nil): out.append(.init(.removed, "transition", where_, targets(branches)))
            case (let x?, let y?): self.branches(x, y, path: where_, &out)
            default: break
            }
        }
        let oldTasks = Dictionary(a.tasks.map { ($0.kind, $0) }, uniquingKeysWith: { x, _ in x })
        for task in b.tasks {
            guard let before = oldTasks[task.kind] else { out.append(.init(.added, "task", "\(path) / task \(task.kind)", task.label)); continue }
            compare(before, task, path: "\(path) / task \(task.kind)", &out)
        }
        for task in a.tasks where !b.tasks.contains(where: { $0.kind == task.kind }) {
            out.append(.init(.removed, "task", "\(path) / task \(task.kind)", task.label))
        }
        let oldTimers = Dictionary(a.timers.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
        for t in b.timers { timer(oldTimers[t.name], t, element: "timer", path: "\(path) / timer \(t.name)", &out) }
        for t in a.timers where !b.timers.contains(where: { $0.name == t.name }) {
            timer(t, nil, element: "timer", path: "\(path) / timer \(t.name)", &out)
        }
        if a.child != b.child {
            let describe = { (c: ChildDefinition?) in c.map { "\($0.workflow) (results \($0.results.keys.sorted().joined(separator: ", ")))" } ?? "none" }
            out.append(.init(a.child == nil ? .added : b.child == nil ? .removed : .changed, "child", path, "\(describe(a.child)) → \(describe(b.child))"))
        }
    }

    static func compare(_ a: TaskDefinition, _ b: TaskDefinition, path: String, _ out: inout [WorkflowChange]) {
        var details: [String] = []
        func note<T: Equatable>(_ name: String, _ x: T, _ y: T, _ show: (T) -> String) {
            if x != y { details.append("\(name) \(show(x)) → \(show(y))") }
        }
        note("label", a.label, b.label) { $0 }
        note("title", a.title.source, b.title.source) { $0 }
        note("section", a.section, b.section, section)
        note("due", a.due, b.due) { $0?.description ?? "none" }
        note("follow-up", a.followUp, b.followUp) { $0?.description ?? "none" }
        note("event", a.event, b.event) { $0 }
        note("decision", a.decision, b.decision) { String($0) }
        note("contractor", a.contractor, b.contractor) { String($0) }
        note("confirms", a.confirms, b.confirms) { $0 ?? "none" }
        note("sees", a.sees, b.sees) { $0.joined(separator: ",") }
        if a.priority != b.priority { details.append("priority changed") }
        if !details.isEmpty { out.append(.init(.changed, "task", path, details.joined(separator: "; "))) }
        fields(a.form, b.form, element: "form", path: "\(path) / form ", &out)
    }

    static func section(_ rule: TaskDefinition.SectionRule) -> String {
        switch rule {
        case .fixed(let name): name
        case .route(_, let source): "route(\(source))"
        }
    }

    static func branches(_ a: [Branch], _ b: [Branch], path: String, _ out: inout [WorkflowChange]) {
        guard a != b else { return }
        for i in 0..<max(a.count, b.count) {
            let where_ = a.count == 1 && b.count == 1 ? path : "\(path) / branch \(i + 1)"
            guard i < a.count else { out.append(.init(.added, "transition", where_, describe(b[i]))); continue }
            guard i < b.count else { out.append(.init(.removed, "transition", where_, describe(a[i]))); continue }
            let x = a[i], y = b[i]
            if x.conditionSource != y.conditionSource || (x.condition == nil) != (y.condition == nil) {
                out.append(.init(.changed, "guard", where_, "\(x.conditionSource ?? "else") → \(y.conditionSource ?? "else")"))
            }
            if x.target != y.target { out.append(.init(.changed, "transition", where_, "target \(x.target) → \(y.target)")) }
            if x.assignments != y.assignments {
                out.append(.init(.changed, "assignment", where_, "sets \(x.assignments.map(\.field).joined(separator: ",")) → \(y.assignments.map(\.field).joined(separator: ","))"))
            }
        }
    }

    static func describe(_ branch: Branch) -> String {
        (branch.conditionSource.map { "if \($0) " } ?? "") + "→ \(branch.target)"
    }

    static func targets(_ branches: [Branch]) -> String { branches.map(describe).joined(separator: "; ") }

    static func timer(_ a: TimerDefinition?, _ b: TimerDefinition?, element: String, path: String, _ out: inout [WorkflowChange]) {
        switch (a, b) {
        case (nil, let t?): out.append(.init(.added, element, path, schedule(t)))
        case (let t?, nil): out.append(.init(.removed, element, path, schedule(t)))
        case (let x?, let y?) where x != y:
            if x.schedule != y.schedule || x.rollToOpenDay != y.rollToOpenDay {
                out.append(.init(.changed, element, path, "\(schedule(x)) → \(schedule(y))"))
            }
            if x.except != y.except {
                out.append(.init(.changed, element, path, "except \(x.except.joined(separator: ",")) → \(y.except.joined(separator: ","))"))
            }
            branches(x.branches, y.branches, path: path, &out)
        default: break
        }
    }

    static func schedule(_ t: TimerDefinition) -> String {
        switch t.schedule {
        case .after(let d): "after \(d)" + (t.rollToOpenDay ? "" : " (no roll)")
        case .at(_, let source): "at \(source)"
        }
    }

    static func fields(_ a: [FieldDefinition], _ b: [FieldDefinition], element: String, path: String, _ out: inout [WorkflowChange]) {
        let old = Dictionary(a.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
        for f in b {
            guard let before = old[f.name] else {
                out.append(.init(.added, element, path + f.name, "\(f.type)\(f.required ? ", required" : "")"))
                continue
            }
            var details: [String] = []
            if before.type != f.type { details.append("type \(before.type) → \(f.type)") }
            if before.required != f.required { details.append(f.required ? "now required" : "no longer required") }
            if before.defaultValue != f.defaultValue { details.append("default \(before.defaultValue) → \(f.defaultValue)") }
            if before.label != f.label { details.append("label \(before.label) → \(f.label)") }
            if before.table != f.table { details.append("table \(before.table ?? "none") → \(f.table ?? "none")") }
            if !details.isEmpty { out.append(.init(.changed, element, path + f.name, details.joined(separator: "; "))) }
        }
        for f in a where !b.contains(where: { $0.name == f.name }) {
            out.append(.init(.removed, element, path + f.name, "\(f.type)"))
        }
    }
}
