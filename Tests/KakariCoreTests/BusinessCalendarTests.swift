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

    @Test("a calendar changed after it answered answers by its new days; the copy it was made from keeps the old answer")
    func changedCalendarAnswersAnew() {
        let before = calendar
        let friday = at(2026, 11, 20)
        #expect(before.add(Duration(1, .businessDays), to: friday) == at(2026, 11, 24))
        #expect(before.add(Duration(3, .days), to: friday) == at(2026, 11, 24))
        var after = before
        after.holidays[Day(year: 2026, month: 11, day: 24)] = "臨時休庁"
        #expect(after.add(Duration(1, .businessDays), to: friday) == at(2026, 11, 25))
        #expect(after.add(Duration(3, .days), to: friday) == at(2026, 11, 25))
        after.closedWeekdays = [7]
        #expect(after.add(Duration(1, .businessDays), to: friday) == at(2026, 11, 21))
        after.yearlyClosures = [.init(from: (11, 21), to: (11, 30), label: "改修")]
        #expect(after.add(Duration(1, .businessDays), to: friday) == at(2026, 12, 1))
        after.timeZone = TimeZone(identifier: "UTC")!
        #expect(after.day(of: at(2026, 11, 20, 8)) == Day(year: 2026, month: 11, day: 19), "08:00 in Tokyo is the day before in UTC")
        #expect(before.day(of: at(2026, 11, 20, 8)) == Day(year: 2026, month: 11, day: 20))
        #expect(before.add(Duration(1, .businessDays), to: friday) == at(2026, 11, 24))
    }

    @Test("answers stay right past the number a calendar remembers: a year of days, each with its due date")
    func manyAnswers() {
        let remembering = calendar
        for offset in 0..<400 {
            let date = at(2026, 1, 1).addingTimeInterval(Double(offset) * 86_400 + 3_600)
            // A new calendar for each question has nothing remembered.
            #expect(remembering.day(of: date) == calendar.day(of: date))
            #expect(remembering.add(Duration(5, .businessDays), to: date) == calendar.add(Duration(5, .businessDays), to: date))
            #expect(remembering.add(Duration(1, .months), to: date) == calendar.add(Duration(1, .months), to: date))
        }
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
