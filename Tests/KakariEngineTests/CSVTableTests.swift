import Foundation
import KakariEngine
import Testing

@Suite("Reading CSV files for import")
struct CSVTableTests {
    func table(_ text: String) throws -> CSVTable { try CSVTable(data: Data(text.utf8)) }

    @Test("quoted cells keep commas, doubled quotes and line breaks, and later rows keep their line numbers")
    func quotedCells() throws {
        let t = try table("id,note\nA,\"one, two\"\nB,\"say \"\"hi\"\"\"\nC,\"two\nlines\"\nD,end\n")
        #expect(t.header == ["id", "note"])
        #expect(t.rows.map(\.cells) == [["A", "one, two"], ["B", "say \"hi\""], ["C", "two\nlines"], ["D", "end"]])
        #expect(t.rows.map(\.line) == [2, 3, 4, 6])
    }

    @Test("CRLF, LF and lone CR line ends all end a row")
    func lineEnds() throws {
        let t = try table("id,name\r\nA,松本\rB,井上\nC,木村")
        #expect(t.rows.map(\.cells) == [["A", "松本"], ["B", "井上"], ["C", "木村"]])
        #expect(t.rows.map(\.line) == [2, 3, 4])
    }

    @Test("an unclosed quote is reported on the line where the quoted cell starts")
    func unclosedQuote() {
        #expect {
            _ = try table("id,note\nA,ok\nB,\"never closed\nC,x\n")
        } throws: { error in
            guard let e = error as? CSVTable.ReadError else { return false }
            return e.line == 3 && e.column == 2 && e.message == "a quoted cell is not closed"
        }
    }

    @Test("Shift_JIS text and a UTF-8 BOM are read as the same cells as plain UTF-8")
    func encodings() throws {
        let text = "id,町名\nH1,石神井町\n"
        let plain = try table(text)
        let bom = try CSVTable(data: Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8))
        let sjis = try CSVTable(data: text.data(using: .shiftJIS)!)
        #expect(plain.encoding == "UTF-8" && bom.encoding == "UTF-8 (BOM)" && sjis.encoding == "Shift_JIS")
        #expect(bom.header == plain.header && sjis.header == plain.header)
        #expect(bom.rows.map(\.cells) == plain.rows.map(\.cells) && sjis.rows.map(\.cells) == plain.rows.map(\.cells))
    }

    @Test("a BOM followed by bytes that are not UTF-8 is refused as broken UTF-8, not read as Shift_JIS")
    func brokenAfterBOM() {
        #expect {
            _ = try CSVTable(data: Data([0xEF, 0xBB, 0xBF]) + "id\n石神井".data(using: .shiftJIS)!)
        } throws: { error in
            (error as? CSVTable.ReadError)?.message == "the file starts as UTF-8 but is not valid UTF-8"
        }
    }

    @Test("blank lines between rows are skipped, trailing empty rows dropped, and a file of blank lines has no header")
    func blankLines() throws {
        let t = try table("id,name\n\nA,松本\n\n\nB,井上\n,\n\n")
        #expect(t.rows.map(\.cells) == [["A", "松本"], ["B", "井上"]])
        #expect(t.rows.map(\.line) == [3, 6])
        #expect(throws: CSVTable.ReadError.self) { try table("\n\n,,\n") }
    }

    @Test("a file with a NUL byte is refused as binary")
    func binary() {
        #expect {
            _ = try CSVTable(data: Data("id\nA\0B\n".utf8))
        } throws: { error in
            (error as? CSVTable.ReadError)?.message == "the file holds binary data, not CSV text"
        }
    }
}
