import Foundation
import KakariTesting
import Testing

/// Refused input through the command line: exit 1, the exact reason on stderr, and a store
/// whose content did not change.
@Suite("Bad input is refused and changes nothing")
struct BadInputTests {
    /// Runs `kakari ARGS` in a workspace holding H1 (listed) and H2 (waiting for a visit), and
    /// expects exit 1, exactly `stderr`, and an unchanged store.
    func refused(_ arguments: (Workspace) throws -> [String], _ stderr: (Workspace) -> String,
                 sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1", "H2"])
            #expect(try w.kakari(["send", "H2", "assign"]).status == 0)
            let args = try arguments(w)
            let before = try await w.digest()
            let r = try w.kakari(args)
            #expect(r.status == 1, "exit \(r.status)", sourceLocation: sourceLocation)
            #expect(r.stderr == stderr(w), sourceLocation: sourceLocation)
            #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
            #expect(try await w.digest() == before, "a refused command changed the store", sourceLocation: sourceLocation)
        }
    }

    func importing(_ name: String, _ text: String) -> (Workspace) throws -> [String] {
        { w in ["cases", "import", "household-visit", try w.write(name, text)] }
    }

    // MARK: Case imports

    @Test("a file of random bytes is refused as neither UTF-8 nor Shift_JIS")
    func randomBytes() async throws {
        var generator = SeededGenerator(seed: 42)
        var bytes = (0..<4096).map { _ in UInt8.random(in: 0x80...0xFF, using: &generator) }
        bytes[0] = 0xFF
        let data = Data(bytes)
        try await refused({ w in ["cases", "import", "household-visit", try w.write("random.csv", data: data)] }) { w in
            "\(w.folder)/random.csv:1:1: the file is neither UTF-8 nor Shift_JIS (CP932) text\n\(w.folder)/random.csv: nothing was imported\n"
        }
    }

    @Test("a file without a required column is refused naming the field")
    func missingColumn() async throws {
        try await refused(importing("no-address.csv", "household_no,name,town\nH9,練馬　九郎,練馬\n")) { w in
            "\(w.folder)/no-address.csv:1:1: no column for the required field address (住所)\n\(w.folder)/no-address.csv: nothing was imported\n"
        }
    }

    @Test("birth_year=abc is refused with its row and column")
    func badValue() async throws {
        let text = [Workspace.header, Workspace.household("H8"),
                    "H9,練馬　九郎,,練馬区練馬1-1-1,練馬,abc,男,,false,false"].joined(separator: "\n")
        try await refused(importing("bad-year.csv", text)) { w in
            "\(w.folder)/bad-year.csv:3:6: birth_year: 'abc' is not a whole number\n\(w.folder)/bad-year.csv: nothing was imported\n"
        }
    }

    @Test("an id twice in one file is refused naming both rows")
    func duplicateInFile() async throws {
        let text = [Workspace.header, Workspace.household("H8"), Workspace.household("H9"), Workspace.household("H8")].joined(separator: "\n")
        try await refused(importing("dup.csv", text)) { w in
            "\(w.folder)/dup.csv:4:1: duplicate id H8 (also on row 2)\n\(w.folder)/dup.csv: nothing was imported\n"
        }
    }

    @Test("an id that already exists is refused")
    func existingID() async throws {
        let text = [Workspace.header, Workspace.household("H8"), Workspace.household("H1")].joined(separator: "\n")
        try await refused(importing("exists.csv", text)) { w in
            "\(w.folder)/exists.csv:3:1: case H1 already exists\n\(w.folder)/exists.csv: nothing was imported\n"
        }
    }

    @Test("an empty file is refused")
    func emptyFile() async throws {
        try await refused(importing("empty.csv", "")) { w in
            "\(w.folder)/empty.csv:1:1: the file is empty; it needs a header row\n\(w.folder)/empty.csv: nothing was imported\n"
        }
    }

    @Test("a header without rows is refused")
    func headerOnly() async throws {
        try await refused(importing("header.csv", Workspace.header + "\n")) { w in
            "\(w.folder)/header.csv:2:1: the file has a header but no rows\n\(w.folder)/header.csv: nothing was imported\n"
        }
    }

    @Test("a row with too many cells is refused")
    func tooManyCells() async throws {
        let text = [Workspace.header, Workspace.household("H8"), Workspace.household("H9") + ",extra"].joined(separator: "\n")
        try await refused(importing("wide.csv", text)) { w in
            "\(w.folder)/wide.csv:3:11: the row has 11 cells; the header has 10\n\(w.folder)/wide.csv: nothing was imported\n"
        }
    }

    @Test("an unclosed quote is refused at the line it opens")
    func unclosedQuote() async throws {
        let text = [Workspace.header, Workspace.household("H8"), "H9,\"練馬　九郎,,練馬区練馬1-1-1,練馬,1970,男,,false,false", Workspace.household("H10")]
            .joined(separator: "\n")
        try await refused(importing("quote.csv", text)) { w in
            "\(w.folder)/quote.csv:3:2: a quoted cell is not closed\n\(w.folder)/quote.csv: nothing was imported\n"
        }
    }

    @Test("a 200,000-row file with one bad row near the end is refused and nothing is imported", .timeLimit(.minutes(15)))
    func hugeFile() async throws {
        var lines = [Workspace.header]
        lines.reserveCapacity(200_001)
        for i in 1...200_000 {
            lines.append(i == 199_990 ? "X\(i),練馬　太郎,,練馬区練馬1-1-1,練馬,19七0,男,,false,false" : Workspace.household("X\(i)"))
        }
        let text = lines.joined(separator: "\n") + "\n"
        let started = Date()
        try await refused(importing("huge.csv", text)) { w in
            "\(w.folder)/huge.csv:199991:6: birth_year: '19七0' is not a whole number\n\(w.folder)/huge.csv: nothing was imported\n"
        }
        print("HUGE-200000-REFUSED: \(Date().timeIntervalSince(started)) s")
    }

    // MARK: Encodings that are accepted

    /// The first rows of Examples/households.csv.
    static func exampleRows(_ n: Int) throws -> String {
        let text = try String(contentsOfFile: Repository.examples + "/households.csv", encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).prefix(n + 1).joined(separator: "\r\n") + "\r\n"
    }

    func importsLikeUTF8(_ data: Data, name: String) async throws {
        try await withWorkspace { w in
            let plain = try w.write("plain.csv", try Self.exampleRows(200))
            let file = try w.write(name, data: data)
            let r = try w.kakari(["cases", "import", "household-visit", file])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.hasPrefix("imported 200 cases of household-visit"))
            let other = try Workspace()
            defer { other.remove() }
            #expect(try other.kakari(["cases", "import", "household-visit", plain]).status == 0)
            let a = try #require(try w.json(["cases", "show", "H000001"]) as? [String: Any])
            let b = try #require(try other.json(["cases", "show", "H000001"]) as? [String: Any])
            #expect(NSDictionary(dictionary: a["data"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: b["data"] as? [String: Any] ?? [:]))
            #expect((a["data"] as? [String: Any])?["name"] as? String == "太田　悠真")
            for id in ["H000100", "H000200"] {
                let x = try #require(try w.json(["cases", "show", id]) as? [String: Any])
                let y = try #require(try other.json(["cases", "show", id]) as? [String: Any])
                #expect(NSDictionary(dictionary: x["data"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: y["data"] as? [String: Any] ?? [:]))
            }
        }
    }

    @Test("a Shift_JIS (CP932) file imports the same households as UTF-8")
    func shiftJIS() async throws {
        let data = try #require(try Self.exampleRows(200).data(using: .shiftJIS), "the example rows do not encode as Shift_JIS")
        #expect(String(data: data, encoding: .utf8) == nil, "the test file must not also be valid UTF-8")
        try await importsLikeUTF8(data, name: "sjis.csv")
    }

    @Test("a UTF-8 file with a BOM imports the same households as without")
    func utf8BOM() async throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data(try Self.exampleRows(200).utf8)
        try await importsLikeUTF8(data, name: "bom.csv")
    }

    // MARK: Events

    @Test("an event for an unknown case is refused")
    func unknownCase() async throws {
        try await refused({ _ in ["send", "H404", "assign"] }) { _ in "kakari: there is no case H404\n" }
    }

    @Test("an event the workflow does not know is refused")
    func unknownEvent() async throws {
        try await refused({ _ in ["send", "H1", "fly"] }) { _ in
            "kakari: case H1 is in state 'listed' (対象者リスト), which does not accept 'fly'; it accepts assign, withdraw\n"
        }
    }

    @Test("an event not accepted in the case's state is refused")
    func notAcceptedHere() async throws {
        try await refused({ _ in ["send", "H1", "triage", "referral=納付相談"] }) { _ in
            "kakari: case H1 is in state 'listed' (対象者リスト), which does not accept 'triage'; it accepts assign, withdraw\n"
        }
    }

    @Test("a field of the wrong type is refused")
    func wrongType() async throws {
        try await refused({ _ in ["send", "H2", "visit", "slot=平日午前", "result=多分"] }) { _ in
            "kakari: result (訪問結果): '多分' is not one of 面接, 不在\n"
        }
    }

    @Test("a boolean field given a word is refused")
    func wrongTypeBool() async throws {
        try await refused({ _ in ["send", "H2", "visit", "slot=平日午前", "result=面接", "signs_of_life=maybe"] }) { _ in
            "kakari: signs_of_life (生活の実態あり): 'maybe' is not true or false\n"
        }
    }

    @Test("an unknown field is refused with the event's fields")
    func unknownField() async throws {
        try await refused({ _ in ["send", "H1", "withdraw", "reason=転出", "colour=red"] }) { _ in
            "kakari: event 'withdraw' has no field 'colour'; its fields: reason\n"
        }
    }

    @Test("events import with one bad row refuses the whole file and queues nothing")
    func eventsImportOneBadRow() async throws {
        let text = "case,event,key,reason,slot,result\nH1,withdraw,e1,転出,,\nH2,visit,e2,,平日午前,不在\nH404,assign,e3,,,\nH2,visit,e4,,平日午前,留守\n"
        try await refused({ w in ["events", "import", try w.write("events.csv", text)] }) { w in
            "\(w.folder)/events.csv:4:1: there is no case H404\n\(w.folder)/events.csv:5:6: result: '留守' is not one of 面接, 不在\n\(w.folder)/events.csv: nothing was imported\n"
        }
    }

    @Test("events import refuses a key repeated in the file and an event no workflow state knows")
    func eventsImportKeysAndEvents() async throws {
        let text = "case,event,key\nH1,assign,k1\nH2,assign,k1\nH1,fly,k3\n"
        try await refused({ w in ["events", "import", try w.write("events.csv", text)] }) { w in
            "\(w.folder)/events.csv:3:3: key k1 repeats row 2\n\(w.folder)/events.csv:4:2: workflow household-visit has no event 'fly'\n\(w.folder)/events.csv: nothing was imported\n"
        }
    }

    @Test("events rejected --json lists a queued event that became invalid when its turn came, with its reason")
    func rejectedListed() async throws {
        try await withWorkspace { w in
            try w.importHouseholds(["H1"])
            let file = try w.write("events.csv", "case,event,key,reason\nH1,withdraw,e1,転出\nH1,assign,e2,\n")
            let queued = try #require(try w.json(["events", "import", file]) as? [String: Any])
            #expect(queued["queued"] as? Int == 2)
            #expect((try w.json(["events", "rejected"]) as? [Any])?.isEmpty == true)
            #expect(try w.kakari(["daemon", "--once"]).status == 0)
            let rejected = try #require(try w.json(["events", "rejected"]) as? [[String: Any]])
            #expect(rejected.count == 1)
            let e = try #require(rejected.first)
            #expect(e["case"] as? String == "H1")
            #expect(e["event"] as? String == "assign")
            #expect(e["key"] as? String == "e2")
            #expect(e["reason"] as? String == "case H1 is finished (調査対象外) and accepts no events")
            #expect(try w.kakari(["verify"]).status == 0)
            // Running the daemon again changes nothing: the rejection is kept, not retried.
            let before = try await w.digest()
            #expect(try w.kakari(["daemon", "--once"]).status == 0)
            #expect(try await w.digest() == before)
        }
    }
}

/// A small deterministic generator, so a failing run can be repeated.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
