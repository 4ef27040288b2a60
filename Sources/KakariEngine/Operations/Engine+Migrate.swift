import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// What a migration does (or would do) to one case.
    public struct MigrationItem: Hashable, Sendable {
        public var caseID: String
        public var fromVersion: Int
        public var fromState: String
        /// The state it enters in the new version; nil when it cannot move.
        public var toState: String?
        /// Why it cannot move.
        public var problem: String?
    }

    /// How many cases one migration transaction moves.
    public static let migrationBatch = 500

    /// Moves the running cases of `workflow` (all versions but `version`) to `version`.
    /// `map` names the new state for an old one (unmapped states keep their name); `filter`
    /// is an expression over the case data choosing which cases move. Each case is decided
    /// by the new version's core (`CaseEvent.migrate`) and committed with its re-derived tasks
    /// and timers, `migrationBatch` cases per transaction. A dry run writes nothing and reports
    /// every case with what would happen or why it cannot move; a real run refuses, moving
    /// nothing, while any chosen case cannot move.
    /// `states`, when given, limits the move to cases in those states.
    public func migrate(workflow: String, to version: Int, map: [String: String], filter: String?, states: Set<String>? = nil,
                        dryRun: Bool, reason: String, by user: String) async throws -> [MigrationItem] {
        try checkOperator(user, reason: reason, action: "migrate cases")
        try await requireSupervisor(user, to: "migrate cases")
        let decider = try await self.decider(workflow, version)
        var condition: KakariCore.Expression?
        if let filter {
            do { condition = try ExpressionParser.parse(filter) } catch { throw EngineError(.usage, "--where '\(filter)': \(error)") }
        }
        let running = try await store.cases(CaseFilter(workflow: workflow)).filter {
            !$0.snapshot.finished && $0.snapshot.version != version && (states?.contains($0.snapshot.state) ?? true)
        }
        var chosen: [CaseSnapshot] = []
        let now = try await self.now()
        let today = decider.calendar.day(of: now)
        for record in running {
            if let condition {
                let evaluator = Evaluator(caseData: record.snapshot.data, tables: decider.definition.tables, today: today)
                let holds: Bool
                do { holds = try evaluator.isTrue(condition) } catch {
                    throw EngineError(.refused, "--where cannot be evaluated on case \(record.snapshot.id): \(error)")
                }
                if !holds { continue }
            }
            chosen.append(record.snapshot)
        }
        let plan = Self.planMigration(chosen, decider: decider, to: version, map: map, reason: reason, now: now)
        if dryRun { return plan.map(\.item) }
        let stuck = plan.compactMap { step in step.item.problem.map { "case \(step.item.caseID) (\(step.item.fromState)): \($0)" } }
        guard stuck.isEmpty else {
            let shown = stuck.prefix(20).joined(separator: "\n  ") + (stuck.count > 20 ? "\n  … and \(stuck.count - 20) more" : "")
            throw EngineError(.refused, "\(stuck.count) of \(plan.count) cases cannot move to \(workflow)@\(version); nothing was migrated:\n  \(shown)\nsee them all with --dry-run; leave them out with --where or map their states with --map")
        }
        var items = plan.map(\.item)
        for start in stride(from: 0, to: plan.count, by: Self.migrationBatch) {
            let batch = plan[start..<min(start + Self.migrationBatch, plan.count)]
            var builder = BatchBuilder(engine: self, by: user, at: now)
            for step in batch { try await builder.add(step.decision!, expected: step.expected) }
            try await keepClaims(&builder.batch)
            do {
                try await commit(builder.batch)
            } catch let error as StoreError where error.code == .conflict {
                // Someone changed a case meanwhile: move this batch's cases one by one, each
                // decided again on its current state.
                for (offset, step) in batch.enumerated() {
                    do {
                        let current = try await caseRecord(step.item.caseID).snapshot
                        let target = map[current.state] ?? current.state
                        let event = CaseEvent.migrate(from: current.version, to: version, state: target, reason: reason)
                        items[start + offset].toState = try await deliver(event, to: step.item.caseID, by: user, at: now).to
                    } catch let error as EngineError {
                        items[start + offset].toState = nil
                        items[start + offset].problem = "it changed meanwhile, then: \(error.message)"
                    }
                }
            }
        }
        return items
    }

    /// A task claimed before the move stays with its holder when the move re-creates a task of
    /// the same kind for the same section.
    func keepClaims(_ batch: inout CommitBatch) async throws {
        for i in batch.cases.indices where !batch.cases[i].openTasks.isEmpty {
            var claimed = try await store.tasks(TaskFilter(statuses: [.claimed], caseID: batch.cases[i].snapshot.id))
            guard !claimed.isEmpty else { continue }
            for order in batch.cases[i].openTasks {
                guard let n = claimed.firstIndex(where: { $0.kind == order.kind && $0.section == order.section }),
                      let holder = claimed[n].assignee else { continue }
                batch.cases[i].claims[order.key] = holder
                claimed.remove(at: n)
            }
        }
    }

    /// One case's planned move: the report line, and the decision to commit when it can move.
    struct MigrationStep {
        var item: MigrationItem
        var decision: Decision?
        var expected: Int
    }

    /// Decides, without writing, what moving each case to `decider`'s definition does.
    static func planMigration(_ cases: [CaseSnapshot], decider: Decider, to version: Int, map: [String: String],
                              reason: String, now: Date) -> [MigrationStep] {
        cases.sorted { $0.id < $1.id }.map { s in
            var item = MigrationItem(caseID: s.id, fromVersion: s.version, fromState: s.state, toState: nil, problem: nil)
            let target = map[s.state] ?? s.state
            if decider.definition.state(target) == nil {
                item.problem = map[s.state] == nil
                    ? "state '\(s.state)' is not in version \(version); map it with --map \(s.state)=NEW_STATE"
                    : "the map names '\(target)', which version \(version) does not have"
            } else if let child = s.waitingFor {
                item.problem = "it waits for its child case \(child); move it when the child has finished"
            } else if s.suspended != nil {
                item.problem = "it is suspended; resume it first"
            }
            if item.problem != nil { return MigrationStep(item: item, decision: nil, expected: s.sequence) }
            do {
                let decision = try decider.decide(s, .migrate(from: s.version, to: version, state: target, reason: reason), now: now)
                item.toState = decision.to
                return MigrationStep(item: item, decision: decision, expected: s.sequence)
            } catch {
                item.problem = "\(error)"
                return MigrationStep(item: item, decision: nil, expected: s.sequence)
            }
        }
    }
}
