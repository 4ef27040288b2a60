/// A text with expressions in braces, such as `訪問 {visits + 1} 回目: {town}`.
/// `{{` and `}}` stand for literal braces.
public struct Template: Hashable, Sendable {
    /// A piece of the template: literal text, or an expression and its offset in the source.
    public enum Part: Hashable, Sendable {
        case text(String)
        case expression(Expression, offset: Int)
    }

    public var source: String
    public var parts: [Part]

    /// Parses a template; errors carry offsets into `source`.
    public init(_ source: String) throws(ExpressionError) {
        self.source = source
        var parts: [Part] = []
        var text = ""
        let chars = Array(source)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "{", i + 1 < chars.count, chars[i + 1] == "{" { text.append("{"); i += 2; continue }
            if c == "}", i + 1 < chars.count, chars[i + 1] == "}" { text.append("}"); i += 2; continue }
            if c == "}" { throw ExpressionError(offset: i, "unmatched '}'", hint: "write '}}' for a brace") }
            if c == "{" {
                guard let close = chars[(i + 1)...].firstIndex(of: "}") else {
                    throw ExpressionError(offset: i, "'{' is not closed", hint: "write '{{' for a brace")
                }
                if !text.isEmpty { parts.append(.text(text)); text = "" }
                let inner = String(chars[(i + 1)..<close])
                do {
                    parts.append(.expression(try ExpressionParser.parse(inner), offset: i + 1))
                } catch {
                    throw ExpressionError(offset: i + 1 + error.offset, error.message, hint: error.hint)
                }
                i = close + 1
                continue
            }
            text.append(c)
            i += 1
        }
        if !text.isEmpty { parts.append(.text(text)) }
        self.parts = parts
    }

    /// Type-checks every expression in the template.
    public func check(_ checker: TypeChecker) throws(ExpressionError) {
        for case .expression(let e, let offset) in parts {
            do { try checker.check(e) } catch {
                throw ExpressionError(offset: offset + error.offset, error.message, hint: error.hint)
            }
        }
    }

    /// Every case field the template's expressions read.
    public var fieldReferences: Set<String> {
        parts.reduce(into: []) { refs, part in if case .expression(let e, _) = part { refs.formUnion(e.fieldReferences) } }
    }

    /// Whether one of the template's expressions reads a field of the event being handled.
    public var readsEventField: Bool {
        parts.contains { part in if case .expression(let e, _) = part { return e.readsEventField } else { return false } }
    }

    /// The text with each expression's value in its place.
    public func render(_ evaluator: Evaluator) throws(ExpressionError) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .expression(let e, _): out += try evaluator.evaluate(e).description
            }
        }
        return out
    }
}
