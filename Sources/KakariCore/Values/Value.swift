import Foundation

/// A value held in a case's data, an event's fields or a lookup table.
///
/// Values encode to natural JSON (`"text"`, `3`, `true`, `["a","b"]`, `null`), except dates,
/// which encode as `{"$date": "2009-05-11"}` so that a stored value decodes to exactly the
/// value it was. `natural` gives the plain form for people and scripts.
public enum Value: Hashable, Sendable, Codable, CustomStringConvertible {
    case null
    case string(String)
    case int(Int)
    case bool(Bool)
    case date(Day)
    case list([String])

    public var isNull: Bool { self == .null }

    /// The value's type, or nil for `null`.
    public var type: ValueType? {
        switch self {
        case .null: nil
        case .string: .string
        case .int: .int
        case .bool: .bool
        case .date: .date
        case .list: .list
        }
    }

    /// The value as a person reads it: dates in ISO form, lists joined by `;`.
    public var description: String {
        switch self {
        case .null: ""
        case .string(let s): s
        case .int(let i): String(i)
        case .bool(let b): b ? "true" : "false"
        case .date(let d): d.description
        case .list(let items): items.joined(separator: ";")
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int.self) {
            self = .int(i)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let tagged = try? container.decode([String: String].self), let text = tagged["$date"], let day = Day(iso: text) {
            self = .date(day)
        } else {
            self = .list(try container.decode([String].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .string(let s): try container.encode(s)
        case .int(let i): try container.encode(i)
        case .bool(let b): try container.encode(b)
        case .date(let d): try container.encode(["$date": d.description])
        case .list(let items): try container.encode(items)
        }
    }

    /// The value as plain JSON-compatible data (dates as ISO text), for output.
    public var natural: Any {
        switch self {
        case .null: NSNull()
        case .string(let s): s
        case .int(let i): i
        case .bool(let b): b
        case .date(let d): d.description
        case .list(let items): items
        }
    }

    /// The same value given the type a schema expects, when it converts losslessly
    /// (a decoded ISO string back to a date); nil when it does not fit.
    public func coerced(to type: ValueType) -> Value? {
        switch (self, type) {
        case (.null, _): return .null
        case (.string(let s), .date): return Day(iso: s).map(Value.date)
        case (.string, .string), (.int, .int), (.bool, .bool), (.date, .date), (.list, .list): return self
        default: return nil
        }
    }
}

/// The types an expression or a field can have.
public enum ValueType: String, Hashable, Sendable, CustomStringConvertible {
    case string, int, bool, date, list

    public var description: String {
        switch self {
        case .string: "text"
        case .int: "a whole number"
        case .bool: "true/false"
        case .date: "a date"
        case .list: "a list"
        }
    }
}
