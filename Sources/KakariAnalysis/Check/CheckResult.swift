import Foundation

/// What `kakari check` found for one workflow: the size of the explored space and the
/// defects, each with the shortest path that shows it.
public struct CheckResult: Sendable {
    /// A property that does not hold, with its counterexample.
    public struct Defect: Sendable {
        /// The kinds of defect, in the order they are reported.
        public enum Kind: String, Sendable, Comparable {
            case deadEnd = "dead end"
            case noWayOut = "no way out"
            case unhandledOutcome = "unhandled outcome"
            case eventNobodySends = "event nobody sends"
            case unreachableFinal = "unreachable final state"
            case tooLarge = "too large to explore"

            private var rank: Int {
                switch self {
                case .deadEnd: 0
                case .noWayOut: 1
                case .unhandledOutcome: 2
                case .eventNobodySends: 3
                case .unreachableFinal: 4
                case .tooLarge: 5
                }
            }

            public static func < (a: Kind, b: Kind) -> Bool { a.rank < b.rank }
        }

        public var kind: Kind
        /// The state where it shows.
        public var state: String
        public var message: String
        /// The shortest path from the case's start that shows it (empty when no path can).
        public var steps: [ReplayStep]
    }

    public var workflow: String
    public var label: String
    /// Distinct configurations (state × values the conditions tell apart × timers × child).
    public var configurations: Int
    /// Decisions taken while exploring.
    public var transitions: Int
    /// The states some configuration is in.
    public var statesReached: Int
    public var statesTotal: Int
    public var finalStates: Int
    public var defects: [Defect]
    /// The time the exploration started from, for `kakari init --start`.
    public var start: Date

    public var proven: Bool { defects.isEmpty }

    /// The result as a person reads it; counterexamples as command lines to replay.
    public func rendered(folder: String) -> String {
        var out = ["check: \(workflow) (\(label))",
                   "explored \(configurations) configurations of \(statesReached)/\(statesTotal) states, \(transitions) transitions"]
        if proven {
            out.append("proven: every path can reach a final state; no state waits for an event nobody sends; "
                + "every form outcome is handled; all \(finalStates) final states are reachable")
            return out.joined(separator: "\n") + "\n"
        }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Tokyo")
        for defect in defects {
            out.append("")
            out.append("defect: \(defect.kind.rawValue): \(defect.message)")
            guard !defect.steps.isEmpty else { continue }
            out.append("counterexample (replay on a simulated store, as a section lead):")
            out.append("  kakari init --clock simulated --start \(formatter.string(from: start))")
            out.append("  kakari deploy \(ReplayStep.quoted(folder))")
            for line in defect.steps.flatMap(\.commandLines) { out.append("  " + line) }
        }
        out.append("")
        out.append("\(defects.count) defect\(defects.count == 1 ? "" : "s") found")
        return out.joined(separator: "\n") + "\n"
    }
}
