/// A timer: when it falls due the case takes its branches, like an event.
/// State timers start when the case enters the state and are cancelled when it leaves;
/// the workflow's deadline starts with the case and runs until it finishes.
public struct TimerDefinition: Hashable, Sendable {
    /// When the timer falls due.
    public enum Schedule: Hashable, Sendable {
        /// A duration after the state (or case) was entered.
        case after(Duration)
        /// The start of the day an expression yields (a date field, for instance).
        case at(Expression, source: String)
    }

    public var name: String
    public var schedule: Schedule
    /// Calendar periods ending on a closed day move to the next open day (地方自治法 §4-2)
    /// unless the timer opts out.
    public var rollToOpenDay: Bool
    public var branches: [Branch]
    /// For the deadline: states in which it does nothing.
    public var except: [String]

    public init(name: String, schedule: Schedule, rollToOpenDay: Bool = true, branches: [Branch], except: [String] = []) {
        self.name = name
        self.schedule = schedule
        self.rollToOpenDay = rollToOpenDay
        self.branches = branches
        self.except = except
    }
}
