/// A lookup table deployed beside the workflows, such as the ward's towns with their area
/// and neighbours. Expressions read it with `lookup(table, key, "column")`.
public struct LookupTable: Hashable, Sendable {
    /// A typed column; `table` names another table whose keys its values must be.
    public struct Column: Hashable, Sendable {
        public var name: String
        public var type: FieldType
        public var label: String
        public var required: Bool
        public var table: String?

        public init(name: String, type: FieldType, label: String? = nil, required: Bool = false, table: String? = nil) {
            self.name = name
            self.type = type
            self.label = label ?? name
            self.required = required
            self.table = table
        }
    }

    public var name: String
    public var label: String
    public var columns: [Column]
    /// Rows by key, every column present (null where a value is missing).
    public var rows: [String: [String: Value]]
    /// Keys in file order.
    public var keys: [String]

    public init(name: String, label: String? = nil, columns: [Column], rows: [String: [String: Value]], keys: [String]) {
        self.name = name
        self.label = label ?? name
        self.columns = columns
        self.rows = rows
        self.keys = keys
    }

    public func column(_ name: String) -> Column? { columns.first { $0.name == name } }
}
