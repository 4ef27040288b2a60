import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// The household visit survey end to end through the engine on a real SQLite file: import,
/// events, tasks, child cases, timers, and a replay that reproduces every stored case.
@Suite("The household path through the engine")
struct HouseholdEngineTests {
    @Test("a fourth absent visit ends the household as absent, with a review task for the NHI section")
    func fourthAbsentVisit() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬")])
            #expect(try await s.state("H1") == "listed")
            #expect(try await s.openTasks("H1").isEmpty)
            let assigned = try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: nil, by: "yamada")
            #expect(assigned == Engine.Outcome(caseID: "H1", event: "assign", from: "listed", to: "awaiting_visit", applied: true))
            for n in 1...3 {
                let task = try await s.openTask("H1", kind: "visit")
                #expect(task.title == "練馬 訪問 \(n) 回目")
                #expect(task.section == "survey_contractor")
                let o = try await s.visit("H1", "不在")
                #expect(o.from == "awaiting_visit" && o.to == "awaiting_visit")
                #expect(try await s.snapshot("H1").data["visits"] == .int(n))
                #expect(try await s.engine.task(task.id).status == .done)
            }
            #expect(try await s.openTask("H1", kind: "visit").title == "練馬 訪問 4 回目")
            let last = try await s.visit("H1", "不在")
            #expect(last.to == "absent")
            let snapshot = try await s.snapshot("H1")
            #expect(snapshot.data["visits"] == .int(4))
            #expect(snapshot.data["last_slot"] == .string("平日夜間"))
            let review = try await s.openTask("H1", kind: "absent_review")
            #expect(review.section == "kokuho_shikaku")
            #expect(review.decision)
            #expect(try await s.allTasks("H1").filter { $0.kind == "visit" }.map(\.status) == [.done, .done, .done, .done])
            #expect(try await s.allTasks("H1").filter { $0.kind == "visit" }.compactMap(\.completedBy) == ["inoue", "inoue", "inoue", "inoue"])
            try await s.complete("H1", "absent_review", ["request_check": "false"], by: "nakamura")
            #expect(try await s.state("H1") == "unresolved")
            #expect(try await s.path("H1") == [
                "start →listed", "assign listed→awaiting_visit",
                "visit awaiting_visit→awaiting_visit", "visit awaiting_visit→awaiting_visit", "visit awaiting_visit→awaiting_visit",
                "visit awaiting_visit→absent", "absent_review absent→unresolved",
            ])
            #expect(try await s.engine.store.timers(of: "H1").isEmpty, "a finished household keeps no deadline")
            try await s.expectVerifies()
        }
    }

    @Test("a contact goes to triage, then counselling routed by area: 練馬 to kokuho_seiri, 石神井町 to kokuho_shakujii, ending payment_arranged")
    func counsellingByArea() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H1", town: "練馬")
            try await s.contactedHousehold("H2", town: "石神井町")
            try await s.contactedHousehold("H3", town: "石神井町")
            for id in ["H1", "H2", "H3"] {
                let triage = try await s.openTask(id, kind: "triage")
                #expect(triage.section == "kokuho_shikaku")
                #expect(triage.decision)
                let o = try await s.complete(id, "triage", ["referral": "納付相談"], by: "nakamura")
                #expect(o.to == "counselling")
            }
            let main = try await s.openTask("H1", kind: "counselling")
            #expect(main.section == "kokuho_seiri")
            #expect(main.title == "納付相談 練馬　太郎 (練馬)")
            #expect(try await s.openTask("H2", kind: "counselling").section == "kokuho_shakujii")
            #expect(try await s.complete("H1", "counselling", ["outcome": "分納誓約"], by: "suzuki").to == "payment_arranged")
            #expect(try await s.complete("H2", "counselling", ["outcome": "完納"], by: "ito").to == "payment_arranged")
            #expect(try await s.complete("H3", "counselling", ["outcome": "不調"], by: "ito").to == "unresolved")
            let paid = try await s.snapshot("H1")
            #expect(paid.finished)
            #expect(paid.result == "payment_counselled")
            #expect(paid.data["referral"] == .string("納付相談"))
            #expect(paid.data["contact_outcome"] == .string("納付相談希望"))
            #expect(try await s.engine.store.cases(CaseFilter(workflow: "household-visit", state: "payment_arranged")).map(\.snapshot.id) == ["H1", "H2"])
            try await s.expectVerifies()
        }
    }

    @Test("a household that joined another insurance goes through the loss of eligibility")
    func eligibilityLoss() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H1")
            #expect(try await s.complete("H1", "triage", ["referral": "資格喪失"], by: "nakamura").to == "eligibility_loss")
            let task = try await s.openTask("H1", kind: "loss_procedure")
            #expect(task.section == "kokuho_shikaku")
            #expect(task.title == "資格喪失手続き 練馬　太郎")
            // The form's required field is required.
            await #expect(throws: EngineError.self) {
                try await s.engine.completeTask(task.id, fields: [:], by: "nakamura")
            }
            #expect(try await s.state("H1") == "eligibility_loss")
            #expect(try await s.complete("H1", "loss_procedure", ["tax_guidance": "true"], by: "nakamura").to == "eligibility_lost")
            #expect(try await s.snapshot("H1").finished)
            try await s.expectVerifies()
        }
    }

    @Test("a non-residence check starts a residence investigation; two field visits 30 days apart and a deletion move the household to eligibility_lost_by_deletion")
    func registryDeletion() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H1")
            #expect(try await s.complete("H1", "triage", ["referral": "不現住調査"], by: "nakamura").to == "registry_check")
            #expect(try await s.openTasks("H1").isEmpty, "the household waits for the registry division")
            let children = try await s.engine.store.children(of: "H1")
            #expect(children.count == 1)
            let child = try #require(children.first)
            let c = try await s.snapshot(child)
            #expect(c.workflow == "residence-investigation")
            #expect(c.parent == "H1")
            #expect(c.state == "requested")
            #expect(c.data["request_no"] == .string("H1"))
            #expect(c.data["address"] == .string("練馬区練馬1丁目1番1号"))
            #expect(try await s.snapshot("H1").waitingFor == child)

            #expect(try await s.openTask(child, kind: "accept_request").section == "koseki_chosa")
            #expect(try await s.complete(child, "accept_request", [:], by: "kato").to == "field_survey")
            #expect(try await s.openTask(child, kind: "field_visit").title == "実地調査 1 回目 練馬区練馬1丁目1番1号")
            let first = try await s.complete(child, "field_visit",
                                             ["visited_on": "2025-11-20", "partner": "吉田 浩", "resident_found": "false"], by: "kato")
            #expect(first.to == "waiting_second_visit")
            #expect(try await s.openTasks(child).isEmpty)
            // 30 days from Thursday 2025-11-20 09:00 is Saturday 2025-12-20: the timer rolls to Monday the 22nd.
            let timers = try await s.engine.store.timers(of: child)
            #expect(timers.first { $0.name == "thirty_days" }?.due == tokyo("2025-12-22T09:00:00+09:00"))

            _ = try await s.engine.advanceClock(to: tokyo("2025-12-21T09:00:00+09:00"))
            #expect(try await s.state(child) == "waiting_second_visit", "the second visit must wait 30 days")
            _ = try await s.engine.advanceClock(to: tokyo("2025-12-24T12:00:00+09:00"))
            #expect(try await s.state(child) == "field_survey")
            let fired = try #require(try await s.engine.store.history(child).first { $0.event == "timer:thirty_days" })
            #expect(fired.at == tokyo("2025-12-22T09:00:00+09:00"))
            #expect(fired.by == "kakari-daemon")
            #expect(try await s.openTask(child, kind: "field_visit").title == "実地調査 2 回目 練馬区練馬1丁目1番1号")
            #expect(try await s.complete(child, "field_visit",
                                         ["visited_on": "2025-12-24", "partner": "吉田 浩", "resident_found": "false"],
                                         by: "kato").to == "deletion_decision")
            #expect(try await s.snapshot(child).data["field_visits"] == .int(2))
            #expect(try await s.snapshot(child).data["first_visit_on"] == .date(Day(year: 2025, month: 11, day: 20)))
            #expect(try await s.openTask(child, kind: "deletion").decision)
            #expect(try await s.complete(child, "deletion", ["delete": "true"], by: "yamaguchi").to == "deleted")

            let ended = try await s.snapshot(child)
            #expect(ended.finished)
            #expect(ended.result == "registry_deleted")
            #expect(try await s.state("H1") == "eligibility_lost_by_deletion")
            #expect(try await s.path("H1").contains("child:registry_deleted registry_check→eligibility_lost_by_deletion"))
            let loss = try await s.openTask("H1", kind: "loss_after_deletion")
            #expect(loss.section == "kokuho_shikaku")
            #expect(try await s.complete("H1", "loss_after_deletion", ["processed_on": "2025-12-25"], by: "nakamura").to == "registry_deleted")
            #expect(try await s.snapshot("H1").result == "registry_deleted")
            try await s.expectVerifies()
        }
    }

    @Test("a residence confirmed by the registry division leaves the household unresolved")
    func residenceConfirmed() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H1")
            try await s.complete("H1", "triage", ["referral": "不現住調査"], by: "nakamura")
            let child = try #require(try await s.engine.store.children(of: "H1").first)
            try await s.complete(child, "accept_request", [:], by: "kato")
            #expect(try await s.complete(child, "field_visit",
                                         ["visited_on": "2025-11-21", "partner": "吉田 浩", "resident_found": "true"],
                                         by: "kato").to == "confirmed")
            #expect(try await s.snapshot(child).result == "residence_confirmed")
            #expect(try await s.state("H1") == "unresolved")
            #expect(try await s.path("H1").last == "child:residence_confirmed registry_check→unresolved")
            try await s.expectVerifies()
        }
    }

    @Test("after four absences the NHI section can ask the registry division to check, which starts the child case")
    func absentThenRegistryCheck() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "石神井町")])
            _ = try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: nil, by: "yamada")
            for _ in 1...4 { try await s.visit("H1", "不在") }
            #expect(try await s.complete("H1", "absent_review", ["request_check": "true"], by: "nakamura").to == "registry_check")
            #expect(try await s.snapshot("H1").data["referral"] == .string("不現住調査"))
            let child = try #require(try await s.engine.store.children(of: "H1").first)
            #expect(try await s.state(child) == "requested")
            try await s.expectVerifies()
        }
    }

    @Test("withdraw ends a listed or a waiting household and withdraws its open visit task; a finished household refuses it")
    func withdraw() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬"), ("H2", "練馬")])
            _ = try await s.engine.send(caseID: "H2", event: "assign", fields: [:], key: nil, by: "yamada")
            let visit = try await s.openTask("H2", kind: "visit")
            // The reason is required.
            await #expect(throws: EngineError.self) {
                try await s.engine.send(caseID: "H1", event: "withdraw", fields: [:], key: nil, by: "yamada")
            }
            #expect(try await s.engine.send(caseID: "H1", event: "withdraw", fields: ["reason": "転出"], key: nil, by: "yamada").to == "withdrawn")
            #expect(try await s.engine.send(caseID: "H2", event: "withdraw", fields: ["reason": "重複"], key: nil, by: "yamada").to == "withdrawn")
            #expect(try await s.engine.task(visit.id).status == .withdrawn)
            #expect(try await s.openTasks("H2").isEmpty)
            let error = await #expect(throws: EngineError.self) {
                try await s.engine.send(caseID: "H1", event: "withdraw", fields: ["reason": "再送"], key: nil, by: "yamada")
            }
            #expect(error?.message == "case H1 is finished (調査対象外) and accepts no events")
            // A withdrawn household's visit task can no longer be completed.
            await #expect(throws: EngineError.self) {
                try await s.engine.completeTask(visit.id, fields: ["slot": "休日", "result": "面接"], by: "kimura")
            }
            #expect(try await s.path("H2") == ["start →listed", "assign listed→awaiting_visit", "withdraw awaiting_visit→withdrawn"])
            try await s.expectVerifies()
        }
    }

    @Test("the deadline is four months on, rolled past 春分の日 and the weekend to the next open day")
    func deadlineDue() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬")])
            // 2025-11-20 09:00 + 4 months = Friday 2026-03-20, 春分の日: the office reopens Monday the 23rd.
            #expect(try await s.engine.store.timers(of: "H1").map(\.due) == [tokyo("2026-03-23T09:00:00+09:00")])
        }
    }

    @Test("the 4-month deadline closes households still listed or waiting for a visit at its own time, and leaves those with ward staff alone")
    func deadlineClosesWaiting() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬"), ("H2", "練馬")])
            _ = try await s.engine.send(caseID: "H2", event: "assign", fields: [:], key: nil, by: "yamada")
            try await s.visit("H2", "不在")
            let visit = try await s.openTask("H2", kind: "visit")
            try await s.contactedHousehold("H3")
            try await s.contactedHousehold("H4", town: "石神井町")
            try await s.complete("H4", "triage", ["referral": "納付相談"], by: "nakamura")

            let report = try await s.engine.advanceClock(to: tokyo("2026-03-22T23:59:00+09:00"))
            #expect(report.timersFired == 0)
            #expect(try await s.state("H1") == "listed")
            _ = try await s.engine.advanceClock(to: tokyo("2026-04-01T09:00:00+09:00"))
            #expect(try await s.engine.now() == tokyo("2026-04-01T09:00:00+09:00"))
            for id in ["H1", "H2"] {
                #expect(try await s.state(id) == "contract_ended")
                let entry = try #require(try await s.engine.store.history(id).last)
                #expect(entry.event == "timer:deadline")
                #expect(entry.at == tokyo("2026-03-23T09:00:00+09:00"))
            }
            #expect(try await s.engine.task(visit.id).status == .withdrawn)
            #expect(try await s.state("H3") == "contacted")
            #expect(try await s.state("H4") == "counselling")
            #expect(try await s.openTask("H4", kind: "counselling").section == "kokuho_shakujii")
            // Staff carry on after the contract ended.
            #expect(try await s.complete("H3", "triage", ["referral": "資格喪失"], by: "nakamura").to == "eligibility_loss")
        }
    }

    @Test("a deadline that passes while a household is with ward staff leaves a store that verifies")
    func deadlineIgnoredVerifies() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H3")
            _ = try await s.engine.advanceClock(to: tokyo("2026-04-01T09:00:00+09:00"))
            #expect(try await s.state("H3") == "contacted")
            try await s.expectVerifies()
            #expect(try await s.engine.store.timers(of: "H3").map(\.name) == (try await s.snapshot("H3")).timers.keys.sorted())
        }
    }
}
