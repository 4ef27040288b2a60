/// A typed field of case data or of a task form.
public struct FieldDefinition: Hashable, Sendable {
    public var name: String
    public var type: FieldType
    /// The display label (Japanese welcome); the name when none is given.
    public var label: String
    public var required: Bool
    /// The value a new case gets when none is given.
    public var defaultValue: Value
    /// Personal data: guarded, audited and erased at the end of its purpose.
    public var pii: Bool
    /// A lookup table whose keys are the only values allowed (the ward's towns, say).
    public var table: String?

    public init(
        name: String, type: FieldType, label: String? = nil, required: Bool = false,
        defaultValue: Value = .null, pii: Bool = false, table: String? = nil
    ) {
        self.name = name
        self.type = type
        self.label = label ?? name
        self.required = required
        self.defaultValue = defaultValue
        self.pii = pii
        self.table = table
    }
}
