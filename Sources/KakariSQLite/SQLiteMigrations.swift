import GRDB

/// The SQLite schema, as append-only migrations: a shipped migration is never edited;
/// changes come as new ones.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-cases-history-tasks-timers") { db in
            try db.execute(sql: """
                CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE bundles (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    deployed_at REAL NOT NULL, deployed_by TEXT NOT NULL);
                CREATE TABLE bundle_files (
                    bundle INTEGER NOT NULL REFERENCES bundles(id), path TEXT NOT NULL, text TEXT NOT NULL,
                    PRIMARY KEY (bundle, path));
                CREATE TABLE workflow_versions (
                    name TEXT NOT NULL, version INTEGER NOT NULL, hash TEXT NOT NULL,
                    bundle INTEGER NOT NULL REFERENCES bundles(id),
                    deployed_at REAL NOT NULL, deployed_by TEXT NOT NULL,
                    PRIMARY KEY (name, version));
                CREATE TABLE cases (
                    id TEXT PRIMARY KEY, workflow TEXT NOT NULL, version INTEGER NOT NULL,
                    state TEXT NOT NULL, finished INTEGER NOT NULL, parent TEXT,
                    sequence INTEGER NOT NULL, snapshot TEXT NOT NULL,
                    created_at REAL NOT NULL, updated_at REAL NOT NULL);
                CREATE INDEX cases_by_workflow_state ON cases(workflow, state);
                CREATE INDEX cases_by_parent ON cases(parent) WHERE parent IS NOT NULL;
                CREATE TABLE history (
                    case_id TEXT NOT NULL, seq INTEGER NOT NULL, at REAL NOT NULL, kind TEXT NOT NULL,
                    event TEXT NOT NULL, payload TEXT, from_state TEXT, to_state TEXT NOT NULL,
                    by TEXT NOT NULL, detail TEXT NOT NULL,
                    PRIMARY KEY (case_id, seq)) WITHOUT ROWID;
                CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
                    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
                CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
                    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
                CREATE TABLE tasks (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, key TEXT NOT NULL,
                    kind TEXT NOT NULL, title TEXT NOT NULL, section TEXT NOT NULL, assignee TEXT,
                    status TEXT NOT NULL, due REAL, follow_up REAL, priority INTEGER NOT NULL,
                    event TEXT NOT NULL, decision INTEGER NOT NULL, contractor INTEGER NOT NULL,
                    created_at REAL NOT NULL, closed_at REAL, completed_by TEXT,
                    UNIQUE (case_id, key));
                CREATE INDEX tasks_by_section ON tasks(section, status, priority DESC, due, id);
                CREATE INDEX tasks_by_assignee ON tasks(assignee, status) WHERE assignee IS NOT NULL;
                CREATE TABLE timers (
                    case_id TEXT NOT NULL, name TEXT NOT NULL, due REAL NOT NULL,
                    PRIMARY KEY (case_id, name)) WITHOUT ROWID;
                CREATE INDEX timers_by_due ON timers(due);
                CREATE TABLE queued_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, event TEXT NOT NULL,
                    fields TEXT NOT NULL, key TEXT, enqueued_at REAL NOT NULL, by TEXT NOT NULL,
                    source TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, resolved_at REAL);
                CREATE INDEX queued_events_by_status ON queued_events(status, id);
                CREATE TABLE idempotency (
                    key TEXT PRIMARY KEY, case_id TEXT NOT NULL, event TEXT NOT NULL,
                    from_state TEXT NOT NULL, to_state TEXT NOT NULL, at REAL NOT NULL);
                """)
        }
        migrator.registerMigration("v2-active-tasks-by-section") { db in
            // A section's worklist (open and claimed tasks, most urgent first) read straight
            // from an index in its order: no sort of the section's tasks on every `tasks list`.
            try db.execute(sql: """
                CREATE INDEX tasks_active_by_section ON tasks(section, priority DESC, due IS NULL, due, id)
                    WHERE status IN ('claimed', 'open');
                """)
        }
        migrator.registerMigration("v3-prune-guard-and-summary") { db in
            // History stays append-only; the one exception is `prune`, which deletes the
            // histories of finished cases while a row in prune_guard exists inside its own
            // transaction (it removes the row before committing).
            try db.execute(sql: """
                CREATE TABLE prune_guard (active INTEGER NOT NULL);
                DROP TRIGGER history_is_append_only_delete;
                CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
                    WHEN NOT EXISTS (SELECT 1 FROM prune_guard)
                    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
                CREATE TABLE prune_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, by TEXT NOT NULL,
                    finished_before REAL NOT NULL, cases INTEGER NOT NULL,
                    history_entries INTEGER NOT NULL, tasks INTEGER NOT NULL);
                CREATE TABLE pruned_cases (
                    run INTEGER NOT NULL REFERENCES prune_runs(id), workflow TEXT NOT NULL,
                    version INTEGER NOT NULL, result TEXT NOT NULL, cases INTEGER NOT NULL);
                """)
        }
        migrator.registerMigration("v4-audit-chain") { db in
            try db.execute(sql: """
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY, at REAL NOT NULL, user TEXT NOT NULL, command TEXT NOT NULL,
                    action TEXT NOT NULL, case_id TEXT, fields TEXT NOT NULL, detail TEXT NOT NULL,
                    previous_hash TEXT NOT NULL, hash TEXT NOT NULL);
                CREATE INDEX audit_by_case ON audit(case_id) WHERE case_id IS NOT NULL;
                CREATE INDEX audit_by_user ON audit(user);
                CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        migrator.registerMigration("v5-erasure-guard") { db in
            // `kakari purge` overwrites a dataset's sealed values in the history too: updates,
            // like prune's deletes, pass only while a row in prune_guard exists inside the
            // erasing transaction (it removes the row before committing).
            try db.execute(sql: """
                DROP TRIGGER history_is_append_only_update;
                CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
                    WHEN NOT EXISTS (SELECT 1 FROM prune_guard)
                    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
                """)
        }
        return migrator
    }
}
