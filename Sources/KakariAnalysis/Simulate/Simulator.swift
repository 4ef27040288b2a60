import Foundation
import KakariCore

/// `kakari simulate`: Monte Carlo runs of a workflow over the pure `Decider`, with a simulated
/// clock and an in-memory queue of tasks and timers (no store).
///
/// Each run starts `cases` cases at the profile's start and sends them the start events; then,
/// day by day, each section completes up to its capacity of open tasks (highest priority
/// first, then oldest), spread over the working hours, with form values drawn from the
/// profile; timers fire at their own due time in between; child cases run the same way and
/// report their result to their parent. The same seed gives the same runs.
public struct Simulator: Sendable {
    public var workflows: [String: WorkflowDefinition]
    public var calendar: BusinessCalendar
    public var profile: SimulationProfile
    public var workflow: String
    public var cases: Int

    public init(workflows: [String: WorkflowDefinition], calendar: BusinessCalendar, profile: SimulationProfile, workflow: String, cases: Int) {
        self.workflows = workflows
        self.calendar = calendar
        self.profile = profile
        self.workflow = workflow
        self.cases = cases
    }

    /// `runs` runs, the i-th seeded from `seed` and i, summarised.
    public func simulate(runs: Int, seed: UInt64) -> SimulationSummary {
        let results = (0..<max(runs, 1)).map { i in
            var mixer = SeededGenerator(seed: seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
            return run(seed: mixer.next())
        }
        return SimulationSummary(runs: results, definition: workflows[workflow]!, days: profile.days)
    }

    /// One run.
    public func run(seed: UInt64) -> SimulationRun {
        var world = SimulationWorld(workflows: workflows, calendar: calendar, profile: profile, random: SeededGenerator(seed: seed))
        let definition = workflows[workflow]!
        let width = max(6, String(cases).count)
        for n in 1...max(cases, 1) {
            let number = String(n)
            let id = "S" + String(repeating: "0", count: max(0, width - number.count)) + number
            world.startTopCase(definition, id: id, at: profile.start)
        }
        let first = calendar.day(of: profile.start)
        let horizon = profile.days * 3
        var unfinishedByDeadline: Int?
        let deadline = profile.start.addingTimeInterval(Double(profile.days) * 86_400)
        for i in 0..<horizon {
            let midnight = calendar.gregorian.date(from: DateComponents(year: first.year, month: first.month, day: first.day + i))!
            let open = calendar.isOpen(calendar.day(of: midnight))
            let from = max(midnight.addingTimeInterval(Double(profile.hours.from * 60)), profile.start)
            let to = midnight.addingTimeInterval(Double(profile.hours.to * 60))
            world.fireTimers(upTo: from)
            if to > from { world.work(open: open, from: from, to: to) }
            world.fireTimers(upTo: midnight.addingTimeInterval(86_399))
            world.noteBacklog()
            // Measured at the end of the day on which the profile's days run out.
            if unfinishedByDeadline == nil, midnight.addingTimeInterval(86_400) > deadline { unfinishedByDeadline = world.unfinishedTopCases }
            if world.unfinishedTopCases == 0 { break }
        }
        return world.result(definition, unfinishedByDeadline: unfinishedByDeadline ?? world.unfinishedTopCases)
    }
}
