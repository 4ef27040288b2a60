import KakariCore
import Yams

/// Loads one `workflow:` file into a `WorkflowDefinition`, checking every name, type and
/// expression against the file's own declarations and the files deployed with it.
final class WorkflowLoader {
    static let topKeys = ["workflow", "label", "description", "initial", "fields", "events", "deadline", "states"]
    static let stateKeys = ["label", "final", "result", "tasks", "on", "timers", "child", "all_done"]

    let r: NodeReader
    let context: WorkflowContext
    var fields: [FieldDefinition] = []
    var fieldsByName: [String: FieldDefinition] = [:]
    var stateNames: [String] = []
    var stateKeyNodes: [String: Node] = [:]
    var declaredEvents: [String: EventDefinition] = [:]
    /// Events delivered by tasks, with the form that types them.
    var taskEvents: [String: [FieldDefinition]] = [:]
    /// Where each task's `confirms:` is written.
    var confirmsNodes: [String: Node] = [:]
    /// Where each task's `retain:` is written.
    var retainNodes: [String: Node] = [:]

    init(reader: NodeReader, context: WorkflowContext) {
        self.r = reader
        self.context = context
    }

    /// The workflow's name and the results of its final states, read without full checking,
    /// so that other workflows can refer to it.
    static func peek(_ node: Node) -> (name: String, results: [String], fields: [String], required: [String])? {
        guard case .mapping(let m) = node, let name = m["workflow"]?.string else { return nil }
        var fields: [String] = [], required: [String] = []
        if case .mapping(let f)? = m["fields"] {
            for (key, value) in f {
                guard let field = key.string else { continue }
                fields.append(field)
                if case .mapping(let spec) = value, spec["required"]?.bool == true, spec["default"] == nil { required.append(field) }
            }
        }
        var results: [String] = []
        if case .mapping(let states)? = m["states"] {
            for (key, value) in states {
                guard case .mapping(let s) = value, s["final"]?.bool == true, let stateName = key.string else { continue }
                results.append(s["result"]?.string ?? stateName)
            }
        }
        return (name, results, fields, required)
    }

    func load(_ node: Node) -> WorkflowDefinition? {
        guard let top = r.fields(node, "the workflow", allowed: Self.topKeys, required: ["workflow", "initial", "states"]),
              let name = top["workflow"].flatMap({ r.name($0, "workflow name") })
        else { return nil }
        fields = top["fields"].map { FieldLoader.load($0, "fields", r) } ?? []
        fieldsByName = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        checkTables(fields, in: top["fields"])
        if let events = top["events"] { loadEvents(events) }
        guard let statesNode = top["states"], let statePairs = r.mapping(statesNode, "states") else { return nil }
        for (stateName, keyNode, _) in statePairs {
            guard FieldLoader.isIdentifier(stateName) else {
                r.error(keyNode, "state '\(stateName)' must be an ASCII name (letters, digits, _)", hint: "put Japanese text in its label")
                continue
            }
            stateNames.append(stateName)
            stateKeyNodes[stateName] = keyNode
        }
        collectTaskEvents(statePairs)
        var states: [StateDefinition] = []
        for (stateName, _, spec) in statePairs where stateKeyNodes[stateName] != nil {
            if let state = loadState(stateName, spec) { states.append(state) }
        }
        let kinds = Set(states.flatMap(\.tasks).map(\.kind))
        for state in states { for task in state.tasks {
            if let confirms = task.confirms, !kinds.contains(confirms) {
                r.error(confirmsNodes[task.kind], "task '\(task.kind)' confirms '\(confirms)', which no state gives",
                        hint: NameSuggestion.hint(for: confirms, in: kinds))
            }
            if let retain = task.retain, !kinds.contains(retain) {
                r.error(retainNodes[task.kind], "task '\(task.kind)' retains whoever did '\(retain)', which no state gives",
                        hint: NameSuggestion.hint(for: retain, in: kinds))
            }
        } }
        let initialNode = top["initial"]!
        let initial = r.string(initialNode, "initial") ?? ""
        if !stateNames.contains(initial) {
            r.error(initialNode, "unknown initial state '\(initial)'", hint: NameSuggestion.hint(for: initial, in: stateNames))
        } else if states.first(where: { $0.name == initial })?.isFinal == true {
            r.error(initialNode, "the initial state '\(initial)' cannot be final")
        }
        if !states.isEmpty, !states.contains(where: \.isFinal) {
            r.error(node.keyNode("states") ?? statesNode, "the workflow has no final state", hint: "mark at least one state final: true")
        }
        var deadline: TimerDefinition?
        if let d = top["deadline"] { deadline = loadTimer(d, defaultName: Decider.deadlineTimer, deadline: true) }
        let tables = context.tables
        let definition = WorkflowDefinition(
            name: name, label: top["label"].flatMap { r.string($0, "label") },
            description: top["description"].flatMap { r.string($0, "description") } ?? "",
            initial: initial, fields: fields, states: states, events: declaredEvents, deadline: deadline,
            tables: tables)
        // The shape is checked only once the parts are sound: a misspelt event would
        // otherwise make every state after it look unreachable.
        if r.diagnostics.isEmpty {
            WorkflowChecker(reader: r, stateKeyNodes: stateKeyNodes).check(definition, initialNode: initialNode)
        }
        return definition
    }

    private func loadEvents(_ node: Node) {
        for (name, keyNode, spec) in r.mapping(node, "events") ?? [] {
            guard FieldLoader.isIdentifier(name) else { r.error(keyNode, "event '\(name)' must be an ASCII name (letters, digits, _)"); continue }
            var label: String?
            var fields: [FieldDefinition] = []
            var unaccepted = EventDefinition.Unaccepted.refuse
            if spec.isEmptyScalar {
                // `withdraw:` with no body: an event without fields.
            } else if let f = r.fields(spec, "event '\(name)'", allowed: ["label", "fields", "if_not_accepted"]) {
                label = f["label"].flatMap { r.string($0, "label") }
                fields = f["fields"].map { FieldLoader.load($0, "fields of event '\(name)'", r) } ?? []
                if let node = f["if_not_accepted"], let text = r.string(node, "if_not_accepted") {
                    if let u = EventDefinition.Unaccepted(rawValue: text) { unaccepted = u } else {
                        let allowed = EventDefinition.Unaccepted.allCases.map(\.rawValue)
                        r.error(node, "if_not_accepted is one of \(allowed.joined(separator: ", ")), not '\(text)'",
                                hint: NameSuggestion.hint(for: text, in: allowed))
                    }
                }
            }
            declaredEvents[name] = EventDefinition(name: name, label: label, fields: fields, unaccepted: unaccepted)
        }
    }

    /// Finds the events that tasks deliver, so that `on` can refer to them in any state.
    private func collectTaskEvents(_ statePairs: [(key: String, keyNode: Node, value: Node)]) {
        for (_, _, spec) in statePairs {
            guard case .mapping(let s) = spec, case .sequence(let tasks)? = s["tasks"] else { continue }
            for task in tasks {
                guard case .mapping(let t) = task, let kind = t["kind"]?.string else { continue }
                let event = t["event"]?.string ?? kind
                var form = t["form"].map { FieldLoader.load($0, "form of task '\(kind)'", NodeReader(source: r.source)) } ?? []
                if t["for_each"] != nil { form.append(FieldDefinition(name: TaskDefinition.itemName, type: .string, label: "item")) }
                if let c = t["confirms"] { confirmsNodes[kind] = c }
                if let c = t["retain"] { retainNodes[kind] = c }
                if declaredEvents[event] != nil {
                    r.error(t["event"] ?? t["kind"], "task '\(kind)' delivers '\(event)', which is also declared under events:",
                            hint: "a task's form gives its event's fields; give the task its own event name")
                } else if let other = taskEvents[event], other != form {
                    r.error(t["event"] ?? t["kind"], "two tasks deliver '\(event)' with different forms",
                            hint: "give one of them its own event: name")
                }
                if taskEvents[event] == nil { taskEvents[event] = form }
            }
        }
    }

    /// The fields of `event` if the workflow knows it; a diagnostic otherwise.
    func eventFields(_ event: String, at node: Node) -> [FieldDefinition]? {
        if let declared = declaredEvents[event] { return declared.fields }
        if let form = taskEvents[event] { return form }
        let known = Array(declaredEvents.keys) + Array(taskEvents.keys)
        r.error(node, "unknown event '\(event)'",
                hint: NameSuggestion.hint(for: event, in: known) ?? "declare it under events:, or give it to a task")
        return nil
    }

    func scope(eventFields: [FieldDefinition]? = nil, eventName: String? = nil) -> ExpressionScope {
        ExpressionScope(caseFields: fieldsByName,
                        eventFields: eventFields.map { Dictionary($0.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }) },
                        tables: context.tables, eventName: eventName)
    }

    private func loadState(_ name: String, _ spec: Node) -> StateDefinition? {
        if spec.isEmptyScalar {
            r.error(stateKeyNodes[name], "state '\(name)' is empty", hint: "give it transitions under on:, or mark it final: true")
            return StateDefinition(name: name)
        }
        guard let f = r.fields(spec, "state '\(name)'", allowed: Self.stateKeys) else { return nil }
        let isFinal = f["final"].flatMap { r.bool($0, "final") } ?? false
        let result = f["result"].flatMap { r.name($0, "result") }
        if isFinal {
            for key in ["tasks", "on", "timers", "child", "all_done"] where f[key] != nil {
                r.error(f[key], "final state '\(name)' cannot have \(key)", hint: "a final state ends the case")
            }
        } else if let resultNode = f["result"] {
            r.error(resultNode, "only a final state has a result", hint: "add final: true")
        }
        if isFinal { return StateDefinition(name: name, label: f["label"].flatMap { r.string($0, "label") }, isFinal: true, result: result) }
        let taskNodes = f["tasks"].flatMap { r.sequence($0, "tasks") } ?? []
        let loaded = taskNodes.map { (loadTask($0, state: name), $0) }
        let tasks = loaded.compactMap(\.0)
        let taskNode = Dictionary(loaded.compactMap { t, n in t.map { ($0.kind, n) } }, uniquingKeysWith: { a, _ in a })
        var kinds = Set<String>()
        for (i, t) in tasks.enumerated() where !kinds.insert(t.kind).inserted {
            r.error(itemNode(f["tasks"]!, i), "state '\(name)' gives task '\(t.kind)' twice")
        }
        var transitions: [String: [Branch]] = [:]
        var order: [String] = []
        for (event, keyNode, value) in f["on"].flatMap({ r.mapping($0, "on") }) ?? [] {
            guard let eventFields = eventFields(event, at: keyNode) else { continue }
            transitions[event] = loadBranches(value, trigger: "'\(event)'", scope: scope(eventFields: eventFields, eventName: event), stayIn: name)
            order.append(event)
        }
        for task in tasks where transitions[task.event] == nil {
            r.error(taskNode[task.kind], "task '\(task.kind)' delivers '\(task.event)', which state '\(name)' does not handle",
                    hint: "add '\(task.event):' under on:")
        }
        for task in tasks {
            checkOutcomes(task, transitions[task.event] ?? [], node: f["on"]?.keyNode(task.event) ?? taskNode[task.kind]!)
        }
        let timers = (f["timers"].flatMap { r.sequence($0, "timers") } ?? []).enumerated().compactMap {
            loadTimer($0.element, defaultName: "timer\($0.offset + 1)", deadline: false, state: name)
        }
        let child = f["child"].flatMap { loadChild($0) }
        var allDone: [Branch] = []
        if let node = f["all_done"] {
            allDone = loadBranches(node, trigger: "all_done", scope: scope())
            if tasks.isEmpty { r.error(node.keyNode("all_done") ?? node, "state '\(name)' has all_done: but gives no tasks", hint: "all_done: is taken when every task of the state is done") }
        }
        // A branch that stays may only withdraw tasks this state gives.
        let stateKinds = Set(tasks.map(\.kind))
        for (event, _, value) in f["on"].flatMap({ r.mapping($0, "on") }) ?? [] {
            for branch in transitions[event] ?? [] { for kind in branch.withdraw where !stateKinds.contains(kind) {
                r.error(value, "'\(event)' withdraws '\(kind)', which state '\(name)' does not give",
                        hint: NameSuggestion.hint(for: kind, in: stateKinds))
            } }
        }
        return StateDefinition(name: name, label: f["label"].flatMap { r.string($0, "label") }, isFinal: isFinal,
                               result: result, tasks: tasks, transitions: transitions, eventOrder: order,
                               timers: timers, child: child, allDone: allDone)
    }

    /// Fields limited to a table's keys must name a deployed table.
    func checkTables(_ fields: [FieldDefinition], in node: Node?) {
        for field in fields {
            guard let table = field.table, context.tables[table] == nil else { continue }
            let spec: Node? = node.flatMap { n -> Node? in
                guard case .mapping(let m) = n, let s = m[field.name] else { return nil }
                guard case .mapping(let fm) = s else { return s }
                return fm["table"] ?? s
            }
            r.error(spec, "unknown table '\(table)'", hint: NameSuggestion.hint(for: table, in: context.tables.keys))
        }
    }

    func itemNode(_ node: Node, _ index: Int) -> Node {
        if case .sequence(let seq) = node, index < seq.count { return seq[index] }
        return node
    }
}
