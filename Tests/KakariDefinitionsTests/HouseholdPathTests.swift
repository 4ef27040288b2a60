import Foundation
import KakariCore
import KakariDefinitions
import KakariTesting
import Testing

/// The pure core on the ward's real household-visit workflow: every branch of the path.
@Suite("The household path through decide")
struct HouseholdPathTests {
    static let bundle = try! BundleLoader.load(paths: [Repository.workflows])
    let decider = Decider(definition: bundle.workflows["household-visit"]!, calendar: bundle.calendar)
    let now = ISO8601DateFormatter().date(from: "2026-11-20T00:00:00Z")!  // Friday, 09:00 in Tokyo

    func start(town: String = "練馬", children: Bool = false) throws -> CaseSnapshot {
        let d = try decider.start(id: "H1", version: 1, data: [
            "household_no": .string("H1"), "name": .string("練馬　太郎"), "address": .string("練馬区練馬1-1-1"),
            "town": .string(town), "preschool_children": .bool(children),
        ], now: now)
        return d.after
    }

    func send(_ s: CaseSnapshot, _ event: String, _ fields: [String: Value] = [:], task: String? = nil) throws -> Decision {
        try decider.decide(s, .signal(name: event, fields: fields, task: task), now: now)
    }

    func visit(_ s: CaseSnapshot, _ result: String) throws -> Decision {
        try send(s, "visit", ["slot": .string("平日夜間"), "result": .string(result)], task: s.openTasks.first?.key)
    }

    func tasks(_ d: Decision) -> [TaskOrder] {
        d.effects.compactMap { if case .openTask(let t) = $0 { t } else { nil } }
    }

    @Test("a new household is listed, with defaults filled and the four-month deadline running")
    func startListed() throws {
        let s = try start()
        #expect(s.state == "listed")
        #expect(s.data["visits"] == .int(0))
        #expect(s.data["nominal_householder"] == .bool(false))
        #expect(s.timers["deadline"] != nil)
    }

    @Test("assigning gives the contractor a visit task, pre-school households first")
    func assignGivesVisitTask() throws {
        let d = try send(try start(children: true), "assign")
        #expect(d.to == "awaiting_visit")
        let t = try #require(tasks(d).first)
        #expect(t.kind == "visit")
        #expect(t.section == "survey_contractor")
        #expect(t.contractor)
        #expect(t.priority == 10)
        #expect(t.title == "練馬 訪問 1 回目")
    }

    @Test("three absences bring the household back for another visit; the fourth ends it as absent")
    func fourthAbsenceEndsAbsent() throws {
        var s = try send(try start(), "assign").after
        for n in 1...3 {
            let d = try visit(s, "不在")
            #expect(d.to == "awaiting_visit")
            #expect(d.after.data["visits"] == .int(n))
            #expect(d.effects.contains(.closeTask(key: s.openTasks[0].key, completed: true)))
            s = d.after
        }
        let d = try visit(s, "不在")
        #expect(d.to == "absent")
        #expect(d.after.data["visits"] == .int(4))
        #expect(tasks(d).first?.decision == true)
    }

    @Test("a contact goes to staff for triage, a decision task")
    func contactGoesToTriage() throws {
        let d = try visit(try send(try start(), "assign").after, "面接")
        #expect(d.to == "contacted")
        #expect(tasks(d).first?.section == "kokuho_shikaku")
        #expect(tasks(d).first?.decision == true)
    }

    func contacted(town: String = "練馬") throws -> CaseSnapshot {
        try visit(try send(try start(town: town), "assign").after, "面接").after
    }

    @Test("payment counselling is routed by area: 練馬 to こくほ整理係, 石神井町 to こくほ石神井係")
    func counsellingRoutedByArea() throws {
        let main = try send(try contacted(town: "練馬"), "triage", ["referral": .string("納付相談")])
        #expect(tasks(main).first?.section == "kokuho_seiri")
        let shakujii = try send(try contacted(town: "石神井町"), "triage", ["referral": .string("納付相談")])
        #expect(tasks(shakujii).first?.section == "kokuho_shakujii")
    }

    @Test("an agreed instalment plan ends as payment counselled; a failed talk as unresolved")
    func counsellingOutcomes() throws {
        let c = try send(try contacted(), "triage", ["referral": .string("納付相談")]).after
        let paid = try send(c, "counselling", ["outcome": .string("分納誓約")])
        #expect(paid.to == "payment_arranged")
        #expect(paid.after.finished)
        #expect(paid.after.result == "payment_counselled")
        #expect(try send(c, "counselling", ["outcome": .string("不調")]).to == "unresolved")
    }

    @Test("loss of eligibility is processed by staff with tax-declaration guidance")
    func lossOfEligibility() throws {
        let l = try send(try contacted(), "triage", ["referral": .string("資格喪失")])
        #expect(l.to == "eligibility_loss")
        let done = try send(l.after, "loss_procedure", ["tax_guidance": .bool(true)])
        #expect(done.to == "eligibility_lost")
    }

    @Test("a non-residence check starts a residence investigation as a child case with the household's address")
    func nonResidenceStartsChild() throws {
        let d = try send(try contacted(), "triage", ["referral": .string("不現住調査")])
        #expect(d.to == "registry_check")
        let child = d.effects.compactMap { e -> (String, String, [String: Value])? in
            if case .startChild(let id, let w, let data) = e { (id, w, data) } else { nil }
        }.first
        #expect(child?.1 == "residence-investigation")
        #expect(child?.2["address"] == .string("練馬区練馬1-1-1"))
        #expect(d.after.waitingFor == child?.0)
    }

    @Test("eligibility is lost only when the registry deletes the registration")
    func registryResults() throws {
        let r = try send(try contacted(), "triage", ["referral": .string("不現住調査")]).after
        let deleted = try decider.decide(r, .childFinished(child: r.waitingFor!, result: "registry_deleted"), now: now)
        #expect(deleted.to == "eligibility_lost_by_deletion")
        let done = try send(deleted.after, "loss_after_deletion", ["processed_on": .date(Day(year: 2026, month: 12, day: 1))])
        #expect(done.after.result == "registry_deleted")
        let confirmed = try decider.decide(r, .childFinished(child: r.waitingFor!, result: "residence_confirmed"), now: now)
        #expect(confirmed.to == "unresolved")
        let stranger = try decider.decide(r, .childFinished(child: "other", result: "registry_deleted"), now: now)
        #expect(stranger.applied == false)
    }

    @Test("after four absences staff either ask the registry to check or close the case unresolved")
    func absentReview() throws {
        var s = try send(try start(), "assign").after
        for _ in 1...4 { s = try visit(s, "不在").after }
        #expect(try send(s, "absent_review", ["request_check": .bool(true)]).to == "registry_check")
        #expect(try send(s, "absent_review", ["request_check": .bool(false)]).to == "unresolved")
    }

    @Test("the contract's end closes households still waiting for a visit; for those with staff it passes and is recorded")
    func deadline() throws {
        let waiting = try send(try start(), "assign").after
        #expect(try decider.decide(waiting, .timer(name: "deadline"), now: now).to == "contract_ended")
        let withStaff = try decider.decide(try contacted(), .timer(name: "deadline"), now: now)
        #expect(withStaff.to == "contacted")
        #expect(withStaff.after.timers["deadline"] == nil)
        #expect(withStaff.note == "the deadline passed in state 'contacted', which it does not apply to")
    }

    @Test("a household can be withdrawn with a reason, and not without one")
    func withdraw() throws {
        #expect(try send(try start(), "withdraw", ["reason": .string("死亡")]).to == "withdrawn")
        #expect(throws: DecisionError(.missingField, "event 'withdraw' needs reason (除外理由)")) {
            try send(try start(), "withdraw")
        }
    }

    @Test("refusals: an event the state does not accept, a wrong type, an unknown field, a finished case")
    func refusals() throws {
        let s = try start()
        #expect(throws: DecisionError.self) { try send(s, "visit", ["slot": .string("休日"), "result": .string("面接")]) }
        let waiting = try send(s, "assign").after
        #expect(throws: DecisionError(.wrongType, "result (訪問結果) must be one of 面接, 不在, not '会えた'")) {
            try send(waiting, "visit", ["slot": .string("休日"), "result": .string("会えた")])
        }
        #expect(throws: DecisionError(.unknownField, "event 'visit' has no field 'reslt'; did you mean 'result'?")) {
            try send(waiting, "visit", ["reslt": .string("面接")])
        }
        let finished = try send(s, "withdraw", ["reason": .string("転出")]).after
        #expect(throws: DecisionError.self) { try send(finished, "assign") }
    }

    @Test("the same inputs always give the same decision")
    func deterministic() throws {
        let a = try visit(try send(try start(), "assign").after, "面接")
        let b = try visit(try send(try start(), "assign").after, "面接")
        #expect(a == b)
    }
}
