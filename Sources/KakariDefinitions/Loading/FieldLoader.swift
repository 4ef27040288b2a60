import KakariCore
import Yams

/// Reads typed field declarations (case data, event fields, task forms).
enum FieldLoader {
    static let keys = ["type", "label", "required", "default", "pii", "values", "table"]

    static func load(_ node: Node, _ what: String, _ r: NodeReader) -> [FieldDefinition] {
        guard let pairs = r.mapping(node, what) else { return [] }
        var out: [FieldDefinition] = []
        for (name, keyNode, spec) in pairs {
            guard isIdentifier(name) else {
                r.error(keyNode, "field '\(name)' must be an ASCII name (letters, digits, _)", hint: "put Japanese text in its label")
                continue
            }
            if case .scalar = spec {
                // Shorthand: `visits: int`.
                guard let typeName = r.string(spec, "type"), let type = simpleType(typeName, spec, r) else { continue }
                out.append(FieldDefinition(name: name, type: type))
                continue
            }
            guard let f = r.fields(spec, "field '\(name)'", allowed: keys, required: ["type"]),
                  let typeNode = f["type"], let typeName = r.string(typeNode, "type") else { continue }
            var type: FieldType
            if typeName == "enum" {
                guard let valuesNode = f["values"], let values = r.strings(valuesNode, "values"), !values.isEmpty else {
                    r.error(typeNode, "enum field '\(name)' needs its values", hint: "add values: [a, b]")
                    continue
                }
                if Set(values).count != values.count { r.error(f["values"], "values of '\(name)' repeat themselves") }
                type = .enumeration(values)
            } else {
                guard let t = simpleType(typeName, typeNode, r) else { continue }
                type = t
                if let v = f["values"] { r.error(v, "only enum fields have values") }
            }
            var defaultValue = Value.null
            if let d = f["default"] {
                if type == .list {
                    defaultValue = r.strings(d, "default").map(Value.list) ?? .null
                } else if let text = r.string(d, "default") {
                    switch type.parse(text) {
                    case .success(let v): defaultValue = v
                    case .failure(let e): r.error(d, "default of '\(name)': \(e.message)")
                    }
                }
            }
            out.append(FieldDefinition(
                name: name, type: type, label: f["label"].flatMap { r.string($0, "label") },
                required: f["required"].flatMap { r.bool($0, "required") } ?? false,
                defaultValue: defaultValue, pii: f["pii"].flatMap { r.bool($0, "pii") } ?? false,
                table: f["table"].flatMap { node -> String? in
                    guard type.valueType == .string || type == .list else {
                        r.error(node, "only text and list fields can be limited to a table's keys")
                        return nil
                    }
                    return r.string(node, "table")
                }))
        }
        return out
    }

    static func simpleType(_ name: String, _ node: Node, _ r: NodeReader) -> FieldType? {
        switch name {
        case "string": return .string
        case "text": return .text
        case "int": return .int
        case "bool": return .bool
        case "date": return .date
        case "list": return .list
        case "enum":
            r.error(node, "an enum needs its values", hint: "write {type: enum, values: [a, b]}")
            return nil
        default:
            r.error(node, "unknown type '\(name)'",
                    hint: NameSuggestion.hint(for: name, in: FieldType.names) ?? "types: \(FieldType.names.joined(separator: ", "))")
            return nil
        }
    }

    /// Names usable in expressions: an ASCII letter, then letters, digits or `_`.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            && !["and", "or", "not", "in", "true", "false", "null", "event"].contains(text)
    }
}
