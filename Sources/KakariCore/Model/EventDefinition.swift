/// An event a case may receive from outside (`kakari send`, `events import`), with its
/// typed fields. Events delivered by completing a task take their fields from its form.
public struct EventDefinition: Hashable, Sendable {
    /// What happens to the event when it arrives in a state that does not accept it.
    public enum Unaccepted: String, Hashable, Sendable, CaseIterable {
        /// Refused: the sender hears why and nothing is written (the default).
        case refuse
        /// Kept with the case until a state that accepts it is entered (a persistent trigger).
        case keep
        /// Dropped: recorded nowhere, the sender hears it was not applied (a transient trigger).
        case ignore
    }

    public var name: String
    public var label: String
    public var fields: [FieldDefinition]
    public var unaccepted: Unaccepted

    public init(name: String, label: String? = nil, fields: [FieldDefinition] = [], unaccepted: Unaccepted = .refuse) {
        self.name = name
        self.label = label ?? name
        self.fields = fields
        self.unaccepted = unaccepted
    }
}
