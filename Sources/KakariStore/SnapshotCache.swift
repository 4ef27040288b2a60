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
        /// The stored text's UTF-8 bytes.
        var text: [UInt8]
        var snapshot: CaseSnapshot
    }

    public init(limit: Int) {
        self.limit = limit
    }

    /// The snapshot that `text`, the stored row of case `id`, holds: remembered, or decoded.
    public func snapshot(_ text: String, id: String) throws -> CaseSnapshot {
        var text = text
        return try text.withUTF8 { try snapshot(utf8: UnsafeRawBufferPointer($0), id: id) }
    }

    /// The snapshot that the UTF-8 bytes `utf8` of the stored row of case `id` hold: remembered,
    /// or decoded. A store that can see a column's bytes in place (SQLite) passes them, so
    /// that a remembered case is found without making a `String` of a kilobyte first.
    public func snapshot(utf8: UnsafeRawBufferPointer, id: String) throws -> CaseSnapshot {
        if let known = entries.withLock({ $0[id] }), Self.sameBytes(known.text, utf8) { return known.snapshot }
        // Parsed from the bytes in place; only a text not in `JSONWriter`'s form becomes a `String`.
        let snapshot = try JSONReader.snapshot(utf8: utf8) ?? StoreJSON.decode(CaseSnapshot.self, String(decoding: utf8, as: UTF8.self))
        if snapshot.id == id { store(Entry(text: Array(utf8), snapshot: snapshot)) }
        return snapshot
    }

    /// Remembers that `text` (what `JSONWriter.encode(snapshot)` wrote) holds `snapshot`.
    ///
    /// Only a snapshot whose times are whole seconds that survive the trip through seconds
    /// since 1970 is remembered (the engine's clock counts whole seconds; a fraction may come
    /// back one bit apart): a read must give exactly what decoding the text gives, in this
    /// process and in any other. A snapshot not remembered makes the case's entry forgotten.
    public func remember(_ snapshot: CaseSnapshot, text: String) {
        remember(snapshot, utf8: Array(text.utf8))
    }

    /// `remember(_:text:)`, with the text as its UTF-8 bytes (`JSONWriter.encodedBytes`). The
    /// array is kept as it is, so it should hold no more room than its bytes.
    public func remember(_ snapshot: CaseSnapshot, utf8: [UInt8]) {
        guard Self.timesSurvive(snapshot) else {
            entries.withLock { _ = $0.removeValue(forKey: snapshot.id) }
            return
        }
        // The writer's output must read back as the same snapshot, or a read would differ
        // from what the store holds; the test suite (a debug build) checks every write.
        assert(JSONReader.snapshot(String(decoding: utf8, as: UTF8.self)) == snapshot, "a snapshot does not survive JSONWriter and JSONReader")
        store(Entry(text: utf8, snapshot: snapshot))
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

    /// Whether two texts hold the same UTF-8 bytes. Bytes, not `String`s: `String`'s `==`
    /// follows Unicode canonical equivalence, which for a snapshot with Japanese text
    /// normalises a kilobyte on every comparison, and would take one spelling of a name for
    /// another.
    static func sameBytes(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
        a.withUnsafeBytes { x in x.count == b.count && (x.isEmpty || memcmp(x.baseAddress!, b.baseAddress!, x.count) == 0) }
    }

    /// How many cases it holds now.
    public var count: Int { entries.withLock { $0.count } }
}
