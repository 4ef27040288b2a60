import Foundation
import KakariCore
import Yams

/// Loads `calendar:` files: the ward's time zone, closed weekdays, yearly closures and
/// public holidays. Overlapping entries (a date listed twice, a holiday inside a closure)
/// are refused.
enum CalendarLoader {
    static let weekdays = ["monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7]

    static func load(_ node: Node, _ r: NodeReader) -> BusinessCalendar? {
        guard let f = r.fields(node, "calendar", allowed: ["label", "time_zone", "closed_weekdays", "yearly_closures", "holidays"])
        else { return nil }
        var calendar = BusinessCalendar()
        if let label = f["label"].flatMap({ r.string($0, "label") }) { calendar.label = label }
        if let tzNode = f["time_zone"], let name = r.string(tzNode, "time_zone") {
            if let tz = TimeZone(identifier: name) { calendar.timeZone = tz } else {
                r.error(tzNode, "unknown time zone '\(name)'", hint: "for example Asia/Tokyo")
            }
        }
        if let node = f["closed_weekdays"], let names = r.strings(node, "closed_weekdays") {
            var days = Set<Int>()
            for (i, name) in names.enumerated() {
                if let d = weekdays[name.lowercased()] { days.insert(d) } else {
                    r.error(itemNode(node, i), "unknown weekday '\(name)'", hint: NameSuggestion.hint(for: name.lowercased(), in: weekdays.keys))
                }
            }
            if days.count == 7 { r.error(node, "the office cannot be closed every day of the week") }
            calendar.closedWeekdays = days
        }
        if let node = f["yearly_closures"], let items = r.sequence(node, "yearly_closures") {
            for item in items {
                guard let c = r.fields(item, "a yearly closure", allowed: ["from", "to", "label"], required: ["from", "to"]),
                      let from = c["from"].flatMap({ monthDay($0, r) }), let to = c["to"].flatMap({ monthDay($0, r) })
                else { continue }
                let label = c["label"].flatMap { r.string($0, "label") } ?? "closure"
                let closure = BusinessCalendar.YearlyClosure(from: from, to: to, label: label)
                if let other = calendar.yearlyClosures.first(where: { overlaps($0, closure) }) {
                    r.error(item, "closure '\(label)' overlaps closure '\(other.label)'")
                }
                calendar.yearlyClosures.append(closure)
            }
        }
        if let node = f["holidays"], let items = r.sequence(node, "holidays") {
            for item in items {
                guard let h = r.fields(item, "a holiday", allowed: ["date", "label"], required: ["date"]),
                      let dateNode = h["date"], let text = r.string(dateNode, "date") else { continue }
                guard let day = Day(iso: text) else {
                    r.error(dateNode, "'\(text)' is not a date", hint: "write YYYY-MM-DD")
                    continue
                }
                let label = h["label"].flatMap { r.string($0, "label") } ?? "holiday"
                if let existing = calendar.holidays[day] {
                    r.error(dateNode, "\(day) is listed twice (\(existing), \(label))")
                } else if let closure = calendar.yearlyClosures.first(where: { $0.contains(day) }) {
                    r.error(dateNode, "holiday \(day) (\(label)) falls inside the closure '\(closure.label)'",
                            hint: "remove it: the office is closed then anyway")
                }
                calendar.holidays[day] = label
            }
        }
        return calendar
    }

    private static func itemNode(_ node: Node, _ index: Int) -> Node {
        if case .sequence(let seq) = node, index < seq.count { return seq[index] }
        return node
    }

    private static func monthDay(_ node: Node, _ r: NodeReader) -> (month: Int, day: Int)? {
        guard let text = r.string(node, "a month and day") else { return nil }
        let parts = text.split(separator: "-")
        if parts.count == 2, let m = Int(parts[0]), let d = Int(parts[1]), Day(iso: String(format: "2000-%02d-%02d", m, d)) != nil {
            return (m, d)
        }
        r.error(node, "'\(text)' is not a month and day", hint: "write MM-DD in quotes, such as \"12-29\"")
        return nil
    }

    private static func overlaps(_ a: BusinessCalendar.YearlyClosure, _ b: BusinessCalendar.YearlyClosure) -> Bool {
        // Compare over a leap year, day by day: closures are short.
        var day = Day(year: 2000, month: 1, day: 1)
        while day.year == 2000 {
            if a.contains(day) && b.contains(day) { return true }
            day = day.adding(days: 1)
        }
        return false
    }
}
