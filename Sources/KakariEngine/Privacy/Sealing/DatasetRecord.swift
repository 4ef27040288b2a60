import Foundation
import KakariCore
import KakariStore

/// A dataset: cases imported together for one purpose, whose personal fields are sealed with
/// one key and must be erased after `until` (`cases import --dataset --purpose --until`).
/// The registry is kept in the store's settings (`datasets`, a JSON list): nothing in it is secret.
public struct DatasetRecord: Hashable, Sendable, Codable {
    public var name: String
    public var purpose: String
    /// The last day the personal fields may be used; from the next day they are withheld.
    public var until: String
    public var createdAt: Date
    public var createdBy: String
    public var purgedAt: Date?
    public var purgedBy: String?

    public init(name: String, purpose: String, until: Day, createdAt: Date, createdBy: String) {
        self.name = name
        self.purpose = purpose
        self.until = until.description
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// The end date as a day.
    public var untilDay: Day? { Day(iso: until) }

    /// Whether the purpose has ended on `today`.
    public func hasEnded(on today: Day) -> Bool { untilDay.map { today > $0 } ?? false }

    static let settingKey = "datasets"

    /// Every dataset of the store, in the order they were made.
    static func all(from store: any CaseStore) async throws -> [DatasetRecord] {
        guard let text = try await store.setting(settingKey) else { return [] }
        return try StoreJSON.decode([DatasetRecord].self, text)
    }

    static func read(_ name: String, from store: any CaseStore) async throws -> DatasetRecord? {
        try await all(from: store).first { $0.name == name }
    }

    /// The registry with `record` added or replaced, as the setting's text.
    static func setting(with record: DatasetRecord, in all: [DatasetRecord]) -> String {
        var list = all.filter { $0.name != record.name }
        list.append(record)
        return StoreJSON.encode(list.sorted { $0.createdAt == $1.createdAt ? $0.name < $1.name : $0.createdAt < $1.createdAt })
    }
}
