/// What `tasks assign --auto` did: the tasks it handed out, and those nobody may take.
public struct AutoAssignment: Hashable, Sendable {
    /// A task handed to a contractor.
    public struct Assigned: Hashable, Sendable {
        public var task: Int64
        public var caseID: String
        public var town: String?
        public var assignee: String
    }

    /// A task left unassigned, and why.
    public struct Unassigned: Hashable, Sendable {
        public var task: Int64
        public var caseID: String
        public var reason: String
    }

    public var assigned: [Assigned] = []
    public var unassigned: [Unassigned] = []
}
