import KakariCore

/// What a workflow file is checked against: the other files deployed with it.
struct WorkflowContext {
    var tables: [String: LookupTable]
    /// Section ids, or nil when no staff file is in the set (sections are then not checked).
    var sections: [String]?
    /// Every workflow in the set, by name, with the results of its final states.
    var workflowResults: [String: [String]]
    /// Every workflow's field names, and those it requires without a default.
    var workflowFields: [String: (all: [String], required: [String])] = [:]
}
