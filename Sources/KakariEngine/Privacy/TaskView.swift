import KakariCore
import KakariStore

/// A task with the case fields its `sees` lets the worker see.
public struct TaskView: Sendable {
    public var task: TaskRecord
    public var definition: TaskDefinition?
    public var fields: [(field: FieldDefinition, value: Value)]
}
