import KakariCore
import KakariDefinitions
import KakariStore

extension Engine {
    /// The person acting, from the deployed staff directory; nil when no directory is
    /// deployed yet (a fresh store), in which case nothing is restricted.
    func person(_ user: String) async throws -> StaffDirectory.User? {
        try await person(user, in: try await currentBundle())
    }

    /// `user` in the staff directory of `bundle` (nil when no directory is deployed).
    func person(_ user: String, in bundle: DefinitionBundle?) async throws -> StaffDirectory.User? {
        guard let staff = bundle?.staff, !staff.users.isEmpty else { return nil }
        guard let person = staff.user(user) else {
            throw await notPermitted("'\(user)' is not in the deployed staff directory", user: user)
        }
        return person
    }

    /// Leads and admins supervise every section.
    static func supervises(_ person: StaffDirectory.User) -> Bool { person.role == .lead || person.role == .admin }

    /// Refuses unless the user is a lead or an admin.
    public func requireSupervisor(_ user: String, to action: String) async throws {
        guard let person = try await person(user) else { return }
        guard Self.supervises(person) else {
            throw await notPermitted("only a lead or an admin may \(action); \(user) is \(person.role.rawValue)", user: user)
        }
    }

    /// Refuses contractors and the duty desk, who work only through their tasks or `cases find`.
    func requireStaff(_ user: String, to action: String) async throws {
        guard let person = try await person(user), person.role == .contractor || person.role == .duty else { return }
        throw await notPermitted("only ward staff may \(action); \(user) is \(person.role.rawValue)", user: user)
    }

    /// Refuses unless the user may work `task`: a member of its section (never a contractor
    /// for a decision), or a lead or an admin.
    func requireWorker(_ user: String, for task: TaskRecord) async throws {
        guard let person = try await person(user) else { return }
        if task.decision && person.role == .contractor {
            throw await notPermitted("task \(task.id) is a decision (資格・賦課の決定) and stays with ward staff; \(user) is a contractor", user: user, caseID: task.caseID)
        }
        guard Self.supervises(person) || person.section == task.section else {
            throw await notPermitted("task \(task.id) belongs to section \(task.section); \(user) is in \(person.section)", user: user, caseID: task.caseID)
        }
    }
}
