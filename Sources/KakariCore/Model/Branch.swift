/// One guarded branch of a transition: when `condition` holds (or always, for the `else`
/// branch, whose condition is nil), the case moves to `target` after the assignments.
/// Branches are tried in order and the first whose condition holds wins.
public struct Branch: Hashable, Sendable {
    public var condition: Expression?
    /// The condition as written, for diagrams and messages.
    public var conditionSource: String?
    public var target: String
    public var assignments: [Assignment]

    public init(condition: Expression? = nil, conditionSource: String? = nil, target: String, assignments: [Assignment] = []) {
        self.condition = condition
        self.conditionSource = conditionSource
        self.target = target
        self.assignments = assignments
    }
}

/// `field: expression` on a transition: the field takes the expression's value.
public struct Assignment: Hashable, Sendable {
    public var field: String
    public var expression: Expression

    public init(field: String, expression: Expression) {
        self.field = field
        self.expression = expression
    }
}
