import Crypto
import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// The sealing layer the store is opened with, if any.
    public var sealedStore: SealedStore? { store as? SealedStore }

    /// The store itself, beneath the sealing layer when there is one (what is really written).
    public var underlyingStore: any CaseStore { sealedStore?.base ?? store }

    /// Every dataset of the store, oldest first.
    public func datasets() async throws -> [DatasetRecord] {
        try await DatasetRecord.all(from: store)
    }

    /// The ward's today, by the store's clock and the deployed calendar.
    func today() async throws -> Day {
        let now = try await self.now()
        guard let calendar = try await currentBundle()?.calendar else { return Day(now, in: TimeZone(identifier: "Asia/Tokyo")!) }
        return calendar.day(of: now)
    }

    /// Checks that rows may be imported into dataset `name` and makes its key when it is new.
    /// Returns the settings to commit with the import (a new dataset's record), so that the
    /// dataset exists exactly when its first cases do.
    func prepareDataset(_ name: String, purpose: String?, until: Day?, by user: String, at now: Date) async throws -> [String: String] {
        guard SealedValue.isValidDataset(name) else {
            throw EngineError(.refused, "a dataset name is letters, digits, '-' and '_' (at most 64); '\(name)' is not")
        }
        guard let sealed = sealedStore else {
            throw EngineError(.refused, "this store was opened without a key folder, so dataset \(name)'s personal fields cannot be sealed")
        }
        let today = try await self.today()
        let all = try await DatasetRecord.all(from: store)
        if let existing = all.first(where: { $0.name == name }) {
            if existing.purgedAt != nil {
                throw EngineError(.refused, "dataset \(name) was purged; import the rows under a new dataset name")
            }
            if let purpose, purpose != existing.purpose {
                throw EngineError(.refused, "dataset \(name) is for '\(existing.purpose)'; rows for another purpose need a new dataset")
            }
            if let until, until.description != existing.until {
                throw EngineError(.refused, "dataset \(name) ends on \(existing.until); its end date is set when it is made")
            }
            if existing.hasEnded(on: today) {
                throw EngineError(.refused, "dataset \(name) ended on \(existing.until); purge it with 'kakari purge --dataset \(name)'")
            }
            guard try sealed.keys.key(name) != nil else {
                throw EngineError(.refused, "the key of dataset \(name) is not in \(sealed.keys.path); give the ward's key folder with --keys or KAKARI_KEYS")
            }
            return [:]
        }
        guard let purpose, !purpose.trimmingWhitespace().isEmpty, let until else {
            throw EngineError(.refused, "dataset \(name) is new: give its purpose with --purpose TEXT and the last day its personal data may be used with --until YYYY-MM-DD")
        }
        guard until >= today else { throw EngineError(.refused, "--until \(until) is already past (today is \(today))") }
        try sealed.keys.create(name)
        let record = DatasetRecord(name: name, purpose: purpose, until: until, createdAt: now, createdBy: user)
        return [DatasetRecord.settingKey: DatasetRecord.setting(with: record, in: all)]
    }

    /// The datasets whose purpose has ended and that are not purged yet, by name.
    public func endedDatasets() async throws -> [String: DatasetRecord] {
        let today = try await self.today()
        return Dictionary(uniqueKeysWithValues: try await datasets().filter { $0.purgedAt == nil && $0.hasEnded(on: today) }.map { ($0.name, $0) })
    }

    /// One sentence per dataset whose purpose has ended and that is not purged yet, naming
    /// its owner: what the daemon logs as a reminder.
    public func datasetReminders() async throws -> [String] {
        try await endedDatasets().values.sorted { $0.name < $1.name }.map {
            "dataset \($0.name) (\($0.purpose)) ended on \($0.until): its personal fields are withheld; \($0.createdBy), erase it with 'kakari purge --dataset \($0.name)'"
        }
    }

    /// The personal fields kept from every reader of a case whose dataset's purpose has ended.
    func withheldFields(of dataset: String?, in definition: WorkflowDefinition) async throws -> Set<String>? {
        guard let dataset, try await endedDatasets()[dataset] != nil else { return nil }
        return Set(definition.fields.filter(\.pii).map(\.name))
    }

    /// `kakari purge --dataset NAME`: overwrites every sealed value of the dataset in the store
    /// (cases, history, task titles, queued events), destroys its key, marks it purged, and
    /// returns the erasure certificate. States, dates, counts and every other field stay, so
    /// statistics and `verify` still work. Leads and admins only.
    public func purge(dataset name: String, by user: String) async throws -> ErasureCertificate {
        try await requireSupervisor(user, to: "purge a dataset")
        guard let sealed = sealedStore else {
            throw EngineError(.refused, "this store was opened without a key folder; give it with --keys or KAKARI_KEYS")
        }
        let all = try await DatasetRecord.all(from: store)
        guard var record = all.first(where: { $0.name == name }) else {
            let hint = NameSuggestion.hint(for: name, in: all.map(\.name)).map { "; \($0)" } ?? ""
            throw EngineError(.refused, "there is no dataset \(name)\(hint)")
        }
        if let at = record.purgedAt {
            throw EngineError(.refused, "dataset \(name) was already purged (\(ISO8601DateFormatter().string(from: at)) by \(record.purgedBy ?? "?"))")
        }
        let now = try await self.now()
        let at = Self.auditTime()
        let detail = "purge of dataset \(name) (\(record.purpose); until \(record.until)): personal values overwritten, key destroyed"
        let entry = AuditEntry(at: at, user: user, command: command, action: .admin, detail: detail)
        let count = try await store.erase(containing: SealedValue.sealedPrefix + name + ":",
                                          rewrite: { SealedValue.eraseTokens(of: name, in: $0) }, audit: [entry])
        let destroyed = try sealed.destroyKey(name)
        record.purgedAt = now
        record.purgedBy = user
        try await store.setSetting(DatasetRecord.settingKey, DatasetRecord.setting(with: record, in: try await DatasetRecord.all(from: store)))
        let stored = try await store.audit(AuditFilter(user: user)).last { $0.detail == detail }
        var certificate = ErasureCertificate(
            dataset: name, purpose: record.purpose, until: record.until, cases: count.cases, historyEntries: count.historyEntries,
            tasks: count.tasks, queuedEvents: count.queuedEvents, keyDestroyed: destroyed, keyFile: sealed.keys.file(of: name),
            erasedAt: ISO8601DateFormatter().string(from: at), by: user, auditEntry: stored?.seq ?? 0, auditHash: stored?.hash ?? "")
        certificate.seal()
        try await store.appendAudit([AuditEntry(at: Self.auditTime(), user: user, command: command, action: .admin,
                                                detail: "erasure certificate of dataset \(name): sha256 \(certificate.sha256)")])
        return certificate
    }
}

/// What `kakari purge` leaves as proof: what was erased, how many records, when, by whom, and
/// the audit entry (number and hash) that records it; its own SHA-256 is appended to the
/// audit log too, so neither can be changed without the other showing it.
public struct ErasureCertificate: Hashable, Sendable, Codable {
    public var dataset: String
    public var purpose: String
    public var until: String
    public var cases: Int
    public var historyEntries: Int
    public var tasks: Int
    public var queuedEvents: Int
    public var keyDestroyed: Bool
    public var keyFile: String
    /// When, in ISO 8601 (UTC).
    public var erasedAt: String
    public var by: String
    public var auditEntry: Int64
    public var auditHash: String
    /// SHA-256 of the certificate's other fields (its JSON with this one empty).
    public var sha256 = ""

    /// The certificate as written to its file: indented JSON, keys sorted.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// Sets `sha256` from the other fields, in StoreJSON's canonical form.
    mutating func seal() {
        sha256 = ""
        sha256 = SealedValue.hex(SHA256.hash(data: Data(StoreJSON.encode(self).utf8)))
    }

    /// Whether the recorded hash matches the fields.
    public var isIntact: Bool {
        var copy = self
        copy.seal()
        return copy.sha256 == sha256
    }
}
