import KakariCore

/// The spread over runs (10th, 50th and 90th percentiles) of what `kakari simulate` measures.
public struct SimulationSummary: Sendable {
    /// Three percentiles of one measure over the runs.
    public struct Spread: Hashable, Sendable {
        public var p10: Double
        public var p50: Double
        public var p90: Double

        init(_ values: [Double]) {
            let sorted = values.sorted()
            func at(_ p: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                // Nearest rank.
                let rank = Int((p * Double(sorted.count)).rounded(.up))
                return sorted[min(max(rank - 1, 0), sorted.count - 1)]
            }
            p10 = at(0.1)
            p50 = at(0.5)
            p90 = at(0.9)
        }
    }

    public var runs: [SimulationRun]
    public var cases: Int
    /// Per final state (in file order), then "unfinished": cases ending there.
    public var finals: [(state: String, label: String, spread: Spread)]
    /// Per section, per week: tasks created.
    public var weekly: [(section: String, weeks: [Spread])]
    public var peakBacklog: Spread
    public var daysToFinish: Spread
    /// The share (0…1) of cases not finished by the profile's `days`.
    public var unfinishedByDeadline: Spread
    public var refused: Spread

    init(runs: [SimulationRun], definition: WorkflowDefinition, days: Int) {
        self.runs = runs
        cases = runs.first.map { $0.finals.values.reduce($0.unfinished, +) } ?? 0
        var finals: [(state: String, label: String, spread: Spread)] = []
        for s in definition.states where s.isFinal {
            finals.append((state: s.name, label: s.label, spread: Spread(runs.map { Double($0.finals[s.name] ?? 0) })))
        }
        finals.append((state: "unfinished", label: "未了", spread: Spread(runs.map { Double($0.unfinished) })))
        self.finals = finals
        let sections = Set(runs.flatMap(\.weekly.keys)).sorted()
        let weeks = runs.flatMap(\.weekly.values).map(\.count).max() ?? 0
        weekly = sections.map { section -> (section: String, weeks: [Spread]) in
            let spreads = (0..<weeks).map { w in
                Spread(runs.map { r -> Double in
                    let counts = r.weekly[section] ?? []
                    return Double(w < counts.count ? counts[w] : 0)
                })
            }
            return (section: section, weeks: spreads)
        }
        peakBacklog = Spread(runs.map { Double($0.peakBacklog) })
        daysToFinish = Spread(runs.map(\.medianDaysToFinish))
        let total = Double(max(cases, 1))
        unfinishedByDeadline = Spread(runs.map { Double($0.unfinishedByDeadline) / total })
        refused = Spread(runs.map { Double($0.refused) })
    }

    /// The weekly table as CSV: `section,week,p10,p50,p90`.
    public var weeklyCSV: String {
        var lines = ["section,week,p10,p50,p90"]
        for (section, weeks) in weekly {
            for (w, s) in weeks.enumerated() { lines.append("\(section),\(w + 1),\(Int(s.p10)),\(Int(s.p50)),\(Int(s.p90))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
