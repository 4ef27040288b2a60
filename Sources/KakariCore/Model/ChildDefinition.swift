/// A state that starts a case of another workflow and waits for it: the child's final
/// result chooses the parent's next transition.
public struct ChildDefinition: Hashable, Sendable {
    public var workflow: String
    /// The child's data, computed from the parent's.
    public var data: [Assignment]
    /// Branches per result of the child's final states.
    public var results: [String: [Branch]]

    public init(workflow: String, data: [Assignment], results: [String: [Branch]]) {
        self.workflow = workflow
        self.data = data
        self.results = results
    }
}
