/// The built-in functions of the expression language. There are no others: a workflow file
/// cannot define functions or call out of the engine.
public enum ExpressionFunction: String, CaseIterable, Sendable {
    /// `len(x)`: characters of a text, items of a list.
    case len
    /// `lookup(table, key, "column")`, or `lookup(table, key)` for a one-column table.
    case lookup
    /// `has(table, key)`: whether a table has the key.
    case has
    /// `if(condition, then, else)`.
    case `if`
    /// `today()`: the current day in the ward's time zone.
    case today
    /// `contains(list, text)`.
    case contains
    /// `is_set(x)`: whether a field has a value.
    case isSet = "is_set"
    /// `year(date)`.
    case year
    /// `days_between(from, to)`: calendar days from one date to another.
    case daysBetween = "days_between"
    /// `coalesce(x, fallback)`: x when set, else the fallback.
    case coalesce

    /// How it is called, for hints.
    public var signature: String {
        switch self {
        case .len: "len(text or list)"
        case .lookup: "lookup(table, key, \"column\")"
        case .has: "has(table, key)"
        case .if: "if(condition, then, else)"
        case .today: "today()"
        case .contains: "contains(list, text)"
        case .isSet: "is_set(field)"
        case .year: "year(date)"
        case .daysBetween: "days_between(from, to)"
        case .coalesce: "coalesce(value, fallback)"
        }
    }
}
