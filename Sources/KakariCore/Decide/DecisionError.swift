/// Why the core refused an event, as a sentence for the person who sent it. A refused event
/// changes nothing.
public struct DecisionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of refusal, for programs.
    public enum Code: String, Hashable, Sendable {
        case caseFinished, eventNotAccepted, noBranchMatched, unknownField, wrongType,
             missingField, expressionFailed, taskNotOpen, unknownState,
             caseSuspended, notSuspended
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
