/// An event a case may receive from outside (`kakari send`, `events import`), with its
/// typed fields. Events delivered by completing a task take their fields from its form.
public struct EventDefinition: Hashable, Sendable {
    public var name: String
    public var label: String
    public var fields: [FieldDefinition]

    public init(name: String, label: String? = nil, fields: [FieldDefinition] = []) {
        self.name = name
        self.label = label ?? name
        self.fields = fields
    }
}
