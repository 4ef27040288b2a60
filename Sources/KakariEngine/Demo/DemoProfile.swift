import Foundation
import Yams

/// How `kakari demo` simulates the people working the cases (`Examples/demo.yaml`):
/// contact rates by time slot, referral shares, registry outcomes, daily capacity.
public struct DemoProfile: Sendable {
    public var start: Date
    public var days: Int
    public var households: String
    public var seed: UInt64
    public var contractors: [String]
    public var visitsPerContractorPerDay: Int
    public var slotShares: [(String, Double)]
    public var contactBySlot: [String: Double]
    public var contactOutcomes: [(String, Double)]
    public var referralByOutcome: [String: String]
    public var counselling: [(String, Double)]
    public var absentRequestCheck: Double
    public var residentFound: Double
    public var deleteRegistration: Double
    public var staffPerDay: [String: Int]
    public var staff: [String: String]

    /// Reads a profile; paths in it are relative to its folder.
    public init(path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EngineError(.refused, "cannot read the demo profile \(path)")
        }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw EngineError(.refused, "\(path): \(error)") }
        guard let top = root as? [String: Any], let d = top["demo"] as? [String: Any] else {
            throw EngineError(.refused, "\(path): a demo profile starts with 'demo:'")
        }
        func value<T>(_ key: String, _ type: T.Type) throws -> T {
            guard let v = d[key] as? T else { throw EngineError(.refused, "\(path): demo.\(key) is missing or of the wrong type") }
            return v
        }
        func shares(_ key: String) throws -> [(String, Double)] {
            let m = try value(key, [String: Any].self)
            return m.keys.sorted().map { ($0, (m[$0] as? Double) ?? Double(m[$0] as? Int ?? 0)) }
        }
        func number(_ any: Any?) -> Double { (any as? Double) ?? Double(any as? Int ?? 0) }
        // YAML reads an unquoted timestamp as a date already.
        if let date = d["start"] as? Date {
            start = date
        } else if let text = d["start"] as? String, let date = ISO8601DateFormatter().date(from: text) {
            start = date
        } else {
            throw EngineError(.refused, "\(path): demo.start is not an ISO 8601 time")
        }
        days = try value("days", Int.self)
        let folder = (path as NSString).deletingLastPathComponent
        households = (folder.isEmpty ? "" : folder + "/") + (try value("households", String.self))
        seed = UInt64(try value("seed", Int.self))
        let c = try value("contractors", [String: Any].self)
        contractors = (c["users"] as? [String]) ?? []
        visitsPerContractorPerDay = (c["visits_per_day"] as? Int) ?? 20
        slotShares = try shares("slots")
        contactBySlot = Dictionary(uniqueKeysWithValues: try shares("contact_by_slot"))
        contactOutcomes = try shares("contact_outcomes")
        referralByOutcome = (try value("referral_by_outcome", [String: Any].self)).compactMapValues { $0 as? String }
        counselling = try shares("counselling")
        absentRequestCheck = number(d["absent_request_check"])
        let registry = try value("registry", [String: Any].self)
        residentFound = number(registry["resident_found"])
        deleteRegistration = number(registry["delete"])
        staffPerDay = (try value("staff_per_day", [String: Any].self)).compactMapValues { $0 as? Int }
        staff = (try value("staff", [String: Any].self)).compactMapValues { $0 as? String }
    }
}

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
