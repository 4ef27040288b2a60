/// A problem in an expression: where it is (a character offset into the expression's text),
/// what is wrong, and a hint where one helps.
public struct ExpressionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var hint: String?

    public init(offset: Int, _ message: String, hint: String? = nil) {
        self.offset = offset
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.map { "\(message); \($0)" } ?? message }
}
