import KakariCore
import Testing

@Suite("Values typed by people")
struct FieldTypeTests {
    @Test("dates may be written with dashes or slashes and without leading zeros, but must exist")
    func dates() throws {
        #expect(try FieldType.date.parse("2026-11-27").get() == .date(Day(year: 2026, month: 11, day: 27)))
        #expect(try FieldType.date.parse(" 2026/1/5 ").get() == .date(Day(year: 2026, month: 1, day: 5)))
        for bad in ["2026-02-30", "26-1-5", "2026-13-01", "tomorrow", "2026-11"] {
            #expect(throws: ValueParseError.self, "\(bad)") { try FieldType.date.parse(bad).get() }
        }
    }

    @Test("whole numbers accept full-width digits and minus signs from ward spreadsheets")
    func fullWidthNumbers() throws {
        #expect(try FieldType.int.parse("１９６３").get() == .int(1963))
        #expect(try FieldType.int.parse("－５").get() == .int(-5))
        #expect(throws: ValueParseError.self) { try FieldType.int.parse("12a").get() }
    }

    @Test("surrounding spaces, also full-width ones, are trimmed; an empty cell is no value")
    func trimming() throws {
        #expect(try FieldType.enumeration(["男", "女"]).parse("\u{3000}女 ").get() == .string("女"))
        #expect(try FieldType.int.parse("   ").get() == .null)
        #expect(try FieldType.list.parse(" 太田 悠真 ; 太田 萌 ;").get() == .list(["太田 悠真", "太田 萌"]))
        #expect("  a b  ".trimmingWhitespace() == "a b")
        #expect("\u{3000}".trimmingWhitespace() == "")
    }

    @Test("trimming judged from the ends' scalars gives what trimming by characters gives, also where a whitespace starts a character")
    func trimmingByScalarsAgreesWithCharacters() {
        /// Trimming by `Character.isWhitespace` alone, as the standard library defines it.
        func byCharacters(_ s: String) -> String {
            guard let start = s.firstIndex(where: { !$0.isWhitespace }) else { return "" }
            return String(s[start...s.lastIndex(where: { !$0.isWhitespace })!])
        }
        let samples = ["練馬", "H000001", "練馬 ", " 練馬", "練馬\u{3000}", "\u{3000}練馬", "ネリマ", "ネリマ\t", "a\n", "\r\n",
                       // A space with a combining sound mark or accent after it is one character, and whitespace.
                       "練馬 \u{3099}", "a \u{0301}", "ガ", "か\u{3099}", "1970", "-", "練馬区練馬1-1-1", "", " ", "\u{00A0}x\u{00A0}",
                       "太田　悠真;太田　萌", "x\u{200D}", "\u{FEFF}練馬"]
        for sample in samples {
            #expect(sample.trimmingWhitespace() == byCharacters(sample), "\(sample.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(sample[...].trimmingWhitespace() == byCharacters(sample))
        }
    }
}
