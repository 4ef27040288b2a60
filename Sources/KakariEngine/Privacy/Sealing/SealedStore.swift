import Foundation
import KakariCore
import KakariStore
import Synchronization

/// A `CaseStore` that keeps the `pii` fields of every case in a dataset encrypted at rest.
///
/// It wraps the real store (SQLite or PostgreSQL) and changes only what crosses it: on the way
/// in, `commit` and `enqueue` seal the personal values of cases that belong to a dataset (case
/// data, event fields in the history, changes, task titles that may quote them, `for_each`
/// items, kept events); on the way out, every read opens them again. The core, the engine and
/// both stores stay as they are, and a store without datasets passes through unchanged.
public final class SealedStore: CaseStore {
    public let base: any CaseStore
    public let keys: KeyFolder
    /// The deployed definitions, loaded once (an engine on this store shares them).
    public let definitions = DefinitionCache()
    /// The dataset of cases seen (nil: none), so that a write need not read its case again.
    private let datasetOfCase = Mutex<[String: String?]>([:])
    private let personal = Mutex<[String: PersonalFields]>([:])
    private let purged = Mutex<Set<String>>([])
    private let derived = Mutex<[String: SealedValue.Keys]>([:])
    /// The tokens of the case data last opened, with their plain values: a write that leaves a
    /// value unchanged stores the same token again instead of encrypting it anew.
    private let openedData = Mutex<[String: Opened]>([:])
    /// Values already decrypted or sealed here, by token: a case read again, or a value read
    /// back after this process sealed it, is not decrypted.
    private let plainOf = Mutex<[String: Value]>([:])

    public init(base: any CaseStore, keys: KeyFolder) {
        self.base = base
        self.keys = keys
    }

    /// The personal fields of a workflow version: its `pii` case fields and the `pii` fields
    /// of its events and task forms, by name.
    struct PersonalFields {
        var byName: [String: FieldDefinition] = [:]
        /// The kinds of task whose titles can quote no personal value: every title of that kind
        /// reads only case fields that are not `pii` (and literals, tables, dates), so it is
        /// stored as it is. A title that reads an event's field, an item or an unknown name is
        /// sealed.
        var plainTitles: Set<String> = []
        var isEmpty: Bool { byName.isEmpty }
        func contains(_ name: String) -> Bool { byName[name] != nil }

        init() {}

        init(_ definition: WorkflowDefinition) {
            let tasks = definition.states.flatMap(\.tasks)
            for task in tasks { for f in task.form where f.pii { byName[f.name] = f } }
            for event in definition.events.values { for f in event.fields where f.pii { byName[f.name] = f } }
            for f in definition.fields where f.pii { byName[f.name] = f }
            let plainFields = Set(definition.fields.filter { !$0.pii }.map(\.name))
            let quoting = tasks.filter { $0.title.readsEventField || !$0.title.fieldReferences.isSubset(of: plainFields) }
            plainTitles = Set(tasks.map(\.kind)).subtracting(quoting.map(\.kind))
        }
    }

    func personalFields(_ workflow: String, _ version: Int) async throws -> PersonalFields {
        let key = "\(workflow)@\(version)"
        if let known = personal.withLock({ $0[key] }) { return known }
        var versions = try await definitions.workflowVersions(store: base)
        if !versions.contains(where: { $0.name == workflow && $0.version == version }) {
            await definitions.invalidate()
            versions = try await definitions.workflowVersions(store: base)
        }
        var fields = PersonalFields()
        if let v = versions.first(where: { $0.name == workflow && $0.version == version }),
           let definition = try await definitions.bundle(v.bundle, store: base).workflows[workflow] {
            fields = PersonalFields(definition)
        }
        personal.withLock { $0[key] = fields }
        return fields
    }

    /// The keys of `dataset`, or nil when it was purged (its values are then written erased).
    func keys(of dataset: String) async throws -> SealedValue.Keys? {
        if let known = derived.withLock({ $0[dataset] }) { return known }
        if let master = try keys.key(dataset) {
            let keys = SealedValue.Keys(master)
            derived.withLock { $0[dataset] = keys }
            return keys
        }
        if purged.withLock({ $0.contains(dataset) }) { return nil }
        if let record = try await DatasetRecord.read(dataset, from: base), record.purgedAt != nil {
            purged.withLock { _ = $0.insert(dataset) }
            return nil
        }
        throw EngineError(.refused, "the key of dataset \(dataset) is not in \(keys.path); give the ward's key folder with --keys or KAKARI_KEYS")
    }

    /// Destroys the key of `dataset` (`KeyFolder.destroy`) and forgets what was derived from it.
    @discardableResult
    public func destroyKey(_ dataset: String) throws -> Bool {
        derived.withLock { $0[dataset] = nil }
        openedData.withLock { $0.removeAll() }
        plainOf.withLock { $0.removeAll() }
        return try keys.destroy(dataset)
    }

    func remember(_ id: String, dataset: String?) {
        datasetOfCase.withLock { known in
            if known.count > 200_000 { known.removeAll(keepingCapacity: true) }
            known[id] = .some(dataset)
        }
    }

    func knownDataset(_ id: String) -> String?? { datasetOfCase.withLock { $0[id] } }

    // MARK: Reading

    /// The dataset a stored snapshot's values name.
    static func dataset(of snapshot: CaseSnapshot) -> String? {
        for value in snapshot.data.values where SealedValue.isToken(value) {
            if let token = SealedValue.token(value) { return token.dataset }
        }
        return nil
    }

    func open(_ value: Value, field: FieldDefinition?) async throws -> Value {
        guard SealedValue.isToken(value), case .string(let text) = value else { return value }
        // Looked up before the token is taken apart: a case read again costs one lookup a value.
        if let known = plainOf.withLock({ $0[text] }) { return known }
        guard let token = SealedValue.token(value) else { return value }
        if token.erased { return SealedValue.placeholder(for: field) }
        guard let keys = try await keys(of: token.dataset) else { return SealedValue.placeholder(for: field) }
        let plain = try SealedValue.open(token, keys: keys)
        remember(plain, token: text)
        return plain
    }

    /// Remembers the plain value of a token this process opened or sealed.
    private func remember(_ plain: Value, token: String) {
        plainOf.withLock { cache in
            if cache.count > 300_000 { cache.removeAll(keepingCapacity: true) }
            cache[token] = plain
        }
    }

    func open(_ values: [String: Value], fields: PersonalFields) async throws -> [String: Value] {
        var out = values
        for (name, value) in values where SealedValue.isToken(value) { out[name] = try await open(value, field: fields.byName[name]) }
        return out
    }

    func open(_ text: String) async throws -> String {
        guard text.hasPrefix("kakari:") else { return text }
        if case .string(let s) = try await open(.string(text), field: nil) { return s }
        return "(消去済み)"
    }

    func open(_ record: CaseRecord) async throws -> CaseRecord {
        var record = record
        let id = record.snapshot.id
        let sealed = record.snapshot.data
        // A case read again with the very tokens opened last time (a worklist's households, read
        // each day) takes the plain values from then: one lookup for the case, not one a value.
        if let earlier = openedData.withLock({ $0[id] }), let plain = Self.reopened(sealed, from: earlier) {
            record.dataset = earlier.dataset
            record.snapshot.data = plain
            remember(id, dataset: earlier.dataset)
            return try await openRest(record)
        }
        let dataset = Self.dataset(of: record.snapshot)
        remember(id, dataset: dataset)
        guard let dataset else { return record }
        record.dataset = dataset
        let fields = try await personalFields(record.snapshot.workflow, record.snapshot.version)
        record.snapshot.data = try await open(sealed, fields: fields)
        var opened = Opened(dataset: dataset)
        for (name, token) in sealed where SealedValue.isToken(token) { opened.values[name] = (record.snapshot.data[name] ?? .null, token) }
        openedData.withLock { cache in
            if cache.count > 50_000 { cache.removeAll(keepingCapacity: true) }
            cache[id] = opened
        }
        return try await openRest(record)
    }

    /// The tokens of a case's data last opened here, with their plain values and their dataset.
    struct Opened {
        var dataset: String
        var values: [String: (plain: Value, token: Value)] = [:]
    }

    /// `sealed` with its tokens replaced by the plain values opened before, when it holds
    /// exactly the tokens `earlier` holds (nil otherwise: something was sealed anew or erased).
    static func reopened(_ sealed: [String: Value], from earlier: Opened) -> [String: Value]? {
        guard !earlier.values.isEmpty else { return nil }
        var plain = sealed
        var matched = 0
        for (name, value) in sealed where SealedValue.isToken(value) {
            guard let known = earlier.values[name], known.token == value else { return nil }
            plain[name] = known.plain
            matched += 1
        }
        return matched == earlier.values.count ? plain : nil
    }

    /// A record's pending events and `for_each` items, opened (its data is open already).
    private func openRest(_ record: CaseRecord) async throws -> CaseRecord {
        var record = record
        if let pending = record.snapshot.pending {
            let fields = try await personalFields(record.snapshot.workflow, record.snapshot.version)
            var out: [CaseSnapshot.PendingEvent] = []
            for p in pending { out.append(.init(name: p.name, fields: try await open(p.fields, fields: fields))) }
            record.snapshot.pending = out
        }
        for i in record.snapshot.openTasks.indices {
            if let item = record.snapshot.openTasks[i].item { record.snapshot.openTasks[i].item = try await open(item) }
        }
        return record
    }

    func open(_ entry: HistoryEntry, fields: PersonalFields) async throws -> HistoryEntry {
        var entry = entry
        switch entry.payload {
        case .start(let data, let parent)?: entry.payload = .start(data: try await open(data, fields: fields), parent: parent)
        case .signal(let name, let values, let task)?: entry.payload = .signal(name: name, fields: try await open(values, fields: fields), task: task)
        default: break
        }
        if entry.detail.contains("kakari:"), var detail = try? StoreJSON.decode(HistoryDetail.self, entry.detail) {
            for i in detail.changes.indices {
                detail.changes[i].old = try await open(detail.changes[i].old, field: fields.byName[detail.changes[i].field])
                detail.changes[i].new = try await open(detail.changes[i].new, field: fields.byName[detail.changes[i].field])
            }
            entry.detail = detail.json
        }
        return entry
    }

    func open(_ task: TaskRecord) async throws -> TaskRecord {
        var task = task
        task.dataset = SealedValue.token(.string(task.title))?.dataset
        task.title = try await open(task.title)
        return task
    }

    func open(_ event: QueuedEvent) async throws -> QueuedEvent {
        guard event.fields.values.contains(where: SealedValue.isToken) else { return event }
        var event = event
        for (name, value) in event.fields { event.fields[name] = try await open(value, field: nil) }
        return event
    }

    // MARK: Writing

    /// The dataset a write's case belongs to: a new case's from its start (`cases import
    /// --dataset`) or its parent's; an existing case's from what it holds.
    func dataset(of write: CaseWrite, earlier: [String: String?]) async throws -> String? {
        let id = write.snapshot.id
        if let known = earlier[id] { return known }
        if write.expectedSequence == nil, let start = write.history.first(where: { $0.event == "start" }) {
            // Only an import's start names a dataset, in its detail (read in place, not decoded).
            if let dataset = JSONReader.string("dataset", inObject: start.detail) { return dataset }
            if case .start(_, let parent?)? = start.payload { return try await dataset(ofCase: parent, earlier: earlier) }
            return nil
        }
        return try await dataset(ofCase: id, earlier: earlier)
    }

    func dataset(ofCase id: String, earlier: [String: String?]) async throws -> String? {
        if let known = earlier[id] { return known }
        if let known = knownDataset(id) { return known }
        guard let record = try await base.caseRecord(id) else { return nil }
        let dataset = Self.dataset(of: record.snapshot)
        remember(id, dataset: dataset)
        return dataset
    }

    func seal(_ value: Value, dataset: String, keys: SealedValue.Keys?) throws -> Value {
        if value == .null || SealedValue.isToken(value) { return value }
        guard let keys else { return SealedValue.erased(dataset) }
        let sealed = try SealedValue.seal(value, dataset: dataset, keys: keys)
        if case .string(let token) = sealed { remember(value, token: token) }
        return sealed
    }

    func seal(_ values: [String: Value], fields: PersonalFields, dataset: String, keys: SealedValue.Keys?) throws -> [String: Value] {
        var out = values
        for (name, value) in values where fields.contains(name) { out[name] = try seal(value, dataset: dataset, keys: keys) }
        return out
    }

    /// A task title or `for_each` item: sealed without a blind index.
    func sealText(_ text: String, dataset: String, keys: SealedValue.Keys?) throws -> String {
        if SealedValue.isToken(.string(text)) { return text }
        guard let keys else { return SealedValue.erasedPrefix + dataset }
        if case .string(let s) = try SealedValue.seal(.string(text), dataset: dataset, keys: keys, indexed: false) {
            remember(.string(text), token: s)
            return s
        }
        return text
    }

    /// The field names of the changes in a history detail (`"field":"NAME"`, as `JSONWriter`
    /// writes them), found in one pass over its bytes: most details change no personal field and
    /// need not be decoded.
    static func changedFields(in detail: String) -> [String] {
        let pattern = Array("\"field\":\"".utf8)
        var names: [String] = []
        let bytes = Array(detail.utf8)
        var i = 0
        while i + pattern.count <= bytes.count {
            if bytes[i] == pattern[0], bytes[i..<(i + pattern.count)].elementsEqual(pattern) {
                let start = i + pattern.count
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
                names.append(String(decoding: bytes[start..<end], as: UTF8.self))
                i = end
            } else {
                i += 1
            }
        }
        return names
    }

    func seal(_ write: CaseWrite, dataset: String) async throws -> CaseWrite {
        var write = write
        let keys = try await keys(of: dataset)
        let fields = try await personalFields(write.snapshot.workflow, write.snapshot.version)
        let plainSnapshot = write.snapshot.data
        let opened = keys == nil ? [:] : openedData.withLock { $0[write.snapshot.id]?.values } ?? [:]
        var data = write.snapshot.data
        for (name, value) in data where fields.contains(name) {
            if let known = opened[name], known.plain == value { data[name] = known.token } else { data[name] = try seal(value, dataset: dataset, keys: keys) }
        }
        write.snapshot.data = data
        if let pending = write.snapshot.pending {
            write.snapshot.pending = try pending.map { .init(name: $0.name, fields: try seal($0.fields, fields: fields, dataset: dataset, keys: keys)) }
        }
        for i in write.snapshot.openTasks.indices {
            if let item = write.snapshot.openTasks[i].item { write.snapshot.openTasks[i].item = try sealText(item, dataset: dataset, keys: keys) }
        }
        for i in write.history.indices {
            var entry = write.history[i]
            switch entry.payload {
            case .start(let data, let parent)?:
                // A start's data is the new snapshot's: the same tokens serve both.
                var sealed = try seal(data.filter { write.snapshot.data[$0.key] == nil }, fields: fields, dataset: dataset, keys: keys)
                for (name, value) in data where sealed[name] == nil {
                    sealed[name] = plainSnapshot[name] == value ? write.snapshot.data[name] : try seal(value, dataset: dataset, keys: keys)
                }
                entry.payload = .start(data: sealed, parent: parent)
            case .signal(let name, let values, let task)?:
                entry.payload = .signal(name: name, fields: try seal(values, fields: fields, dataset: dataset, keys: keys), task: task)
            default: break
            }
            // Decoded only when a personal field changed (its name appears as a change's field).
            if Self.changedFields(in: entry.detail).contains(where: { fields.contains($0) }),
               var detail = try? StoreJSON.decode(HistoryDetail.self, entry.detail),
               detail.changes.contains(where: { fields.contains($0.field) }) {
                for j in detail.changes.indices where fields.contains(detail.changes[j].field) {
                    detail.changes[j].old = try seal(detail.changes[j].old, dataset: dataset, keys: keys)
                    detail.changes[j].new = try seal(detail.changes[j].new, dataset: dataset, keys: keys)
                }
                entry.detail = detail.json
            }
            write.history[i] = entry
        }
        // A title may quote a personal field (`納付相談 {name}`): such titles are sealed, those
        // that can quote none (`{town} 訪問 1 回目`) are not.
        for i in write.openTasks.indices where !fields.plainTitles.contains(write.openTasks[i].kind) {
            write.openTasks[i].title = try sealText(write.openTasks[i].title, dataset: dataset, keys: keys)
        }
        return write
    }
}
