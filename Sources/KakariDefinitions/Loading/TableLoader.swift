import KakariCore
import Yams

/// Loads `tables:` files: lookup tables with typed columns. A column may name another table
/// whose keys its values must be (a town's area, a town's neighbours); a required column
/// may not be empty (a town without an area is refused).
enum TableLoader {
    /// Tables, with the nodes needed to check references once every table is loaded.
    struct Loaded {
        var table: LookupTable
        var keyNode: Node
        var cells: [(row: String, column: LookupTable.Column, node: Node, value: Value)]
    }

    static func load(_ node: Node, _ r: NodeReader) -> [Loaded] {
        guard let tables = r.mapping(node, "tables") else { return [] }
        var out: [Loaded] = []
        for (name, keyNode, value) in tables {
            guard NodeReader.isName(name) else { r.error(keyNode, "table '\(name)' must be an ASCII name"); continue }
            guard let f = r.fields(value, "table '\(name)'", allowed: ["label", "key_label", "confirm", "columns", "rows"],
                                   required: ["columns", "rows"]) else { continue }
            var columns: [LookupTable.Column] = []
            for (columnName, columnKey, spec) in f["columns"].flatMap({ r.mapping($0, "columns") }) ?? [] {
                guard NodeReader.isName(columnName) else { r.error(columnKey, "column '\(columnName)' must be an ASCII name"); continue }
                guard let c = r.fields(spec, "column '\(columnName)'", allowed: ["type", "required", "label", "table"], required: ["type"]),
                      let typeNode = c["type"], let typeName = r.string(typeNode, "type") else { continue }
                let type: FieldType
                switch typeName {
                case "string", "text": type = .string
                case "int": type = .int
                case "bool": type = .bool
                case "date": type = .date
                case "list": type = .list
                default:
                    r.error(typeNode, "unknown column type '\(typeName)'", hint: NameSuggestion.hint(for: typeName, in: ["string", "int", "bool", "date", "list"]))
                    continue
                }
                columns.append(.init(name: columnName, type: type, label: c["label"].flatMap { r.string($0, "label") },
                                     required: c["required"].flatMap { r.bool($0, "required") } ?? false,
                                     table: c["table"].flatMap { r.string($0, "table") }))
            }
            var rows: [String: [String: Value]] = [:]
            var keys: [String] = []
            var cells: [(String, LookupTable.Column, Node, Value)] = []
            for (key, rowKey, rowNode) in f["rows"].flatMap({ r.mapping($0, "rows") }) ?? [] {
                guard let pairs = r.mapping(rowNode, "row '\(key)'", allowed: columns.map(\.name)) else { continue }
                var row: [String: Value] = [:]
                for (columnName, _, cellNode) in pairs {
                    let column = columns.first { $0.name == columnName }!
                    let value: Value?
                    if column.type == .list {
                        value = r.strings(cellNode, columnName).map(Value.list)
                    } else if let text = r.string(cellNode, columnName) {
                        switch column.type.parse(text) {
                        case .success(let v): value = v
                        case .failure(let e): r.error(cellNode, e.message); value = nil
                        }
                    } else { value = nil }
                    if let value { row[columnName] = value; cells.append((key, column, cellNode, value)) }
                }
                for column in columns where (row[column.name] ?? .null) == .null {
                    row[column.name] = .null
                    if column.required {
                        r.error(rowKey, "\(name) '\(key)' has no \(column.name)", hint: "every row needs a value for \(column.label)")
                    }
                }
                rows[key] = row
                keys.append(key)
            }
            let table = LookupTable(name: name, label: f["label"].flatMap { r.string($0, "label") }, columns: columns, rows: rows, keys: keys)
            out.append(Loaded(table: table, keyNode: keyNode, cells: cells))
        }
        return out
    }

    /// Checks every cell whose column names a table against that table's keys.
    static func checkReferences(_ loaded: [Loaded], all tables: [String: LookupTable], _ readers: [String: NodeReader], file: (Loaded) -> String) {
        for item in loaded {
            guard let r = readers[file(item)] else { continue }
            for column in item.table.columns {
                guard let target = column.table else { continue }
                guard tables[target] != nil else {
                    r.error(item.keyNode, "column '\(column.name)' of table '\(item.table.name)' refers to unknown table '\(target)'",
                            hint: NameSuggestion.hint(for: target, in: tables.keys))
                    continue
                }
            }
            for (row, column, node, value) in item.cells {
                guard let target = column.table, let other = tables[target] else { continue }
                let values: [String]
                switch value {
                case .list(let items): values = items
                case .null: values = []
                default: values = [value.description]
                }
                for v in values where other.rows[v] == nil {
                    r.error(node, "'\(v)' (\(column.name) of \(row)) is not a key of table '\(target)'",
                            hint: NameSuggestion.hint(for: v, in: other.keys))
                }
            }
        }
    }
}
