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

    /// The data rows. The cells of every row are kept as one buffer of UTF-8 bytes and made
    /// into strings only when a row is read, so a file of a million rows takes about its own
    /// size in memory, not five times as much.
    public struct Rows: RandomAccessCollection, Sendable {
        let records: Records
        /// The records that are data rows (not the header, not blank lines).
        let chosen: [Int]

        public var startIndex: Int { 0 }
        public var endIndex: Int { chosen.count }
        public subscript(position: Int) -> Row { records.row(chosen[position]) }
    }

    public var header: [String]
    public var rows: Rows
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
        let records: Records
        let bom = data.starts(with: [0xEF, 0xBB, 0xBF])
        // Read in place: the file's bytes are not copied before they are split.
        let utf8 = data.withUnsafeBytes { raw in
            Self.isUTF8(UnsafeRawBufferPointer(rebasing: raw[(bom ? 3 : 0)...]))
        }
        if utf8 {
            records = try data.withUnsafeBytes { raw in
                Result { () throws(ReadError) -> Records in try Self.parse(UnsafeRawBufferPointer(rebasing: raw[(bom ? 3 : 0)...])) }
            }.get()
            encoding = bom ? "UTF-8 (BOM)" : "UTF-8"
        } else if bom {
            throw ReadError(line: 1, column: 1, message: "the file starts as UTF-8 but is not valid UTF-8")
        } else if let t = String(data: data, encoding: .shiftJIS) {
            records = try Array(t.utf8).withUnsafeBytes { raw in Result { () throws(ReadError) -> Records in try Self.parse(raw) } }.get()
            encoding = "Shift_JIS"
        } else {
            throw ReadError(line: 1, column: 1, message: "the file is neither UTF-8 nor Shift_JIS (CP932) text")
        }
        if data.contains(0) { throw ReadError(line: 1, column: 1, message: "the file holds binary data, not CSV text") }
        var count = records.count
        while count > 0, records.isBlank(count - 1) { count -= 1 }
        guard count > 0, !records.isBlank(0) else {
            throw ReadError(line: 1, column: 1, message: "the file is empty; it needs a header row")
        }
        header = records.row(0).cells.map { $0.trimmingCharacters(in: .whitespaces) }
        rows = Rows(records: records, chosen: (1..<count).filter { !records.isEmptyLine($0) })
    }

    /// Whether `bytes` are valid UTF-8, checked without making a string of them.
    static func isUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Every record of a file: the bytes of all cells one after another (quotes removed), where
    /// each cell ends, where each record's cells start, and the line each record starts on.
    struct Records: Sendable {
        var text: [UInt8] = []
        var cellEnds: [Int] = []
        var firstCell: [Int] = []
        var lines: [Int] = []

        var count: Int { lines.count }

        func cells(_ record: Int) -> Range<Int> {
            firstCell[record]..<(record + 1 < firstCell.count ? firstCell[record + 1] : cellEnds.count)
        }

        func bytes(ofCell cell: Int) -> ArraySlice<UInt8> {
            text[(cell == 0 ? 0 : cellEnds[cell - 1])..<cellEnds[cell]]
        }

        func row(_ record: Int) -> Row {
            Row(line: lines[record], cells: cells(record).map { String(decoding: bytes(ofCell: $0), as: UTF8.self) })
        }

        /// Every cell empty (a trailing `,,,` line or a blank line).
        func isBlank(_ record: Int) -> Bool { cells(record).allSatisfy { bytes(ofCell: $0).isEmpty } }

        /// A blank line: one empty cell.
        func isEmptyLine(_ record: Int) -> Bool { cells(record).count == 1 && isBlank(record) }

        mutating func endCell() { cellEnds.append(text.count) }

        mutating func startRecord(line: Int) {
            firstCell.append(cellEnds.count)
            lines.append(line)
        }
    }

    /// Splits UTF-8 bytes into records. The delimiters are ASCII, and byte scanning is several
    /// times faster than walking `Character`s (grapheme breaking).
    private static func parse(_ bytes: UnsafeRawBufferPointer) throws(ReadError) -> Records {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var records = Records()
        records.text.reserveCapacity(bytes.count)
        var line = 1, recordLine = 1
        var inQuotes = false, quoteLine = 1
        var cellStart = 0, cellsInRecord = 0
        var open = false
        var i = 0
        let n = bytes.count
        func begin() {
            if !open {
                records.startRecord(line: recordLine)
                open = true
            }
        }
        while i < n {
            let c = bytes[i]
            i += 1
            if inQuotes {
                if c == quote {
                    if i < n, bytes[i] == quote { records.text.append(quote); i += 1 } else { inQuotes = false }
                } else {
                    if c == lf || (c == cr && (i >= n || bytes[i] != lf)) { line += 1 }
                    records.text.append(c)
                }
                continue
            }
            switch c {
            case quote where records.text.count == cellStart:
                begin()
                inQuotes = true
                quoteLine = line
            case comma:
                begin()
                records.endCell()
                cellStart = records.text.count
                cellsInRecord += 1
            case lf, cr:
                if c == cr, i < n, bytes[i] == lf { i += 1 }
                begin()
                records.endCell()
                cellStart = records.text.count
                cellsInRecord = 0
                open = false
                line += 1
                recordLine = line
            default:
                begin()
                records.text.append(c)
            }
        }
        if inQuotes { throw ReadError(line: quoteLine, column: cellsInRecord + 1, message: "a quoted cell is not closed") }
        if open { records.endCell() }
        return records
    }
}
