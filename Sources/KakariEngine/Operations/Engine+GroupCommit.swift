import Foundation
import KakariStore

extension Engine {
    /// An item of a group was refused after it had begun to change the batch.
    private struct GroupAbandoned: Error {}

    /// Reads the group's cases (`cases`) and idempotency keys (`keys`) in one go, adds
    /// `items` to `builder` in order and commits all they decide as one transaction.
    ///
    /// On a store that writes one batch while the next is built (`CaseStore.groupChunkSize`),
    /// the group goes in chunks of that many items: deciding and sealing a chunk run beside
    /// the writing of the one before, on the machine's other core. Otherwise it goes as one
    /// batch. Returns false, with nothing committed, when `add` throws `EngineError` or when
    /// another writer changed one of the group's cases; the caller then handles the items one
    /// by one.
    func commitGroup<Item>(_ items: [Item], cases: [String], keys: [String], builder: inout BatchBuilder,
                           add: (Item, inout BatchBuilder) async throws -> Void) async throws -> Bool {
        try await builder.prefetch(cases: cases, keys: keys)
        do {
            return try await commitChunks(items, builder: &builder, add: add)
        } catch let error as StoreError where error.code == .conflict {
            logger.debug("group of \(items.count) conflicted; handling its items one by one")
            return false
        }
    }

    private func commitChunks<Item>(_ items: [Item], builder: inout BatchBuilder,
                                    add: (Item, inout BatchBuilder) async throws -> Void) async throws -> Bool {
        guard let chunk = store.groupChunkSize, items.count > chunk else {
            for item in items {
                do { try await add(item, &builder) } catch is EngineError { return false }
            }
            try await commit(builder.batch)
            return true
        }
        var next = items.startIndex
        do {
            try await commit(chunks: {
                guard next < items.endIndex else { return nil }
                let end = min(next + chunk, items.endIndex)
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
