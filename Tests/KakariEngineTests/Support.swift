import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// Times written as people read them in Tokyo.
func tokyo(_ text: String) -> Date {
    let f = ISO8601DateFormatter()
    guard let d = f.date(from: text) else { fatalError("not ISO 8601: \(text)") }
    return d
}

/// The engine-level helpers the suites share: households in, tasks out, events through.
extension TemporaryStore {
    static let header = "household_no,name,kana,address,town,birth_year,sex,members,nominal_householder,preschool_children"

    /// Imports households (id, town) through the CSV import, as the ward does.
    func importHouseholds(_ rows: [(id: String, town: String)], preschool: Bool = false) async throws {
        let lines = rows.map { r in
            "\(r.id),練馬　太郎,ネリマ　タロウ,練馬区\(r.town)1丁目1番1号,\(r.town),1970,男,練馬　太郎;練馬　花子,false,\(preschool)"
        }
        let file = folder + "/households-\(UUID().uuidString).csv"
        try ([Self.header] + lines).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let n = try await engine.importCases(workflow: "household-visit", file: file, dataset: nil, by: "yamada")
        #expect(n == rows.count)
    }

    /// The open tasks of a case.
    func openTasks(_ caseID: String) async throws -> [TaskRecord] {
        try await engine.store.tasks(TaskFilter(caseID: caseID))
    }

    /// Every task of a case, open or closed, oldest first.
    func allTasks(_ caseID: String) async throws -> [TaskRecord] {
        try await engine.store.tasks(TaskFilter(statuses: Set(TaskRecord.Status.allCases), caseID: caseID)).sorted { $0.id < $1.id }
    }

    /// The single open task of a case, which must be of `kind`.
    func openTask(_ caseID: String, kind: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> TaskRecord {
        let open = try await openTasks(caseID)
        #expect(open.count == 1, "case \(caseID) has \(open.count) open tasks: \(open.map(\.kind))", sourceLocation: sourceLocation)
        return try #require(open.first { $0.kind == kind }, "case \(caseID) has no open \(kind) task; open: \(open.map(\.kind))",
                            sourceLocation: sourceLocation)
    }

    /// Completes the case's open task of `kind` with `fields` as `user`.
    @discardableResult
    func complete(_ caseID: String, _ kind: String, _ fields: [String: String], by user: String,
                  sourceLocation: SourceLocation = #_sourceLocation) async throws -> Engine.Outcome {
        let task = try await openTask(caseID, kind: kind, sourceLocation: sourceLocation)
        return try await engine.completeTask(task.id, fields: fields, by: user)
    }

    /// A visit by the survey company: 井上 (who lives in 光が丘, far from the towns most tests
    /// use), or the first investigator who lives neither in the household's town nor next to it.
    @discardableResult
    func visit(_ caseID: String, _ result: String, outcome: String? = nil) async throws -> Engine.Outcome {
        var fields = ["slot": "平日夜間", "result": result]
        if let outcome { fields["contact_outcome"] = outcome }
        let bundle = try #require(try await engine.currentBundle())
        let town = try await snapshot(caseID).data["town"]?.description
        let investigators = ["inoue"] + bundle.staff.users.filter { $0.role == .contractor && $0.section == "survey_contractor" && $0.id != "inoue" }.map(\.id).sorted()
        let investigator = try #require(investigators.first { id in
            bundle.staff.users.first { $0.id == id }.map { Engine.homeTownConflict($0, town: town, bundle: bundle) == nil } ?? false
        }, "no investigator may visit \(caseID)")
        return try await complete(caseID, "visit", fields, by: investigator)
    }

    func state(_ caseID: String) async throws -> String {
        try await engine.caseRecord(caseID).snapshot.state
    }

    func snapshot(_ caseID: String) async throws -> CaseSnapshot {
        try await engine.caseRecord(caseID).snapshot
    }

    /// The history's decisions as `event from→to`.
    func path(_ caseID: String) async throws -> [String] {
        try await engine.store.history(caseID).filter { $0.kind == .decision }.map { "\($0.event) \($0.from ?? "")→\($0.to)" }
    }

    /// Asserts that every case replays to its stored state.
    func expectVerifies(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let result = try await engine.verify()
        #expect(result.mismatches.isEmpty, "verify: \(result.mismatches.map(\.description))", sourceLocation: sourceLocation)
    }

    /// A household that has been assigned and met on the first visit (state `contacted`).
    func contactedHousehold(_ id: String, town: String = "練馬") async throws {
        try await importHouseholds([(id, town)])
        _ = try await engine.send(caseID: id, event: "assign", fields: [:], key: nil, by: "yamada")
        try await visit(id, "面接", outcome: "納付相談希望")
        #expect(try await state(id) == "contacted")
    }
}

/// Runs `body` with a fresh store and removes it afterwards.
func withStore<T>(start: Date? = Date(timeIntervalSince1970: 1_763_596_800), _ body: (TemporaryStore) async throws -> T) async throws -> T {
    let store = try await TemporaryStore(simulatedStart: start)
    defer { store.remove() }
    return try await body(store)
}
