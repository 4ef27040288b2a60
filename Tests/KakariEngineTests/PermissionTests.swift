import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// Who may do what, from the deployed staff directory: each test tries the forbidden thing,
/// expects a refusal "not permitted" (exit 3 on the command line) and that nothing changed.
@Suite("Who may do what")
struct PermissionTests {
    func refusedAndUnchanged(_ s: TemporaryStore, _ message: String, _ body: () async throws -> Void,
                             sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = try await s.digest()
        await #expect(throws: EngineError(.notPermitted, message), sourceLocation: sourceLocation) { try await body() }
        #expect(try await s.digest() == before, "a refusal changes nothing", sourceLocation: sourceLocation)
    }

    @Test("a contractor can neither complete nor claim a decision task")
    func decisionsStayWithStaff() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H1")
            let triage = try await s.openTask("H1", kind: "triage")
            let message = "task \(triage.id) is a decision (資格・賦課の決定) and stays with ward staff; matsumoto is a contractor"
            try await refusedAndUnchanged(s, message) { _ = try await s.engine.completeTask(triage.id, fields: ["referral": "納付相談"], by: "matsumoto") }
            try await refusedAndUnchanged(s, message) { try await s.engine.claim(triage.id, by: "matsumoto") }
        }
    }

    @Test("staff complete only their own section's tasks; a lead may complete any")
    func ownSectionOnly() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H1")
            let triage = try await s.openTask("H1", kind: "triage")
            try await refusedAndUnchanged(s, "task \(triage.id) belongs to section kokuho_shikaku; suzuki is in kokuho_seiri") {
                _ = try await s.engine.completeTask(triage.id, fields: ["referral": "納付相談"], by: "suzuki")
            }
            #expect(try await s.engine.completeTask(triage.id, fields: ["referral": "納付相談"], by: "kobayashi").to == "counselling")
        }
    }

    @Test("a confirmation must be done by someone other than who decided (four eyes)")
    func fourEyes() async throws {
        try await withStore { s in
            _ = try await s.engine.startCase(workflow: "nhi-clerical", id: "N1", fields: ["kind": "加入", "name": "練馬　太郎"], by: "yamada")
            try await s.complete("N1", "prepare", ["complete": "true"], by: "shimizu")
            try await s.complete("N1", "decide", ["decision": "承認"], by: "nakamura")
            let confirm = try await s.openTask("N1", kind: "confirm")
            try await refusedAndUnchanged(s, "nakamura completed 'decide' on case N1; a different person must confirm it") {
                _ = try await s.engine.completeTask(confirm.id, fields: ["confirmed": "true"], by: "nakamura")
            }
            #expect(try await s.engine.completeTask(confirm.id, fields: ["confirmed": "true"], by: "kobayashi").to == "done")
        }
    }

    @Test("contractors cannot send events, and staff complete a task instead of sending its event")
    func sendingAroundTasks() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬")])
            _ = try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: nil, by: "yamada")
            let visit = try await s.openTask("H1", kind: "visit")
            try await refusedAndUnchanged(s, "contractors work through their tasks; kimura cannot send events") {
                _ = try await s.engine.send(caseID: "H1", event: "withdraw", fields: ["reason": "転出"], key: nil, by: "kimura")
            }
            try await refusedAndUnchanged(s, "'visit' is what task \(visit.id) delivers; complete it with 'kakari tasks complete \(visit.id)'") {
                _ = try await s.engine.send(caseID: "H1", event: "visit", fields: ["slot": "休日", "result": "面接"], key: nil, by: "suzuki")
            }
        }
    }

    @Test("only the holder, a lead or an admin releases or hands out a claimed task")
    func claimsBelongToTheirHolder() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬")])
            _ = try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: nil, by: "yamada")
            let visit = try await s.openTask("H1", kind: "visit")
            try await s.engine.claim(visit.id, by: "matsumoto")
            try await refusedAndUnchanged(s, "only a lead or an admin may release a task someone else holds; inoue is contractor") {
                try await s.engine.release(visit.id, by: "inoue")
            }
            try await refusedAndUnchanged(s, "only a lead or an admin may hand out a task; kimura is contractor") {
                try await s.engine.assign(visit.id, to: "kimura", by: "kimura")
            }
            try await s.engine.release(visit.id, by: "matsumoto")
            #expect(try await s.engine.task(visit.id).status == .open)
        }
    }

    @Test("only leads and admins deploy definitions or correct a task's due date")
    func leadsOnly() async throws {
        try await withStore { s in
            try await refusedAndUnchanged(s, "only a lead or an admin may deploy definitions; suzuki is staff") {
                _ = try await s.engine.deploy(paths: [Repository.workflows], by: "suzuki")
            }
            try await s.importHouseholds([("H1", "練馬")])
            _ = try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: nil, by: "yamada")
            let visit = try await s.openTask("H1", kind: "visit")
            try await refusedAndUnchanged(s, "only a lead or an admin may change a task's section or due date; matsumoto is contractor") {
                try await s.engine.updateTask(visit.id, section: nil, due: .some(nil), by: "matsumoto")
            }
        }
    }
}
