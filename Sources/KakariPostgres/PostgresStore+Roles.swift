import Foundation
import KakariStore
import PostgresNIO

/// One person of the staff directory as the database knows them.
public struct DatabasePerson: Hashable, Sendable {
    public var login: String
    public var role: String
    public var section: String

    public init(login: String, role: String, section: String) {
        self.login = login
        self.role = role
        self.section = section
    }

    /// The database role the person connects as: `kakari_LOGIN`.
    public var databaseRole: String { "kakari_" + login }
}

extension PostgresStore {
    /// The group every person's role belongs to; the row-level security policies (migration
    /// 7) and the SELECT grants are for it.
    public static let peopleRole = "kakari_people"

    /// Makes a login role for each person (`kakari_LOGIN`, in the group `kakari_people`) where
    /// missing, grants the group SELECT on the tables the policies guard, and replaces the
    /// store's copy of the staff directory that the policies read, in one transaction. A person
    /// no longer listed keeps their role but sees no row. Passwords are the server's business
    /// (`ALTER ROLE kakari_LOGIN PASSWORD …`, or certificate or peer authentication).
    public func syncPeople(_ people: [DatabasePerson]) async throws {
        for person in people where !Self.isRoleSafe(person.login) {
            throw StoreError(.invalidStore, "login '\(person.login)' cannot name a database role; use lower-case letters, digits and _")
        }
        let schema = location.schema
        try await transaction { c in
            func run(_ sql: String) async throws { try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
            // Roles belong to the whole server: one sync at a time.
            try await run("SELECT pg_advisory_xact_lock(hashtext('kakari.roles'))")
            try await run("""
                DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(Self.peopleRole)') THEN
                CREATE ROLE \(Self.peopleRole) NOLOGIN; END IF; END $$
                """)
            for person in people {
                try await run("""
                    DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(person.databaseRole)') THEN
                    CREATE ROLE \(person.databaseRole) LOGIN; END IF; END $$
                    """)
                try await run("GRANT \(Self.peopleRole) TO \(person.databaseRole)")
            }
            try await run("GRANT USAGE ON SCHEMA \(schema) TO \(Self.peopleRole)")
            try await run("""
                GRANT SELECT ON cases, history, tasks, timers, audit, staff_members, bundles, bundle_files, workflow_versions
                TO \(Self.peopleRole)
                """)
            try await run("DELETE FROM staff_members")
            for p in people {
                try await c.query("""
                    INSERT INTO staff_members(login, role, section, db_role) VALUES (\(p.login), \(p.role), \(p.section), \(p.databaseRole))
                    """, logger: logger)
            }
        }
    }

    static func isRoleSafe(_ login: String) -> Bool {
        !login.isEmpty && login.count <= 50 && login.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
