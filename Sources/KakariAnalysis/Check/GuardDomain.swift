import Foundation
import KakariCore

/// The values a workflow's conditions can tell apart, derived from the conditions themselves.
///
/// A configuration of a case is its state, its running timers, whether it waits for a child,
/// and the values of the case fields some condition reads (directly, or through an assignment
/// into such a field). Enum, bool and text fields count by value; a whole-number field counts
/// exactly up to a cap taken from the numbers its conditions compare against (`visits + 1 >= 4`
/// gives 1 + 4 + 1 = 6), and every value beyond the cap counts as the cap: a counter is bounded
/// by the guards that read it. Fields no condition reads (names, addresses, notes) are left out.
///
/// Inputs are derived the same way: an event's fields that a condition (or an assignment into
/// a field that matters) reads take every value of their domain (every enum value, true and
/// false, the numbers around each compared number, the texts compared against); the others
/// take one sample value, or none when they are optional.
struct GuardDomain {
    let definition: WorkflowDefinition
    /// The case fields that matter, with the cap for whole numbers (`Int.max`: compared exactly).
    private(set) var caps: [String: Int] = [:]
    /// The case fields that matter, sorted: the order of values in a configuration's key.
    private(set) var keyFields: [String] = []
    /// Per event name, the event fields that matter.
    private(set) var eventFields: [String: Set<String>] = [:]
    private var intLiterals: Set<Int> = [0]
    private var textLiterals: Set<String> = []

    init(_ definition: WorkflowDefinition) {
        self.definition = definition
        var branches: [(event: String?, branch: Branch)] = []
        for state in definition.states {
            for event in state.eventOrder { for b in state.transitions[event] ?? [] { branches.append((event, b)) } }
            for timer in state.timers { for b in timer.branches { branches.append((nil, b)) } }
            for b in state.allDone { branches.append((nil, b)) }
            if let child = state.child { for list in child.results.values { for b in list { branches.append((nil, b)) } } }
        }
        for b in definition.deadline?.branches ?? [] { branches.append((nil, b)) }

        let fields = definition.fieldsByName
        for (event, branch) in branches {
            guard let condition = branch.condition else { continue }
            let numbers = Self.numbers(in: condition)
            intLiterals.formUnion(numbers)
            textLiterals.formUnion(Self.texts(in: condition))
            let cap = numbers.reduce(1) { $0 + abs($1) }
            for name in condition.fieldReferences where fields[name] != nil {
                caps[name] = fields[name]?.type == .int ? max(caps[name] ?? 0, cap) : Int.max
            }
            if let event { eventFields[event, default: []].formUnion(Self.eventReferences(condition)) }
        }
        // Assignments into a field that matters make their sources matter too.
        let widest = intLiterals.reduce(1) { $0 + abs($1) }
        var changed = true
        while changed {
            changed = false
            for (event, branch) in branches {
                for assignment in branch.assignments where caps[assignment.field] != nil {
                    for name in assignment.expression.fieldReferences where caps[name] == nil && fields[name] != nil {
                        caps[name] = fields[name]?.type == .int ? widest : Int.max
                        changed = true
                    }
                    if let event {
                        let refs = Self.eventReferences(assignment.expression)
                        if !refs.isSubset(of: eventFields[event] ?? []) {
                            eventFields[event, default: []].formUnion(refs)
                        }
                    }
                }
            }
        }
        keyFields = caps.keys.sorted()
    }

    /// The abstract values of a case's data: what its conditions can distinguish.
    func abstractValues(_ data: [String: Value]) -> [Value] {
        keyFields.map { name in
            let value = data[name] ?? .null
            if case .int(let i) = value, let cap = caps[name], cap != Int.max { return .int(min(max(i, -cap), cap)) }
            return value
        }
    }

    /// The starting data to explore from: every value of a required field that matters, the
    /// default of an optional one, a sample for the other required fields.
    func initialData(caseID: String, today: Day) -> [[String: Value]] {
        var combos: [[String: Value]] = [[:]]
        let idField = definition.fields.first { f in
            f.type == .string && f.required && (f.name == "id" || f.name.hasSuffix("_no") || f.name.hasSuffix("_id"))
        }?.name
        for field in definition.fields {
            let options: [Value]
            if field.name == idField {
                options = [.string(caseID)]
            } else if givesTasks(field) {
                options = domain(field, today: today, optional: false)
            } else if caps[field.name] != nil {
                options = field.required ? domain(field, today: today, optional: false) : [field.defaultValue]
            } else {
                options = field.required ? [sample(field, today: today)] : [field.defaultValue]
            }
            combos = combos.flatMap { base in options.map { v in var d = base; if v != .null { d[field.name] = v }; return d } }
        }
        return combos
    }

    /// The field values to try for `event` (at most `limit` combinations).
    func inputs(for event: String, today: Day, limit: Int = 4096) -> [[String: Value]] {
        let relevant = eventFields[event] ?? []
        var combos: [[String: Value]] = [[:]]
        for field in definition.eventFields(event) {
            let options: [Value]
            if relevant.contains(field.name) {
                options = domain(field, today: today, optional: !field.required && field.defaultValue == .null)
            } else {
                options = field.required ? [sample(field, today: today)] : [.null]
            }
            let next = combos.flatMap { base in options.map { v in var d = base; if v != .null { d[field.name] = v }; return d } }
            combos = Array(next.prefix(limit))
        }
        return combos
    }

    /// Every value of a field that a condition could tell apart.
    private func domain(_ field: FieldDefinition, today: Day, optional: Bool) -> [Value] {
        var values: [Value]
        switch field.type {
        case .enumeration(let allowed): values = allowed.map { .string($0) }
        case .bool: values = [.bool(true), .bool(false)]
        case .int:
            var numbers: Set<Int> = []
            for n in intLiterals { numbers.formUnion([n - 1, n, n + 1]) }
            values = numbers.sorted().map { .int($0) }
        case .string, .text:
            values = [sample(field, today: today)] + textLiterals.sorted().map { .string($0) }
        case .date: values = [sample(field, today: today)]
        case .list:
            // A list that gives one task per item is tried empty and with two items.
            values = givesTasks(field) ? [.list([]), .list(["1", "2"])] : [sample(field, today: today)]
        }
        if optional { values.append(.null) }
        return values
    }

    /// Whether a `for_each:` task gives one task per item of the field.
    private func givesTasks(_ field: FieldDefinition) -> Bool {
        definition.states.contains { $0.tasks.contains { $0.forEach == field.name } }
    }

    /// One valid value of a field, for fields whose value no condition reads.
    func sample(_ field: FieldDefinition, today: Day) -> Value {
        switch field.type {
        case .enumeration(let allowed): return .string(allowed.first ?? "")
        case .bool: return .bool(true)
        case .int: return .int(0)
        case .date: return .date(today)
        case .list: return .list([])
        case .string, .text:
            if let table = field.table, let key = definition.tables[table]?.keys.first { return .string(key) }
            return .string("sample")
        }
    }

    static func eventReferences(_ e: KakariCore.Expression) -> Set<String> {
        switch e {
        case .literal, .field: return []
        case .eventField(let name, _): return [name]
        case .list(let items, _), .call(_, let items, _): return items.reduce(into: []) { $0.formUnion(eventReferences($1)) }
        case .unary(_, let x, _): return eventReferences(x)
        case .binary(_, let l, let r, _): return eventReferences(l).union(eventReferences(r))
        }
    }

    static func numbers(in e: KakariCore.Expression) -> [Int] {
        literals(in: e).compactMap { if case .int(let i) = $0 { return i } else { return nil } }
    }

    static func texts(in e: KakariCore.Expression) -> [String] {
        literals(in: e).compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }

    private static func literals(in e: KakariCore.Expression) -> [Value] {
        switch e {
        case .literal(let v, _): return [v]
        case .field, .eventField: return []
        case .list(let items, _), .call(_, let items, _): return items.flatMap { literals(in: $0) }
        case .unary(_, let x, _): return literals(in: x)
        case .binary(_, let l, let r, _): return literals(in: l) + literals(in: r)
        }
    }
}
