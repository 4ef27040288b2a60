import Foundation
import KakariStore
@testable import KakariPostgres
import Testing

/// Which batches PostgreSQL writes as one statement (fix 45). What the statements write is
/// pinned by the store conformance tests, on both backends; these pin when they are joined.
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

    @Test("a batch of transitions goes to the server as one statement")
    func transitionsJoined() {
        let prepared = PreparedBatch(Self.transitions())
        #expect(prepared.steps.count == 1)
        #expect(prepared.steps.first?.query.sql.hasPrefix("WITH s0 AS (") == true)
    }

    @Test("a batch that must see its own rows, or that starts cases, goes statement by statement")
    func keptApart() {
        var reopened = Self.transitions()
        reopened.cases[0].closedTasks = [ClosedTask(key: "call", status: .withdrawn, by: nil)]
        #expect(PreparedBatch(reopened).steps.count == 8)

        var dated = Self.transitions()
        dated.cases[1].taskDates = [TaskDates(key: "visit", due: Self.t0, followUp: nil)]
        #expect(PreparedBatch(dated).steps.count == 9)

        // The case, its history, its task and its timer.
        #expect(PreparedBatch(StoreConformanceTests.start("H3")).steps.count == 4)
    }

    @Test("a batch of transitions appends its audit entries in its one statement, unless task changes or settings follow it")
    func auditJoined() {
        var batch = Self.transitions()
        batch.audit = [AuditEntry(at: Self.t0, user: "yamada", command: "kakari send", action: .write, caseID: "H1", fields: [], detail: "")]
        let prepared = PreparedBatch(batch, audit: true)
        #expect(prepared.steps.count == 1 && prepared.appendsAudit)
        #expect(prepared.steps.first?.query.sql.contains("kakari_audit_append(written.n") == true)
        #expect(!PreparedBatch(batch).appendsAudit, "a group's batches leave the audit to the end of the group")

        var settings = batch
        settings.settings = ["clock.now": "1"]
        #expect(!PreparedBatch(settings, audit: true).appendsAudit)
        var changes = batch
        changes.taskChanges = [TaskChange(taskID: 1, expectedStatus: [.open], status: .claimed, history: StoreConformanceTests.entry("H1", "task.claim", to: "listed"))]
        #expect(!PreparedBatch(changes, audit: true).appendsAudit)
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
