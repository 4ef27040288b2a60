import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// How many cases `importCases` builds before writing them: large enough for few round
    /// trips, small enough that memory does not grow with the file.
    public static let importChunk = 4096

    /// Starts one case per row of a CSV file, all or nothing. Headers name fields (by name or
    /// label); the `id` column, or the workflow's id field, gives each case its id.
    ///
    /// With a `dataset`, the cases' personal fields are sealed with the dataset's key (the
    /// store must be a `SealedStore`); a new dataset needs its `purpose` and `until` day.
    ///
    /// The cases are written `chunk` at a time within one transaction
    /// (`CaseStore.commit(chunks:)`), so a million rows never sit in memory as one batch; a
    /// bad row anywhere still leaves nothing written.
    public func importCases(workflow: String, file: String, dataset: String?, purpose: String? = nil, until: Day? = nil,
                            by user: String, chunk: Int = Engine.importChunk) async throws -> Int {
        try await requireSupervisor(user, to: "import cases")
        guard let data = FileManager.default.contents(atPath: file) else { throw EngineError(.refused, "cannot read \(file)") }
        let table: CSVTable
        do { table = try CSVTable(data: data) } catch {
            throw ImportError(file: file, problems: [.init(row: error.line, column: error.column, message: error.message)])
        }
        let version = try await latestVersion(of: workflow)
        let decider = try await self.decider(workflow, version.version)
        let definition = decider.definition
        var problems: [ImportError.Problem] = []
        // Map the header to fields.
        var columns: [Int: FieldDefinition] = [:]
        var idColumn: Int?
        let idField = Self.idField(of: definition)
        for (i, name) in table.header.enumerated() {
            if name == "id" { idColumn = i; continue }
            guard let field = definition.fields.first(where: { $0.name == name || $0.label == name }) else {
                let hint = NameSuggestion.hint(for: name, in: definition.fields.map(\.name) + definition.fields.map(\.label)).map { "; \($0)" } ?? ""
                problems.append(.init(row: 1, column: i + 1, message: "unknown column '\(name)'\(hint)"))
                continue
            }
            if columns.values.contains(where: { $0.name == field.name }) {
                problems.append(.init(row: 1, column: i + 1, message: "column '\(name)' appears twice"))
            }
            columns[i] = field
            if field.name == idField, idColumn == nil { idColumn = i }
        }
        for field in definition.fields where field.required && field.defaultValue == .null && !columns.values.contains(where: { $0.name == field.name }) {
            problems.append(.init(row: 1, column: 1, message: "no column for the required field \(field.name) (\(field.label))"))
        }
        if idColumn == nil {
            problems.append(.init(row: 1, column: 1, message: "no column gives the case id; add an 'id' column\(idField.map { " or a '\($0)' column" } ?? "")"))
        }
        guard problems.isEmpty, let idColumn else { throw ImportError(file: file, problems: problems) }
        if table.rows.isEmpty { throw ImportError(file: file, problems: [.init(row: 2, column: 1, message: "the file has a header but no rows")]) }

        let reader = CaseRowReader(table: table, idColumn: idColumn, columns: columns.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                                   decider: decider)
        // The whole file is checked before anything is written, so a bad row near the end of
        // a large file is refused in the time it takes to read it, not after every row before
        // it was written and rolled back.
        problems = await reader.problems(existing: Set(try await store.caseIDs()))
        guard problems.isEmpty else { throw ImportError(file: file, problems: problems) }

        let now = try await self.now()
        // A new dataset's record goes into the first batch; its key is made now and destroyed
        // again if the import fails.
        var settings: [String: String] = [:]
        if let dataset { settings = try await prepareDataset(dataset, purpose: purpose, until: until, by: user, at: now) }
        var next = table.rows.startIndex
        var finished = false
        do {
            try await commit(chunks: {
                guard !finished else { return nil }
                var builder = BatchBuilder(engine: self, by: user, at: now)
                builder.dataset = dataset
                if next == table.rows.startIndex { builder.batch.settings = settings }
                while next < table.rows.endIndex, problems.isEmpty, builder.batch.cases.count < chunk {
                    let row = table.rows[next]
                    next += 1
                    // Every row passed the check above; deciding may still refuse one. Its
                    // values are typed again rather than kept from the check, which would hold
                    // the whole file's values at once (a million rows' worth).
                    guard let (id, values) = reader.values(of: row, problems: &problems) else { continue }
                    do {
                        try await builder.add(try decider.start(id: id, version: version.version, data: values, now: now), expected: nil)
                    } catch let error as DecisionError {
                        problems.append(.init(row: row.line, column: 1, message: error.message))
                    }
                }
                // A refusal rolls back the batches written so far.
                guard problems.isEmpty else { throw ImportError(file: file, problems: problems) }
                if next == table.rows.endIndex { finished = true }
                return builder.batch
            })
        } catch {
            if let dataset, !settings.isEmpty { _ = try? sealedStore?.destroyKey(dataset) }
            if let error = error as? StoreError, error.code == .duplicateCase {
                throw EngineError(.refused, "\(file): \(error.message) (created meanwhile); nothing was imported")
            }
            throw error
        }
        return table.rows.count
    }
}
