/// The people who work cases, and the sections they belong to (`staff.yaml`).
public struct StaffDirectory: Hashable, Sendable {
    /// What a person may do. Leads manage their section's work; staff decide; contractors
    /// prepare and visit; the duty desk answers residents; admins run the system.
    public enum Role: String, Hashable, Sendable, CaseIterable {
        case lead, staff, contractor, duty, admin
    }

    /// A section (係) that receives tasks.
    public struct Section: Hashable, Sendable {
        public var id: String
        public var label: String
        public init(id: String, label: String) {
            self.id = id
            self.label = label
        }
    }

    /// A member of staff or of a contractor's team.
    public struct User: Hashable, Sendable {
        public var id: String
        public var name: String
        public var section: String
        public var role: Role
        public var homeTown: String?
        public init(id: String, name: String, section: String, role: Role, homeTown: String? = nil) {
            self.id = id
            self.name = name
            self.section = section
            self.role = role
            self.homeTown = homeTown
        }
    }

    public var sections: [Section]
    public var users: [User]

    public init(sections: [Section] = [], users: [User] = []) {
        self.sections = sections
        self.users = users
    }

    public func section(_ id: String) -> Section? { sections.first { $0.id == id } }
    public func user(_ id: String) -> User? { users.first { $0.id == id } }
}
