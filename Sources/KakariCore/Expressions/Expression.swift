/// A parsed expression of the workflow language: guards, assignments, titles, routing.
///
/// The language is deliberately small: literals, references to case fields (`town`) and
/// event fields (`event.outcome`), comparison, `and`/`or`/`not`, arithmetic, `in [..]`,
/// and a fixed set of functions (see `ExpressionFunction`). It cannot run code, loop or
/// touch anything outside the values it is given. `offset` is the position, in characters,
/// of the node in the source text, for error messages.
public indirect enum Expression: Hashable, Sendable {
    case literal(Value, offset: Int)
    /// A list literal such as `["朝", "夜"]`.
    case list([Expression], offset: Int)
    /// A case data field.
    case field(String, offset: Int)
    /// A field of the event being handled (`event.outcome`).
    case eventField(String, offset: Int)
    case unary(UnaryOperator, Expression, offset: Int)
    case binary(BinaryOperator, Expression, Expression, offset: Int)
    /// A call of a built-in function. The first argument of `lookup` is a table name,
    /// kept as `.field(name)` and resolved against the tables, not the case.
    case call(String, [Expression], offset: Int)

    public var offset: Int {
        switch self {
        case .literal(_, let o), .list(_, let o), .field(_, let o), .eventField(_, let o),
             .unary(_, _, let o), .binary(_, _, _, let o), .call(_, _, let o):
            return o
        }
    }

    /// Every case field the expression reads.
    public var fieldReferences: Set<String> {
        switch self {
        case .literal, .eventField: return []
        case .field(let name, _): return [name]
        case .list(let items, _): return items.reduce(into: []) { $0.formUnion($1.fieldReferences) }
        case .unary(_, let e, _): return e.fieldReferences
        case .binary(_, let l, let r, _): return l.fieldReferences.union(r.fieldReferences)
        case .call(let name, let args, _):
            let rest = name == "lookup" ? Array(args.dropFirst()) : args
            return rest.reduce(into: []) { $0.formUnion($1.fieldReferences) }
        }
    }

    /// Whether the expression reads a field of the event being handled (`event.NAME`).
    public var readsEventField: Bool {
        switch self {
        case .literal, .field: return false
        case .eventField: return true
        case .list(let items, _): return items.contains { $0.readsEventField }
        case .unary(_, let e, _): return e.readsEventField
        case .binary(_, let l, let r, _): return l.readsEventField || r.readsEventField
        case .call(_, let args, _): return args.contains { $0.readsEventField }
        }
    }
}

/// `not` and unary minus.
public enum UnaryOperator: String, Hashable, Sendable {
    case not
    case negate = "-"
}

/// The binary operators, from loosest to tightest binding: `or`; `and`; comparisons and
/// `in`/`not in`; `+`/`-`; `*`/`/`/`%`.
public enum BinaryOperator: String, Hashable, Sendable {
    case or, and
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">",
         greaterOrEqual = ">="
    case `in`, notIn = "not in"
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: true
        default: false
        }
    }
}
