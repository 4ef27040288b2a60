/// One guarded branch of a transition: when `condition` holds (or always, for the `else`
/// branch, whose condition is nil), the case moves to `target` after the assignments.
/// Branches are tried in order and the first whose condition holds wins.
///
/// A branch that **stays** (`stay: true`) keeps the case in its state without leaving it:
/// the other open tasks and the timers go on, only the completing task closes (and the kinds
/// listed in `withdraw` are withdrawn). `target` is then the state itself.
public struct Branch: Hashable, Sendable {
    public var condition: Expression?
    /// The condition as written, for diagrams and messages.
    public var conditionSource: String?
    public var target: String
    public var assignments: [Assignment]
    /// True for `stay: true`: the state is neither left nor entered again.
    public var stays: Bool
    /// Task kinds whose open tasks this branch withdraws (with `stay: true`).
    public var withdraw: [String]

    public init(condition: Expression? = nil, conditionSource: String? = nil, target: String, assignments: [Assignment] = [],
                stays: Bool = false, withdraw: [String] = []) {
        self.condition = condition
        self.conditionSource = conditionSource
        self.target = target
        self.assignments = assignments
        self.stays = stays
        self.withdraw = withdraw
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
