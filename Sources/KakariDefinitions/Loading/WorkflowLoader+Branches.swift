import KakariCore
import Yams

extension WorkflowLoader {
    /// Reads what follows an event, a timer or a child result: a target state, one branch,
    /// or a list of branches whose last may be an `else`. `stayIn` is the state a branch with
    /// `stay: true` stays in; nil where staying has no meaning (`all_done:`, a child's result,
    /// the deadline).
    func loadBranches(_ node: Node, trigger: String, scope: ExpressionScope, stayIn: String? = nil) -> [Branch] {
        if case .scalar = node {
            guard let target = target(node) else { return [] }
            return [Branch(target: target)]
        }
        if case .mapping = node {
            return loadBranch(node, trigger: trigger, scope: scope, isLast: true, stayIn: stayIn).map { [$0] } ?? []
        }
        guard let items = r.sequence(node, "the branches of \(trigger)") else { return [] }
        var branches: [Branch] = []
        for (i, item) in items.enumerated() {
            if let b = loadBranch(item, trigger: trigger, scope: scope, isLast: i == items.count - 1, stayIn: stayIn) { branches.append(b) }
        }
        return branches
    }

    private func loadBranch(_ node: Node, trigger: String, scope: ExpressionScope, isLast: Bool, stayIn: String?) -> Branch? {
        guard let f = r.fields(node, "a branch of \(trigger)", allowed: ["when", "to", "else", "set", "stay", "withdraw"]) else { return nil }
        var withdraw: [String] = []
        if let w = f["withdraw"] {
            withdraw = r.strings(w, "withdraw") ?? []
            if f["stay"] == nil { r.error(w, "withdraw: goes with stay: true", hint: "a branch that leaves the state withdraws all its tasks anyway") }
        }
        if let stayNode = f["stay"] {
            guard r.bool(stayNode, "stay") == true else {
                r.error(stayNode, "write stay: true, or leave it out")
                return nil
            }
            guard let stayIn else {
                r.error(stayNode, "\(trigger) cannot stay", hint: "stay: true is for events and timers of a state")
                return nil
            }
            for key in ["to", "else"] where f[key] != nil {
                r.error(f[key], "a branch has either stay: true or \(key):, not both")
            }
            var condition: (Expression, String)?
            if let when = f["when"] { condition = r.expression(when, "condition", scope: scope, expecting: .bool) }
            let assignments = f["set"].map { loadAssignments($0, scope: scope) } ?? []
            guard f["when"] == nil || condition != nil else { return nil }
            return Branch(condition: condition?.0, conditionSource: condition?.1, target: stayIn, assignments: assignments,
                          stays: true, withdraw: withdraw)
        }
        var condition: (Expression, String)?
        var targetNode: Node?
        if let elseNode = f["else"] {
            if f["when"] != nil { r.error(elseNode, "a branch has either when: or else:, not both") }
            if f["to"] != nil { r.error(f["to"], "write the target after else:", hint: "else: STATE") }
            if !isLast { r.error(elseNode, "else: must be the last branch", hint: "branches after it could never be taken") }
            targetNode = elseNode
        } else {
            targetNode = f["to"]
            if targetNode == nil {
                r.error(node, "a branch of \(trigger) needs to: (the next state)", hint: stayIn == nil ? nil : "or stay: true to stay in '\(stayIn!)'")
            }
            if let when = f["when"] {
                condition = r.expression(when, "condition", scope: scope, expecting: .bool)
            }
        }
        let resolved = targetNode.flatMap { self.target($0) }
        let assignments = f["set"].map { loadAssignments($0, scope: scope) } ?? []
        guard let resolved, f["when"] == nil || condition != nil else { return nil }
        return Branch(condition: condition?.0, conditionSource: condition?.1, target: resolved, assignments: assignments)
    }

    func target(_ node: Node) -> String? {
        guard let name = r.string(node, "a target state") else { return nil }
        guard stateNames.contains(name) else {
            r.error(node, "unknown state '\(name)'", hint: NameSuggestion.hint(for: name, in: stateNames))
            return nil
        }
        return name
    }

    /// `set: {field: expression}`: each expression must give the field's type.
    func loadAssignments(_ node: Node, scope: ExpressionScope) -> [Assignment] {
        var out: [Assignment] = []
        for (name, keyNode, value) in r.mapping(node, "set") ?? [] {
            guard let field = fieldsByName[name] else {
                r.error(keyNode, "unknown field '\(name)'", hint: NameSuggestion.hint(for: name, in: fieldsByName.keys))
                continue
            }
            guard let (expression, _) = r.expression(value, "the value of \(name)", scope: scope, expecting: field.type.valueType) else { continue }
            if case .enumeration(let values) = field.type, case .literal(.string(let s), _) = expression, !values.contains(s) {
                r.error(value, "'\(s)' is not a value of \(name) (\(values.joined(separator: ", ")))", hint: NameSuggestion.hint(for: s, in: values))
                continue
            }
            out.append(Assignment(field: name, expression: expression))
        }
        return out
    }

    /// Timers (`after:` or `at:`, then `to:`/`set:` or `then:` branches) and the deadline.
    func loadTimer(_ node: Node, defaultName: String, deadline: Bool, state: String? = nil) -> TimerDefinition? {
        var allowed = ["name", "after", "at", "roll", "to", "set", "then"]
        if deadline { allowed.append("except") }
        guard let f = r.fields(node, deadline ? "the deadline" : "a timer", allowed: allowed) else { return nil }
        let name = f["name"].flatMap { r.name($0, "timer name") } ?? defaultName
        let schedule: TimerDefinition.Schedule
        switch (f["after"], f["at"]) {
        case (let after?, nil):
            guard let d = r.duration(after, "after") else { return nil }
            schedule = .after(d)
        case (nil, let at?):
            guard let (e, source) = r.expression(at, "at", scope: scope(), expecting: .date) else { return nil }
            schedule = .at(e, source: source)
        case (_?, _?):
            r.error(f["at"], "a timer has either after: or at:, not both")
            return nil
        case (nil, nil):
            r.error(node, "timer '\(name)' needs after: (a duration) or at: (a date)")
            return nil
        }
        var branches: [Branch] = []
        if let then = f["then"] {
            if f["to"] != nil { r.error(f["to"], "a timer has either to: or then:, not both") }
            if f["set"] != nil { r.error(f["set"], "with then:, write set: inside each branch") }
            branches = loadBranches(then, trigger: deadline ? "the deadline" : "timer '\(name)'", scope: scope(), stayIn: state)
        } else if let toNode = f["to"], let target = target(toNode) {
            branches = [Branch(target: target, assignments: f["set"].map { loadAssignments($0, scope: scope()) } ?? [])]
        } else if f["to"] == nil {
            r.error(node, "timer '\(name)' needs to: (the state it leads to)")
        }
        var except: [String] = []
        if let e = f["except"], let names = r.strings(e, "except") {
            for n in names where !stateNames.contains(n) {
                r.error(e, "unknown state '\(n)'", hint: NameSuggestion.hint(for: n, in: stateNames))
            }
            except = names
        }
        return TimerDefinition(name: name, schedule: schedule, rollToOpenDay: f["roll"].flatMap { r.bool($0, "roll") } ?? true,
                               branches: branches, except: except)
    }

    /// `child: {workflow, with, results}`: the workflow must exist and every result it can
    /// end with must be handled.
    func loadChild(_ node: Node) -> ChildDefinition? {
        guard let f = r.fields(node, "child", allowed: ["workflow", "with", "results"], required: ["workflow", "results"]),
              let workflowNode = f["workflow"], let workflow = r.string(workflowNode, "workflow") else { return nil }
        guard let results = context.workflowResults[workflow] else {
            r.error(workflowNode, "unknown workflow '\(workflow)'",
                    hint: NameSuggestion.hint(for: workflow, in: context.workflowResults.keys) ?? "lint it together with this file")
            return nil
        }
        var data: [Assignment] = []
        let childFields = context.workflowFields[workflow]
        var given = Set<String>()
        for (name, keyNode, value) in f["with"].flatMap({ r.mapping($0, "with") }) ?? [] {
            given.insert(name)
            if let childFields, !childFields.all.contains(name) {
                r.error(keyNode, "workflow '\(workflow)' has no field '\(name)'", hint: NameSuggestion.hint(for: name, in: childFields.all))
                continue
            }
            if let (e, _) = r.expression(value, "the value of \(name)", scope: scope()) {
                data.append(Assignment(field: name, expression: e))
            }
        }
        for field in childFields?.required ?? [] where !given.contains(field) {
            r.error(node.keyNode("with") ?? node, "workflow '\(workflow)' needs '\(field)'", hint: "add '\(field):' under with:")
        }
        var handled: [String: [Branch]] = [:]
        if let resultsNode = f["results"] {
            for (result, keyNode, value) in r.mapping(resultsNode, "results") ?? [] {
                guard results.contains(result) else {
                    r.error(keyNode, "workflow '\(workflow)' has no result '\(result)'",
                            hint: NameSuggestion.hint(for: result, in: results) ?? "its results: \(results.joined(separator: ", "))")
                    continue
                }
                handled[result] = loadBranches(value, trigger: "result '\(result)'", scope: scope())
            }
            for result in results where handled[result] == nil {
                r.error(node.keyNode("results") ?? resultsNode, "result '\(result)' of workflow '\(workflow)' is not handled", hint: "add '\(result):' under results:")
            }
        }
        return ChildDefinition(workflow: workflow, data: data, results: handled)
    }

    /// A task form's enum field that the branches test must have every value handled,
    /// unless an `else` catches the rest.
    func checkOutcomes(_ task: TaskDefinition, _ branches: [Branch], node: Node) {
        guard !branches.isEmpty, !branches.contains(where: { $0.condition == nil }) else { return }
        for field in task.form {
            guard case .enumeration(let values) = field.type else { continue }
            var tested = false
            var covered = Set<String>()
            for branch in branches { if let c = branch.condition { Self.collect(c, field.name, &tested, &covered) } }
            guard tested else { continue }
            for value in values where !covered.contains(value) {
                r.error(node, "outcome '\(value)' of \(field.name) in task '\(task.kind)' is not handled by any branch of '\(task.event)'",
                        hint: "add a branch for it or an else:")
            }
        }
    }

    private static func collect(_ e: Expression, _ field: String, _ tested: inout Bool, _ covered: inout Set<String>) {
        switch e {
        case .binary(.equal, .eventField(let f, _), .literal(.string(let v), _), _) where f == field,
             .binary(.equal, .literal(.string(let v), _), .eventField(let f, _), _) where f == field,
             .binary(.notEqual, .eventField(let f, _), .literal(.string(let v), _), _) where f == field:
            // `!=` covers every other value; counting its literal as covered keeps
            // "x != a … x == a" from looking incomplete.
            tested = true
            covered.insert(v)
        case .binary(.in, .eventField(let f, _), .list(let items, _), _) where f == field:
            tested = true
            for case .literal(.string(let v), _) in items { covered.insert(v) }
        case .binary(_, let l, let r, _):
            collect(l, field, &tested, &covered)
            collect(r, field, &tested, &covered)
        case .unary(_, let x, _):
            collect(x, field, &tested, &covered)
        case .eventField(let f, _) where f == field:
            tested = true
        default:
            break
        }
    }
}
