import Foundation
import KakariCore
import KakariStore
import Testing

@Suite("Decoded snapshots kept with their stored text")
struct SnapshotCacheTests {
    static func snapshot(_ id: String, name: String = "練馬　太郎", entered: Double = 1_763_596_800) -> CaseSnapshot {
        CaseSnapshot(id: id, workflow: "household-visit", version: 1, state: "awaiting_visit",
                     data: ["name": .string(name), "visits": .int(1)],
                     openTasks: [.init(key: "2.1", kind: "visit", event: "visit")],
                     timers: ["deadline": Date(timeIntervalSince1970: entered + 86_400)],
                     enteredAt: Date(timeIntervalSince1970: entered))
    }

    @Test("a row read again gives what decoding gives; a changed row is decoded afresh")
    func readTwice() throws {
        let cache = SnapshotCache(limit: 10)
        let text = JSONWriter.encode(Self.snapshot("H1"))
        #expect(try cache.snapshot(text, id: "H1") == JSONReader.snapshot(text))
        #expect(cache.count == 1)
        #expect(try cache.snapshot(String(decoding: Array(text.utf8), as: UTF8.self), id: "H1") == JSONReader.snapshot(text), "an equal text built anew")
        var changed = Self.snapshot("H1")
        changed.data["visits"] = .int(2)
        #expect(try cache.snapshot(JSONWriter.encode(changed), id: "H1") == changed, "another process wrote the row")
        #expect(try cache.snapshot(text, id: "H1") == Self.snapshot("H1"), "and back")
        #expect(cache.count == 1, "one entry per case")
    }

    @Test("texts that are canonically equal but differ in bytes are not taken for each other")
    func bytesNotCanonicalEquality() throws {
        let cache = SnapshotCache(limit: 10)
        let composed = JSONWriter.encode(Self.snapshot("H1", name: "\u{30AC}"))          // ガ
        let decomposed = JSONWriter.encode(Self.snapshot("H1", name: "\u{30AB}\u{3099}")) // カ + dakuten
        #expect(composed == decomposed, "Swift compares strings by canonical equivalence")
        _ = try cache.snapshot(composed, id: "H1")
        let read = try cache.snapshot(decomposed, id: "H1")
        guard case .string(let name)? = read.data["name"] else { Issue.record("no name"); return }
        #expect(Array(name.unicodeScalars) == ["\u{30AB}", "\u{3099}"], "the stored bytes, not the other spelling")
    }

    @Test("a write remembered is what the next read returns; a fraction of a second is not remembered")
    func rememberedWrites() throws {
        let cache = SnapshotCache(limit: 10)
        let whole = Self.snapshot("H1")
        cache.remember(whole, text: JSONWriter.encode(whole))
        #expect(cache.count == 1)
        #expect(try cache.snapshot(JSONWriter.encode(whole), id: "H1") == whole)
        let fractional = Self.snapshot("H1", entered: 1_763_596_800.123_456_7)
        cache.remember(fractional, text: JSONWriter.encode(fractional))
        #expect(cache.count == 0, "only exact round trips are remembered, and the case's old entry is dropped")
        #expect(try cache.snapshot(JSONWriter.encode(fractional), id: "H1") == JSONReader.snapshot(JSONWriter.encode(fractional)))
    }

    @Test("a row under another case's id is decoded but not kept")
    func wrongID() throws {
        let cache = SnapshotCache(limit: 10)
        let text = JSONWriter.encode(Self.snapshot("H1"))
        #expect(try cache.snapshot(text, id: "H2").id == "H1")
        #expect(cache.count == 0)
    }

    @Test("the cache starts again when full, so its memory is bounded")
    func bounded() throws {
        let cache = SnapshotCache(limit: 3)
        for i in 0..<10 {
            let text = JSONWriter.encode(Self.snapshot("H\(i)"))
            #expect(try cache.snapshot(text, id: "H\(i)").id == "H\(i)")
            #expect(cache.count <= 3)
        }
    }
}
