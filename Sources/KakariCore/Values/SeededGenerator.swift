/// A small deterministic random number generator (SplitMix64), so a demo with a given seed
/// always unfolds the same way.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    /// One of the weighted choices.
    public mutating func pick(_ shares: [(String, Double)]) -> String {
        let total = shares.reduce(0) { $0 + $1.1 }
        var r = Double.random(in: 0..<max(total, 1e-9), using: &self)
        for (name, weight) in shares {
            if r < weight { return name }
            r -= weight
        }
        return shares.last?.0 ?? ""
    }
}
