import Foundation
import KakariCore
import KakariDefinitions
import KakariTesting
import Testing

/// The operator events in the pure core, on the ward's household-visit workflow: what each
/// decides, with no store and no clock.
@Suite("Operator events through decide")
struct OperatorDecisionTests {
    static let bundle = try! BundleLoader.load(paths: [Repository.workflows])
    let decider = Decider(definition: bundle.workflows["household-visit"]!, calendar: bundle.calendar)
    let now = ISO8601DateFormatter().date(from: "2025-11-20T00:00:00Z")!  // Thursday, 09:00 in Tokyo

    func waiting() throws -> CaseSnapshot {
        let s = try decider.start(id: "H1", version: 1, data: [
            "household_no": .string("H1"), "name": .string("練馬　太郎"), "address": .string("練馬区練馬1-1-1"), "town": .string("練馬"),
        ], now: now).after
        return try decider.decide(s, .signal(name: "assign", fields: [:], task: nil), now: now).after
    }

    @Test("a suspended case keeps its timers aside, ignores a timer, refuses events, and gets its timers back postponed on resume")
    func suspendResume() throws {
        let s = try waiting()
        let suspended = try decider.decide(s, .suspend(reason: "入院"), now: now)
        #expect(suspended.after.timers.isEmpty && suspended.after.suspended?.timers == s.timers)
        #expect(suspended.effects == [.cancelTimer(name: "deadline")])
        #expect(try decider.decide(suspended.after, .timer(name: "deadline"), now: now).applied == false)
        #expect(throws: DecisionError.self) {
            try decider.decide(suspended.after, .signal(name: "withdraw", fields: ["reason": .string("x")], task: nil), now: now)
        }
        #expect(throws: DecisionError.self) { try decider.decide(suspended.after, .suspend(reason: "again"), now: now) }
        let later = now.addingTimeInterval(5 * 86_400)  // Tue 25 Nov: Thu 20, Fri 21 open; 22–24 closed
        let resumed = try decider.decide(suspended.after, .resume(reason: "退院"), now: later)
        let due = try #require(s.timers["deadline"])
        #expect(resumed.after.timers["deadline"] == decider.calendar.add(KakariCore.Duration(2, .businessDays), to: due))
        #expect(resumed.effects.contains(.postponeTasks(suspendedAt: now)))
        #expect(resumed.after.suspended == nil)
    }

    @Test("migrate is decided by the new definition: data gets the new defaults, the mapped state is entered anew")
    func migrate() throws {
        var definition = decider.definition
        definition.fields.append(FieldDefinition(name: "children", type: .int, label: "子どもの数", defaultValue: .int(0)))
        let v2 = Decider(definition: definition, calendar: decider.calendar)
        let s = try waiting()
        let d = try v2.decide(s, .migrate(from: 1, to: 2, state: "awaiting_visit", reason: "第5回訪問"), now: now)
        #expect(d.after.version == 2 && d.from == "awaiting_visit" && d.to == "awaiting_visit")
        #expect(d.after.data["children"] == .int(0))
        #expect(d.changes == [Decision.Change(field: "children", old: .null, new: .int(0))])
        #expect(d.effects.contains(.closeTask(key: s.openTasks[0].key, completed: false)))
        #expect(d.after.openTasks.map(\.kind) == ["visit"] && d.after.openTasks != s.openTasks)
        #expect(d.after.timers["deadline"] == s.timers["deadline"], "the deadline keeps its date")
        #expect(throws: DecisionError.self) { try v2.decide(s, .migrate(from: 3, to: 2, state: "awaiting_visit", reason: "x"), now: now) }
    }
}
