import KakariCore
import Yams

/// Reads typed values out of Yams nodes, recording a located diagnostic for every problem
/// instead of stopping at the first. Bounds the number of nodes it visits, so an alias bomb
/// ("billion laughs") is refused instead of expanded.
final class NodeReader {
    let source: SourceFile
    private(set) var diagnostics: [Diagnostic] = []
    private var budget = 200_000

    init(source: SourceFile) { self.source = source }

    var path: String { source.path }

    func error(_ node: Node?, _ message: String, hint: String? = nil) {
        let mark = node?.mark
        diagnostics.append(Diagnostic(file: path, line: mark?.line ?? 1, column: mark?.column ?? 1, message, hint: hint))
    }

    func error(line: Int, column: Int, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(file: path, line: line, column: column, message, hint: hint))
    }

    /// Spends one unit of the node budget; false (with one diagnostic) once it is spent.
    private func spend(_ node: Node) -> Bool {
        budget -= 1
        if budget == 0 {
            error(node, "the file expands to too many values", hint: "aliases (*name) may not multiply the document")
        }
        return budget > 0
    }

    /// The pairs of a mapping, checking every key against `allowed`. Nil (with a diagnostic)
    /// when the node is not a mapping.
    func mapping(_ node: Node, _ what: String, allowed: [String]? = nil) -> [(key: String, keyNode: Node, value: Node)]? {
        guard spend(node) else { return nil }
        guard case .mapping(let mapping) = node else {
            error(node, "\(what) must be a mapping of keys to values")
            return nil
        }
        var out: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard spend(keyNode), case .scalar(let scalar) = keyNode else {
                error(keyNode, "a key in \(what) must be plain text")
                continue
            }
            let key = scalar.string
            if let allowed, !allowed.contains(key) {
                error(keyNode, "unknown key '\(key)' in \(what)",
                      hint: NameSuggestion.hint(for: key, in: allowed) ?? "allowed keys: \(allowed.joined(separator: ", "))")
                continue
            }
            out.append((key, keyNode, value))
        }
        return out
    }

    /// A mapping as a dictionary of the allowed keys.
    func fields(_ node: Node, _ what: String, allowed: [String], required: [String] = []) -> [String: Node]? {
        guard let pairs = mapping(node, what, allowed: allowed) else { return nil }
        var out: [String: Node] = [:]
        for (key, _, value) in pairs { out[key] = value }
        for key in required where out[key] == nil {
            error(node, "\(what) needs '\(key)'")
        }
        return out
    }

    func sequence(_ node: Node, _ what: String) -> [Node]? {
        guard spend(node) else { return nil }
        guard case .sequence(let seq) = node else {
            error(node, "\(what) must be a list")
            return nil
        }
        return Array(seq)
    }

    /// A scalar's text; a diagnostic when it is a list or mapping.
    func string(_ node: Node, _ what: String) -> String? {
        guard spend(node) else { return nil }
        guard case .scalar(let scalar) = node else {
            error(node, "\(what) must be a single value, not a \({ if case .mapping = node { return "mapping" } else { return "list" } }())")
            return nil
        }
        return scalar.string
    }

    /// An identifier: ASCII letters, digits and `_`/`-`, starting with a letter.
    func name(_ node: Node, _ what: String) -> String? {
        guard let text = string(node, what) else { return nil }
        guard Self.isName(text) else {
            error(node, "\(what) '\(text)' must be an ASCII name (letters, digits, _ or -)",
                  hint: "put Japanese text in a label")
            return nil
        }
        return text
    }

    /// A name usable in expressions and events: an ASCII letter, then letters, digits or `_`.
    func identifier(_ node: Node, _ what: String) -> String? {
        guard let text = string(node, what) else { return nil }
        guard FieldLoader.isIdentifier(text) else {
            error(node, "\(what) '\(text)' must be an ASCII name of letters, digits and _", hint: "put Japanese text in a label")
            return nil
        }
        return text
    }

    static func isName(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    func bool(_ node: Node, _ what: String) -> Bool? {
        guard let text = string(node, what) else { return nil }
        switch text {
        case "true", "yes", "True", "TRUE": return true
        case "false", "no", "False", "FALSE": return false
        default:
            error(node, "\(what) must be true or false, not '\(text)'")
            return nil
        }
    }

    /// A list of scalars, or a single scalar taken as a one-item list.
    func strings(_ node: Node, _ what: String) -> [String]? {
        if case .scalar = node { return string(node, what).map { [$0] } }
        guard let items = sequence(node, what) else { return nil }
        return items.compactMap { string($0, "an item of \(what)") }
    }

    func duration(_ node: Node, _ what: String) -> Duration? {
        guard let text = string(node, what) else { return nil }
        guard let d = Duration(text) else {
            error(node, "\(what) '\(text)' is not a duration", hint: Duration.syntaxHint)
            return nil
        }
        return d
    }

    /// Parses and type-checks an expression held by `node`, reporting errors at their exact
    /// column in the file.
    func expression(_ node: Node, _ what: String, scope: ExpressionScope, expecting type: ValueType? = nil) -> (Expression, String)? {
        guard let text = string(node, what) else { return nil }
        do {
            let expression = try ExpressionParser.parse(text)
            let actual = try TypeChecker(scope: scope).check(expression)
            if let type, let actual, actual != type {
                error(node, "\(what) must give \(type), but '\(text)' gives \(actual)")
                return nil
            }
            return (expression, text)
        } catch {
            report(error, in: node)
            return nil
        }
    }

    /// Parses and type-checks a `{…}` template.
    func template(_ node: Node, _ what: String, scope: ExpressionScope) -> Template? {
        guard let text = string(node, what) else { return nil }
        do {
            let template = try Template(text)
            try template.check(TypeChecker(scope: scope))
            return template
        } catch {
            report(error, in: node)
            return nil
        }
    }

    /// An expression error at its column: the scalar's start, one more for an opening quote.
    func report(_ e: ExpressionError, in node: Node) {
        var line = node.mark?.line ?? 1, column = node.mark?.column ?? 1
        if case .scalar(let scalar) = node {
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            if scalar.style == .literal || scalar.style == .folded {
                line += 1
            } else {
                column += e.offset + (quoted ? 1 : 0)
            }
        }
        error(line: line, column: column, e.message, hint: e.hint)
    }
}

extension Node {
    /// The key node of `key` in this mapping, for reporting at the key rather than its value.
    func keyNode(_ key: String) -> Node? {
        guard case .mapping(let m) = self else { return nil }
        return m.keys.first { $0.string == key }
    }

    /// A scalar that is empty or null (`key:` with nothing after it).
    var isEmptyScalar: Bool {
        guard case .scalar(let s) = self else { return false }
        return s.string.isEmpty || s.string == "~" || s.string == "null"
    }
}
