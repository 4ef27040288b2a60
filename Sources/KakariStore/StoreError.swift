/// A store refusing or failing an operation, with the case and operation concerned.
/// `message` is for people; it never holds SQL.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, for programs.
    public enum Code: String, Hashable, Sendable {
        /// Another writer changed the case first; retry.
        case conflict
        case duplicateCase
        case notFound
        case taskChanged
        case unavailable
        case invalidStore
    }

    public var code: Code
    public var message: String
    public var caseID: String?

    public init(_ code: Code, _ message: String, caseID: String? = nil) {
        self.code = code
        self.message = message
        self.caseID = caseID
    }

    public var description: String { message }
}
