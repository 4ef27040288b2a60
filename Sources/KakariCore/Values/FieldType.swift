/// The declared type of a case field, a form field or a table column.
public enum FieldType: Hashable, Sendable, CustomStringConvertible {
    /// One line of text.
    case string
    /// Free text, possibly several lines.
    case text
    case int
    case bool
    case date
    /// One of a fixed set of values.
    case enumeration([String])
    /// A list of strings (for example the names of a household's insured members).
    case list

    /// The type its values have in expressions.
    public var valueType: ValueType {
        switch self {
        case .string, .text, .enumeration: .string
        case .int: .int
        case .bool: .bool
        case .date: .date
        case .list: .list
        }
    }

    /// The name used in workflow files.
    public var name: String {
        switch self {
        case .string: "string"
        case .text: "text"
        case .int: "int"
        case .bool: "bool"
        case .date: "date"
        case .enumeration: "enum"
        case .list: "list"
        }
    }

    public var description: String {
        if case .enumeration(let values) = self { return "one of \(values.joined(separator: ", "))" }
        return valueType.description
    }

    /// Every type name a file may use.
    public static let names = ["string", "text", "int", "bool", "date", "enum", "list"]

    /// Parses text typed by a person (a CSV cell, `FIELD=VALUE` on the command line) into a
    /// value of this type. Returns a sentence saying what was expected when it does not fit.
    public func parse(_ raw: String) -> Result<Value, ValueParseError> {
        let text = raw.trimmingWhitespace()
        if text.isEmpty { return .success(.null) }
        switch self {
        case .string, .text:
            return .success(.string(raw))
        case .int:
            if let i = Int(text) { return .success(.int(i)) }
            let normalised = String(text.unicodeScalars.map { scalar -> Character in
                // Full-width digits (０-９) and minus are common in ward spreadsheets.
                if (0xFF10...0xFF19).contains(scalar.value) {
                    return Character(UnicodeScalar(scalar.value - 0xFF10 + 0x30)!)
                }
                if scalar.value == 0xFF0D || scalar.value == 0x2212 { return "-" }
                return Character(scalar)
            })
            guard let i = Int(normalised) else { return .failure(.init("'\(raw)' is not a whole number")) }
            return .success(.int(i))
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "1", "はい", "有", "あり", "○": return .success(.bool(true))
            case "false", "no", "0", "いいえ", "無", "なし", "×": return .success(.bool(false))
            default: return .failure(.init("'\(raw)' is not true or false"))
            }
        case .date:
            let parts = text.split(omittingEmptySubsequences: false) { $0 == "-" || $0 == "/" }
            if parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
               (1...12).contains(m), d >= 1, d <= Day.daysIn(month: m, year: y) {
                return .success(.date(Day(year: y, month: m, day: d)))
            }
            return .failure(.init("'\(raw)' is not a date (write YYYY-MM-DD)"))
        case .enumeration(let values):
            guard values.contains(text) else {
                return .failure(.init("'\(raw)' is not one of \(values.joined(separator: ", "))"))
            }
            return .success(.string(text))
        case .list:
            let items = text.split(separator: ";").map { $0.trimmingWhitespace() }
            return .success(.list(items.filter { !$0.isEmpty }))
        }
    }
}

/// Why a typed-in value does not fit its field: one sentence for a person.
public struct ValueParseError: Error, Hashable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

import Foundation
