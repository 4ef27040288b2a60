/// One problem in a definition file, located to the line and column (1-based), with a
/// message for the section lead who wrote it and, where one helps, a hint.
public struct Diagnostic: Error, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var hint: String?

    public init(file: String, line: Int, column: Int, _ message: String, hint: String? = nil) {
        self.file = file
        self.line = max(1, line)
        self.column = max(1, column)
        self.message = message
        self.hint = hint
    }

    /// `FILE:LINE:COLUMN: error: MESSAGE; HINT`.
    public var description: String {
        "\(file):\(line):\(column): error: \(message)\(hint.map { "; \($0)" } ?? "")"
    }

    /// The diagnostic, the offending line and a caret under the column.
    public func rendered(source: SourceFile?) -> String {
        guard let text = source?.line(line) else { return description }
        let prefix = String(text.prefix(column - 1)).map { $0 == "\t" ? "\t" : (Self.isWide($0) ? "  " : " ") }.joined()
        return "\(description)\n    \(text)\n    \(prefix)^"
    }

    public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
        (a.file, a.line, a.column, a.message) < (b.file, b.line, b.column, b.message)
    }

    static func isWide(_ c: Character) -> Bool {
        guard let v = c.unicodeScalars.first?.value else { return false }
        return (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
    }
}

/// The problems found in a set of files, all of them rather than only the first.
public struct DefinitionErrors: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var sources: [String: SourceFile]

    public init(_ diagnostics: [Diagnostic], sources: [String: SourceFile]) {
        self.diagnostics = Array(Set(diagnostics)).sorted()
        self.sources = sources
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }

    /// Every diagnostic with its source line and caret.
    public var rendered: String {
        diagnostics.map { $0.rendered(source: sources[$0.file]) }.joined(separator: "\n")
    }
}
