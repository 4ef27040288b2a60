import Foundation
import KakariCore
import Testing

@Suite("The business calendar")
struct BusinessCalendarTests {
    let tokyo = TimeZone(identifier: "Asia/Tokyo")!
    var calendar: BusinessCalendar {
        BusinessCalendar(timeZone: tokyo, holidays: [Day(year: 2026, month: 11, day: 23): "勤労感謝の日"],
                         yearlyClosures: [.init(from: (12, 29), to: (1, 3), label: "年末年始")])
    }

    func at(_ y: Int, _ m: Int, _ d: Int, _ h: Int = 9) -> Date {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = tokyo
        return c.date(from: DateComponents(year: y, month: m, day: d, hour: h))!
    }

    @Test("business days skip the weekend and a public holiday: Friday 20 Nov 2026 + 1bd is Tuesday 24 Nov")
    func businessDaysSkipHoliday() {
        #expect(calendar.add(Duration(1, .businessDays), to: at(2026, 11, 20)) == at(2026, 11, 24))
        #expect(calendar.add(Duration(5, .businessDays), to: at(2026, 11, 20)) == at(2026, 11, 30))
    }

    @Test("business days skip the year-end closure")
    func businessDaysSkipClosure() {
        #expect(calendar.add(Duration(1, .businessDays), to: at(2026, 12, 28)) == at(2027, 1, 4))
    }

    @Test("a calendar period ending on a closed day moves to the next open day (地方自治法 §4-2)")
    func calendarPeriodRolls() {
        // 2026-11-20 + 3d = Monday 23 Nov, a holiday: the period ends on Tuesday 24.
        #expect(calendar.add(Duration(3, .days), to: at(2026, 11, 20)) == at(2026, 11, 24))
        #expect(calendar.add(Duration(3, .days), to: at(2026, 11, 20), rollToOpenDay: false) == at(2026, 11, 23))
        #expect(calendar.add(Duration(1, .weeks), to: at(2026, 12, 22)) == at(2027, 1, 4))
    }

    @Test("hours and minutes are exact, whatever the calendar says")
    func exactDurations() {
        #expect(calendar.add(Duration(4, .hours), to: at(2026, 11, 21)) == at(2026, 11, 21, 13))
        #expect(calendar.add(Duration(30, .minutes), to: at(2026, 11, 21)) == at(2026, 11, 21).addingTimeInterval(1800))
    }

    @Test("durations parse only in the documented forms")
    func durationSyntax() {
        #expect(Duration("5bd") == Duration(5, .businessDays))
        #expect(Duration("4mo") == Duration(4, .months))
        #expect(Duration("30m") == Duration(30, .minutes))
        #expect(Duration("5days") == nil)
        #expect(Duration("d") == nil)
        #expect(Duration("-3d") == nil)
    }

    @Test("days convert to and from ordinals and know their weekday")
    func days() {
        let d = Day(year: 2009, month: 5, day: 11)
        #expect(Day(ordinal: d.ordinal) == d)
        #expect(d.isoWeekday == 1)
        #expect(Day(iso: "2024-02-29") != nil)
        #expect(Day(iso: "2023-02-29") == nil)
        #expect(d.adding(days: 365).description == "2010-05-11")
    }
}
