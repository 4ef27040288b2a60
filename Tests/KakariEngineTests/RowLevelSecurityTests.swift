import Foundation
import KakariCore
import KakariEngine
import KakariPostgres
import KakariStore
import KakariTesting
import Testing

/// `kakari roles sync` on PostgreSQL: each person connects as their own role, and the
/// row-level security policies show them with SQL exactly the rows `kakari` shows them.
@Suite("Row-level security on PostgreSQL", .enabled(if: TestBackend.postgres != nil, "row-level security is PostgreSQL's; the suite runs in the PostgreSQL pass"))
struct RowLevelSecurityTests {
    /// The store as `login`'s own database role sees it.
    func connect(_ s: TemporaryStore, as login: String) throws -> PostgresStore {
        guard case .postgres(let url) = s.location else { throw EngineError(.refused, "not a PostgreSQL store") }
        var location = try PostgresLocation(url)
        location.user = "kakari_" + login
        return PostgresStore(location: location, maximumConnections: 1)
    }

    func list(_ db: PostgresStore, _ sql: String) async throws -> [String] {
        let text = try await db.text(unsafeSQL: "SELECT COALESCE(string_agg(x, ',' ORDER BY x), '') FROM (\(sql)) AS rows(x)") ?? ""
        return text.isEmpty ? [] : text.split(separator: ",").map(String.init)
    }

    @Test("each person's own role sees with SQL the cases, history and tasks kakari shows them, and no more")
    func sameRowsAsKakari() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬"), ("H2", "中村"), ("H3", "石神井町"), ("H4", "大泉学園町"), ("H5", "光が丘")])
            for id in ["H1", "H2", "H3", "H4", "H5"] { _ = try await s.engine.send(caseID: id, event: "assign", fields: [:], key: nil, by: "yamada") }
            _ = try await s.engine.autoAssign(section: "survey_contractor", by: "yamada")
            try await s.contactedHousehold("H6")
            let people = try await s.engine.syncDatabaseRoles(by: "admin")
            #expect(people.contains { $0.login == "inoue" && $0.databaseRole == "kakari_inoue" })
            for login in ["yamada", "suzuki", "nakamura", "kato", "inoue", "matsumoto", "hayashi", "mori"] {
                let db = try connect(s, as: login)
                let role = try #require(try await s.engine.currentBundle()?.staff.user(login)?.role)
                var cases: [String] = []
                var tasks: [String] = []
                if role != .duty {
                    cases = try await s.engine.visibleCases(CaseFilter(), by: login).map(\.snapshot.id).sorted()
                    let statuses: Set<TaskRecord.Status> = role == .contractor ? [.open, .claimed] : Set(TaskRecord.Status.allCases)
                    tasks = try await s.engine.visibleTasks(TaskFilter(statuses: statuses), by: login).map { String($0.id) }.sorted()
                }
                #expect(try await list(db, "SELECT id FROM cases") == cases, "\(login)'s cases")
                #expect(try await list(db, "SELECT DISTINCT case_id FROM history") == cases, "\(login)'s history")
                #expect(try await list(db, "SELECT id::text FROM tasks") == tasks, "\(login)'s tasks")
                let audit = try await list(db, "SELECT seq::text FROM audit")
                #expect(audit.isEmpty == (role != .lead && role != .admin), "\(login) and the audit log")
                // Reading is all a person's role may do.
                await #expect(throws: (any Error).self) { try await db.execute(unsafeSQL: "UPDATE tasks SET assignee = '\(login)'") }
                await #expect(throws: (any Error).self) { try await db.execute(unsafeSQL: "DELETE FROM cases") }
            }
            // Something to see, so that equal lists mean something.
            #expect(try await list(try connect(s, as: "inoue"), "SELECT id FROM cases").count >= 1)
            #expect(try await list(try connect(s, as: "yamada"), "SELECT id FROM cases").count == 6)
        }
    }
}

/// Who may sync database roles, and where.
@Suite("Database roles")
struct DatabaseRoleRefusalTests {
    @Test("only leads and admins give out database roles, and only on PostgreSQL")
    func refusals() async throws {
        try await withStore { s in
            await #expect(throws: EngineError.self) { try await s.engine.syncDatabaseRoles(by: "suzuki") }
            guard case .sqlite = s.location else { return }
            do {
                _ = try await s.engine.syncDatabaseRoles(by: "admin")
                Issue.record("a SQLite store has no database roles")
            } catch let error as EngineError {
                #expect(error.message == "database roles are for PostgreSQL stores; a SQLite file is guarded by its file permissions")
            }
        }
    }
}
