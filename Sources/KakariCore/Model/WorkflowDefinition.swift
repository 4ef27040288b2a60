/// One kind of case, as a section lead wrote it: typed data, states, events, tasks, timers.
///
/// A definition is a value; its meaning is given by `Decider`.
public struct WorkflowDefinition: Hashable, Sendable {
    public var name: String
    public var label: String
    public var description: String
    public var initial: String
    public var fields: [FieldDefinition]
    public var states: [StateDefinition]
    public var events: [String: EventDefinition]
    /// A timer over the whole case (the end of a contract, say).
    public var deadline: TimerDefinition?
    /// The tables the workflow reads; resolved from the deployed bundle.
    public var tables: [String: LookupTable]

    public init(
        name: String, label: String? = nil, description: String = "", initial: String,
        fields: [FieldDefinition], states: [StateDefinition], events: [String: EventDefinition] = [:],
        deadline: TimerDefinition? = nil, tables: [String: LookupTable] = [:]
    ) {
        self.name = name
        self.label = label ?? name
        self.description = description
        self.initial = initial
        self.fields = fields
        self.states = states
        self.events = events
        self.deadline = deadline
        self.tables = tables
    }

    public func state(_ name: String) -> StateDefinition? { states.first { $0.name == name } }

    public func field(_ name: String) -> FieldDefinition? { fields.first { $0.name == name } }

    public var fieldsByName: [String: FieldDefinition] {
        Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The results of the final states.
    public var results: [String] { states.filter(\.isFinal).compactMap(\.result) }

    /// The fields an event carries: declared under `events`, or the form of the task that
    /// delivers it.
    public func eventFields(_ event: String) -> [FieldDefinition] {
        if let declared = events[event] { return declared.fields }
        for state in states { for task in state.tasks where task.event == event { return task.eventFields } }
        return []
    }

    /// Every task definition by kind.
    public var taskKinds: [String: TaskDefinition] {
        var out: [String: TaskDefinition] = [:]
        for state in states { for task in state.tasks where out[task.kind] == nil { out[task.kind] = task } }
        return out
    }
}
