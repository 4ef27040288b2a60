/// A length of time as section leads write it: `30m`, `4h`, `3d`, `2w`, `4mo`, or `5bd`
/// (business days, skipping the days the office is closed).
public struct Duration: Hashable, Sendable, CustomStringConvertible {
    /// The unit a duration counts in.
    public enum Unit: String, Hashable, Sendable, CaseIterable {
        case minutes = "m"
        case hours = "h"
        case days = "d"
        case weeks = "w"
        case months = "mo"
        case businessDays = "bd"
    }

    public var amount: Int
    public var unit: Unit

    public init(_ amount: Int, _ unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    /// Parses `30m`, `4h`, `3d`, `2w`, `4mo`, `5bd`; nil for anything else.
    public init?(_ text: String) {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let suffix = text.dropFirst(digits.count)
        guard !digits.isEmpty, digits.count <= 6, let amount = Int(digits),
              let unit = Unit(rawValue: String(suffix))
        else { return nil }
        self.init(amount, unit)
    }

    public var description: String { "\(amount)\(unit.rawValue)" }

    /// True for units counted on the calendar (days, weeks, months), which a legal period
    /// rolls forward to the next open day when it ends on a closed one.
    public var isCalendarPeriod: Bool { unit == .days || unit == .weeks || unit == .months }

    /// The forms a person may write, for error hints.
    public static let syntaxHint = "write a number and a unit: 30m, 4h, 3d, 2w, 4mo or 5bd (business days)"
}
