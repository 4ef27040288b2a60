import Foundation

/// One line of the audit log: who did or read what, when, on which case, through which
/// command. Entries are chained: `hash` covers `previousHash` and the entry's own content
/// (see `AuditChain`), so editing, deleting or reordering entries in the database is found.
public struct AuditEntry: Hashable, Sendable {
    /// What an entry records. Kept as the stored text, so that an edited value is hashed as
    /// it is found, never normalised.
    public struct Action: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A committed change: a decision, a task change, an imported case.
        public static let write = Action(rawValue: "write")
        /// Personal (`pii`) fields shown to someone.
        public static let read = Action(rawValue: "read")
        /// An attempt the user was not permitted (exit 3); nothing else was written.
        public static let refused = Action(rawValue: "refused")
        /// Definitions deployed.
        public static let deploy = Action(rawValue: "deploy")
        /// The store itself: created, its simulated clock moved.
        public static let admin = Action(rawValue: "admin")
    }

    /// The position in the chain, from 1; set by the store when it appends the entry.
    public var seq: Int64
    public var at: Date
    public var user: String
    /// The command that caused it, as typed without its arguments (`cases show`, `tasks complete`).
    public var command: String
    public var action: Action
    public var caseID: String?
    /// The fields read or written (for reads: the `pii` fields shown).
    public var fields: [String]
    /// What happened, in a few words: the events applied, the reason for a refusal.
    public var detail: String
    /// The hash of the entry before (64 zeros for the first); set by the store.
    public var previousHash: String
    /// SHA-256 of `previousHash` and the canonical content, hex; set by the store.
    public var hash: String

    public init(at: Date, user: String, command: String, action: Action, caseID: String? = nil, fields: [String] = [],
                detail: String = "", seq: Int64 = 0, previousHash: String = "", hash: String = "") {
        self.seq = seq
        self.at = at
        self.user = user
        self.command = command
        self.action = action
        self.caseID = caseID
        self.fields = fields
        self.detail = detail
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// Which audit entries to read; nil matches everything.
public struct AuditFilter: Hashable, Sendable {
    public var caseID: String?
    public var user: String?

    public init(caseID: String? = nil, user: String? = nil) {
        self.caseID = caseID
        self.user = user
    }
}
