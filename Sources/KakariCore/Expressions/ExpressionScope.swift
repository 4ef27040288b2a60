/// What an expression may refer to, for type checking at load time: the case's fields, the
/// fields of the event being handled (when there is one), and the deployed tables.
public struct ExpressionScope: Sendable {
    public var caseFields: [String: FieldDefinition]
    /// Nil where no event is in hand (task titles, routing on entry, child data).
    public var eventFields: [String: FieldDefinition]?
    public var tables: [String: LookupTable]
    /// The event's name, for messages.
    public var eventName: String?

    public init(caseFields: [String: FieldDefinition], eventFields: [String: FieldDefinition]? = nil,
                tables: [String: LookupTable], eventName: String? = nil) {
        self.caseFields = caseFields
        self.eventFields = eventFields
        self.tables = tables
        self.eventName = eventName
    }
}
