import Foundation
import KakariPostgres
import KakariStore

extension Engine {
    /// `kakari roles sync`: gives every person of the deployed staff directory their own
    /// PostgreSQL role (`kakari_LOGIN`), under row-level security policies that let them see,
    /// with psql or any tool, the rows `kakari` would show them and no more: leads and admins
    /// everything, staff the cases with a task in their section and that section's tasks,
    /// contractors the cases and tasks they hold open, the duty desk nothing; the audit log to
    /// leads and admins only. Leads and admins only; PostgreSQL stores only.
    public func syncDatabaseRoles(by user: String) async throws -> [DatabasePerson] {
        try await requireSupervisor(user, to: "give people database roles")
        guard let postgres = underlyingStore as? PostgresStore else {
            throw EngineError(.refused, "database roles are for PostgreSQL stores; a SQLite file is guarded by its file permissions")
        }
        guard let staff = try await currentBundle()?.staff, !staff.users.isEmpty else {
            throw EngineError(.refused, "no staff directory is deployed; deploy a staff.yaml first")
        }
        let people = staff.users.map { DatabasePerson(login: $0.id, role: $0.role.rawValue, section: $0.section) }.sorted { $0.login < $1.login }
        do {
            try await postgres.syncPeople(people)
        } catch let error as StoreError {
            throw EngineError(.refused, error.message)
        }
        try await store.appendAudit([AuditEntry(at: Self.auditTime(), user: user, command: command, action: .admin,
                                                detail: "database roles synced for \(people.count) people")])
        return people
    }
}
