import Foundation
import KakariStore

extension Engine {
    /// An item of a group was refused after it had begun to change the batch.
    private struct GroupAbandoned: Error {}

    /// Adds `items` to `builder` in order and commits all they decide as one transaction.
    ///
    /// On a store that writes one batch while the next is built (`CaseStore.groupChunkSize`),
    /// the group goes in chunks of that many items: deciding and sealing a chunk run beside
    /// the writing of the one before, on the machine's other core. Otherwise it goes as one
    /// batch. Returns false, with nothing committed, when `add` throws `EngineError` (the
    /// caller then handles the items one by one); a conflict with another writer is thrown as
    /// the store's `StoreError`, also with nothing committed.
    func commitGroup<Item>(_ items: [Item], builder: inout BatchBuilder,
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
