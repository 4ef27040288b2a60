import Foundation

/// What the core decided for one event: the case before and after, the data that changed,
/// and the effects to carry out.
public struct Decision: Hashable, Sendable {
    /// A data field that changed.
    public struct Change: Hashable, Sendable, Codable {
        public var field: String
        public var old: Value
        public var new: Value

        public init(field: String, old: Value, new: Value) {
            self.field = field
            self.old = old
            self.new = new
        }
    }

    public var event: CaseEvent
    /// The state before (nil for a start).
    public var from: String?
    public var after: CaseSnapshot
    public var changes: [Change]
    public var effects: [Effect]
    /// False when the event had nothing left to do (a timer or child result whose state the
    /// case already left): it is recorded as ignored and changes nothing.
    public var applied: Bool
    /// Why a timer was spent without moving the case (its branches could not be taken).
    public var note: String?

    public var to: String { after.state }
}
