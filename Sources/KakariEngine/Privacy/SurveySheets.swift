import Crypto
import Foundation
import KakariCore
import KakariStore

/// One survey sheet (調査票): a sheet number, the sheet's heading and fields, and what earlier
/// visits recorded on it. Nothing on it names the household or the survey's subject.
public struct SurveySheet: Sendable {
    public var number: String
    public var title: String
    /// Which visit this sheet is taken on (earlier ones are listed).
    public var visit: Int
    public var fields: [FieldDefinition]
    /// Earlier completions of the task: when, and the sheet fields' values.
    public var earlier: [(at: Date, values: [String: Value])]
}

/// One line of the ledger (台帳): the sheet number with who and where (the task's `sees`
/// fields), the task and its due date. The ledger joins the sheets to the households.
public struct LedgerLine: Sendable {
    public var number: String
    public var task: TaskRecord
    public var fields: [(field: FieldDefinition, value: Value)]
}

/// The two documents of a survey round, for the tasks one person may see.
public struct SurveyDocuments: Sendable {
    /// Ordered by town and address, for planning rounds.
    public var ledger: [LedgerLine]
    /// Ordered by sheet number, so that their order does not follow the ledger's.
    public var sheets: [SurveySheet]
}

extension Engine {
    /// The ledger and survey sheets of the open tasks with a `sheet:` that `user` may see
    /// (a contractor's own, a section's, or every one for leads), optionally one `section` or
    /// `kind`. Sheet numbers are a keyed hash of the case id: the dataset's key for a case in a
    /// dataset (a purge unlinks them), else a secret of the store. Exporting the ledger is a
    /// reading of its personal fields and audited per case; the sheets hold none.
    public func surveyDocuments(section: String? = nil, kind: String? = nil, by user: String) async throws -> SurveyDocuments {
        let filter = TaskFilter(section: section, statuses: [.open, .claimed])
        let tasks = try await visibleTasks(filter, by: user).filter { kind == nil || $0.kind == kind }
        var ledger: [LedgerLine] = []
        var sheets: [SurveySheet] = []
        var sheetKinds = 0
        var storeKey: SymmetricKey?
        var records: [String: CaseRecord] = [:]
        for (id, record) in try await store.caseRecords(Array(Set(tasks.map(\.caseID)))) { records[id] = record }
        for task in tasks {
            guard let record = records[task.caseID] else { continue }
            let definition = try await decider(record.snapshot.workflow, record.snapshot.version).definition
            guard let taskKind = definition.taskKinds[task.kind], let sheet = taskKind.sheet else { continue }
            sheetKinds += 1
            let number = try await sheetNumber(record, storeKey: &storeKey)
            let withheld = try await withheldFields(of: record.dataset, in: definition) ?? []
            let seen = taskKind.sees.filter { !withheld.contains($0) }.compactMap { name in
                definition.field(name).map { (field: $0, value: record.snapshot.data[name] ?? .null) }
            }
            ledger.append(LedgerLine(number: number, task: task, fields: seen))
            let fields = sheet.fields.compactMap { name in taskKind.form.first { $0.name == name } }
            let earlier = try await earlierEntries(of: task.kind, caseID: task.caseID, fields: Set(sheet.fields))
            sheets.append(SurveySheet(number: number, title: sheet.title, visit: earlier.count + 1, fields: fields, earlier: earlier))
        }
        guard sheetKinds > 0 || tasks.isEmpty else {
            throw EngineError(.refused, "none of these tasks has a survey sheet; a workflow gives one with sheet: on the task")
        }
        let at = Self.auditTime()
        var audit = ledger.map { line in
            AuditEntry(at: at, user: user, command: command, action: .read, caseID: line.task.caseID,
                       fields: line.fields.map(\.field).filter(\.pii).map(\.name).sorted(), detail: "ledger of survey sheets, task \(line.task.id)")
        }.filter { !$0.fields.isEmpty }
        audit.append(AuditEntry(at: at, user: user, command: command, action: .read, detail: "survey documents: \(ledger.count) ledger lines, \(sheets.count) sheets"))
        try await store.appendAudit(audit)
        func place(_ line: LedgerLine) -> String {
            line.fields.filter { ["town", "address"].contains($0.field.name) }.map(\.value.description).joined(separator: " ")
        }
        return SurveyDocuments(ledger: ledger.sorted { (place($0), $0.number) < (place($1), $1.number) },
                               sheets: sheets.sorted { $0.number < $1.number })
    }

    /// The sheet number of a case: ten characters of a keyed hash of its id, `XXXXX-XXXXX`.
    /// `storeKey` keeps the store's secret once read, for the other cases of the export.
    func sheetNumber(_ record: CaseRecord, storeKey: inout SymmetricKey?) async throws -> String {
        let key: SymmetricKey
        if let dataset = record.dataset, let sealed = sealedStore, let keys = try await sealed.keys(of: dataset) {
            key = keys.sheet
        } else if let known = storeKey {
            key = known
        } else {
            key = try await storeSheetKey()
            storeKey = key
        }
        let mac = HMAC<SHA256>.authenticationCode(for: Data(record.snapshot.id.utf8), using: key)
        return Self.crockford(Array(Data(mac).prefix(7)), count: 10).enumerated()
            .map { $0.offset == 5 ? "-\($0.element)" : String($0.element) }.joined()
    }

    /// The store's own secret for numbering sheets of cases outside a dataset, made once.
    func storeSheetKey() async throws -> SymmetricKey {
        if let hex = try await store.setting("sheet.secret"), let data = Data(hexString: hex) { return SymmetricKey(data: data) }
        let key = SymmetricKey(size: .bits256)
        try await store.setSetting("sheet.secret", key.withUnsafeBytes { SealedValue.hex($0) })
        return key
    }

    /// Base32 (Crockford: no I, L, O, U) of `bytes`, `count` characters.
    static func crockford(_ bytes: [UInt8], count: Int) -> [Character] {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var bits = 0, value = 0
        var out: [Character] = []
        for b in bytes {
            value = (value << 8) | Int(b)
            bits += 8
            while bits >= 5, out.count < count {
                out.append(alphabet[(value >> (bits - 5)) & 31])
                bits -= 5
            }
            value &= (1 << bits) - 1
        }
        return out
    }

    /// What earlier completions of tasks of `kind` in the case recorded, oldest first.
    func earlierEntries(of kind: String, caseID: String, fields: Set<String>) async throws -> [(at: Date, values: [String: Value])] {
        let kinds = Dictionary(try await store.tasks(TaskFilter(statuses: Set(TaskRecord.Status.allCases), caseID: caseID)).map { ($0.key, $0.kind) },
                               uniquingKeysWith: { a, _ in a })
        return try await store.history(caseID).compactMap { entry in
            guard case .signal(_, let values, let key?)? = entry.payload, kinds[key] == kind else { return nil }
            return (at: entry.at, values: values.filter { fields.contains($0.key) })
        }
    }
}

extension Data {
    init?(hexString: String) {
        var bytes: [UInt8] = []
        var chars = hexString.makeIterator()
        while let a = chars.next(), let b = chars.next() {
            guard let byte = UInt8(String([a, b]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(bytes)
    }
}
