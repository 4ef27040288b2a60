import Foundation

/// The days the ward office is open: weekends, public holidays and yearly closures
/// (29 December to 3 January) are closed. All arithmetic happens in the ward's time zone.
public struct BusinessCalendar: Hashable, Sendable {
    /// A closure that comes back every year, such as 年末年始 (12-29 to 01-03).
    public struct YearlyClosure: Hashable, Sendable {
        public var from: (month: Int, day: Int)
        public var to: (month: Int, day: Int)
        public var label: String

        public init(from: (month: Int, day: Int), to: (month: Int, day: Int), label: String) {
            self.from = from
            self.to = to
            self.label = label
        }

        /// Whether `day` falls in this closure (ranges may wrap over the new year).
        public func contains(_ day: Day) -> Bool {
            let d = (day.month, day.day)
            if from <= to { return from <= d && d <= to }
            return d >= from || d <= to
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.from == b.from && a.to == b.to && a.label == b.label
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(from.month); hasher.combine(from.day)
            hasher.combine(to.month); hasher.combine(to.day); hasher.combine(label)
        }
    }

    public var label: String
    public var timeZone: TimeZone {
        didSet { gregorian = Day.gregorian(timeZone); memo = CalendarMemo() }
    }
    /// A Gregorian calendar in the ward's time zone, made once: making one is costly.
    public private(set) var gregorian: Calendar
    /// ISO weekdays (Monday = 1 … Sunday = 7) on which the office is closed.
    public var closedWeekdays: Set<Int> {
        didSet { memo = CalendarMemo() }
    }
    public var holidays: [Day: String] {
        didSet { memo = CalendarMemo() }
    }
    public var yearlyClosures: [YearlyClosure] {
        didSet { memo = CalendarMemo() }
    }
    /// The answers of `day(of:)` and `add(_:to:rollToOpenDay:)` given lately; a calendar that
    /// is changed starts a new one, and copies share it until then.
    private var memo = CalendarMemo()

    public init(
        label: String = "", timeZone: TimeZone = TimeZone(identifier: "Asia/Tokyo")!,
        closedWeekdays: Set<Int> = [6, 7], holidays: [Day: String] = [:],
        yearlyClosures: [YearlyClosure] = []
    ) {
        self.label = label
        self.timeZone = timeZone
        self.gregorian = Day.gregorian(timeZone)
        self.closedWeekdays = closedWeekdays
        self.holidays = holidays
        self.yearlyClosures = yearlyClosures
    }

    /// A calendar with weekends closed and nothing else, in Asia/Tokyo.
    public static let weekendsOnly = BusinessCalendar()

    /// Whether the office is open on `day`.
    public func isOpen(_ day: Day) -> Bool {
        !closedWeekdays.contains(day.isoWeekday) && holidays[day] == nil
            && !yearlyClosures.contains { $0.contains(day) }
    }

    /// Why the office is closed on `day`, or nil when it is open.
    public func closureReason(_ day: Day) -> String? {
        if let name = holidays[day] { return name }
        if let closure = yearlyClosures.first(where: { $0.contains(day) }) { return closure.label }
        if closedWeekdays.contains(day.isoWeekday) { return "weekend" }
        return nil
    }

    /// The first open day on or after `day`.
    public func nextOpenDay(onOrAfter day: Day) -> Day {
        var d = day
        // A calendar that closes every day would loop forever; the loader refuses one, and
        // this bound keeps a hand-built one from hanging.
        var steps = 0
        while !isOpen(d), steps < 3700 {
            d = d.adding(days: 1)
            steps += 1
        }
        return d
    }

    /// The day on which `date` falls in the ward's time zone.
    public func day(of date: Date) -> Day {
        memo.day(of: date) {
            let c = gregorian.dateComponents([.year, .month, .day], from: date)
            return Day(year: c.year!, month: c.month!, day: c.day!)
        }
    }

    /// `date` plus `duration`. Calendar periods (days, weeks, months) that end on a closed day
    /// move to the next open day when `rollToOpenDay` is set (地方自治法 §4-2); business days
    /// count open days only. The time of day is kept.
    public func add(_ duration: Duration, to date: Date, rollToOpenDay: Bool = true) -> Date {
        switch duration.unit {
        case .minutes, .hours: computeAdd(duration, to: date, rollToOpenDay: rollToOpenDay)
        default: memo.add(.init(duration: duration, from: date, roll: rollToOpenDay)) { computeAdd(duration, to: date, rollToOpenDay: rollToOpenDay) }
        }
    }

    private func computeAdd(_ duration: Duration, to date: Date, rollToOpenDay: Bool) -> Date {
        let calendar = gregorian
        switch duration.unit {
        case .minutes: return date.addingTimeInterval(Double(duration.amount) * 60)
        case .hours: return date.addingTimeInterval(Double(duration.amount) * 3600)
        case .days, .weeks, .months:
            let component: Calendar.Component = duration.unit == .months ? .month : .day
            let amount = duration.unit == .weeks ? duration.amount * 7 : duration.amount
            let end = calendar.date(byAdding: component, value: amount, to: date)!
            guard rollToOpenDay else { return end }
            return moveTo(nextOpenDay(onOrAfter: day(of: end)), keepingTimeOf: end, calendar)
        case .businessDays:
            var day = self.day(of: date)
            var remaining = duration.amount
            while remaining > 0 {
                day = day.adding(days: 1)
                if isOpen(day) { remaining -= 1 }
            }
            return moveTo(day, keepingTimeOf: date, calendar)
        }
    }

    private func moveTo(_ day: Day, keepingTimeOf date: Date, _ calendar: Calendar) -> Date {
        let time = calendar.dateComponents([.hour, .minute, .second], from: date)
        return calendar.date(from: DateComponents(
            year: day.year, month: day.month, day: day.day,
            hour: time.hour, minute: time.minute, second: time.second))!
    }
}
