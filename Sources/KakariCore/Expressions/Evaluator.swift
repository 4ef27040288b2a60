/// Evaluates a type-checked expression over concrete values. Pure: the current day comes in
/// with the values, never from a clock.
public struct Evaluator: Sendable {
    public var caseData: [String: Value]
    public var eventData: [String: Value]
    public var tables: [String: LookupTable]
    public var today: Day

    public init(caseData: [String: Value], eventData: [String: Value] = [:], tables: [String: LookupTable], today: Day) {
        self.caseData = caseData
        self.eventData = eventData
        self.tables = tables
        self.today = today
    }

    /// The value of `expression`. Runtime errors (a key missing from a table, division by
    /// zero, arithmetic on an empty field) are thrown, and the event that needed it is refused.
    public func evaluate(_ expression: Expression) throws(ExpressionError) -> Value {
        switch expression {
        case .literal(let v, _): return v
        case .list(let items, _):
            var strings: [String] = []
            for item in items {
                let v = try evaluate(item)
                if case .string(let s) = v { strings.append(s) }
            }
            return .list(strings)
        case .field(let name, _): return caseData[name] ?? .null
        case .eventField(let name, _): return eventData[name] ?? .null
        case .unary(let op, let operand, let offset):
            let v = try evaluate(operand)
            switch (op, v) {
            case (.not, .bool(let b)): return .bool(!b)
            case (.negate, .int(let i)): return .int(-i)
            default: throw ExpressionError(offset: offset, "'\(op.rawValue)' has no value to work on")
            }
        case .binary(let op, let l, let r, let offset):
            return try evaluateBinary(op, l, r, offset)
        case .call(let name, let args, let offset):
            return try evaluateCall(name, args, offset)
        }
    }

    /// Evaluates a guard: null counts as false.
    public func isTrue(_ expression: Expression) throws(ExpressionError) -> Bool {
        try evaluate(expression) == .bool(true)
    }

    private func evaluateBinary(_ op: BinaryOperator, _ left: Expression, _ right: Expression, _ offset: Int) throws(ExpressionError) -> Value {
        if op == .and || op == .or {
            let first = try isTrue(left)
            if first == (op == .or) { return .bool(first) }
            return .bool(try isTrue(right))
        }
        let l = try evaluate(left), r = try evaluate(right)
        switch op {
        case .equal: return .bool(l == r)
        case .notEqual: return .bool(l != r)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let order = compare(l, r) else { return .bool(false) }
            switch op {
            case .less: return .bool(order < 0)
            case .lessOrEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .in, .notIn:
            guard case .list(let items) = r else { return .bool(op == .notIn) }
            let found = { if case .string(let s) = l { return items.contains(s) } else { return false } }()
            return .bool(op == .in ? found : !found)
        default:
            return try arithmetic(op, l, r, offset, left, right)
        }
    }

    private func compare(_ l: Value, _ r: Value) -> Int? {
        switch (l, r) {
        case (.int(let a), .int(let b)): a < b ? -1 : a == b ? 0 : 1
        case (.date(let a), .date(let b)): a < b ? -1 : a == b ? 0 : 1
        case (.string(let a), .string(let b)): a < b ? -1 : a == b ? 0 : 1
        default: nil
        }
    }

    private func arithmetic(_ op: BinaryOperator, _ l: Value, _ r: Value, _ offset: Int, _ left: Expression, _ right: Expression) throws(ExpressionError) -> Value {
        for (v, e) in [(l, left), (r, right)] where v == .null {
            throw ExpressionError(offset: e.offset, "\(Evaluator.describe(e)) has no value")
        }
        switch (op, l, r) {
        case (.add, .int(let a), .int(let b)): return .int(a &+ b)
        case (.add, .string(let a), .string(let b)): return .string(a + b)
        case (.add, .date(let a), .int(let b)): return .date(a.adding(days: b))
        case (.subtract, .int(let a), .int(let b)): return .int(a &- b)
        case (.subtract, .date(let a), .int(let b)): return .date(a.adding(days: -b))
        case (.subtract, .date(let a), .date(let b)): return .int(a.ordinal - b.ordinal)
        case (.multiply, .int(let a), .int(let b)): return .int(a &* b)
        case (.divide, .int(let a), .int(let b)), (.remainder, .int(let a), .int(let b)):
            guard b != 0 else { throw ExpressionError(offset: offset, "division by zero") }
            return .int(op == .divide ? a / b : a % b)
        default:
            throw ExpressionError(offset: offset, "'\(op.rawValue)' cannot combine \(l) and \(r)")
        }
    }

    private func evaluateCall(_ name: String, _ args: [Expression], _ offset: Int) throws(ExpressionError) -> Value {
        guard let function = ExpressionFunction(rawValue: name) else {
            throw ExpressionError(offset: offset, "unknown function '\(name)'")
        }
        switch function {
        case .len:
            switch try evaluate(args[0]) {
            case .string(let s): return .int(s.count)
            case .list(let items): return .int(items.count)
            default: return .int(0)
            }
        case .lookup, .has:
            guard case .field(let tableName, _) = args[0], let table = tables[tableName] else {
                throw ExpressionError(offset: args[0].offset, "unknown table")
            }
            let key = try evaluate(args[1]).description
            let row = table.rows[key]
            if function == .has { return .bool(row != nil) }
            guard let row else {
                throw ExpressionError(offset: args[1].offset, "'\(key)' is not in table \(table.name)")
            }
            let column: String
            if args.count == 3, case .literal(.string(let c), _) = args[2] { column = c } else { column = table.columns[0].name }
            return row[column] ?? .null
        case .if:
            return try isTrue(args[0]) ? evaluate(args[1]) : evaluate(args[2])
        case .today:
            return .date(today)
        case .contains:
            guard case .list(let items) = try evaluate(args[0]), case .string(let s) = try evaluate(args[1]) else { return .bool(false) }
            return .bool(items.contains(s))
        case .isSet:
            let v = try evaluate(args[0])
            if case .string(let s) = v { return .bool(!s.isEmpty) }
            if case .list(let items) = v { return .bool(!items.isEmpty) }
            return .bool(v != .null)
        case .year:
            guard case .date(let d) = try evaluate(args[0]) else {
                throw ExpressionError(offset: args[0].offset, "\(Evaluator.describe(args[0])) has no value")
            }
            return .int(d.year)
        case .daysBetween:
            guard case .date(let a) = try evaluate(args[0]), case .date(let b) = try evaluate(args[1]) else {
                throw ExpressionError(offset: offset, "days_between needs two dates that have values")
            }
            return .int(b.ordinal - a.ordinal)
        case .coalesce:
            let v = try evaluate(args[0])
            return v == .null ? try evaluate(args[1]) : v
        }
    }

    static func describe(_ e: Expression) -> String {
        switch e {
        case .field(let name, _): "field '\(name)'"
        case .eventField(let name, _): "event field '\(name)'"
        default: "the value"
        }
    }
}
