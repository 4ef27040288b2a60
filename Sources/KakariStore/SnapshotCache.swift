import Foundation
import KakariCore
import Synchronization

/// The last snapshot decoded or written for each case, with the stored text it came from.
///
/// Every transition reads its case and writes it back, and decoding the stored text was a
/// twelfth of `kakari demo`'s time (measured with `perf`). A store remembers each snapshot it
/// writes, so the next read of that case finds it without parsing. An entry is used only when
/// the row's text is byte for byte the one remembered, so it can never be stale: another
/// process, a purge or a repair that changes the row changes the text, and the read decodes
/// it afresh. The cache holds only what the store itself holds (sealed values stay sealed),
/// one entry per case, and forgets everything when it is full, so its memory is bounded
/// (about 3 KB an entry).
public final class SnapshotCache: Sendable {
    /// The cache the stores of this process share.
    public static let shared = SnapshotCache(limit: 8_192)

    /// How many cases it keeps before it starts again.
    public let limit: Int
    private let entries = Mutex<[String: Entry]>([:])

    struct Entry: Sendable {
        var text: String
        var snapshot: CaseSnapshot
    }

    public init(limit: Int) {
        self.limit = limit
    }

    /// The snapshot that `text`, the stored row of case `id`, holds: remembered, or decoded.
    public func snapshot(_ text: String, id: String) throws -> CaseSnapshot {
        if let known = entries.withLock({ $0[id] }), Self.sameBytes(known.text, text) { return known.snapshot }
        let snapshot = try Self.decode(text)
        if snapshot.id == id { store(Entry(text: text, snapshot: snapshot)) }
        return snapshot
    }

    /// Decodes a stored snapshot without the cache.
    static func decode(_ text: String) throws -> CaseSnapshot {
        try JSONReader.snapshot(text) ?? StoreJSON.decode(CaseSnapshot.self, text)
    }

    /// Remembers that `text` (what `JSONWriter.encode(snapshot)` wrote) holds `snapshot`.
    ///
    /// Only a snapshot whose times are whole seconds that survive the trip through seconds
    /// since 1970 is remembered (the engine's clock counts whole seconds; a fraction may come
    /// back one bit apart): a read must give exactly what decoding the text gives, in this
    /// process and in any other. A snapshot not remembered makes the case's entry forgotten.
    public func remember(_ snapshot: CaseSnapshot, text: String) {
        guard Self.timesSurvive(snapshot) else {
            entries.withLock { _ = $0.removeValue(forKey: snapshot.id) }
            return
        }
        // The writer's output must read back as the same snapshot, or a read would differ
        // from what the store holds; the test suite (a debug build) checks every write.
        assert(JSONReader.snapshot(text) == snapshot, "a snapshot does not survive JSONWriter and JSONReader")
        store(Entry(text: text, snapshot: snapshot))
    }

    private func store(_ entry: Entry) {
        entries.withLock { known in
            if known.count >= limit, known[entry.snapshot.id] == nil { known.removeAll(keepingCapacity: true) }
            known[entry.snapshot.id] = entry
        }
    }

    static func timesSurvive(_ s: CaseSnapshot) -> Bool {
        func survives(_ date: Date) -> Bool {
            let seconds = date.timeIntervalSince1970
            return seconds == seconds.rounded() && Date(timeIntervalSince1970: seconds) == date
        }
        guard survives(s.enteredAt), s.timers.values.allSatisfy(survives) else { return false }
        if let paused = s.suspended { return survives(paused.at) && paused.timers.values.allSatisfy(survives) }
        return true
    }

    /// Whether two texts hold the same UTF-8 bytes. `String`'s `==` follows Unicode canonical
    /// equivalence, which for a snapshot with Japanese text normalises a kilobyte on every
    /// comparison, and would take one spelling of a name for another.
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) }
        }
    }

    /// How many cases it holds now.
    public var count: Int { entries.withLock { $0.count } }
}
