/// A recursive-descent parser for the expression language (see `Expression`).
///
/// Written by hand because no listed package parses this language; nesting is bounded so
/// hostile input cannot exhaust the stack.
public struct ExpressionParser {
    private var tokens: [Token]
    private var index = 0
    private var depth = 0
    private static let maximumDepth = 64
    private static let keywords: Set<String> = ["and", "or", "not", "in", "true", "false", "null"]

    private init(tokens: [Token]) { self.tokens = tokens }

    /// Parses a whole expression.
    public static func parse(_ text: String) throws(ExpressionError) -> Expression {
        var lexer = Lexer(text)
        var parser = ExpressionParser(tokens: try lexer.tokens())
        if parser.peek.kind == .end { throw ExpressionError(offset: 0, "expression is empty") }
        let expression = try parser.parseOr()
        guard parser.peek.kind == .end else {
            throw ExpressionError(offset: parser.peek.offset, "unexpected \(parser.peek.kind.spelled) after the expression",
                                  hint: "join conditions with 'and' or 'or'")
        }
        return expression
    }

    private var peek: Token { tokens[index] }

    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func isSymbol(_ s: String) -> Bool { peek.kind == .symbol(s) }
    private func isWord(_ s: String) -> Bool { peek.kind == .identifier(s) }

    private mutating func expect(_ symbol: String, _ what: String) throws(ExpressionError) {
        guard isSymbol(symbol) else {
            throw ExpressionError(offset: peek.offset, "expected '\(symbol)' \(what), found \(peek.kind.spelled)")
        }
        _ = advance()
    }

    private mutating func nested<T>(_ body: (inout ExpressionParser) throws(ExpressionError) -> T) throws(ExpressionError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw ExpressionError(offset: peek.offset, "expression is nested too deeply")
        }
        return try body(&self)
    }

    private mutating func parseOr() throws(ExpressionError) -> Expression {
        try nested { (p: inout ExpressionParser) throws(ExpressionError) -> Expression in
            var left = try p.parseAnd()
            while p.isWord("or") {
                let op = p.advance()
                left = .binary(.or, left, try p.parseAnd(), offset: op.offset)
            }
            return left
        }
    }

    private mutating func parseAnd() throws(ExpressionError) -> Expression {
        var left = try parseNot()
        while isWord("and") {
            let op = advance()
            left = .binary(.and, left, try parseNot(), offset: op.offset)
        }
        return left
    }

    private mutating func parseNot() throws(ExpressionError) -> Expression {
        if isWord("not") {
            let op = advance()
            let operand = try nested { (p: inout ExpressionParser) throws(ExpressionError) in try p.parseNot() }
            return .unary(.not, operand, offset: op.offset)
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(ExpressionError) -> Expression {
        let left = try parseAdditive()
        let offset = peek.offset
        var op: BinaryOperator?
        if case .symbol(let s) = peek.kind, let candidate = BinaryOperator(rawValue: s), candidate.isComparison {
            op = candidate
            _ = advance()
        } else if isWord("in") {
            op = .in
            _ = advance()
        } else if isWord("not"), index + 1 < tokens.count, tokens[index + 1].kind == .identifier("in") {
            op = .notIn
            _ = advance(); _ = advance()
        }
        guard let op else { return left }
        let right = try parseAdditive()
        if case .symbol(let s) = peek.kind, let next = BinaryOperator(rawValue: s), next.isComparison {
            throw ExpressionError(offset: peek.offset, "comparisons cannot be chained",
                                  hint: "join them with 'and'")
        }
        return .binary(op, left, right, offset: offset)
    }

    private mutating func parseAdditive() throws(ExpressionError) -> Expression {
        var left = try parseMultiplicative()
        while isSymbol("+") || isSymbol("-") {
            let op = advance()
            guard case .symbol(let s) = op.kind else { break }
            left = .binary(BinaryOperator(rawValue: s)!, left, try parseMultiplicative(), offset: op.offset)
        }
        return left
    }

    private mutating func parseMultiplicative() throws(ExpressionError) -> Expression {
        var left = try parseUnary()
        while isSymbol("*") || isSymbol("/") || isSymbol("%") {
            let op = advance()
            guard case .symbol(let s) = op.kind else { break }
            left = .binary(BinaryOperator(rawValue: s)!, left, try parseUnary(), offset: op.offset)
        }
        return left
    }

    private mutating func parseUnary() throws(ExpressionError) -> Expression {
        if isSymbol("-") {
            let op = advance()
            let operand = try nested { (p: inout ExpressionParser) throws(ExpressionError) in try p.parseUnary() }
            return .unary(.negate, operand, offset: op.offset)
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Expression {
        let token = advance()
        switch token.kind {
        case .integer(let i): return .literal(.int(i), offset: token.offset)
        case .string(let s): return .literal(.string(s), offset: token.offset)
        case .symbol("("):
            let inner = try parseOr()
            try expect(")", "to close '('")
            return inner
        case .symbol("["):
            var items: [Expression] = []
            if !isSymbol("]") {
                repeat {
                    if isSymbol(",") { _ = advance() }
                    items.append(try parseOr())
                } while isSymbol(",")
            }
            try expect("]", "to close the list")
            return .list(items, offset: token.offset)
        case .identifier("true"): return .literal(.bool(true), offset: token.offset)
        case .identifier("false"): return .literal(.bool(false), offset: token.offset)
        case .identifier("null"): return .literal(.null, offset: token.offset)
        case .identifier(let name) where Self.keywords.contains(name):
            throw ExpressionError(offset: token.offset, "'\(name)' needs a value before it")
        case .identifier("event"):
            try expect(".", "after 'event' (write event.FIELD)")
            let fieldToken = advance()
            guard case .identifier(let field) = fieldToken.kind else {
                throw ExpressionError(offset: fieldToken.offset, "expected a field name after 'event.'")
            }
            return .eventField(field, offset: token.offset)
        case .identifier(let name):
            if isSymbol("(") {
                _ = advance()
                var args: [Expression] = []
                if !isSymbol(")") {
                    repeat {
                        if isSymbol(",") { _ = advance() }
                        args.append(try parseOr())
                    } while isSymbol(",")
                }
                try expect(")", "to close the arguments of \(name)")
                return .call(name, args, offset: token.offset)
            }
            if isSymbol(".") {
                throw ExpressionError(offset: peek.offset, "'.' only follows 'event'",
                                      hint: "to read a table, write lookup(table, key, \"column\")")
            }
            return .field(name, offset: token.offset)
        case .end:
            throw ExpressionError(offset: token.offset, "expression ends too early")
        case .symbol(let s):
            throw ExpressionError(offset: token.offset, "unexpected '\(s)'")
        }
    }
}

extension Token.Kind {
    /// The token as an error message names it.
    var spelled: String {
        switch self {
        case .identifier(let s): "'\(s)'"
        case .integer(let i): "'\(i)'"
        case .string(let s): "\"\(s)\""
        case .symbol(let s): "'\(s)'"
        case .end: "the end"
        }
    }
}
