import Foundation

/// The meaning of a workflow: a pure function from (definition, case, event, now) to a
/// `Decision`.
///
/// Semantics:
/// - A **start** checks the data against the fields (types, required, enum values), fills in
///   defaults and enters the initial state.
/// - A **named event** must be accepted by the current state; its fields are checked against
///   the event's declaration (or the form of the task that delivers it). The state's branches
///   for it are tried in order; the first whose condition holds (or the `else`) is taken.
///   No matching branch refuses the event.
/// - A **timer** or a **child result** takes its branches the same way; one whose state the
///   case already left is ignored (`applied == false`).
/// - Taking a branch **exits** the state (open tasks are closed: the completing task as done,
///   the others withdrawn; its timers are cancelled), evaluates the assignments over the old
///   data and the event, then **enters** the target: tasks are created with their title,
///   section, due and follow-up dates and priority computed over the new data; timers start;
///   a child case starts. Entering a final state finishes the case, cancels the deadline and
///   reports the result to the parent. A branch back to the same state re-enters it.
/// - A branch that **stays** (`stay: true`) neither exits nor enters: only the completing task
///   closes (and the kinds it withdraws); the other tasks and the timers go on.
/// - Then, until the case waits: a state with `all_done:` and no open task left takes those
///   branches, and a state that accepts an event kept earlier (`if_not_accepted: keep`) takes it.
/// - An event the state does not accept is refused, unless its declaration keeps it for a later
///   state or ignores it.
/// - A `for_each:` task is given once per item of its list field; its item is `event.item`.
///
/// - **Operator events** (suspend, resume, move, cancel, migrate, reopen) are described in
///   `Decider+Operator.swift`; they are history entries like any other and replay the same way.
///
/// Nothing here reads a clock, a file or a database: the same inputs give the same decision.
public struct Decider: Sendable {
    public var definition: WorkflowDefinition
    public var calendar: BusinessCalendar
    /// The name of the whole-case deadline timer.
    public static let deadlineTimer = "deadline"

    public init(definition: WorkflowDefinition, calendar: BusinessCalendar) {
        self.definition = definition
        self.calendar = calendar
    }

    /// Starts a case.
    public func start(id: String, version: Int, data: [String: Value], parent: String? = nil, now: Date) throws(DecisionError) -> Decision {
        let checked = try check(data, against: definition.fields, what: "the case", fillDefaults: true)
        var snapshot = CaseSnapshot(id: id, workflow: definition.name, version: version, state: definition.initial,
                                    data: checked, parent: parent, sequence: 1, enteredAt: now)
        var effects: [Effect] = []
        if let deadline = definition.deadline, let due = try dueDate(of: deadline, data: checked, now: now) {
            snapshot.timers[Self.deadlineTimer] = due
            effects.append(.scheduleTimer(name: Self.deadlineTimer, due: due))
        }
        guard let initial = definition.state(definition.initial) else {
            throw DecisionError(.unknownState, "workflow \(definition.name) has no initial state '\(definition.initial)'")
        }
        try enter(initial, &snapshot, &effects, now: now)
        var changes = definition.fields.compactMap { f -> Decision.Change? in
            let v = checked[f.name] ?? .null
            return v == .null ? nil : Decision.Change(field: f.name, old: .null, new: v)
        }
        try settle(&snapshot, &effects, &changes, now: now)
        return Decision(event: .start(data: data, parent: parent), from: nil, after: snapshot, changes: changes,
                        effects: effects, applied: true, note: nil)
    }

    /// Decides what `event` does to the case `snapshot`.
    public func decide(_ snapshot: CaseSnapshot, _ event: CaseEvent, now: Date) throws(DecisionError) -> Decision {
        switch event {
        case .start(let data, let parent):
            return try start(id: snapshot.id, version: snapshot.version, data: data, parent: parent, now: now)
        case .signal(let name, let fields, let taskKey):
            return try signal(snapshot, name, fields, taskKey, event, now)
        case .suspend, .resume, .move, .cancel, .migrate, .reopen:
            return try operate(snapshot, event, now: now)
        case .timer(let name):
            guard !snapshot.finished, snapshot.suspended == nil, snapshot.timers[name] != nil else { return ignored(snapshot, event) }
            let branches: [Branch]
            if name == Self.deadlineTimer, let deadline = definition.deadline {
                if deadline.except.contains(snapshot.state) {
                    return spent(snapshot, name, event, note: "the deadline passed in state '\(snapshot.state)', which it does not apply to")
                }
                branches = deadline.branches
            } else if let timer = definition.state(snapshot.state)?.timers.first(where: { $0.name == name }) {
                branches = timer.branches
            } else {
                return spent(snapshot, name, event, note: "state '\(snapshot.state)' has no timer '\(name)'")
            }
            do {
                return try take(branches, snapshot, event, eventData: [:], completedTask: nil, now: now,
                                refusal: "no branch of timer '\(name)' applies in state '\(snapshot.state)'")
            } catch {
                // Nobody waits on a timer to hear a refusal: it is spent, the case stays where
                // it is, and the reason goes into the history.
                return spent(snapshot, name, event, note: error.message)
            }
        case .childFinished(let child, let result):
            try requireNotSuspended(snapshot, "the result '\(result)' of \(child)")
            guard !snapshot.finished, snapshot.waitingFor == child,
                  let childDefinition = definition.state(snapshot.state)?.child,
                  let branches = childDefinition.results[result]
            else { return ignored(snapshot, event) }
            return try take(branches, snapshot, event, eventData: [:], completedTask: nil, now: now,
                            refusal: "no branch for the child result '\(result)' applies in state '\(snapshot.state)'")
        }
    }

    private func signal(_ snapshot: CaseSnapshot, _ name: String, _ fields: [String: Value], _ taskKey: String?,
                        _ event: CaseEvent, _ now: Date) throws(DecisionError) -> Decision {
        var fields = fields
        guard !snapshot.finished else {
            throw DecisionError(.caseFinished, "case \(snapshot.id) is finished (\(label(of: snapshot.state))) and accepts no events")
        }
        try requireNotSuspended(snapshot, "'\(name)'")
        guard let state = definition.state(snapshot.state) else {
            throw DecisionError(.unknownState, "case \(snapshot.id) is in state '\(snapshot.state)', which its workflow does not define")
        }
        if let taskKey {
            guard let task = snapshot.openTasks.first(where: { $0.key == taskKey }), task.event == name else {
                throw DecisionError(.taskNotOpen, "task \(taskKey) of case \(snapshot.id) is not open")
            }
            // The item of a for_each task comes from the task, not from the person.
            if let item = task.item { fields[TaskDefinition.itemName] = .string(item) }
        }
        if state.transitions[name] == nil, taskKey == nil, let declared = definition.events[name], declared.unaccepted != .refuse {
            return try keepOrIgnore(snapshot, declared, fields, event)
        }
        guard let branches = state.transitions[name] else {
            let accepted = state.eventOrder
            let list = accepted.isEmpty ? "it accepts no events" : "it accepts \(accepted.joined(separator: ", "))"
            throw DecisionError(.eventNotAccepted, "case \(snapshot.id) is in state '\(state.name)' (\(state.label)), which does not accept '\(name)'; \(list)")
        }
        let declared = definition.eventFields(name)
        let data = try check(fields, against: declared, what: "event '\(name)'", fillDefaults: true)
        return try take(branches, snapshot, event, eventData: data, completedTask: taskKey, now: now,
                        refusal: "no branch of '\(name)' applies to case \(snapshot.id) in state '\(state.name)'")
    }

    /// A timer that fell due without moving the case: it is used up, recorded with the reason.
    private func spent(_ snapshot: CaseSnapshot, _ name: String, _ event: CaseEvent, note: String) -> Decision {
        var after = snapshot
        after.sequence += 1
        after.timers[name] = nil
        return Decision(event: event, from: snapshot.state, after: after, changes: [],
                        effects: [.cancelTimer(name: name)], applied: true, note: note)
    }

    func ignored(_ snapshot: CaseSnapshot, _ event: CaseEvent) -> Decision {
        Decision(event: event, from: snapshot.state, after: snapshot, changes: [], effects: [], applied: false, note: nil)
    }

    private func evaluator(_ data: [String: Value], _ eventData: [String: Value], _ now: Date) -> Evaluator {
        Evaluator(caseData: data, eventData: eventData, tables: definition.tables, today: calendar.day(of: now))
    }

    func take(_ branches: [Branch], _ snapshot: CaseSnapshot, _ event: CaseEvent, eventData: [String: Value],
              completedTask: String?, now: Date, refusal: String) throws(DecisionError) -> Decision {
        guard let branch = try choose(branches, data: snapshot.data, eventData: eventData, now: now) else {
            throw DecisionError(.noBranchMatched, refusal)
        }
        var after = snapshot
        after.sequence += 1
        var effects: [Effect] = []
        var changes: [Decision.Change] = []
        // A timer that fired is spent, the deadline included.
        if case .timer(let fired) = event, after.timers[fired] != nil {
            after.timers[fired] = nil
            effects.append(.cancelTimer(name: fired))
        }
        if case .childFinished = event { after.waitingFor = nil }
        try follow(branch, &after, &effects, &changes, eventData: eventData, completedTask: completedTask, now: now)
        try settle(&after, &effects, &changes, now: now)
        return Decision(event: event, from: snapshot.state, after: after, changes: changes, effects: effects, applied: true, note: nil)
    }

    /// The first branch whose condition holds over the data and the event, if any.
    func choose(_ branches: [Branch], data: [String: Value], eventData: [String: Value], now: Date) throws(DecisionError) -> Branch? {
        let eval = evaluator(data, eventData, now)
        for branch in branches {
            guard let condition = branch.condition else { return branch }
            if try guarded({ () throws(ExpressionError) in try eval.isTrue(condition) }) { return branch }
        }
        return nil
    }

    /// Takes one branch. One that stays closes the completing task and the kinds it withdraws;
    /// any other exits the state (open tasks closed, its timers cancelled, no child waited for)
    /// and enters the target. Assignments see the data as it was and the event.
    func follow(_ branch: Branch, _ s: inout CaseSnapshot, _ effects: inout [Effect], _ changes: inout [Decision.Change],
                eventData: [String: Value], completedTask: String?, now: Date) throws(DecisionError) {
        let before = evaluator(s.data, eventData, now)
        var target: StateDefinition?
        if branch.stays {
            var kept: [CaseSnapshot.OpenTask] = []
            for task in s.openTasks {
                if task.key == completedTask || branch.withdraw.contains(task.kind) {
                    effects.append(.closeTask(key: task.key, completed: task.key == completedTask))
                } else {
                    kept.append(task)
                }
            }
            s.openTasks = kept
        } else {
            guard let state = definition.state(branch.target) else {
                throw DecisionError(.unknownState, "state '\(branch.target)' is not defined")
            }
            target = state
            for task in s.openTasks {
                effects.append(.closeTask(key: task.key, completed: task.key == completedTask))
            }
            s.openTasks = []
            for name in s.timers.keys.sorted() where name != Self.deadlineTimer {
                effects.append(.cancelTimer(name: name))
                s.timers[name] = nil
            }
            s.waitingFor = nil
        }
        for assignment in branch.assignments {
            let value = try guarded({ () throws(ExpressionError) in try before.evaluate(assignment.expression) })
            let old = s.data[assignment.field] ?? .null
            if old != value { changes.append(.init(field: assignment.field, old: old, new: value)) }
            s.data[assignment.field] = value
        }
        if let target { try enter(target, &s, &effects, now: now) }
    }

    /// How many automatic steps (`all_done:`, kept events) one decision may take before the
    /// workflow is judged to loop without waiting for anything.
    static let settleLimit = 100

    /// After a branch, until the case waits: a state with `all_done:` and no open task takes
    /// those branches, and a state that accepts a kept event is handed the oldest one whose
    /// branches apply. All of it belongs to the same decision.
    func settle(_ s: inout CaseSnapshot, _ effects: inout [Effect], _ changes: inout [Decision.Change], now: Date) throws(DecisionError) {
        for _ in 0..<Self.settleLimit {
            guard !s.finished, s.suspended == nil, let state = definition.state(s.state) else { return }
            if !state.allDone.isEmpty, s.openTasks.isEmpty,
               let branch = try choose(state.allDone, data: s.data, eventData: [:], now: now) {
                try follow(branch, &s, &effects, &changes, eventData: [:], completedTask: nil, now: now)
                continue
            }
            var consumed = false
            for (i, kept) in (s.pending ?? []).enumerated() {
                guard let branches = state.transitions[kept.name],
                      let branch = try choose(branches, data: s.data, eventData: kept.fields, now: now) else { continue }
                s.pending!.remove(at: i)
                if s.pending!.isEmpty { s.pending = nil }
                try follow(branch, &s, &effects, &changes, eventData: kept.fields, completedTask: nil, now: now)
                consumed = true
                break
            }
            if !consumed { return }
        }
        throw DecisionError(.noBranchMatched, "case \(s.id) took \(Self.settleLimit) steps without waiting for anything; check the all_done: branches and kept events of state '\(s.state)' for a loop")
    }

    /// An event the state does not accept, declared `if_not_accepted: keep` or `ignore`.
    func keepOrIgnore(_ snapshot: CaseSnapshot, _ declared: EventDefinition, _ fields: [String: Value],
                      _ event: CaseEvent) throws(DecisionError) -> Decision {
        let data = try check(fields, against: declared.fields, what: "event '\(declared.name)'", fillDefaults: true)
        guard declared.unaccepted == .keep else { return ignored(snapshot, event) }
        var after = snapshot
        after.sequence += 1
        after.pending = (after.pending ?? []) + [.init(name: declared.name, fields: data)]
        return Decision(event: event, from: snapshot.state, after: after, changes: [], effects: [], applied: true,
                        note: "kept until a state accepts '\(declared.name)'")
    }

    func enter(_ state: StateDefinition, _ s: inout CaseSnapshot, _ effects: inout [Effect], now: Date) throws(DecisionError) {
        s.state = state.name
        s.enteredAt = now
        let seq = s.sequence
        if state.isFinal {
            s.finished = true
            s.result = state.result
            if s.timers[Self.deadlineTimer] != nil {
                effects.append(.cancelTimer(name: Self.deadlineTimer))
                s.timers[Self.deadlineTimer] = nil
            }
            if let parent = s.parent { effects.append(.notifyParent(parent: parent, result: state.result ?? state.name)) }
            return
        }
        let eval = evaluator(s.data, [:], now)
        for (index, task) in state.tasks.enumerated() {
            guard let list = task.forEach else {
                let key = "\(seq).\(index + 1)"
                effects.append(.openTask(try order(task, key: key, eval, now: now)))
                s.openTasks.append(.init(key: key, kind: task.kind, event: task.event))
                continue
            }
            // One task per item of the list, each knowing its item.
            let items: [String]
            switch s.data[list] ?? .null {
            case .list(let l): items = l
            case .null: items = []
            case let other: items = [other.description]
            }
            for (j, item) in items.enumerated() {
                let key = "\(seq).\(index + 1).\(j + 1)"
                var data = s.data
                data[TaskDefinition.itemName] = .string(item)
                effects.append(.openTask(try order(task, key: key, evaluator(data, [:], now), now: now)))
                s.openTasks.append(.init(key: key, kind: task.kind, event: task.event, item: item))
            }
        }
        for timer in state.timers {
            if let due = try dueDate(of: timer, data: s.data, now: now) {
                s.timers[timer.name] = due
                effects.append(.scheduleTimer(name: timer.name, due: due))
            }
        }
        if let child = state.child {
            let id = "\(s.id)/\(seq)"
            var data: [String: Value] = [:]
            for assignment in child.data {
                data[assignment.field] = try guarded({ () throws(ExpressionError) in try eval.evaluate(assignment.expression) })
            }
            s.waitingFor = id
            effects.append(.startChild(id: id, workflow: child.workflow, data: data))
        }
    }

    /// The task to create: title, section, dates and priority computed over the case's data.
    private func order(_ task: TaskDefinition, key: String, _ eval: Evaluator, now: Date) throws(DecisionError) -> TaskOrder {
        try guarded { () throws(ExpressionError) -> TaskOrder in
            let section: String
            switch task.section {
            case .fixed(let name): section = name
            case .route(let e, _): section = try eval.evaluate(e).description
            }
            var priority = 0
            if let p = task.priority, case .int(let i) = try eval.evaluate(p) { priority = i }
            return TaskOrder(
                key: key, kind: task.kind, title: try task.title.render(eval), section: section,
                due: task.due.map { calendar.add($0, to: now) },
                followUp: task.followUp.map { calendar.add($0, to: now) },
                priority: priority, event: task.event, decision: task.decision, contractor: task.contractor,
                retain: task.retain)
        }
    }

    func dueDate(of timer: TimerDefinition, data: [String: Value], now: Date) throws(DecisionError) -> Date? {
        switch timer.schedule {
        case .after(let duration):
            return calendar.add(duration, to: now, rollToOpenDay: timer.rollToOpenDay)
        case .at(let expression, _):
            let value = try guarded { () throws(ExpressionError) in try evaluator(data, [:], now).evaluate(expression) }
            guard case .date(let day) = value else { return nil }
            let d = timer.rollToOpenDay ? calendar.nextOpenDay(onOrAfter: day) : day
            return calendar.gregorian.date(from: DateComponents(year: d.year, month: d.month, day: d.day))!
        }
    }

    private func guarded<T>(_ body: () throws(ExpressionError) -> T) throws(DecisionError) -> T {
        do { return try body() } catch {
            throw DecisionError(.expressionFailed, error.message)
        }
    }

    private func label(of state: String) -> String { definition.state(state)?.label ?? state }

    /// Checks values typed by a person or a program against declared fields: unknown names,
    /// wrong types, missing required values. Defaults fill the gaps when asked.
    public func check(_ values: [String: Value], against fields: [FieldDefinition], what: String,
                      fillDefaults: Bool) throws(DecisionError) -> [String: Value] {
        var out: [String: Value] = [:]
        out.reserveCapacity(fields.count)
        for name in values.keys.sorted() {
            // A linear search: forms and workflows have tens of fields, and building a
            // dictionary of them on every event cost more than it saved.
            guard let field = fields.first(where: { $0.name == name }) else {
                let hint = NameSuggestion.hint(for: name, in: fields.map(\.name)).map { "; \($0)" } ?? ""
                let known = fields.isEmpty ? "; it has no fields" : ""
                throw DecisionError(.unknownField, "\(what) has no field '\(name)'\(hint)\(known)")
            }
            let raw = values[name]!
            guard let value = raw.coerced(to: field.type.valueType) else {
                throw DecisionError(.wrongType, "\(field.name) (\(field.label)) must be \(field.type), not '\(raw)'")
            }
            if case .enumeration(let allowed) = field.type, case .string(let s) = value, !allowed.contains(s) {
                throw DecisionError(.wrongType, "\(field.name) (\(field.label)) must be one of \(allowed.joined(separator: ", ")), not '\(s)'")
            }
            if let tableName = field.table, let table = definition.tables[tableName] {
                let items: [String]
                switch value {
                case .string(let s): items = [s]
                case .list(let l): items = l
                default: items = []
                }
                for item in items where table.rows[item] == nil {
                    let hint = NameSuggestion.hint(for: item, in: table.keys).map { "; \($0)" } ?? ""
                    throw DecisionError(.wrongType, "\(field.name) (\(field.label)) '\(item)' is not in table \(tableName)\(hint)")
                }
            }
            out[name] = value
        }
        for field in fields {
            if (out[field.name] ?? .null) == .null, fillDefaults, field.defaultValue != .null {
                out[field.name] = field.defaultValue
            }
            if field.required, (out[field.name] ?? .null) == .null {
                throw DecisionError(.missingField, "\(what) needs \(field.name) (\(field.label))")
            }
        }
        return out
    }
}
