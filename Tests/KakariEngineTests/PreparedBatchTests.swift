import Foundation
import KakariStore
@testable import KakariPostgres
import Testing

/// How PostgreSQL is sent a batch: one call of `kakari_write` (fix 49). What the call writes
/// is pinned by the store conformance tests, on both backends; these pin its arguments and
/// when it appends the audit entries itself.
@Suite("PostgreSQL batch statements")
struct PreparedBatchTests {
    static let t0 = StoreConformanceTests.t0

    /// Two transitions with every kind of row a transition writes: history, a task opened and
    /// one closed, a timer set and one cancelled, an idempotency key, a queued event resolved.
    static func transitions() -> CommitBatch {
        var batch = StoreConformanceTests.move("H1", from: 1, to: "awaiting_visit")
        batch.cases += StoreConformanceTests.move("H2", from: 3, to: "awaiting_visit").cases
        batch.cases[0].openTasks = [StoreConformanceTests.order("call")]
        batch.cases[1].closedTasks = [ClosedTask(key: "visit", status: .done, by: "matsumoto")]
        batch.cases[1].timers = ["deadline": Date?.none, "reminder": t0]
        batch.idempotency = [IdempotencyRecord(key: "K", caseID: "H1", event: "assign", from: "listed", to: "awaiting_visit", at: t0)]
        batch.resolvedEvents = [EventResolution(id: 7, status: .applied, reason: nil, at: t0)]
        return batch
    }

    @Test("a batch's rows, whatever they are, go to the server as one call with every argument of kakari_write")
    func oneCall() throws {
        var reopened = Self.transitions()
        reopened.cases[0].closedTasks = [ClosedTask(key: "call", status: .withdrawn, by: nil)]
        reopened.cases[1].taskDates = [TaskDates(key: "visit", due: Self.t0, followUp: nil)]
        for batch in [Self.transitions(), reopened, StoreConformanceTests.start("H3")] {
            let write = try #require(PreparedBatch(batch).write)
            #expect(write.bindings.count == PreparedBatch.Write.arity)
        }
        #expect(PreparedBatch.Write.sql.hasSuffix("$83)"))
    }

    @Test("a batch of transitions appends its audit entries in its one call, unless task changes or settings follow it")
    func auditInTheCall() {
        var batch = Self.transitions()
        batch.audit = [AuditEntry(at: Self.t0, user: "yamada", command: "kakari send", action: .write, caseID: "H1", fields: [], detail: "")]
        #expect(PreparedBatch(batch, audit: true).appendsAudit)
        #expect(!PreparedBatch(batch).appendsAudit, "a group's batches leave the audit to the end of the group")

        var settings = batch
        settings.settings = ["clock.now": "1"]
        #expect(!PreparedBatch(settings, audit: true).appendsAudit)
        var changes = batch
        changes.taskChanges = [TaskChange(taskID: 1, expectedStatus: [.open], status: .claimed, history: StoreConformanceTests.entry("H1", "task.claim", to: "listed"))]
        #expect(!PreparedBatch(changes, audit: true).appendsAudit)

        // Only a task change: nothing for the call to write.
        var claim = CommitBatch()
        claim.taskChanges = changes.taskChanges
        claim.audit = batch.audit
        #expect(PreparedBatch(claim, audit: true).write == nil)
    }

    @Test("a migration is split at the semicolons that end its lines, except inside a function's body")
    func migrationStatements() {
        let sql = "CREATE TABLE a (x INT);\nCREATE FUNCTION f() RETURNS INT LANGUAGE plpgsql AS $$\nBEGIN\n    PERFORM 1;\n    RETURN 2;\nEND\n$$;\nCREATE INDEX b ON a(x)\n"
        #expect(PostgresMigrations.statements(sql) == [
            "CREATE TABLE a (x INT)",
            "CREATE FUNCTION f() RETURNS INT LANGUAGE plpgsql AS $$\nBEGIN\n    PERFORM 1;\n    RETURN 2;\nEND\n$$",
            "CREATE INDEX b ON a(x)\n",
        ])
    }
}
