import KakariCore

/// Reads the rows of a `cases import` file as a workflow's cases: each row's id and typed
/// values, or the row's problems located at their cells.
struct CaseRowReader: Sendable {
    let table: CSVTable
    /// The column that gives each case its id.
    let idColumn: Int
    /// The columns that give fields, left to right.
    let columns: [(index: Int, field: FieldDefinition)]
    let decider: Decider

    /// A row's case id and typed values; nil, with the row's problems added to `problems`,
    /// for a bad row (cells missing or extra, an empty id, a value its field refuses). An id
    /// repeated or already taken is `checkIDs`' concern.
    func values(of row: CSVTable.Row, problems: inout [ImportError.Problem]) -> (id: String, values: [String: Value])? {
        guard row.cells.count == table.header.count else {
            problems.append(.init(row: row.line, column: min(row.cells.count, table.header.count) + 1,
                                  message: "the row has \(row.cells.count) cells; the header has \(table.header.count)"))
            return nil
        }
        let id = row.cells[idColumn].trimmingWhitespace()
        if id.isEmpty { problems.append(.init(row: row.line, column: idColumn + 1, message: "the case id is empty")); return nil }
        var values: [String: Value] = [:]
        var bad = false
        for (i, field) in columns {
            switch field.type.parse(row.cells[i]) {
            case .success(.null) where field.required && field.defaultValue == .null:
                problems.append(.init(row: row.line, column: i + 1, message: "\(field.name) (\(field.label)) is required but empty"))
                bad = true
            case .success(let v): values[field.name] = v
            case .failure(let e):
                problems.append(.init(row: row.line, column: i + 1, message: "\(field.name): \(e.message)"))
                bad = true
            }
        }
        return bad ? nil : (id, values)
    }

    /// The problems of the ids: a row repeating an earlier row's id, or naming a case that
    /// `existing` holds. Returns them with the rows they concern, which are not read further.
    func checkIDs(existing: Set<String>) -> (problems: [ImportError.Problem], rows: Set<Int>) {
        var seen: [String: Int] = [:]
        var problems: [ImportError.Problem] = []
        var refused = Set<Int>()
        for position in table.rows.indices {
            let row = table.rows[position]
            guard row.cells.count == table.header.count else { continue }
            let id = row.cells[idColumn].trimmingWhitespace()
            guard !id.isEmpty else { continue }
            if let first = seen[id] {
                problems.append(.init(row: row.line, column: idColumn + 1, message: "duplicate id \(id) (also on row \(first))"))
                refused.insert(position)
            } else {
                seen[id] = row.line
                if existing.contains(id) {
                    problems.append(.init(row: row.line, column: idColumn + 1, message: "case \(id) already exists"))
                    refused.insert(position)
                }
            }
        }
        return (problems, refused)
    }

    /// Every problem of the rows at `positions` but those of `skipping`: their cells, and each
    /// case's values against the workflow's fields (what starting the case would refuse).
    func checkValues(_ positions: Range<Int>, skipping: Set<Int>) -> [ImportError.Problem] {
        var problems: [ImportError.Problem] = []
        for position in positions where !skipping.contains(position) {
            let row = table.rows[position]
            guard let (_, values) = values(of: row, problems: &problems) else { continue }
            do {
                _ = try decider.check(values, against: decider.definition.fields, what: "the case", fillDefaults: true)
            } catch {
                problems.append(.init(row: row.line, column: 1, message: error.message))
            }
        }
        return problems
    }

    /// Every problem of the file, found before anything is written: the ids first, then the
    /// rows' values, the two halves of the file side by side on the machine's two cores.
    func problems(existing: Set<String>) async -> [ImportError.Problem] {
        let (idProblems, refused) = checkIDs(existing: existing)
        let rows = table.rows.indices
        let middle = rows.lowerBound + rows.count / 2
        let halves = [rows.lowerBound..<middle, middle..<rows.upperBound]
        let found = await withTaskGroup(of: (Int, [ImportError.Problem]).self) { group in
            for (i, half) in halves.enumerated() { group.addTask { (i, checkValues(half, skipping: refused)) } }
            var found: [[ImportError.Problem]] = Array(repeating: [], count: halves.count)
            for await (i, problems) in group { found[i] = problems }
            return found
        }
        // In the file's order (row, then column), as a single pass would have found them.
        return (idProblems + found.joined()).sorted()
    }
}
