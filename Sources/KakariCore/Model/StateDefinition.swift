/// A state of a workflow: what happens on entry (tasks, timers, a child case) and which
/// events it accepts. A final state ends the case with a result.
public struct StateDefinition: Hashable, Sendable {
    public var name: String
    public var label: String
    public var isFinal: Bool
    /// The result a final state gives (its name when none is written).
    public var result: String?
    public var tasks: [TaskDefinition]
    /// Branches per accepted event, in file order.
    public var transitions: [String: [Branch]]
    /// Accepted events in file order.
    public var eventOrder: [String]
    public var timers: [TimerDefinition]
    public var child: ChildDefinition?
    /// Branches taken as soon as the state has no open task left (`all_done:`): every task it
    /// gave was completed or withdrawn by a branch that stays. Empty when the state has none.
    public var allDone: [Branch]

    public init(
        name: String, label: String? = nil, isFinal: Bool = false, result: String? = nil,
        tasks: [TaskDefinition] = [], transitions: [String: [Branch]] = [:], eventOrder: [String]? = nil,
        timers: [TimerDefinition] = [], child: ChildDefinition? = nil, allDone: [Branch] = []
    ) {
        self.name = name
        self.label = label ?? name
        self.isFinal = isFinal
        self.result = isFinal ? (result ?? name) : nil
        self.tasks = tasks
        self.transitions = transitions
        self.eventOrder = eventOrder ?? transitions.keys.sorted()
        self.timers = timers
        self.child = child
        self.allDone = allDone
    }

    /// Every branch leaving this state, with what triggers it.
    public var allBranches: [(trigger: String, branch: Branch)] {
        var out: [(String, Branch)] = []
        for event in eventOrder { for b in transitions[event] ?? [] { out.append((event, b)) } }
        for b in allDone { out.append(("all done", b)) }
        for timer in timers { for b in timer.branches { out.append(("after \(timer.name)", b)) } }
        if let child {
            for result in child.results.keys.sorted() { for b in child.results[result]! { out.append(("\(child.workflow): \(result)", b)) } }
        }
        return out
    }
}
