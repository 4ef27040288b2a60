/// Splits expression text into tokens. Written by hand: no listed package parses a language
/// this small, and a hand-written lexer gives exact offsets for error messages.
struct Lexer {
    private let chars: [Character]
    private var index = 0

    init(_ text: String) { chars = Array(text) }

    /// All tokens, ending with `.end`.
    mutating func tokens() throws(ExpressionError) -> [Token] {
        var result: [Token] = []
        while true {
            let token = try next()
            result.append(token)
            if token.kind == .end { return result }
            if result.count > 10_000 {
                throw ExpressionError(offset: token.offset, "expression is too long")
            }
        }
    }

    private mutating func next() throws(ExpressionError) -> Token {
        while index < chars.count, chars[index].isWhitespace { index += 1 }
        let start = index
        guard index < chars.count else { return Token(kind: .end, offset: start) }
        let c = chars[index]
        if c.isASCII && (c.isLetter || c == "_") {
            while index < chars.count, chars[index].isASCII,
                  chars[index].isLetter || chars[index].isNumber || chars[index] == "_" {
                index += 1
            }
            return Token(kind: .identifier(String(chars[start..<index])), offset: start)
        }
        if c.isASCII && c.isNumber {
            while index < chars.count, chars[index].isASCII, chars[index].isNumber { index += 1 }
            guard let value = Int(String(chars[start..<index])) else {
                throw ExpressionError(offset: start, "number is too large")
            }
            return Token(kind: .integer(value), offset: start)
        }
        if c == "\"" || c == "'" || c == "「" {
            let close: Character = c == "「" ? "」" : c
            index += 1
            var text = ""
            while index < chars.count, chars[index] != close {
                if chars[index] == "\\", index + 1 < chars.count { index += 1 }
                text.append(chars[index])
                index += 1
            }
            guard index < chars.count else {
                throw ExpressionError(offset: start, "text is not closed", hint: "add a closing \(close)")
            }
            index += 1
            return Token(kind: .string(text), offset: start)
        }
        let two = index + 1 < chars.count ? String(chars[index...index + 1]) : ""
        if ["==", "!=", "<=", ">="].contains(two) {
            index += 2
            return Token(kind: .symbol(two), offset: start)
        }
        if "<>+-*/%()[],.".contains(c) {
            index += 1
            return Token(kind: .symbol(String(c)), offset: start)
        }
        if c == "=" {
            throw ExpressionError(offset: start, "'=' is not an operator", hint: "compare with '=='")
        }
        if c == "&" || c == "|" || c == "!" {
            let word = c == "&" ? "and" : c == "|" ? "or" : "not"
            throw ExpressionError(offset: start, "'\(c)' is not an operator", hint: "write '\(word)'")
        }
        if !c.isASCII {
            throw ExpressionError(offset: start, "unexpected character '\(c)'",
                                  hint: "write text in 「」 or in quotes inside the YAML value, such as 「不在」")
        }
        throw ExpressionError(offset: start, "unexpected character '\(c)'")
    }
}
