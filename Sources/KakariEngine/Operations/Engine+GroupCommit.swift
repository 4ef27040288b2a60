import Foundation
import KakariStore

extension Engine {
    /// An item of a group was refused after it had begun to change the batch.
    private struct GroupAbandoned: Error {}

    /// Adds `items` to `builder` in order and commits all they decide as one transaction.
    /// The cases (`caseOf`) and idempotency keys (`keyOf`) the items name are read ahead, one
    /// query each for a batch of items.
    ///
    /// On a store that writes one batch while the next is built (`CaseStore.groupChunkSize`),
    /// the group goes in chunks of that many items: deciding and sealing a chunk run beside
    /// the writing of the one before, on the machine's other core. Otherwise it goes
    /// as one batch. Returns false, with nothing committed, when `add` throws `EngineError` or
    /// when another writer changed one of the group's cases; the caller then handles the items
    /// one by one.
    func commitGroup<Item>(_ items: [Item], caseOf: (Item) -> String, keyOf: (Item) -> String?, builder: inout BatchBuilder,
                           add: (Item, inout BatchBuilder) async throws -> Void) async throws -> Bool {
        do {
            return try await commitChunks(items, caseOf: caseOf, keyOf: keyOf, builder: &builder, add: add)
        } catch let error as StoreError where error.code == .conflict {
            logger.debug("group of \(items.count) conflicted; handling its items one by one")
            return false
        }
    }

    /// How many chunks' cases a group has read, or being read, beyond the chunk being decided.
    /// Two, not one (fix 37): with one, the builder often waited for the read of the next
    /// chunk, which shares the two cores with the deciding and the writing.
    static let readsAhead = 2

    private func commitChunks<Item>(_ items: [Item], caseOf: (Item) -> String, keyOf: (Item) -> String?, builder: inout BatchBuilder,
                                    add: (Item, inout BatchBuilder) async throws -> Void) async throws -> Bool {
        guard let chunk = store.groupChunkSize, items.count > chunk else {
            try await builder.prefetch(cases: items.map(caseOf), keys: items.compactMap(keyOf))
            for item in items {
                do { try await add(item, &builder) } catch is EngineError { return false }
            }
            try await commit(builder.batch)
            return true
        }
        // The first chunk's cases are read now; each later chunk's while the chunks before it
        // are decided and written, `readsAhead` chunks ahead, so that neither the builder nor
        // the writer waits for a read (each read is a round trip to a reader connection).
        try await builder.prefetch(cases: items[..<chunk].map(caseOf), keys: items[..<chunk].compactMap(keyOf))
        let store = self.store
        var reads: [Task<([String: CaseRecord], Set<String>), Error>] = []
        defer { for read in reads { read.cancel() } }
        var next = 0, readUpTo = chunk
        do {
            try await commit(chunks: {
                guard next < items.count else { return nil }
                if !reads.isEmpty {
                    // Cases written by chunks before are the builder's already (`flush`): `take`
                    // keeps them, whatever a read made before they were written found.
                    let (records, keys) = try await reads.removeFirst().value
                    builder.take(records, usedKeys: keys)
                }
                while reads.count < Self.readsAhead, readUpTo < items.count {
                    let following = items[readUpTo..<min(readUpTo + chunk, items.count)]
                    let ids = builder.unknownCases(following.map(caseOf)), keys = following.compactMap(keyOf)
                    reads.append(Task { try await BatchBuilder.read(cases: ids, keys: keys, from: store) })
                    readUpTo = following.endIndex
                }
                let end = min(next + chunk, items.count)
                for item in items[next..<end] {
                    do { try await add(item, &builder) } catch is EngineError { throw GroupAbandoned() }
                }
                next = end
                return builder.flush()
            })
        } catch is GroupAbandoned {
            return false
        }
        return true
    }
}
