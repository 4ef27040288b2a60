/// One line of `kakari bench`: what was measured, at which scale, and the same store's bare
/// baseline measured in the same run, so the ratio means something on a noisy machine.
public struct BenchFigure: Sendable, Hashable {
    /// What the figure measures, e.g. "single event (kakari send)".
    public var name: String
    /// How many cases the store held.
    public var cases: Int
    public var value: Double
    /// The unit of `value` and `baseline`, e.g. "events/s" or "ms".
    public var unit: String
    /// What the baseline is, e.g. "bare update + history insert, one per transaction".
    public var baselineName: String?
    public var baseline: Double?
    /// Whether a larger value is better (rates) or a smaller one (latencies, memory).
    public var higherIsBetter: Bool

    public init(name: String, cases: Int, value: Double, unit: String, baselineName: String? = nil, baseline: Double? = nil,
                higherIsBetter: Bool = true) {
        self.name = name
        self.cases = cases
        self.value = value
        self.unit = unit
        self.baselineName = baselineName
        self.baseline = baseline
        self.higherIsBetter = higherIsBetter
    }

    /// The engine's figure as a share of the baseline: 1.0 is as good as the bare store,
    /// 0.7 is 70% of it (a rate 30% lower, or a latency 1/0.7 times longer).
    public var ratio: Double? {
        guard let baseline, baseline > 0, value > 0 else { return nil }
        return higherIsBetter ? value / baseline : baseline / value
    }
}
