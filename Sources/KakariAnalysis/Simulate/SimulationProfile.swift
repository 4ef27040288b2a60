import Foundation
import KakariCore
import Yams

/// What `kakari simulate` assumes about the people working the cases, read from the `demo:`
/// mapping of a profile such as `Examples/demo.yaml`, the file `kakari demo` reads too:
/// `start`, `days`, `seed`, `staff_per_day` (tasks each section completes per open day) and
/// `contractors` (their users and `visits_per_day`; a third of it on closed days) are shared
/// with the demo. The simulator adds, for any workflow:
///
/// - `outcomes`: per task kind, per form field, the shares of its values. `by: FIELD` makes
///   the shares depend on a form field drawn before it or on a case field; `by: day` on
///   whether the office is open (`open:` / `closed:`).
/// - `hours`: `{from: "09:00", to: "17:00"}`, when tasks are completed on a working day.
/// - `start_events`: events every new case receives at once (`[assign]`).
/// - `case_data`: shares for case fields, drawn when a case starts.
public struct SimulationProfile: Sendable {
    /// Shares of values, possibly depending on another field (or on the day).
    public struct Distribution: Sendable {
        /// The field (form field, case field, or `day`) the shares depend on; nil: fixed shares.
        public var by: String?
        /// Shares per value of `by` (the key "" when there is no `by`).
        public var shares: [String: [(String, Double)]]
    }

    public var start: Date
    public var days: Int
    public var seed: UInt64
    /// Tasks each section completes on an open day.
    public var perDay: [String: Int]
    /// Tasks each section completes on a closed day.
    public var perClosedDay: [String: Int]
    /// Minutes after midnight when work starts and ends.
    public var hours: (from: Int, to: Int)
    public var startEvents: [String]
    /// Per task kind, per form field, in file order.
    public var outcomes: [String: [(field: String, distribution: Distribution)]]
    public var caseData: [(field: String, distribution: Distribution)]

    /// Reads the profile text. `sections` gives each user's section, so the contractors'
    /// visits count for their section.
    public init(yaml text: String, path: String, sections: [String: String]) throws(SimulationError) {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw SimulationError("\(path): \(error)") }
        guard let d = root?["demo"], d.mapping != nil else { throw SimulationError("\(path): a profile starts with 'demo:'") }
        func need(_ key: String) throws(SimulationError) -> Node {
            guard let n = d[key] else { throw SimulationError("\(path): demo.\(key) is missing") }
            return n
        }
        let startNode = try need("start")
        guard let start = startNode.timestamp ?? startNode.string.flatMap({ ISO8601DateFormatter().date(from: $0) }) else {
            throw SimulationError("\(path): demo.start is not an ISO 8601 time")
        }
        self.start = start
        guard let days = try need("days").int, days > 0 else { throw SimulationError("\(path): demo.days must be a positive whole number") }
        self.days = days
        seed = UInt64(truncatingIfNeeded: d["seed"]?.int ?? 1)
        var perDay: [String: Int] = [:]
        if let m = d["staff_per_day"]?.mapping {
            for (k, v) in m { if let s = k.string, let n = v.int { perDay[s] = n } }
        }
        var perClosedDay: [String: Int] = [:]
        if let c = d["contractors"] {
            let users = c["users"]?.sequence?.compactMap(\.string) ?? []
            let each = c["visits_per_day"]?.int ?? 20
            for user in users { if let section = sections[user] { perDay[section, default: 0] += each; perClosedDay[section, default: 0] += each / 3 } }
        }
        self.perDay = perDay
        self.perClosedDay = perClosedDay
        func minutes(_ node: Node?, _ fallback: Int) -> Int {
            guard let text = node?.string else { return fallback }
            let parts = text.split(separator: ":").compactMap { Int($0) }
            return parts.count == 2 ? parts[0] * 60 + parts[1] : fallback
        }
        hours = (minutes(d["hours"]?["from"], 9 * 60), minutes(d["hours"]?["to"], 17 * 60))
        guard hours.from < hours.to else { throw SimulationError("\(path): demo.hours must start before they end") }
        startEvents = d["start_events"]?.sequence?.compactMap(\.string) ?? []
        var outcomes: [String: [(field: String, distribution: Distribution)]] = [:]
        if let m = d["outcomes"]?.mapping {
            for (kind, fields) in m {
                guard let kind = kind.string else { continue }
                outcomes[kind] = try Self.fields(fields, path: "\(path): demo.outcomes.\(kind)")
            }
        }
        self.outcomes = outcomes
        if let n = d["case_data"] {
            caseData = try Self.fields(n, path: "\(path): demo.case_data")
        } else {
            caseData = []
        }
    }

    private static func fields(_ node: Node, path: String) throws(SimulationError) -> [(field: String, distribution: Distribution)] {
        guard let mapping = node.mapping else { throw SimulationError("\(path) must map fields to shares") }
        var out: [(field: String, distribution: Distribution)] = []
        for (k, v) in mapping {
            guard let field = k.string else { continue }
            out.append((field: field, distribution: try distribution(v, path: "\(path).\(field)")))
        }
        return out
    }

    private static func distribution(_ node: Node, path: String) throws(SimulationError) -> Distribution {
        guard let mapping = node.mapping else { throw SimulationError("\(path) must map values to shares") }
        if let by = node["by"]?.string {
            var shares: [String: [(String, Double)]] = [:]
            for (k, v) in mapping where k.string != "by" {
                guard let key = k.string else { continue }
                shares[key] = try flat(v, path: "\(path).\(key)")
            }
            return Distribution(by: by, shares: shares)
        }
        return Distribution(by: nil, shares: ["": try flat(node, path: path)])
    }

    private static func flat(_ node: Node, path: String) throws(SimulationError) -> [(String, Double)] {
        guard let mapping = node.mapping else { throw SimulationError("\(path) must map values to shares") }
        var out: [(String, Double)] = []
        for (k, v) in mapping {
            guard let value = k.string, let share = v.float ?? v.int.map(Double.init), share >= 0 else {
                throw SimulationError("\(path): each share is a number from 0 (such as 0.25)")
            }
            out.append((value, share))
        }
        return out
    }
}
