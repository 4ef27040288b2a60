import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// One event for `deliverGroup`: typed values, the task it completes (if any), who acts.
    public struct Delivery: Sendable {
        public var caseID: String
        public var event: CaseEvent
        public var by: String

        public init(caseID: String, event: CaseEvent, by: String) {
            self.caseID = caseID
            self.event = event
            self.by = by
        }
    }

    /// Delivers many events in one transaction (group commit), in order; later ones see the
    /// earlier ones' effects. Refused events are skipped and reported; if the group cannot
    /// commit because another writer changed one of its cases, each is delivered on its own.
    /// `read` holds cases the caller has just read: they are not read again (one changed
    /// meanwhile makes the group conflict, and its events are then delivered one by one).
    public func deliverGroup(_ deliveries: [Delivery], at now: Date,
                             read: [String: CaseRecord] = [:]) async throws -> (applied: Int, refused: [(Delivery, String)]) {
        var builder = BatchBuilder(engine: self, by: "", at: now)
        builder.take(read, usedKeys: [])
        var refused: [(Delivery, String)] = []
        var applied = 0
        // What a decision causes (a child case, the parent's next step) refused half-way
        // abandons the group: `add` throws and each event is delivered on its own.
        let grouped = try await commitGroup(deliveries, caseOf: \.caseID, keyOf: { _ in nil }, builder: &builder) { delivery, builder in
            let decision: Decision
            let expected: Int?
            do {
                let (snapshot, sequence) = try await builder.current(delivery.caseID)
                let decider = try await builder.decider(snapshot)
                do throws(DecisionError) { decision = try decider.decide(snapshot, delivery.event, now: now) } catch { throw EngineError(.refused, error.message) }
                expected = sequence
            } catch let error as EngineError {
                refused.append((delivery, error.message))
                return
            }
            builder.by = delivery.by
            try await builder.add(decision, expected: expected)
            applied += 1
        }
        if grouped { return (applied, refused) }
        applied = 0
        refused = []
        for delivery in deliveries {
            do {
                _ = try await deliver(delivery.event, to: delivery.caseID, by: delivery.by, at: now)
                applied += 1
            } catch let error as EngineError {
                refused.append((delivery, error.message))
            }
        }
        return (applied, refused)
    }
}
