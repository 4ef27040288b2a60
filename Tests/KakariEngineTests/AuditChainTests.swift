import Foundation
import KakariCore
import KakariEngine
import KakariSQLite
import KakariStore
import KakariTesting
import Testing

/// The audit log: every write, refusal and reading of personal data leaves a chained entry,
/// and editing, deleting or reordering entries directly in the database (the SQLite file, or
/// the PostgreSQL schema) is found, at the first entry it touches.
@Suite("Audit chain")
struct AuditChainTests {
    /// A store with a few audited writes: an import of three households, an assignment,
    /// a visit, a claim.
    func busyStore(_ body: (TemporaryStore) async throws -> Void) async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬"), ("H2", "中村"), ("H3", "谷原")])
            _ = try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: nil, by: "yamada")
            try await s.visit("H1", "不在")
            try await s.engine.claim(try await s.openTask("H1", kind: "visit").id, by: "matsumoto")
            try await body(s)
        }
    }

    /// Runs SQL straight on the store's database, as someone with the sqlite3 tool (or psql)
    /// would; with `dropTriggers`, after removing the audit table's append-only triggers.
    func tamper(_ s: TemporaryStore, dropTriggers: Bool = false, _ statements: String...) async throws {
        let drops = ["audit_is_append_only_update", "audit_is_append_only_delete"].map { DirectSQL.dropTrigger($0, on: "audit", s.location) }
        try await DirectSQL.execute((dropTriggers ? drops : []) + statements, on: s.location)
    }

    @Test("an entry's hash is SHA-256 of the previous hash, a newline and the canonical form, byte for byte (values from Python's hashlib)")
    func hashDefinition() {
        var entry = AuditEntry(at: Date(timeIntervalSince1970: 1_780_000_000.123), user: "山田", command: "kakari send", action: .write,
                               caseID: "H1", fields: ["name", "town"], detail: "visit 訪問待ち→面接", seq: 7)
        #expect(AuditChain.canonical(entry) == "1:7|13:1780000000123|6:山田|11:kakari send|5:write|2:H1|9:name,town|27:visit 訪問待ち→面接")
        #expect(AuditChain.hash(entry, after: AuditChain.genesis) == "af55507f89c43310de5b334aa2064bf69b68074401f01a28ae77c9938b8dbafd")
        // An entry without a case stands as one NUL byte.
        entry.caseID = nil
        #expect(AuditChain.hash(entry, after: String(repeating: "a", count: 64)) == "f5eeb411ff935c74e97535b8113a8f972b214c3649f0a18edc8fe43bdf47edbe")
    }

    @Test("the canonical form after the sequence number is what follows the number's part, byte for byte, NUL included")
    func canonicalAfterSequence() {
        var entry = AuditEntry(at: Date(timeIntervalSince1970: 1_780_000_000.123), user: "山田", command: "kakari send", action: .write,
                               caseID: "H1", fields: ["name", "town"], detail: "visit 訪問待ち→面接", seq: 12)
        #expect(AuditChain.canonical(afterSequence: entry) == Array("|13:1780000000123|6:山田|11:kakari send|5:write|2:H1|9:name,town|27:visit 訪問待ち→面接".utf8))
        entry.caseID = nil
        #expect(Array(AuditChain.canonical(entry).utf8) == Array("2:12".utf8) + AuditChain.canonical(afterSequence: entry))
    }

    @Test("each committed write is audited with who, which case, which fields and the command, and the chain verifies")
    func writesAreAudited() async throws {
        try await busyStore { s in
            let entries = try await s.engine.store.audit(AuditFilter())
            // deploy, 3 imported cases, assign, visit, claim.
            #expect(entries.map(\.action) == [.deploy, .write, .write, .write, .write, .write, .write])
            #expect(entries.map(\.seq) == Array(1...7))
            #expect(entries.map(\.user) == ["yamada", "yamada", "yamada", "yamada", "yamada", "inoue", "matsumoto"])
            #expect(entries.compactMap(\.caseID) == ["H1", "H2", "H3", "H1", "H1", "H1"])
            #expect(entries[1].fields.contains("name") && entries[1].fields.contains("address"))
            #expect(entries[5].fields == ["result", "slot"])
            #expect(entries[5].detail == "visit awaiting_visit→awaiting_visit")
            #expect(entries[6].detail.hasPrefix("task.claim task "))
            #expect(entries.allSatisfy { $0.command == "api" })
            #expect(zip(entries.dropFirst(), entries).allSatisfy { $0.previousHash == $1.hash })
            let verified = try await s.engine.verifyAudit()
            #expect(verified.checked == 7)
            #expect(verified.broken == nil)
        }
    }

    @Test("a refused attempt writes nothing but its audit entry")
    func refusalsAreAudited() async throws {
        try await busyStore { s in
            let before = try await s.digest()
            let count = try await s.engine.store.audit(AuditFilter()).count
            await #expect(throws: EngineError(.notPermitted, "only a lead or an admin may deploy definitions; suzuki is staff")) {
                _ = try await s.engine.deploy(paths: [Repository.workflows], by: "suzuki")
            }
            #expect(try await s.digest() == before)
            let entries = try await s.engine.store.audit(AuditFilter())
            #expect(entries.count == count + 1)
            let last = try #require(entries.last)
            #expect(last.action == .refused && last.user == "suzuki")
            #expect(last.detail == "only a lead or an admin may deploy definitions; suzuki is staff")
            #expect(try await s.engine.verifyAudit().broken == nil)
        }
    }

    @Test("a write the store refuses leaves no audit entry: both are in one transaction")
    func auditRollsBackWithItsWrite() async throws {
        try await busyStore { s in
            let count = try await s.engine.store.audit(AuditFilter()).count
            let before = try await s.digest()
            // A task change that expects a status the task no longer has is refused by the store.
            let visit = try await s.openTask("H1", kind: "visit")
            let entry = HistoryEntry(caseID: "H1", seq: 0, at: Date(), kind: .admin, event: "task.release", payload: nil,
                                     from: "awaiting_visit", to: "awaiting_visit", by: "yamada", detail: "{}")
            var batch = CommitBatch()
            batch.taskChanges = [TaskChange(taskID: visit.id, expectedStatus: [.open], assignee: .some(nil), history: entry)]
            batch.audit = [AuditEntry(at: Date(), user: "yamada", command: "test", action: .write, caseID: "H1")]
            await #expect(throws: StoreError.self) { try await s.engine.store.commit(batch) }
            #expect(try await s.digest() == before)
            #expect(try await s.engine.store.audit(AuditFilter()).count == count)
            #expect(try await s.engine.verifyAudit().broken == nil)
        }
    }

    @Test("the audit table refuses UPDATE and DELETE while its triggers stand")
    func appendOnly() async throws {
        try await busyStore { (s: TemporaryStore) async throws in
            await #expect(throws: (any Error).self) { try await tamper(s, "UPDATE audit SET \"user\" = 'nobody' WHERE seq = 2") }
            await #expect(throws: (any Error).self) { try await tamper(s, "DELETE FROM audit WHERE seq = 2") }
            let verified = try await s.engine.verifyAudit()
            #expect(verified.broken == nil)
        }
    }

    @Test("an entry edited in the file is found: the first broken entry is the edited one")
    func editDetected() async throws {
        try await busyStore { s in
            try await tamper(s, dropTriggers: true, "UPDATE audit SET \"user\" = 'suzuki' WHERE seq = 6")
            let broken = try #require(try await s.engine.verifyAudit().broken)
            #expect(broken.seq == 6)
            #expect(broken.description == "audit entry 6: altered: its content does not match its hash")
        }
    }

    @Test("an entry edited with its hash recomputed still breaks the link to the next entry")
    func rehashedEditDetected() async throws {
        try await busyStore { s in
            var entries = try await s.engine.store.audit(AuditFilter())
            entries[3].detail = "nothing happened"
            let forged = AuditChain.hash(entries[3], after: entries[3].previousHash)
            try await tamper(s, dropTriggers: true, "UPDATE audit SET detail = 'nothing happened', hash = '\(forged)' WHERE seq = 4")
            let broken = try #require(try await s.engine.verifyAudit().broken)
            #expect(broken.description == "audit entry 5: does not follow entry 4: an entry was replaced, inserted or reordered")
        }
    }

    @Test("a deleted entry is found where the chain jumps")
    func deletionDetected() async throws {
        try await busyStore { s in
            try await tamper(s, dropTriggers: true, "DELETE FROM audit WHERE seq = 3")
            let broken = try #require(try await s.engine.verifyAudit().broken)
            #expect(broken.description == "audit entry 3: missing: the chain goes from entry 2 to entry 4")
        }
    }

    @Test("deleting the newest entries is found through the chain's head")
    func truncationDetected() async throws {
        try await busyStore { s in
            try await tamper(s, dropTriggers: true, "DELETE FROM audit WHERE seq >= 6")
            let broken = try #require(try await s.engine.verifyAudit().broken)
            #expect(broken.description == "audit entry 6: missing: the chain ends at entry 5 but its head records entry 7")
        }
    }

    @Test("two entries swapped in place are found at the first of them")
    func reorderDetected() async throws {
        try await busyStore { s in
            try await tamper(s, dropTriggers: true, "UPDATE audit SET seq = -4 WHERE seq = 4", "UPDATE audit SET seq = 4 WHERE seq = 5",
                             "UPDATE audit SET seq = 5 WHERE seq = -4")
            let broken = try #require(try await s.engine.verifyAudit().broken)
            #expect(broken.description == "audit entry 4: altered: its content does not match its hash")
        }
    }

    @Test("writers in two processes at once still make one unbroken chain")
    func concurrentWritersMakeOneChain() async throws {
        try await withStore { s in
            try await s.importHouseholds((1...20).map { ("H\($0)", "練馬") })
            let other = Engine(store: try await s.openAgain())
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 1...20 {
                    let engine = n.isMultiple(of: 2) ? s.engine : other
                    group.addTask { _ = try await engine.send(caseID: "H\(n)", event: "assign", fields: [:], key: nil, by: "yamada") }
                }
                try await group.waitForAll()
            }
            let verified = try await s.engine.verifyAudit()
            #expect(verified.broken == nil)
            #expect(verified.checked == 1 + 20 + 20)
        }
    }
}
