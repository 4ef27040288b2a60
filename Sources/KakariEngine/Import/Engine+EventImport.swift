import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// Queues a batch of events from another system. Columns: `case`, `event`, `key`, then
    /// fields. Every row is checked first (the case exists, its workflow knows the event, the
    /// fields have the right types, no key repeats); any error refuses the whole file. The
    /// daemon then applies each event once, in file order per case.
    public func importEvents(file: String, by user: String) async throws -> Int {
        try await requireSupervisor(user, to: "import events")
        guard let data = FileManager.default.contents(atPath: file) else { throw EngineError(.refused, "cannot read \(file)") }
        let table: CSVTable
        do { table = try CSVTable(data: data) } catch {
            throw ImportError(file: file, problems: [.init(row: error.line, column: error.column, message: error.message)])
        }
        var problems: [ImportError.Problem] = []
        let required = ["case", "event", "key"]
        for (i, name) in required.enumerated() where table.header.count <= i || table.header[i] != name {
            problems.append(.init(row: 1, column: i + 1, message: "column \(i + 1) must be '\(name)'\(table.header.count > i ? ", not '\(table.header[i])'" : "")"))
        }
        guard problems.isEmpty else { throw ImportError(file: file, problems: problems) }
        if table.rows.isEmpty { throw ImportError(file: file, problems: [.init(row: 2, column: 1, message: "the file has a header but no rows")]) }
        let now = try await self.now()
        var keys: [String: Int] = [:]
        var queued: [QueuedEvent] = []
        var snapshots: [String: CaseSnapshot?] = [:]
        for row in table.rows {
            guard row.cells.count == table.header.count else {
                problems.append(.init(row: row.line, column: min(row.cells.count, table.header.count) + 1,
                                      message: "the row has \(row.cells.count) cells; the header has \(table.header.count)"))
                continue
            }
            let caseID = row.cells[0], event = row.cells[1], key = row.cells[2]
            if snapshots[caseID] == nil { snapshots[caseID] = .some(try await store.caseRecord(caseID)?.snapshot) }
            guard let snapshot = snapshots[caseID]! else {
                problems.append(.init(row: row.line, column: 1, message: "there is no case \(caseID)"))
                continue
            }
            if !key.isEmpty {
                if let first = keys[key] {
                    problems.append(.init(row: row.line, column: 3, message: "key \(key) repeats row \(first)"))
                    continue
                }
                keys[key] = row.line
            }
            let definition = try await decider(snapshot.workflow, snapshot.version).definition
            let known = definition.states.contains { $0.transitions[event] != nil }
            guard known else {
                let events = Set(definition.states.flatMap(\.eventOrder))
                let hint = NameSuggestion.hint(for: event, in: events).map { "; \($0)" } ?? ""
                problems.append(.init(row: row.line, column: 2, message: "workflow \(snapshot.workflow) has no event '\(event)'\(hint)"))
                continue
            }
            let fields = definition.eventFields(event)
            var values: [String: Value] = [:]
            var invalid = Set<String>()
            for (i, name) in table.header.enumerated().dropFirst(3) where !row.cells[i].isEmpty {
                guard let field = fields.first(where: { $0.name == name }) else {
                    problems.append(.init(row: row.line, column: i + 1, message: "event '\(event)' has no field '\(name)'"))
                    continue
                }
                switch field.type.parse(row.cells[i]) {
                case .success(let v): values[name] = v
                case .failure(let e):
                    problems.append(.init(row: row.line, column: i + 1, message: "\(name): \(e.message)"))
                    invalid.insert(name)
                }
            }
            for field in fields where field.required && field.defaultValue == .null && (values[field.name] ?? .null) == .null
                && !invalid.contains(field.name) {
                let column = table.header.firstIndex(of: field.name).map { $0 + 1 } ?? table.header.count + 1
                problems.append(.init(row: row.line, column: column, message: "event '\(event)' needs \(field.name) (\(field.label))"))
            }
            queued.append(QueuedEvent(caseID: caseID, event: event, fields: values, key: key.isEmpty ? nil : key,
                                      enqueuedAt: now, by: user, source: (file as NSString).lastPathComponent))
        }
        guard problems.isEmpty else { throw ImportError(file: file, problems: problems) }
        let cases = Set(queued.map(\.caseID)).count
        try await store.enqueue(queued, audit: [AuditEntry(at: Self.auditTime(), user: user, command: command, action: .write,
                                                           detail: "\(queued.count) events queued for \(cases) cases from \((file as NSString).lastPathComponent)")])
        return queued.count
    }
}
