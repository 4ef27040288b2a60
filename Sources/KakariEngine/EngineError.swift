/// A refusal by the engine, with the category the command line turns into an exit code:
/// refused input (1), a usage error (2), or an action the user is not permitted (3).
public struct EngineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// How the command line reports it.
    public enum Category: Int32, Hashable, Sendable {
        case refused = 1
        case usage = 2
        case notPermitted = 3
    }

    public var category: Category
    public var message: String

    public init(_ category: Category = .refused, _ message: String) {
        self.category = category
        self.message = message
    }

    public var description: String { message }
}
