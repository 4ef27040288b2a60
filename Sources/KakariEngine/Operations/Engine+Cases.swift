import Foundation
import KakariCore
import KakariDefinitions
import KakariStore

extension Engine {
    /// Starts one case of `workflow` with the given `FIELD=VALUE` texts.
    public func startCase(workflow: String, id: String, fields: [String: String], by user: String) async throws -> CaseSnapshot {
        try checkCaseID(id)
        try await requireStaff(user, to: "start cases")
        let version = try await latestVersion(of: workflow)
        let decider = try await self.decider(workflow, version.version)
        var data = try parse(fields, against: decider.definition.fields, what: "workflow \(workflow)")
        if let idField = Self.idField(of: decider.definition), (data[idField] ?? .null) == .null { data[idField] = .string(id) }
        let now = try await self.now()
        let decision: Decision
        do {
            decision = try decider.start(id: id, version: version.version, data: data, now: now)
        } catch {
            throw EngineError(.refused, error.message)
        }
        var builder = BatchBuilder(engine: self, by: user, at: now)
        try await builder.add(decision, expected: nil)
        do {
            try await commit(builder.batch)
        } catch let error as StoreError where error.code == .duplicateCase {
            throw EngineError(.refused, "case \(id) already exists")
        }
        return decision.after
    }

    /// Sends a named event now. With a key, a repeated delivery returns the first outcome.
    public func send(caseID: String, event: String, fields: [String: String], key: String?, by user: String) async throws -> Outcome {
        if let key, let first = try await store.idempotency(key) {
            guard first.caseID == caseID, first.event == event else {
                throw EngineError(.refused, "key \(key) was already used for '\(first.event)' on case \(first.caseID)")
            }
            return Outcome(caseID: first.caseID, event: first.event, from: first.from, to: first.to, applied: false)
        }
        // The three reads the send needs, at once (`CaseStore.sendReads`).
        let reads = try await store.sendReads(caseID: caseID, setting: isSimulated() ? Settings.clockNow : nil)
        let record = try Self.existing(reads.record, caseID)
        if let person = try await person(user, in: bundle(reads.latestBundle)), !Self.supervises(person) {
            if person.role == .contractor {
                throw await notPermitted("contractors work through their tasks; \(user) cannot send events", user: user, caseID: caseID)
            }
            if let task = try await store.tasks(TaskFilter(caseID: caseID)).first(where: { $0.event == event }) {
                throw await notPermitted("'\(event)' is what task \(task.id) delivers; complete it with 'kakari tasks complete \(task.id)'", user: user, caseID: caseID)
            }
        }
        let decider = try await self.decider(record.snapshot.workflow, record.snapshot.version)
        let values = try parse(fields, against: decider.definition.eventFields(event), what: "event '\(event)'")
        return try await deliver(.signal(name: event, fields: values, task: nil), to: caseID, by: user, at: time(clock: reads.setting),
                                 key: key, read: record)
    }

    /// The field that holds a case's own id: the first required string field named like an id.
    static func idField(of definition: WorkflowDefinition) -> String? {
        definition.fields.first { f in
            f.type == .string && f.required && (f.name == "id" || f.name.hasSuffix("_no") || f.name.hasSuffix("_id"))
        }?.name
    }

    func checkCaseID(_ id: String) throws {
        guard !id.isEmpty, id.count <= 200, !id.contains(where: { $0.isNewline || $0 == "\t" }) else {
            throw EngineError(.refused, "'\(id)' is not a usable case id (1 to 200 characters, one line)")
        }
    }

    /// Types `FIELD=VALUE` texts by the fields they are for; refuses unknown fields and bad values.
    func parse(_ texts: [String: String], against fields: [FieldDefinition], what: String) throws -> [String: Value] {
        let byName = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String: Value] = [:]
        for name in texts.keys.sorted() {
            guard let field = byName[name] else {
                let hint = NameSuggestion.hint(for: name, in: byName.keys).map { "; \($0)" }
                    ?? (fields.isEmpty ? "; it has no fields" : "; its fields: \(fields.map(\.name).joined(separator: ", "))")
                throw EngineError(.refused, "\(what) has no field '\(name)'\(hint)")
            }
            switch field.type.parse(texts[name]!) {
            case .success(let v): out[name] = v
            case .failure(let e): throw EngineError(.refused, "\(name) (\(field.label)): \(e.message)")
            }
        }
        return out
    }
}
