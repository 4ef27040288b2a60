import Foundation
import Yams

/// Reads a definition file into a Yams node tree, refusing hostile input before the parser
/// sees it: oversized files, binary data, nesting deep enough to exhaust the stack. Alias
/// expansion is bounded later, by `NodeReader`'s node budget.
enum YAMLSource {
    /// Definition files are hand-written; anything larger is a mistake or an attack.
    static let maximumBytes = 2 * 1024 * 1024
    static let maximumDepth = 100

    /// The parsed root of `path`, or the diagnostics that stopped it.
    static func load(path: String, data: Data) -> (SourceFile, Node?, [Diagnostic]) {
        let empty = SourceFile(path: path, text: "")
        if data.count > maximumBytes {
            let size = String(format: "%.1f", Double(data.count) / 1_048_576)
            return (empty, nil, [Diagnostic(file: path, line: 1, column: 1,
                "file is \(size) MB; definition files are limited to \(maximumBytes / 1_048_576) MB")])
        }
        guard !data.contains(0), var text = String(data: data, encoding: .utf8) else {
            return (empty, nil, [Diagnostic(file: path, line: 1, column: 1, "file is not UTF-8 text",
                                            hint: "save it as UTF-8")])
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let source = SourceFile(path: path, text: text)
        // Stops at the first character that is not white space (trimming would copy the file).
        if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            return (source, nil, [Diagnostic(file: path, line: 1, column: 1, "file is empty")])
        }
        if let deep = nestingProblem(text, path: path) { return (source, nil, [deep]) }
        do {
            // The basic resolver: every plain scalar stays a string (the loader reads `true`,
            // numbers and `null` itself), so Yams runs no regular expressions per key when it
            // compares keys, which was a third of loading a bundle.
            guard let node = try Yams.compose(yaml: text, .basic) else {
                return (source, nil, [Diagnostic(file: path, line: 1, column: 1, "file holds only comments")])
            }
            return (source, node, [])
        } catch let error as YamlError {
            return (source, nil, [diagnostic(for: error, path: path, text: text)])
        } catch {
            return (source, nil, [Diagnostic(file: path, line: 1, column: 1, "cannot read the file: \(error)")])
        }
    }

    /// Finds flow brackets or block levels nested deeper than the parser should follow.
    static func nestingProblem(_ text: String, path: String) -> Diagnostic? {
        var depth = 0, line = 1, column = 0
        var quote: Character?
        var comment = false, lineStart = true, blockDepth = 0
        var previous: Character = "\n"  // the last character that was not a space
        var aliasAt: (Int, Int)?
        for c in text {
            column += 1
            if let at = aliasAt {
                aliasAt = nil
                if c.isLetter || c.isNumber || c == "_" || c == "-" {
                    // Anchors and aliases could multiply a small file into a huge document
                    // ("billion laughs"); definition files are short enough to write out.
                    return Diagnostic(file: path, line: at.0, column: at.1,
                                      "anchors and aliases (&name, *name) are not allowed in definition files",
                                      hint: "write the value out where it is needed")
                }
            }
            if c == "\n" { line += 1; column = 0; comment = false; lineStart = true; blockDepth = 0; previous = "\n"; continue }
            if comment { continue }
            if let q = quote { if c == q { quote = nil }; continue }
            if (c == "*" || c == "&"), ":-[{,?\n".contains(previous) { aliasAt = (line, column) }
            if c != " " { previous = c }
            if lineStart {
                if c == " " { blockDepth += 1; continue }
                if c == "-" || c == "?" { blockDepth += 2; continue }
                lineStart = false
                if blockDepth > maximumDepth * 2 {
                    return Diagnostic(file: path, line: line, column: column, "the file is nested too deeply")
                }
            }
            switch c {
            case "#": comment = true
            case "\"", "'": quote = c
            case "[", "{":
                depth += 1
                if depth > maximumDepth {
                    return Diagnostic(file: path, line: line, column: column, "the file is nested too deeply")
                }
            case "]", "}": depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }

    static func diagnostic(for error: YamlError, path: String, text: String) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text))" } ?? ""
            return Diagnostic(file: path, line: mark.line, column: mark.column, "YAML syntax: \(problem)\(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let at = secondOccurrence(of: key, after: context.mark, in: text) ?? (context.mark.line, context.mark.column)
            return Diagnostic(file: path, line: at.line, column: at.column, "duplicate key '\(key)'",
                              hint: "each key may appear once in a mapping")
        case .reader(let problem, _, _, _):
            return Diagnostic(file: path, line: 1, column: 1, "cannot read the file: \(problem)")
        default:
            return Diagnostic(file: path, line: 1, column: 1, "cannot read the file: \(error)")
        }
    }

    /// The repetition of a duplicated key: the next line after the first that starts with the
    /// key at the same indentation.
    static func secondOccurrence(of key: String, after mark: Mark, in text: String) -> (line: Int, column: Int)? {
        let lines = text.components(separatedBy: "\n")
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let column = mark.column
        for index in mark.line..<lines.count {
            let line = lines[index]
            let chars = Array(line)
            guard chars.count >= column else { continue }
            let rest = String(chars[(column - 1)...])
            let indentation = chars.prefix(column - 1).allSatisfy { $0 == " " || $0 == "-" }
            if indentation, rest.hasPrefix("\(key):") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':") {
                return (index + 1, column)
            }
        }
        return nil
    }
}
