import Foundation
import GRDB
import KakariCore
import KakariStore

extension SQLiteStore {
    /// Every row of the store, read in one transaction (for `kakari store copy`).
    public func dump() async throws -> StoreDump {
        try await pool.read { db in
            var dump = StoreDump()
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM settings") { dump.settings[row["key"]] = row["value"] }
            dump.bundles = try Row.fetchAll(db, sql: "SELECT id, deployed_at, deployed_by FROM bundles ORDER BY id").map {
                StoreDump.Bundle(id: $0["id"], deployedAt: Date(timeIntervalSince1970: $0["deployed_at"]), deployedBy: $0["deployed_by"])
            }
            dump.bundleFiles = try Row.fetchAll(db, sql: "SELECT bundle, path, text FROM bundle_files ORDER BY bundle, path").map {
                (bundle: $0["bundle"], file: SourceFileRecord(path: $0["path"], text: $0["text"]))
            }
            dump.workflowVersions = try Row.fetchAll(db, sql: "SELECT * FROM workflow_versions ORDER BY name, version").map {
                WorkflowVersion(name: $0["name"], version: $0["version"], hash: $0["hash"], bundle: $0["bundle"],
                                deployedAt: Date(timeIntervalSince1970: $0["deployed_at"]), deployedBy: $0["deployed_by"])
            }
            dump.cases = try Row.fetchAll(db, sql: "SELECT \(Self.caseColumns) FROM cases ORDER BY id").map(Self.caseRecord)
            dump.history = try Row.fetchAll(db, sql: "SELECT * FROM history ORDER BY case_id, seq").map(Self.historyEntry)
            dump.tasks = try Row.fetchAll(db, sql: "SELECT \(Self.taskColumns) FROM tasks ORDER BY id").map(Self.task)
            dump.timers = try Row.fetchAll(db, sql: "SELECT case_id, name, due FROM timers ORDER BY case_id, name").map {
                TimerRecord(caseID: $0["case_id"], name: $0["name"], due: Date(timeIntervalSince1970: $0["due"]))
            }
            dump.queuedEvents = try Row.fetchAll(db, sql: "SELECT \(Self.queuedColumns) FROM queued_events ORDER BY id").map(Self.queued)
            dump.idempotency = try Row.fetchAll(db, sql: "SELECT * FROM idempotency ORDER BY key").map(Self.idempotencyRecord)
            dump.audit = try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY seq").map(Self.auditEntry)
            return dump
        }
    }
}
