import Foundation
import KakariCore
import KakariStore

/// `kakari demo`: four simulated months of the household survey on a fresh store.
///
/// Each business day, investigators visit the households whose visit tasks are open (highest
/// priority first), meeting them with the profile's probability for the time slot; ward staff
/// and the registry division complete what their sections can handle that day, from the
/// worklists as they stood in the morning (the day's work is one group commit); then the
/// clock moves to the next day and the timers due on the way fire. Every step goes through
/// the engine, so the result is an ordinary store that `verify`, `cases` and `tasks` read.
public struct DemoSimulation {
    public let engine: Engine
    public let profile: DemoProfile
    var random: SeededGenerator

    public init(engine: Engine, profile: DemoProfile) {
        self.engine = engine
        self.profile = profile
        random = SeededGenerator(seed: profile.seed)
    }

    /// Runs the simulation, calling `progress(day, days)` after each day.
    public mutating func run(progress: (Int, Int) -> Void) async throws -> Int {
        var transitions = 0
        let listed = try await engine.store.cases(CaseFilter(workflow: "household-visit", state: "listed"))
        let lead = profile.staff["lead"] ?? "yamada"
        let now0 = try await engine.now()
        for chunk in stride(from: 0, to: listed.count, by: 500) {
            let group = listed[chunk..<min(chunk + 500, listed.count)].map {
                Engine.Delivery(caseID: $0.snapshot.id, event: .signal(name: "assign", fields: [:], task: nil), by: lead)
            }
            transitions += try await engine.deliverGroup(group, at: now0).applied
        }
        guard let calendar = try await engine.currentBundle()?.calendar else { throw EngineError(.refused, "nothing is deployed") }
        for day in 1...profile.days {
            let now = try await engine.now()
            // Everyone works from the worklists as they stood in the morning: the day's visits
            // and each section's tasks are delivered as one group, so what a visit or a
            // section's work causes reaches a worklist the next day. The cases read for the
            // simulation's choices are handed to the group, which does not read them again.
            var work: [Engine.Delivery] = []
            var read: [String: CaseRecord] = [:]
            if calendar.isOpen(calendar.day(of: now)) {
                work = try await visits(now, read: &read)
                for section in profile.staffPerDay.keys.sorted() { work += try await staffWork(section, now: now, calendar: calendar, read: &read) }
            } else if calendar.closedWeekdays.contains(calendar.day(of: now).isoWeekday), calendar.holidays[calendar.day(of: now)] == nil {
                // Weekend visits: investigators also work Saturdays and Sundays (休日 slot).
                work = try await visits(now, weekend: true, read: &read)
            }
            transitions += try await engine.deliverGroup(work, at: now, read: read).applied
            let report = try await engine.advanceClock(to: now.addingTimeInterval(86_400))
            transitions += report.total
            progress(day, profile.days)
        }
        return transitions
    }

    /// The day's visits: one delivery per visit task the investigators get to.
    private mutating func visits(_ now: Date, weekend: Bool = false, read: inout [String: CaseRecord]) async throws -> [Engine.Delivery] {
        let capacity = profile.contractors.count * profile.visitsPerContractorPerDay / (weekend ? 3 : 1)
        let tasks = try await engine.store.tasks(TaskFilter(section: "survey_contractor", limit: capacity))
        // Investigators never visit their own town or the next one (the rule `tasks assign`
        // and `tasks complete` enforce): each visit goes to the next investigator who may make it.
        let bundle = try await engine.currentBundle()
        let people = profile.contractors.map { id in bundle?.staff.user(id) }
        let households = try await engine.store.caseRecords(tasks.map(\.caseID))
        read.merge(households) { _, new in new }
        var group: [Engine.Delivery] = []
        for (i, task) in tasks.enumerated() where task.kind == "visit" {
            var investigator = "contractor"
            if !people.isEmpty {
                var town: String?
                if case .string(let t)? = households[task.caseID]?.snapshot.data["town"] { town = t }
                let allowed = people.indices.map { (i + $0) % people.count }.first { k in
                    guard let person = people[k], let bundle else { return true }
                    return Engine.homeTownConflict(person, town: town, bundle: bundle) == nil
                }
                guard let allowed else { continue }
                investigator = profile.contractors[allowed]
            }
            let slot = weekend ? "休日" : random.pick(profile.slotShares.filter { $0.0 != "休日" })
            let met = random.chance(profile.contactBySlot[slot] ?? 0.2)
            var fields: [String: Value] = ["slot": .string(slot), "result": .string(met ? "面接" : "不在"),
                                           "dwelling": .string(random.pick([("戸建", 0.5), ("集合住宅", 0.4), ("店舗併用", 0.05), ("不明", 0.05)]))]
            if met {
                fields["contact_outcome"] = .string(random.pick(profile.contactOutcomes))
            } else {
                fields["signs_of_life"] = .bool(random.chance(0.8))
            }
            group.append(.init(caseID: task.caseID, event: .signal(name: task.event, fields: fields, task: task.key), by: investigator))
        }
        return group
    }

    /// What `section`'s staff complete in a day: one delivery per task, up to their capacity.
    private mutating func staffWork(_ section: String, now: Date, calendar: BusinessCalendar,
                                    read: inout [String: CaseRecord]) async throws -> [Engine.Delivery] {
        let capacity = profile.staffPerDay[section] ?? 0
        guard capacity > 0 else { return [] }
        let tasks = try await engine.store.tasks(TaskFilter(section: section, limit: capacity))
        let worker = profile.staff[section] ?? "staff"
        // Triage reads what the household said: one query for the day's triage tasks.
        let triaged = try await engine.store.caseRecords(tasks.filter { $0.kind == "triage" }.map(\.caseID))
        read.merge(triaged) { _, new in new }
        var group: [Engine.Delivery] = []
        for task in tasks {
            var fields: [String: Value] = [:]
            switch task.kind {
            case "triage":
                let outcome = triaged[task.caseID]?.snapshot.data["contact_outcome"]?.description ?? ""
                fields["referral"] = .string(profile.referralByOutcome[outcome] ?? "納付相談")
            case "absent_review": fields["request_check"] = .bool(random.chance(profile.absentRequestCheck))
            case "counselling": fields["outcome"] = .string(random.pick(profile.counselling))
            case "loss_procedure": fields["tax_guidance"] = .bool(true)
            case "loss_after_deletion": fields["processed_on"] = .date(calendar.day(of: now))
            case "accept_request": break
            case "field_visit":
                fields = ["visited_on": .date(calendar.day(of: now)), "partner": .string(profile.staff["partner"] ?? "partner"),
                          "resident_found": .bool(random.chance(profile.residentFound))]
            case "deletion", "overdue": fields["delete"] = .bool(random.chance(profile.deleteRegistration))
            default: continue
            }
            group.append(.init(caseID: task.caseID, event: .signal(name: task.event, fields: fields, task: task.key), by: worker))
        }
        return group
    }
}
