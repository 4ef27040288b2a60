import Foundation

/// Printing for people and for scripts: dates in the ward's time zone, JSON with the
/// contract's keys.
struct Output {
    var timeZone: TimeZone

    /// `2026-11-27 09:00` in the ward's time zone.
    func date(_ date: Date?) -> String {
        guard let date else { return "" }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = timeZone
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: date)
    }

    /// ISO 8601 with the ward's offset, for JSON: `2026-11-27T09:00:00+09:00`.
    func iso(_ date: Date?) -> Any {
        guard let date else { return NSNull() }
        let f = ISO8601DateFormatter()
        f.timeZone = timeZone
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// Prints a JSON value (objects with sorted keys).
    static func printJSON(_ value: Any) {
        let data = try! JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}
