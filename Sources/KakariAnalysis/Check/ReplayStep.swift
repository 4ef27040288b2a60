import Foundation
import KakariCore

/// One step of a path through a workflow, as a person replays it on a simulated store:
/// starting the case, sending an event, moving the clock to a timer, or a child case
/// running to its result.
public enum ReplayStep: Hashable, Sendable {
    /// A field and its value, in the order the definition declares them.
    public struct FieldValue: Hashable, Sendable {
        public var name: String
        public var value: Value
        public init(name: String, value: Value) {
            self.name = name
            self.value = value
        }
    }

    case start(workflow: String, caseID: String, fields: [FieldValue])
    /// An event, sent from outside or delivered by completing the open task `task`.
    case send(caseID: String, event: String, fields: [FieldValue], task: String?)
    /// The clock moves on by `seconds`, and the timer falls due.
    case advance(seconds: Int, timer: String)
    /// The child case runs (its own steps) and ends with `result`.
    case child(caseID: String, workflow: String, result: String, steps: [ReplayStep])

    /// The step as command lines (`kakari cases start`, `kakari send`, `kakari clock advance`).
    public var commandLines: [String] {
        switch self {
        case .start(let workflow, let id, let fields):
            return [(["kakari cases start", workflow, Self.quoted(id)] + Self.assignments(fields)).joined(separator: " ")]
        case .send(let id, let event, let fields, let task):
            let line = (["kakari send", Self.quoted(id), event] + Self.assignments(fields)).joined(separator: " ")
            return [task == nil ? line : line + "   # completes the open task '\(event)'"]
        case .advance(let seconds, let timer):
            let comment = timer == Decider.deadlineTimer ? "the deadline falls due" : "timer '\(timer)' falls due"
            return ["kakari clock advance \(Self.duration(seconds))   # \(comment)"]
        case .child(let id, let workflow, let result, let steps):
            return ["# the child case \(id) (\(workflow)) runs to its result '\(result)':"]
                + steps.flatMap(\.commandLines)
        }
    }

    /// A whole number of days, hours or minutes (at least one minute), as `clock advance` reads it.
    static func duration(_ seconds: Int) -> String {
        let s = max(seconds, 60)
        if s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s % 3_600 == 0 { return "\(s / 3_600)h" }
        return "\((s + 59) / 60)m"
    }

    static func assignments(_ fields: [FieldValue]) -> [String] {
        fields.filter { $0.value != .null }.map { "\($0.name)=\(quoted($0.value.description))" }
    }

    /// Quotes a word for a POSIX shell when it holds anything but plain characters.
    static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { c in
            !CharacterSet.whitespacesAndNewlines.contains(c) && !"'\"\\$`;&|<>()*?[]#~!{}".unicodeScalars.contains(c)
        }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
