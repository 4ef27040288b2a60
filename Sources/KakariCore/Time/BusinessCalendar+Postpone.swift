import Foundation

extension BusinessCalendar {
    /// The open days a suspension from `from` until `to` took from the case: open days from
    /// the day of `from` up to, not including, the day of `to`.
    public func openDays(from: Date, to: Date) -> Int {
        var day = self.day(of: from)
        let end = self.day(of: to)
        var n = 0
        while day < end {
            if isOpen(day) { n += 1 }
            day = day.adding(days: 1)
        }
        return n
    }

    /// A due date after a suspension from `suspendedAt` until `resumedAt`.
    ///
    /// Business-day semantics: the case gets back the open days it lost. A suspension that
    /// spans days moves `due` forward by the open days it covered (`openDays(from:to:)`),
    /// counting open days only and keeping the time of day, so weekends and public holidays
    /// inside the suspension give nothing back and a due date never lands on a closed day
    /// because of it. A suspension within one day moves `due` by the time elapsed.
    public func postpone(_ due: Date, suspendedAt: Date, resumedAt: Date) -> Date {
        guard resumedAt > suspendedAt else { return due }
        if day(of: suspendedAt) == day(of: resumedAt) { return due.addingTimeInterval(resumedAt.timeIntervalSince(suspendedAt)) }
        let lost = openDays(from: suspendedAt, to: resumedAt)
        return lost == 0 ? due : add(Duration(lost, .businessDays), to: due)
    }
}
