import Foundation
import KakariCore
import KakariStore
import Testing

@Suite("JSON written by hand")
struct JSONWriterTests {
    @Test("a snapshot written by JSONWriter reads back as the same snapshot, awkward text included")
    func roundTrip() throws {
        let snapshot = CaseSnapshot(
            id: "H\"1\\\n", workflow: "household-visit", version: 3, state: "awaiting_visit",
            data: ["name": .string("練馬　太郎\t\u{1}"), "visits": .int(-2), "ok": .bool(true), "since": .date(Day(year: 2009, month: 5, day: 11)),
                   "members": .list(["a", "「b」"]), "none": .null, "big": .int(1_234_567_890_123_456)],
            openTasks: [.init(key: "2.1", kind: "visit", event: "visit")],
            timers: ["deadline": Date(timeIntervalSince1970: 1_763_596_800), "t": Date(timeIntervalSince1970: 1.5)],
            waitingFor: "H1/4", parent: "P", finished: false, result: nil, sequence: 7,
            enteredAt: Date(timeIntervalSince1970: 1_763_596_801))
        let text = JSONWriter.encode(snapshot)
        #expect(try StoreJSON.decode(CaseSnapshot.self, text) == snapshot)
        #expect(JSONReader.snapshot(text) == snapshot)
        #expect(JSONReader.snapshot(StoreJSON.encode(snapshot)) == snapshot, "it also reads JSONEncoder's form")
        #expect(JSONReader.snapshot("{\"id\": 1}") == nil)
        #expect(JSONReader.snapshot("not json") == nil)
        var suspended = snapshot
        suspended.timers = [:]
        suspended.suspended = Suspension(at: Date(timeIntervalSince1970: 1_763_600_000), timers: snapshot.timers)
        let pausedText = JSONWriter.encode(suspended)
        #expect(pausedText == StoreJSON.encode(suspended), "a suspended snapshot is written as JSONEncoder writes it")
        #expect(JSONReader.snapshot(pausedText) == suspended)
        let minimal = CaseSnapshot(id: "x", workflow: "w", version: 1, state: "s", data: [:], enteredAt: Date(timeIntervalSince1970: 0))
        #expect(try StoreJSON.decode(CaseSnapshot.self, JSONWriter.encode(minimal)) == minimal)
    }

    @Test("a text is escaped as JSONEncoder escapes it wherever its quote, backslash or control character falls in an eight-byte word")
    func escapesAtEveryOffset() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for special in ["\"", "\\", "\n", "\u{1}", "\u{1F}", "\t"] {
            for length in [1, 7, 8, 9, 16, 23] {
                for offset in 0..<length {
                    var characters = Array(repeating: Character("あ"), count: length).enumerated().map { $0.offset % 3 == 0 ? Character("k") : $0.element }
                    characters[offset] = Character(special)
                    let text = String(characters)
                    var out = ""
                    JSONWriter.string(text, &out)
                    #expect(out == String(decoding: try encoder.encode(text), as: UTF8.self), "\(text.debugDescription)")
                }
            }
        }
        // Bytes of 0x80 and above (all of UTF-8 beyond ASCII) need no escaping.
        var out = ""
        JSONWriter.string("練馬区封緘町１丁目　ﾌｳｶﾝ ~\u{7F}", &out)
        #expect(out == "\"練馬区封緘町１丁目　ﾌｳｶﾝ ~\u{7F}\"")
    }

    @Test("events and data changes written by JSONWriter read back as the same values")
    func eventsAndChanges() throws {
        let events: [CaseEvent] = [
            .start(data: ["a": .string("x\"y"), "d": .date(Day(year: 2026, month: 11, day: 23))], parent: nil),
            .start(data: [:], parent: "P/1"),
            .signal(name: "visit", fields: ["slot": .string("休日"), "n": .int(3), "l": .list(["a"])], task: "2.1"),
            .signal(name: "withdraw", fields: ["reason": .string("転出")], task: nil),
            .timer(name: "deadline"),
            .childFinished(child: "H1/4", result: "registry_deleted"),
            .suspend(reason: "入院"), .resume(reason: "退院"), .move(state: "counselling", reason: "訂正"),
            .cancel(reason: "重複"), .migrate(from: 1, to: 2, state: "met", reason: "第5回訪問"),
            .reopen(task: "3.1", state: "contacted", reason: "誤り"),
        ]
        for event in events {
            #expect(try StoreJSON.decode(CaseEvent.self, JSONWriter.encode(event)) == event)
        }
        let changes = [Decision.Change(field: "visits", old: .int(0), new: .int(1)), Decision.Change(field: "x", old: .null, new: .bool(true))]
        #expect(try StoreJSON.decode([Decision.Change].self, JSONWriter.encode(changes)) == changes)
    }

    @Test("a queued event's fields, as the stores keep them, read back by hand as JSONDecoder reads them; other forms are left to it")
    func eventFields() throws {
        let fields: [String: Value] = ["slot": .string("平日夜間 \"引用\"\n"), "n": .int(-42), "ok": .bool(false), "none": .null,
                                       "on": .date(Day(year: 2026, month: 11, day: 27)), "members": .list(["太田　悠真", ""])]
        let text = StoreJSON.encode(fields)
        #expect(JSONReader.values(json: text) == fields)
        #expect(try StoreJSON.decode([String: Value].self, text) == fields)
        #expect(JSONReader.values(json: "{}") == [:])
        // Not an object, or a value `Value` has no case for: nil, and the caller asks JSONDecoder.
        #expect(JSONReader.values(json: "[1]") == nil)
        #expect(JSONReader.values(json: "{\"x\": 1.5}") == nil)
        #expect(JSONReader.values(json: "{\"x\": {\"y\": 1}}") == nil)
    }
}
