import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// Personal data with a purpose and an end (`cases import --dataset --purpose --until`,
/// `kakari purge`): sealed at rest with the dataset's key, found through a blind index,
/// withheld after the end date, erased for good by a purge. On SQLite and PostgreSQL.
@Suite("Sealed personal data, datasets and purge")
struct PersonalDataSealingTests {
    /// Names and addresses no other test uses, so that finding them in the raw store means a leak.
    static let households = [
        ("S1", "封緘　一郎", "フウカン　イチロウ", "練馬区封緘町1丁目1番1号", "練馬"),
        ("S2", "封緘　二葉", "フウカン　フタバ", "練馬区封緘町2丁目2番2号", "練馬"),
        ("S3", "秘匿　三郎", "ヒトク　サブロウ", "練馬区秘匿台3丁目3番3号", "石神井町"),
    ]
    static let secrets = ["封緘　一郎", "封緘　二葉", "秘匿　三郎", "フウカン", "封緘町", "秘匿台"]
    static let purpose = "封緘試験の実態調査"

    func importSealed(_ s: TemporaryStore, dataset: String = "survey-test", purpose: String? = Self.purpose,
                      until: Day? = Day(year: 2026, month: 3, day: 31), prefix: String = "", extra: [String] = [],
                      chunk: Int = Engine.importChunk) async throws -> Int {
        let lines = Self.households.map { "\(prefix)\($0.0),\($0.1),\($0.2),\($0.3),\($0.4),1980,男,\($0.1),false,false" }
        let file = s.folder + "/sealed-\(UUID().uuidString).csv"
        try ([TemporaryStore.header] + lines + extra).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        return try await s.engine.importCases(workflow: "household-visit", file: file, dataset: dataset, purpose: purpose, until: until,
                                              by: "yamada", chunk: chunk)
    }

    /// A household taken to the payment counselling task, whose title quotes the name.
    func counselling(_ s: TemporaryStore, _ id: String) async throws -> TaskRecord {
        _ = try await s.engine.send(caseID: id, event: "assign", fields: [:], key: nil, by: "yamada")
        try await s.visit(id, "面接", outcome: "納付相談希望")
        try await s.complete(id, "triage", ["referral": "納付相談"], by: "nakamura")
        return try await s.openTask(id, kind: "counselling")
    }

    @Test("a dataset's personal fields are stored sealed and read back in plain; the raw store holds no name")
    func sealedAtRest() async throws {
        try await withStore { s in
            #expect(try await importSealed(s) == 3)
            let task = try await counselling(s, "S1")
            #expect(task.title == "納付相談 封緘　一郎 (練馬)")
            // What is really stored: tokens naming the dataset, no plain value.
            let raw = try #require(try await s.raw.caseRecord("S1"))
            guard case .string(let stored)? = raw.snapshot.data["name"] else { Issue.record("no name stored"); return }
            #expect(stored.hasPrefix("kakari:sealed:1:survey-test:"))
            #expect(raw.snapshot.data["town"] == .string("練馬"))
            #expect(raw.snapshot.data["birth_year"].map { "\($0)" }?.hasPrefix("kakari:sealed:1:") == true)
            let rawTask = try #require(try await s.raw.task(task.id))
            #expect(rawTask.title.hasPrefix("kakari:sealed:1:survey-test:"))
            let rawStart = try #require(try await s.raw.history("S1").first)
            if case .start(let data, _)? = rawStart.payload { #expect(data["name"] != .string("封緘　一郎")) }
            // Through the engine, everything reads as it was imported.
            let view = try await s.engine.readCase("S1", by: "yamada")
            #expect(view.record.snapshot.data["name"] == .string("封緘　一郎"))
            #expect(view.record.snapshot.data["members"] == .list(["封緘　一郎"]))
            #expect(view.record.dataset == "survey-test")
            let history = try await s.engine.store.history("S1")
            if case .start(let data, _)? = history.first?.payload { #expect(data["address"] == .string("練馬区封緘町1丁目1番1号")) }
            try await s.expectVerifies()
            // The raw search finds what is stored in plain (the purpose), and no personal value.
            let found = try await RawSearch.find(Self.secrets + [Self.purpose], in: s.location)
            #expect(found[Self.purpose] != nil, "the search must see plain text to mean anything")
            #expect(Self.secrets.allSatisfy { found[$0] == nil }, "found in the raw store: \(found)")
            // The key lives in the key folder, outside the store.
            #expect(FileManager.default.fileExists(atPath: s.folder + "/keys/survey-test.key"))
        }
    }

    @Test("a task title that can quote no personal field is stored as it is; one that quotes a name is sealed")
    func plainTitles() async throws {
        try await withStore { s in
            _ = try await importSealed(s)
            let counselling = try await counselling(s, "S1")
            _ = try await s.engine.send(caseID: "S2", event: "assign", fields: [:], key: nil, by: "yamada")
            let visit = try await s.openTask("S2", kind: "visit")
            // `{town} 訪問 {visits + 1} 回目` reads no `pii` field; `納付相談 {name} ({town})` does.
            #expect(try #require(try await s.raw.task(visit.id)).title == "練馬 訪問 1 回目")
            #expect(try #require(try await s.raw.task(counselling.id)).title.hasPrefix("kakari:sealed:1:survey-test:"))
            #expect(try await s.engine.task(counselling.id).title == "納付相談 封緘　一郎 (練馬)")
        }
    }

    @Test("a write that leaves a personal value unchanged stores the same token: nothing is encrypted anew")
    func unchangedTokens() async throws {
        try await withStore { s in
            _ = try await importSealed(s)
            let before = try #require(try await s.raw.caseRecord("S1")).snapshot.data
            _ = try await s.engine.send(caseID: "S1", event: "assign", fields: [:], key: nil, by: "yamada")
            try await s.visit("S1", "不在")
            let after = try #require(try await s.raw.caseRecord("S1")).snapshot.data
            for name in ["name", "kana", "address", "birth_year", "sex", "members"] {
                #expect(after[name] == before[name], "\(name) was encrypted anew")
            }
            #expect(after["visits"] == .int(1))
        }
    }

    @Test("a case read again opens from the values opened before only while it holds the same tokens")
    func reopened() async throws {
        try await withStore { s in
            _ = try await importSealed(s)
            for _ in 1...2 { #expect(try await s.engine.store.caseRecord("S1")?.snapshot.data["name"] == .string("封緘　一郎")) }
            // Another writer leaves S2's sealed name in S1, as a process that changed the name
            // would: the next read opens the token now stored, not the one opened before.
            var changed = try #require(try await s.raw.caseRecord("S1")).snapshot
            changed.data["name"] = try #require(try await s.raw.caseRecord("S2")).snapshot.data["name"]
            changed.sequence += 1
            var batch = CommitBatch()
            batch.cases = [CaseWrite(snapshot: changed, expectedSequence: changed.sequence - 1, history: [], at: Date())]
            try await s.raw.commit(batch)
            let read = try #require(try await s.engine.store.caseRecord("S1"))
            #expect(read.snapshot.data["name"] == .string("封緘　二葉"))
            #expect(read.snapshot.data["address"] == .string("練馬区封緘町1丁目1番1号") && read.dataset == "survey-test")
        }
    }

    @Test("the duty desk finds a sealed household through the blind index, whatever the width of its spaces")
    func blindIndex() async throws {
        try await withStore { s in
            _ = try await importSealed(s)
            let found = try await s.engine.findHousehold(name: "封緘 一郎", address: "封緘町１丁目", by: "mori")
            #expect(found == [HouseholdMatch(name: "封緘　一郎", address: "練馬区封緘町1丁目1番1号")])
            #expect(try await s.engine.findHousehold(name: "封緘　三郎", address: nil, by: "mori").isEmpty)
            #expect(try await s.engine.findHousehold(name: "秘匿三郎", address: nil, by: "mori").map(\.name) == ["秘匿　三郎"])
        }
    }

    @Test("an import written in several chunks seals every case; a bad last row leaves nothing, not even the new dataset or its key")
    func chunkedImport() async throws {
        try await withStore { s in
            let before = try await s.digest()
            await #expect(throws: ImportError.self) {
                try await importSealed(s, extra: ["S4,秘匿　四郎,ヒトク　シロウ,練馬区秘匿台4丁目,練馬,千九百八十年,男,秘匿　四郎,false,false"], chunk: 1)
            }
            #expect(try await s.digest() == before)
            #expect(try await s.engine.datasets().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: s.folder + "/keys/survey-test.key"))
            #expect(try await importSealed(s, chunk: 2) == 3)
            #expect(try await s.engine.datasets().map(\.name) == ["survey-test"])
            for id in ["S1", "S2", "S3"] {
                let raw = try #require(try await s.raw.caseRecord(id))
                guard case .string(let stored)? = raw.snapshot.data["name"] else { Issue.record("no name stored for \(id)"); continue }
                #expect(stored.hasPrefix("kakari:sealed:1:survey-test:"), "\(id) is sealed")
                #expect(try await s.engine.readCase(id, by: "yamada").record.snapshot.data["name"] == .string(Self.households.first { $0.0 == id }!.1))
            }
            #expect(try await s.engine.verify().mismatches.isEmpty)
        }
    }

    @Test("a chunk large enough to be sealed in parts at once comes back whole: every case sealed, each with its own values")
    func sealedInParts() async throws {
        try await withStore { s in
            // Enough households for the machine's every core to seal a part of the one chunk.
            let count = SealedStore.casesPerSealingPart * max(2, ProcessInfo.processInfo.activeProcessorCount) + 7
            let extra = (1...count).map { "P\($0),封緘　\($0)号,フウカン,練馬区封緘町\($0)番,練馬,1980,男,封緘　\($0)号,false,false" }
            #expect(try await importSealed(s, extra: extra) == 3 + count)
            for n in [1, count / 2, count] {
                let raw = try #require(try await s.raw.caseRecord("P\(n)"))
                guard case .string(let stored)? = raw.snapshot.data["address"] else { Issue.record("no address stored for P\(n)"); continue }
                #expect(stored.hasPrefix("kakari:sealed:1:survey-test:"), "P\(n) is sealed")
                let plain = try await s.engine.readCase("P\(n)", by: "yamada").record.snapshot.data
                #expect(plain["address"] == .string("練馬区封緘町\(n)番"))
                #expect(plain["members"] == .list(["封緘　\(n)号"]))
            }
            #expect(try await s.engine.verify().mismatches.isEmpty)
        }
    }

    @Test("a new dataset needs a purpose and an end date not yet past; an existing one keeps its own; nothing is written when refused")
    func datasetRules() async throws {
        try await withStore { s in
            let before = try await s.digest()
            await #expect(throws: EngineError.self) { try await importSealed(s, purpose: nil) }
            await #expect(throws: EngineError.self) { try await importSealed(s, until: nil) }
            await #expect(throws: EngineError.self) { try await importSealed(s, until: Day(year: 2020, month: 1, day: 1)) }
            await #expect(throws: EngineError.self) { try await importSealed(s, dataset: "bad name!") }
            #expect(try await s.digest() == before)
            #expect(try await s.engine.datasets().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: s.folder + "/keys/survey-test.key"))
            #expect(try await importSealed(s, dataset: "survey-test", purpose: "別の目的") == 3)
            let made = try await s.engine.datasets()
            #expect(made.map(\.name) == ["survey-test"] && made.first?.purpose == "別の目的" && made.first?.until == "2026-03-31")
            let again = try await s.digest()
            do {
                _ = try await importSealed(s, dataset: "survey-test", purpose: "また別の目的", prefix: "X")
                Issue.record("another purpose must be refused")
            } catch let error as EngineError {
                #expect(error.message == "dataset survey-test is for '別の目的'; rows for another purpose need a new dataset")
            }
            #expect(try await s.digest() == again)
        }
    }

    @Test("after its end date a dataset's personal fields are withheld from every reader, and the daemon is reminded")
    func endDate() async throws {
        try await withStore(start: tokyo("2026-03-30T09:00:00+09:00")) { s in
            _ = try await importSealed(s)
            let task = try await counselling(s, "S1")
            #expect(try await s.engine.readCase("S1", by: "yamada").record.snapshot.data["name"] == .string("封緘　一郎"))
            #expect(try await s.engine.datasetReminders().isEmpty)
            _ = try await s.engine.advanceClock(to: tokyo("2026-04-01T09:00:00+09:00"), by: "yamada")
            let view = try await s.engine.readCase("S1", by: "yamada")
            #expect(view.record.snapshot.data["name"] == nil && view.record.snapshot.data["address"] == nil)
            #expect(view.record.snapshot.data["town"] == .string("練馬"))
            #expect(view.notice != nil)
            #expect(view.tasks.allSatisfy { !$0.title.contains("封緘") })
            let listed = try await s.engine.visibleTasks(TaskFilter(section: task.section), by: "yamada")
            #expect(!listed.isEmpty && listed.allSatisfy { !$0.title.contains("封緘") })
            #expect(try await s.engine.findHousehold(name: "封緘　一郎", address: nil, by: "mori").isEmpty)
            let reminders = try await s.engine.datasetReminders()
            #expect(reminders == ["dataset survey-test (\(Self.purpose)) ended on 2026-03-31: its personal fields are withheld; yamada, erase it with 'kakari purge --dataset survey-test'"])
            // The engine itself still runs the cases: a visit's timers and tasks go on.
            try await s.expectVerifies()
        }
    }

    @Test("purge overwrites every sealed value, destroys the key, keeps states and counts, and ties its certificate to the audit log")
    func purge() async throws {
        try await withStore { s in
            // A name of its own: on PostgreSQL the data files searched hold every test's schema.
            let dataset = "purge-" + UUID().uuidString.prefix(8).lowercased()
            _ = try await importSealed(s, dataset: dataset)
            let task = try await counselling(s, "S1")
            let states = try await ["S1", "S2", "S3"].asyncMap { try await s.state($0) }
            // Refused to staff, writing nothing but the refusal's audit entry.
            let before = try await s.digest()
            await #expect(throws: EngineError.self) { try await s.engine.purge(dataset: dataset, by: "nakamura") }
            await #expect(throws: EngineError.self) { try await s.engine.purge(dataset: "no-such-dataset", by: "yamada") }
            #expect(try await s.digest() == before)

            let certificate = try await s.engine.purge(dataset: dataset, by: "yamada")
            #expect(certificate.cases == 3 && certificate.keyDestroyed && certificate.by == "yamada")
            #expect(certificate.historyEntries >= 3 && certificate.tasks >= 1)
            #expect(certificate.isIntact)
            #expect(!FileManager.default.fileExists(atPath: s.folder + "/keys/\(dataset).key"))
            // Tied to the audit log: the entry it names holds its hash, the next one its own hash.
            let audit = try await s.engine.store.audit(AuditFilter(user: "yamada"))
            let entry = try #require(audit.first { $0.seq == certificate.auditEntry })
            #expect(entry.hash == certificate.auditHash && entry.detail.hasPrefix("purge of dataset \(dataset)"))
            #expect(audit.last?.detail == "erasure certificate of dataset \(dataset): sha256 \(certificate.sha256)")
            #expect(try await s.engine.verifyAudit().broken == nil)
            // States, counts, dates and the non-personal fields stay; the personal ones are gone.
            #expect(try await ["S1", "S2", "S3"].asyncMap { try await s.state($0) } == states)
            let after = try await s.engine.caseRecord("S1").snapshot
            #expect(after.data["town"] == .string("練馬") && after.data["name"] == .string("(消去済み)") && after.data["kana"] == .null)
            #expect(try await s.engine.task(task.id).title == "(消去済み)")
            try await s.expectVerifies()
            // Nothing of the dataset is left in the raw store, sealed or plain.
            let found = try await RawSearch.find(Self.secrets + ["kakari:sealed:1:\(dataset)", Self.purpose], in: s.location)
            #expect(found[Self.purpose] != nil, "the search must see plain text to mean anything")
            #expect(Self.secrets.allSatisfy { found[$0] == nil }, "found after the purge: \(found)")
            // PostgreSQL's write-ahead log keeps the old ciphertext until it recycles the segment;
            // with the key destroyed it is noise. Tables and data files hold none of it.
            #expect((found["kakari:sealed:1:\(dataset)"] ?? []).allSatisfy { $0.contains("/pg_wal/") }, "found after the purge: \(found)")
            // The cases still run: the counselling task is completed after the purge.
            try await s.complete("S1", "counselling", ["outcome": "分納誓約"], by: "suzuki")
            try await s.expectVerifies()
            await #expect(throws: EngineError.self) { try await s.engine.purge(dataset: dataset, by: "yamada") }
            do {
                _ = try await importSealed(s, dataset: dataset, prefix: "Y")
                Issue.record("a purged dataset takes no more rows")
            } catch let error as EngineError {
                #expect(error.message == "dataset \(dataset) was purged; import the rows under a new dataset name")
            }
            #expect(try await s.engine.datasets().first?.purgedAt != nil)
        }
    }

    @Test("without its key a dataset cannot be read, and the refusal names the key folder")
    func missingKey() async throws {
        try await withStore { s in
            _ = try await importSealed(s)
            try FileManager.default.removeItem(atPath: s.folder + "/keys/survey-test.key")
            let fresh = Engine(store: SealedStore(base: try await s.openAgain(), keys: KeyFolder(path: s.folder + "/keys")))
            do {
                _ = try await fresh.caseRecord("S1")
                Issue.record("reading without the key must be refused")
            } catch let error as EngineError {
                #expect(error.message == "the key of dataset survey-test is not in \(s.folder)/keys; give the ward's key folder with --keys or KAKARI_KEYS")
            }
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
