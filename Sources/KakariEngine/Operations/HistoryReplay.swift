import Foundation
import KakariCore
import KakariStore

/// Replays a case's recorded decisions through the pure core, switching to the new
/// version's decider at each recorded migration.
struct HistoryReplay {
    /// Where a replay stopped agreeing with the history.
    struct Divergence: Error, Hashable, Sendable {
        var seq: Int
        var event: String
        var expected: String
        var got: String
    }

    /// The versions a history runs on, first one first (the start's, then each migration's target).
    static func versions(_ decisions: [HistoryEntry], current: Int) -> [Int] {
        var out: [Int] = []
        for entry in decisions {
            if case .migrate(let from, let to, _, _)? = entry.payload {
                if out.isEmpty { out.append(from) }
                out.append(to)
            }
        }
        return out.isEmpty ? [current] : out
    }

    /// Replays `decisions` (a case's decision entries, start first) with the deciders by version.
    static func run(_ decisions: [HistoryEntry], id: String, deciders: [Int: Decider], first version: Int) -> Result<CaseSnapshot, Divergence> {
        guard let first = decisions.first, case .start(let data, let parent)? = first.payload else {
            return .failure(Divergence(seq: decisions.first?.seq ?? 0, event: "start", expected: "a start", got: "no start"))
        }
        guard var decider = deciders[version] else {
            return .failure(Divergence(seq: first.seq, event: "start", expected: "version \(version)", got: "not deployed"))
        }
        var snapshot: CaseSnapshot
        do {
            snapshot = try decider.start(id: id, version: version, data: data, parent: parent, now: first.at).after
        } catch {
            return .failure(Divergence(seq: first.seq, event: "start", expected: "→ \(first.to)", got: "refused: \(error.message)"))
        }
        guard snapshot.state == first.to else {
            return .failure(Divergence(seq: first.seq, event: "start", expected: "→ \(first.to)", got: "→ \(snapshot.state)"))
        }
        for entry in decisions.dropFirst() {
            guard let event = entry.payload else {
                return .failure(Divergence(seq: entry.seq, event: entry.event, expected: "an event", got: "none recorded"))
            }
            if case .migrate(_, let to, _, _) = event {
                guard let next = deciders[to] else {
                    return .failure(Divergence(seq: entry.seq, event: entry.event, expected: "version \(to)", got: "not deployed"))
                }
                decider = next
            }
            let d: Decision
            do {
                d = try decider.decide(snapshot, event, now: entry.at)
            } catch {
                return .failure(Divergence(seq: entry.seq, event: entry.event, expected: "\(entry.from ?? "") → \(entry.to)",
                                           got: "refused: \(error.message)"))
            }
            guard d.from == entry.from, d.to == entry.to else {
                return .failure(Divergence(seq: entry.seq, event: entry.event, expected: "\(entry.from ?? "") → \(entry.to)",
                                           got: "\(d.from ?? "") → \(d.to)"))
            }
            snapshot = d.after
        }
        return .success(snapshot)
    }
}
