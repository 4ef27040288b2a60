import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// Who sees what: contractors their open assignments' `sees` fields, staff their section's
/// cases, the duty desk a yes or no, leads everything. Each refusal is exit 3 ("not
/// permitted"), writes nothing but its audit entry, and is audited.
@Suite("Who sees what")
struct VisibilityTests {
    /// Expects `body` to be refused with `message`, the store unchanged and the refusal audited.
    func refused(_ s: TemporaryStore, _ user: String, _ message: String, _ body: () async throws -> Void,
                 sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = try await s.digest()
        let count = try await s.engine.store.audit(AuditFilter()).count
        await #expect(throws: EngineError(.notPermitted, message), sourceLocation: sourceLocation) { try await body() }
        #expect(try await s.digest() == before, "a refusal changes nothing", sourceLocation: sourceLocation)
        let entries = try await s.engine.store.audit(AuditFilter())
        #expect(entries.count == count + 1, sourceLocation: sourceLocation)
        #expect(entries.last?.action == .refused && entries.last?.user == user && entries.last?.detail == message,
                sourceLocation: sourceLocation)
    }

    /// H1 in 中村 awaiting its first visit, assigned to matsumoto.
    func assignedHousehold(_ s: TemporaryStore) async throws -> TaskRecord {
        try await s.importHouseholds([("H1", "中村"), ("H2", "中村")])
        _ = try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: nil, by: "yamada")
        let visit = try await s.openTask("H1", kind: "visit")
        try await s.engine.assign(visit.id, to: "matsumoto", by: "yamada")
        return try await s.engine.task(visit.id)
    }

    @Test("a contractor sees an assigned case's `sees` fields only, and reading them is audited")
    func contractorSeesOnlyTheTaskFields() async throws {
        try await withStore { s in
            let visit = try await assignedHousehold(s)
            let view = try await s.engine.readCase("H1", by: "matsumoto")
            let sees: Set<String> = ["household_no", "name", "kana", "address", "town", "visits", "last_slot"]
            #expect(Set(view.record.snapshot.data.keys).isSubset(of: sees))
            #expect(view.record.snapshot.data["name"] == .string("練馬　太郎"))
            #expect(view.record.snapshot.data["birth_year"] == nil && view.record.snapshot.data["members"] == nil)
            #expect(view.tasks.map(\.id) == [visit.id])
            #expect(view.history.allSatisfy { $0.detail.isEmpty })
            if case .start(let data, _)? = view.history.first?.payload {
                #expect(data["birth_year"] == nil && data["members"] == nil && data["sex"] == nil)
            }
            let read = try #require(try await s.engine.store.audit(AuditFilter(user: "matsumoto")).last)
            #expect(read.action == .read && read.caseID == "H1" && read.fields == ["address", "kana", "name"])
            let shown = try await s.engine.readTask(visit.id, by: "matsumoto")
            #expect(shown.fields.map(\.field.name) == ["household_no", "name", "kana", "address", "town", "visits", "last_slot"])
            #expect(try await s.engine.visibleCases(CaseFilter(), by: "matsumoto").map(\.snapshot.id) == ["H1"])
            #expect(try await s.engine.visibleTasks(TaskFilter(), by: "matsumoto").map(\.id) == [visit.id])
        }
    }

    @Test("a contractor cannot see a case without an open task of theirs, nor after the task is done")
    func contractorRefusedOutsideAssignments() async throws {
        try await withStore { s in
            let visit = try await assignedHousehold(s)
            let none = "matsumoto sees a case only while holding one of its open tasks; case H2 has none"
            try await refused(s, "matsumoto", none) { _ = try await s.engine.readCase("H2", by: "matsumoto") }
            try await refused(s, "inoue", "inoue sees a case only while holding one of its open tasks; case H1 has none") {
                _ = try await s.engine.readCase("H1", by: "inoue")
            }
            try await refused(s, "inoue", "inoue sees a task only while it is assigned to them and open; task \(visit.id) is not") {
                _ = try await s.engine.readTask(visit.id, by: "inoue")
            }
            try await refused(s, "matsumoto", "matsumoto works in survey_contractor and may not list the tasks of kokuho_shikaku") {
                _ = try await s.engine.visibleTasks(TaskFilter(section: "kokuho_shikaku"), by: "matsumoto")
            }
            // A case that does not exist is refused the same way: its existence is not told.
            try await refused(s, "matsumoto", "matsumoto sees a case only while holding one of its open tasks; case H9 has none") {
                _ = try await s.engine.readCase("H9", by: "matsumoto")
            }
            _ = try await s.engine.completeTask(visit.id, fields: ["slot": "休日", "result": "不在"], by: "matsumoto")
            try await refused(s, "matsumoto", "matsumoto sees a task only while it is assigned to them and open; task \(visit.id) is not") {
                _ = try await s.engine.readTask(visit.id, by: "matsumoto")
            }
            #expect(try await s.engine.visibleCases(CaseFilter(), by: "matsumoto").isEmpty)
        }
    }

    @Test("staff see the cases with a task in their section, and no other section's")
    func staffSeeTheirSection() async throws {
        try await withStore { s in
            try await s.contactedHousehold("H1")
            try await s.importHouseholds([("H2", "練馬")])
            let triage = try await s.openTask("H1", kind: "triage")
            let view = try await s.engine.readCase("H1", by: "nakamura")
            #expect(view.record.snapshot.data["birth_year"] == .int(1970))
            #expect(try await s.engine.visibleCases(CaseFilter(), by: "nakamura").map(\.snapshot.id) == ["H1"])
            #expect(try await s.engine.visibleTasks(TaskFilter(), by: "nakamura").map(\.id) == [triage.id])
            try await refused(s, "suzuki", "case H1 has no task in section kokuho_seiri; suzuki may not see it") {
                _ = try await s.engine.readCase("H1", by: "suzuki")
            }
            try await refused(s, "suzuki", "task \(triage.id) belongs to section kokuho_shikaku; suzuki is in kokuho_seiri") {
                _ = try await s.engine.readTask(triage.id, by: "suzuki")
            }
            #expect(try await s.engine.visibleCases(CaseFilter(), by: "suzuki").isEmpty)
            #expect(try await s.engine.visibleCases(CaseFilter(), by: "yamada").count == 2)
        }
    }

    @Test("the duty desk confirms a household by name and address and can open nothing")
    func dutyDeskConfirmsOnly() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "中村")])
            let found = try await s.engine.findHousehold(name: "練馬 太郎", address: "中村１丁目", by: "mori")
            #expect(found == [HouseholdMatch(name: "練馬　太郎", address: "練馬区中村1丁目1番1号")])
            #expect(try await s.engine.findHousehold(name: "練馬　太郎", address: "谷原", by: "mori").isEmpty)
            #expect(try await s.engine.findHousehold(name: "石神井　次郎", address: nil, by: "mori").isEmpty)
            let lookups = try await s.engine.store.audit(AuditFilter(user: "mori"))
            #expect(lookups.map(\.caseID) == ["H1", nil, nil])
            #expect(lookups.first?.fields == ["address", "name"])
            let duty = "the duty desk confirms a household with 'kakari cases find --name NAME'; mori may not open cases or tasks"
            try await refused(s, "mori", duty) { _ = try await s.engine.readCase("H1", by: "mori") }
            try await refused(s, "mori", duty) { _ = try await s.engine.visibleCases(CaseFilter(), by: "mori") }
            try await refused(s, "mori", duty) { _ = try await s.engine.visibleTasks(TaskFilter(), by: "mori") }
            try await refused(s, "kimura", "contractors cannot search the survey list; kimura is a contractor") {
                _ = try await s.engine.findHousehold(name: "練馬　太郎", address: nil, by: "kimura")
            }
        }
    }

    @Test("importing and starting cases, importing events and moving the clock are beyond contractors and the duty desk")
    func commandsBeyondTheRole() async throws {
        try await withStore { s in
            let csv = s.folder + "/h.csv"
            try "\(TemporaryStore.header)\nH1,練馬　太郎,,練馬区中村1丁目1番1号,中村,1970,男,,false,false\n".write(toFile: csv, atomically: true, encoding: .utf8)
            try await refused(s, "matsumoto", "only a lead or an admin may import cases; matsumoto is contractor") {
                _ = try await s.engine.importCases(workflow: "household-visit", file: csv, dataset: nil, by: "matsumoto")
            }
            try await refused(s, "suzuki", "only a lead or an admin may import cases; suzuki is staff") {
                _ = try await s.engine.importCases(workflow: "household-visit", file: csv, dataset: nil, by: "suzuki")
            }
            try await refused(s, "mori", "only ward staff may start cases; mori is duty") {
                _ = try await s.engine.startCase(workflow: "household-visit", id: "H2", fields: ["name": "x", "address": "y", "town": "中村"], by: "mori")
            }
            try await refused(s, "shimizu", "only ward staff may start cases; shimizu is contractor") {
                _ = try await s.engine.startCase(workflow: "nhi-clerical", id: "N1", fields: ["kind": "加入", "name": "練馬　太郎"], by: "shimizu")
            }
            let events = s.folder + "/events.csv"
            try "case,event,key,reason\nH1,withdraw,e1,転出\n".write(toFile: events, atomically: true, encoding: .utf8)
            try await refused(s, "inoue", "only a lead or an admin may import events; inoue is contractor") {
                _ = try await s.engine.importEvents(file: events, by: "inoue")
            }
            try await refused(s, "suzuki", "only a lead or an admin may move the clock; suzuki is staff") {
                try await s.engine.requireSupervisor("suzuki", to: "move the clock")
            }
            // A lead's import of events is audited in the transaction that queues them.
            _ = try await s.engine.importCases(workflow: "household-visit", file: csv, dataset: nil, by: "yamada")
            #expect(try await s.engine.importEvents(file: events, by: "yamada") == 1)
            let last = try #require(try await s.engine.store.audit(AuditFilter(user: "yamada")).last)
            #expect(last.action == .write && last.detail == "1 events queued for 1 cases from events.csv")
        }
    }

    @Test("someone not in the staff directory sees nothing")
    func strangersSeeNothing() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "中村")])
            try await refused(s, "tanaka", "'tanaka' is not in the deployed staff directory") {
                _ = try await s.engine.readCase("H1", by: "tanaka")
            }
        }
    }
}
