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
        /// Whether the section's staff see its unclaimed tasks and may claim them (`unclaimed:
        /// shown`, the default), or only get work a lead hands them (`unclaimed: hidden`).
        public var showsUnclaimed: Bool
        /// Whether the section's staff see tasks their colleagues hold (`claimed_by_others:`).
        public var showsClaimedByOthers: Bool
        public init(id: String, label: String, showsUnclaimed: Bool = true, showsClaimedByOthers: Bool = true) {
            self.id = id
            self.label = label
            self.showsUnclaimed = showsUnclaimed
            self.showsClaimedByOthers = showsClaimedByOthers
        }

        /// Whether a member of the section (not a lead) sees `task` on the worklist, as `user`.
        public func shows(status: String, assignee: String?, to user: String) -> Bool {
            if assignee == user { return true }
            switch status {
            case "open": return showsUnclaimed
            case "claimed": return showsClaimedByOthers
            default: return true
            }
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
