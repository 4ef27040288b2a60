import Foundation
import KakariCore
import Synchronization

/// Case snapshots already decoded, by the JSON text a store holds for them.
///
/// Every transition reads its case and writes it back, and decoding the stored text was a
/// twelfth of `kakari demo`'s time (measured with `perf`). A store remembers each snapshot it
/// writes under the text it wrote, so the next read of that case finds it without parsing.
/// The key is the whole text, so an entry can never be stale: another process, a purge or a
/// repair that changes the row changes the text, and the read decodes it afresh. The cache holds
/// only what the store itself holds (sealed values stay sealed) and forgets everything when it
/// is full, so its memory is bounded (about 3 KB an entry).
public final class SnapshotCache: Sendable {
    /// The cache the stores of this process share.
    public static let shared = SnapshotCache(limit: 8_192)

    /// How many snapshots it keeps before it starts again.
    public let limit: Int
    private let entries = Mutex<[StoredText: CaseSnapshot]>([:])

    public init(limit: Int) {
        self.limit = limit
    }

    /// The snapshot `text` holds: remembered, or decoded and remembered.
    public func snapshot(_ text: String) throws -> CaseSnapshot {
        if let known = entries.withLock({ $0[StoredText(text)] }) { return known }
        let snapshot = try JSONReader.snapshot(text) ?? StoreJSON.decode(CaseSnapshot.self, text)
        remember(snapshot, text: text)
        return snapshot
    }

    /// Remembers that `text` (what `JSONWriter.encode(snapshot)` wrote) holds `snapshot`.
    ///
    /// Only a snapshot whose times are whole seconds that survive the trip through seconds
    /// since 1970 is remembered (the engine's clock counts whole seconds; a fraction may come
    /// back one bit apart): a read must give exactly what decoding the text gives, in this
    /// process and in any other.
    public func remember(_ snapshot: CaseSnapshot, text: String) {
        guard Self.timesSurvive(snapshot) else { return }
        // The writer's output must read back as the same snapshot, or a read would differ
        // from what the store holds; the test suite (a debug build) checks every write.
        assert(JSONReader.snapshot(text) == snapshot, "a snapshot does not survive JSONWriter and JSONReader")
        entries.withLock { known in
            if known.count >= limit { known.removeAll(keepingCapacity: true) }
            known[StoredText(text)] = snapshot
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

    /// How many snapshots it holds now.
    public var count: Int { entries.withLock { $0.count } }
}

/// A stored text as a dictionary key, compared and hashed by its UTF-8 bytes.
///
/// `String`'s own hashing and equality follow Unicode canonical equivalence, which for a
/// snapshot with Japanese text means normalising a kilobyte on every lookup (it cost more than
/// the decoding it saved). Texts a store wrote are compared byte for byte instead.
struct StoredText: Hashable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (lhs: StoredText, rhs: StoredText) -> Bool {
        var a = lhs.text, b = rhs.text
        return a.withUTF8 { x in b.withUTF8 { y in x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
    }

    func hash(into hasher: inout Hasher) {
        var text = self.text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
