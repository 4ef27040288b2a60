import KakariCore

/// A checked set of definition files deployed together: workflows, the staff directory,
/// lookup tables and the business calendar, with the sources they came from.
public struct DefinitionBundle: Sendable {
    public var workflows: [String: WorkflowDefinition]
    public var tables: [String: LookupTable]
    public var calendar: BusinessCalendar
    public var staff: StaffDirectory
    /// Every file of the bundle, by path (as given), in load order.
    public var sources: [SourceFile]
    /// The path of each workflow's file.
    public var workflowFiles: [String: String]
    /// The paths of the staff, table and calendar files.
    public var supportFiles: [String]

    public init(workflows: [String: WorkflowDefinition], tables: [String: LookupTable], calendar: BusinessCalendar,
                staff: StaffDirectory, sources: [SourceFile], workflowFiles: [String: String], supportFiles: [String]) {
        self.workflows = workflows
        self.tables = tables
        self.calendar = calendar
        self.staff = staff
        self.sources = sources
        self.workflowFiles = workflowFiles
        self.supportFiles = supportFiles
    }

    public func source(_ path: String) -> SourceFile? { sources.first { $0.path == path } }
}
