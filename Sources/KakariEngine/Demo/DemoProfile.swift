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
