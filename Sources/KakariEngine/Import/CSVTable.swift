import Foundation

/// A CSV file read for import: header and rows of cells, each row with the line it starts on.
///
/// Written by hand: the import needs exact row and column numbers for its messages and
/// Shift_JIS/CP932 input, which the listed packages do not give together. Follows RFC 4180
/// (quoted cells, doubled quotes, CRLF or LF, line breaks inside quotes).
public struct CSVTable: Sendable {
    /// A data row and the line of the file it starts on.
    public struct Row: Sendable {
        public var line: Int
        public var cells: [String]
    }

    public var header: [String]
    public var rows: [Row]
    /// The encoding the file was read in.
    public var encoding: String

    /// A problem that stops the file from being read at all.
    public struct ReadError: Error, Sendable {
        public var line: Int
        public var column: Int
        public var message: String
    }

    /// Reads `data`: UTF-8 with or without a BOM, or Shift_JIS/CP932.
    public init(data: Data) throws(ReadError) {
        var bytes = data
        var text: String
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes = bytes.dropFirst(3)
            guard let t = String(data: bytes, encoding: .utf8) else {
                throw ReadError(line: 1, column: 1, message: "the file starts as UTF-8 but is not valid UTF-8")
            }
            text = t
            encoding = "UTF-8 (BOM)"
        } else if let t = String(data: bytes, encoding: .utf8) {
            text = t
            encoding = "UTF-8"
        } else if let t = String(data: bytes, encoding: .shiftJIS) {
            text = t
            encoding = "Shift_JIS"
        } else {
            throw ReadError(line: 1, column: 1, message: "the file is neither UTF-8 nor Shift_JIS (CP932) text")
        }
        if bytes.contains(0) { throw ReadError(line: 1, column: 1, message: "the file holds binary data, not CSV text") }
        var records = try Self.parse(text)
        while let last = records.last, last.cells.allSatisfy(\.isEmpty) { records.removeLast() }
        guard let first = records.first, !first.cells.allSatisfy(\.isEmpty) else {
            throw ReadError(line: 1, column: 1, message: "the file is empty; it needs a header row")
        }
        header = first.cells.map { $0.trimmingCharacters(in: .whitespaces) }
        rows = Array(records.dropFirst()).filter { !($0.cells.count == 1 && $0.cells[0].isEmpty) }
    }

    /// Splits `text` into records. Works on UTF-8 bytes: the delimiters are ASCII, and byte
    /// scanning is several times faster than walking `Character`s (grapheme breaking).
    static func parse(_ text: String) throws(ReadError) -> [Row] {
        try parse(Array(text.utf8))
    }

    private static func parse(_ bytes: [UInt8]) throws(ReadError) -> [Row] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var records: [Row] = []
        var cells: [String] = []
        var cell: [UInt8] = []
        var line = 1, recordLine = 1
        var inQuotes = false, quoteLine = 1
        var i = 0
        let n = bytes.count
        func text(_ cell: [UInt8]) -> String { String(decoding: cell, as: UTF8.self) }
        while i < n {
            let c = bytes[i]
            i += 1
            if inQuotes {
                if c == quote {
                    if i < n, bytes[i] == quote { cell.append(quote); i += 1 } else { inQuotes = false }
                } else {
                    if c == lf || (c == cr && (i >= n || bytes[i] != lf)) { line += 1 }
                    cell.append(c)
                }
                continue
            }
            switch c {
            case quote where cell.isEmpty:
                inQuotes = true
                quoteLine = line
            case comma:
                cells.append(text(cell))
                cell.removeAll(keepingCapacity: true)
            case lf, cr:
                if c == cr, i < n, bytes[i] == lf { i += 1 }
                cells.append(text(cell))
                cell.removeAll(keepingCapacity: true)
                records.append(Row(line: recordLine, cells: cells))
                cells = []
                line += 1
                recordLine = line
            default:
                cell.append(c)
            }
        }
        if inQuotes { throw ReadError(line: quoteLine, column: cells.count + 1, message: "a quoted cell is not closed") }
        if !cell.isEmpty || !cells.isEmpty {
            cells.append(text(cell))
            records.append(Row(line: recordLine, cells: cells))
        }
        return records
    }
}
