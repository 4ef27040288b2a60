import Foundation
import Synchronization

/// The answers a `BusinessCalendar` gave lately, so that the same question is not put to
/// Foundation's calendar again.
///
/// Written by hand: every transition asks for the day of `now` (for `today()`) and for the
/// due dates of the tasks and timers it makes, counted from `now`; a group of a thousand
/// transitions shares one `now` and a few durations. Foundation's Gregorian arithmetic in the
/// ward's time zone was a twentieth of the deciding thread's time in `kakari demo` (perf,
/// docs/performance.md, fix 32). The calendar's answers depend only on the question and the
/// calendar, so a remembered answer is exactly the one that would be computed: the decision
/// stays a pure function. A calendar that is changed gets a new, empty memo (see
/// `BusinessCalendar`), and the memo forgets everything when full, so its memory is bounded.
final class CalendarMemo: Sendable {
    struct Addition: Hashable {
        var duration: Duration
        var from: Date
        var roll: Bool
    }

    private struct Answers {
        var days: [Date: Day] = [:]
        var additions: [Addition: Date] = [:]
    }

    /// How many answers of each kind it keeps before it starts again.
    static let limit = 256
    private let answers = Mutex(Answers())

    func day(of date: Date, _ compute: () -> Day) -> Day {
        remembered(date, in: \.days, compute)
    }

    func add(_ question: Addition, _ compute: () -> Date) -> Date {
        remembered(question, in: \.additions, compute)
    }

    private func remembered<Key: Hashable & Sendable, Answer: Sendable>(_ key: Key, in kind: WritableKeyPath<Answers, [Key: Answer]>,
                                                    _ compute: () -> Answer) -> Answer {
        if let known = answers.withLock({ $0[keyPath: kind][key] }) { return known }
        let answer = compute()
        answers.withLock { a in
            if a[keyPath: kind].count >= Self.limit { a[keyPath: kind].removeAll(keepingCapacity: true) }
            a[keyPath: kind][key] = answer
        }
        return answer
    }
}

extension CalendarMemo: Hashable {
    /// Every memo is equal: what it holds is not part of the calendar's value.
    static func == (a: CalendarMemo, b: CalendarMemo) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
