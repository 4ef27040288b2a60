import Foundation

/// What the events only leads and admins send do to a case. Each is recorded in the history
/// with its reason and replays like any other event.
///
/// - **suspend**: the running timers stop (they are kept with the suspension); until resumed
///   the case accepts no event but `resume`, `cancel` (a child's result is refused too, so the
///   child waits).
/// - **resume**: the timers run again and the open tasks' due and follow-up dates move forward
///   by the suspension (`BusinessCalendar.postpone`: the open days it took).
/// - **move**: the state is left as a branch would leave it (open tasks withdrawn, its timers
///   cancelled, a child no longer waited for) and `state` entered as a branch would enter it.
///   The data and the deadline are kept.
/// - **cancel**: open tasks are withdrawn, every timer (the deadline too) cancelled; the case
///   is finished in its state with the result `cancelled`. The parent is not told.
/// - **migrate**: this decider is the new version's. The data is checked against its fields
///   (defaults fill new ones); the old state is left as by `move`, the version changes and
///   `state` of the new version is entered, re-deriving tasks and timers. The deadline is kept
///   if the new version has one and cancelled otherwise.
/// - **reopen**: a closed task's state is entered again (a finished case is running again);
///   its tasks are created anew.
extension Decider {
    /// The result a cancelled case ends with.
    public static let cancelledResult = "cancelled"

    func operate(_ snapshot: CaseSnapshot, _ event: CaseEvent, now: Date) throws(DecisionError) -> Decision {
        switch event {
        case .suspend:
            try requireRunning(snapshot)
            try requireNotSuspended(snapshot, "a suspension")
            var after = snapshot
            after.sequence += 1
            after.suspended = Suspension(at: now, timers: snapshot.timers)
            after.timers = [:]
            let effects = snapshot.timers.keys.sorted().map { Effect.cancelTimer(name: $0) }
            return Decision(event: event, from: snapshot.state, after: after, changes: [], effects: effects, applied: true, note: nil)
        case .resume:
            guard let suspension = snapshot.suspended else {
                throw DecisionError(.notSuspended, "case \(snapshot.id) is not suspended")
            }
            var after = snapshot
            after.sequence += 1
            after.suspended = nil
            var effects: [Effect] = []
            for name in suspension.timers.keys.sorted() {
                let due = calendar.postpone(suspension.timers[name]!, suspendedAt: suspension.at, resumedAt: now)
                after.timers[name] = due
                effects.append(.scheduleTimer(name: name, due: due))
            }
            if !snapshot.openTasks.isEmpty { effects.append(.postponeTasks(suspendedAt: suspension.at)) }
            return Decision(event: event, from: snapshot.state, after: after, changes: [], effects: effects, applied: true, note: nil)
        case .move(let state, _):
            try requireRunning(snapshot)
            try requireNotSuspended(snapshot, "a move")
            return try take([Branch(target: state)], snapshot, event, eventData: [:], completedTask: nil, now: now, refusal: "")
        case .cancel:
            try requireRunning(snapshot)
            var after = snapshot
            after.sequence += 1
            var effects = snapshot.openTasks.map { Effect.closeTask(key: $0.key, completed: false) }
            effects += snapshot.timers.keys.sorted().map { Effect.cancelTimer(name: $0) }
            after.openTasks = []
            after.timers = [:]
            after.suspended = nil
            after.waitingFor = nil
            after.finished = true
            after.result = Self.cancelledResult
            return Decision(event: event, from: snapshot.state, after: after, changes: [], effects: effects, applied: true, note: nil)
        case .migrate(let from, let to, let state, _):
            try requireRunning(snapshot)
            guard snapshot.version == from else {
                throw DecisionError(.unknownState, "case \(snapshot.id) is on version \(snapshot.version), not \(from)")
            }
            try requireNotSuspended(snapshot, "a migration")
            guard definition.state(state) != nil else {
                throw DecisionError(.unknownState, "version \(to) of \(definition.name) has no state '\(state)'")
            }
            let data = try check(snapshot.data, against: definition.fields, what: "the case's data under version \(to)", fillDefaults: true)
            var moved = snapshot
            moved.version = to
            moved.data = data
            var decision = try take([Branch(target: state)], moved, event, eventData: [:], completedTask: nil, now: now, refusal: "")
            if definition.deadline == nil, decision.after.timers[Self.deadlineTimer] != nil {
                decision.after.timers[Self.deadlineTimer] = nil
                decision.effects.append(.cancelTimer(name: Self.deadlineTimer))
            }
            decision.from = snapshot.state
            decision.changes = data.keys.sorted().compactMap { name in
                snapshot.data[name] == data[name] ? nil : Decision.Change(field: name, old: snapshot.data[name] ?? .null, new: data[name]!)
            }
            return decision
        case .reopen(_, let state, _):
            try requireNotSuspended(snapshot, "reopening a task")
            var reopened = snapshot
            reopened.finished = false
            reopened.result = nil
            var decision = try take([Branch(target: state)], reopened, event, eventData: [:], completedTask: nil, now: now, refusal: "")
            decision.from = snapshot.state
            return decision
        default:
            return try decide(snapshot, event, now: now)
        }
    }

    func requireRunning(_ snapshot: CaseSnapshot) throws(DecisionError) {
        guard !snapshot.finished else {
            throw DecisionError(.caseFinished, "case \(snapshot.id) is finished (\(snapshot.result ?? snapshot.state))")
        }
    }

    func requireNotSuspended(_ snapshot: CaseSnapshot, _ what: String) throws(DecisionError) {
        guard let suspension = snapshot.suspended else { return }
        let day = calendar.day(of: suspension.at)
        throw DecisionError(.caseSuspended, "case \(snapshot.id) is suspended since \(day) and accepts no \(what); resume it first")
    }
}
