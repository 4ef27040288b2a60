import Foundation
import KakariCore

/// The in-memory world of one simulation run: the cases with their snapshots, each section's
/// queue of open tasks, and the timers ordered by due time. Every change goes through
/// `Decider`; the effects it returns are carried out here instead of in a store.
struct SimulationWorld {
    struct Case {
        var snapshot: CaseSnapshot
        var workflow: String
        var top: Bool
        var startedAt: Date
        var finishedAt: Date?
    }

    struct Task {
        var id: Int
        var caseIndex: Int
        var key: String
        var kind: String
        var event: String
        var priority: Int
        var created: Date
    }

    struct Timer: Comparable {
        var due: Date
        var order: Int
        var caseIndex: Int
        var name: String
        static func < (a: Timer, b: Timer) -> Bool { (a.due, a.order) < (b.due, b.order) }
    }

    let deciders: [String: Decider]
    let calendar: BusinessCalendar
    let profile: SimulationProfile
    var random: SeededGenerator

    private(set) var cases: [Case] = []
    private var caseIndex: [String: Int] = [:]
    private var queues: [String: [Task]] = [:]
    /// Open tasks by id, and the id of each case's task key.
    private var open: Set<Int> = []
    private var taskIDs: [String: Int] = [:]
    private var nextID = 0
    private var timers: [Timer] = []
    private var weekly: [String: [Int]] = [:]
    private var peakBacklog = 0
    private var refused = 0

    init(workflows: [String: WorkflowDefinition], calendar: BusinessCalendar, profile: SimulationProfile, random: SeededGenerator) {
        deciders = workflows.mapValues { Decider(definition: $0, calendar: calendar) }
        self.calendar = calendar
        self.profile = profile
        self.random = random
    }

    var unfinishedTopCases: Int { cases.reduce(0) { $0 + ($1.top && $1.finishedAt == nil ? 1 : 0) } }

    mutating func startTopCase(_ definition: WorkflowDefinition, id: String, at now: Date) {
        var data: [String: Value] = [:]
        let drawn = profile.caseData
        for (field, distribution) in drawn {
            guard let f = definition.field(field), let v = draw(distribution, for: f, context: data, open: true) else { continue }
            data[field] = v
        }
        let idField = definition.fields.first { $0.type == .string && $0.required && ($0.name == "id" || $0.name.hasSuffix("_no") || $0.name.hasSuffix("_id")) }
        for f in definition.fields where f.required && data[f.name] == nil {
            data[f.name] = f.name == idField?.name ? .string(id) : sample(f, in: definition)
        }
        guard let index = start(definition.name, id: id, data: data, parent: nil, top: true, at: now) else { return }
        for event in profile.startEvents { deliver(index, .signal(name: event, fields: [:], task: nil), at: now) }
    }

    /// Each section completes up to its capacity of open tasks between `from` and `to`.
    mutating func work(open isOpen: Bool, from: Date, to: Date) {
        var planned: [(at: Date, section: String, task: Task)] = []
        for section in queues.keys.sorted() {
            let capacity = (isOpen ? profile.perDay[section] : profile.perClosedDay[section]) ?? 0
            guard capacity > 0 else { continue }
            // Queues stay in order (highest priority, then oldest) as tasks are added.
            let queue = queues[section]!.filter { open.contains($0.id) }
            queues[section] = queue
            let step = to.timeIntervalSince(from) / Double(capacity + 1)
            for (k, task) in queue.prefix(capacity).enumerated() {
                planned.append((from.addingTimeInterval(step * Double(k + 1)), section, task))
            }
        }
        planned.sort { ($0.at, $0.section, $0.task.id) < ($1.at, $1.section, $1.task.id) }
        for (at, _, task) in planned {
            fireTimers(upTo: at)
            guard open.contains(task.id) else { continue }
            let c = cases[task.caseIndex]
            guard let definition = deciders[c.workflow]?.definition else { continue }
            let fields = form(task.kind, event: task.event, definition: definition, data: c.snapshot.data, open: isOpen)
            if !deliver(task.caseIndex, .signal(name: task.event, fields: fields, task: task.key), at: at) {
                // A completion the workflow refuses: the task is set aside, not retried for ever.
                open.remove(task.id)
            }
        }
    }

    /// Fires, in order, every timer due at or before `time`, each at its own due time.
    mutating func fireTimers(upTo time: Date) {
        while let first = timers.first, first.due <= time {
            popTimer()
            guard cases[first.caseIndex].snapshot.timers[first.name] == first.due else { continue }
            deliver(first.caseIndex, .timer(name: first.name), at: first.due)
        }
    }

    mutating func noteBacklog() { peakBacklog = max(peakBacklog, open.count) }

    func result(_ definition: WorkflowDefinition, unfinishedByDeadline: Int) -> SimulationRun {
        var finals: [String: Int] = [:]
        var durations: [Double] = []
        for c in cases where c.top {
            guard let finished = c.finishedAt else { continue }
            finals[c.snapshot.state, default: 0] += 1
            durations.append(finished.timeIntervalSince(c.startedAt) / 86_400)
        }
        durations.sort()
        let median = durations.isEmpty ? 0 : durations[(durations.count - 1) / 2]
        return SimulationRun(finals: finals, unfinished: unfinishedTopCases, weekly: weekly, peakBacklog: peakBacklog,
                             medianDaysToFinish: median, unfinishedByDeadline: unfinishedByDeadline, refused: refused)
    }

    @discardableResult
    private mutating func start(_ workflow: String, id: String, data: [String: Value], parent: String?, top: Bool, at now: Date) -> Int? {
        guard let decider = deciders[workflow] else { refused += 1; return nil }
        let decision: Decision
        do { decision = try decider.start(id: id, version: 1, data: data, parent: parent, now: now) } catch {
            refused += 1
            return nil
        }
        cases.append(Case(snapshot: decision.after, workflow: workflow, top: top, startedAt: now))
        caseIndex[id] = cases.count - 1
        apply(decision, cases.count - 1, at: now)
        return cases.count - 1
    }

    @discardableResult
    private mutating func deliver(_ index: Int, _ event: CaseEvent, at now: Date) -> Bool {
        guard let decider = deciders[cases[index].workflow] else { return false }
        let decision: Decision
        do { decision = try decider.decide(cases[index].snapshot, event, now: now) } catch {
            refused += 1
            return false
        }
        guard decision.applied else { return true }
        apply(decision, index, at: now)
        return true
    }

    private mutating func apply(_ decision: Decision, _ index: Int, at now: Date) {
        cases[index].snapshot = decision.after
        if decision.after.finished, cases[index].finishedAt == nil { cases[index].finishedAt = now }
        for effect in decision.effects {
            switch effect {
            case .openTask(let order):
                nextID += 1
                open.insert(nextID)
                taskIDs["\(index)#\(order.key)"] = nextID
                let task = Task(id: nextID, caseIndex: index, key: order.key, kind: order.kind,
                                event: order.event, priority: order.priority, created: now)
                // After every task of the same or a higher priority: they are older.
                var (low, high) = (0, queues[order.section]?.count ?? 0)
                while low < high {
                    let mid = (low + high) / 2
                    if queues[order.section]![mid].priority >= task.priority { low = mid + 1 } else { high = mid }
                }
                queues[order.section, default: []].insert(task, at: low)
                let week = max(0, Int(now.timeIntervalSince(profile.start) / (7 * 86_400)))
                var counts = weekly[order.section] ?? []
                while counts.count <= week { counts.append(0) }
                counts[week] += 1
                weekly[order.section] = counts
            case .closeTask(let key, _):
                if let id = taskIDs.removeValue(forKey: "\(index)#\(key)") { open.remove(id) }
            case .scheduleTimer(let name, let due):
                pushTimer(Timer(due: due, order: nextID, caseIndex: index, name: name))
                nextID += 1
            case .cancelTimer, .postponeTasks:
                // Cancelled timers are skipped when they come up; nobody suspends a simulated case.
                break
            case .startChild(let id, let workflow, let data):
                start(workflow, id: id, data: data, parent: decision.after.id, top: false, at: now)
            case .notifyParent(let parent, let result):
                if let p = caseIndex[parent] { deliver(p, .childFinished(child: decision.after.id, result: result), at: now) }
            }
        }
    }

    /// The timers are a binary heap, the earliest first.
    private mutating func pushTimer(_ timer: Timer) {
        timers.append(timer)
        var i = timers.count - 1
        while i > 0, timers[i] < timers[(i - 1) / 2] {
            timers.swapAt(i, (i - 1) / 2)
            i = (i - 1) / 2
        }
    }

    private mutating func popTimer() {
        let last = timers.removeLast()
        guard !timers.isEmpty else { return }
        timers[0] = last
        var i = 0
        while true {
            let (l, r) = (2 * i + 1, 2 * i + 2)
            var smallest = i
            if l < timers.count, timers[l] < timers[smallest] { smallest = l }
            if r < timers.count, timers[r] < timers[smallest] { smallest = r }
            if smallest == i { return }
            timers.swapAt(i, smallest)
            i = smallest
        }
    }

    /// The form of a completed task: drawn from the profile, samples for the rest.
    private mutating func form(_ kind: String, event: String, definition: WorkflowDefinition, data: [String: Value], open: Bool) -> [String: Value] {
        var fields: [String: Value] = [:]
        let declared = definition.eventFields(event)
        for (name, distribution) in profile.outcomes[kind] ?? [] {
            guard let f = declared.first(where: { $0.name == name }) else { continue }
            let context = data.merging(fields) { _, form in form }
            if let v = draw(distribution, for: f, context: context, open: open) { fields[name] = v }
        }
        for f in declared where f.required && fields[f.name] == nil { fields[f.name] = sample(f, in: definition) }
        return fields
    }

    private mutating func draw(_ d: SimulationProfile.Distribution, for field: FieldDefinition, context: [String: Value], open: Bool) -> Value? {
        let key: String
        switch d.by {
        case nil: key = ""
        case "day": key = open ? "open" : "closed"
        case let by?: key = context[by]?.description ?? ""
        }
        guard let shares = d.shares[key], !shares.isEmpty else { return nil }
        let raw = random.pick(shares)
        if case .success(let v) = field.type.parse(raw) { return v }
        return nil
    }

    private mutating func sample(_ f: FieldDefinition, in definition: WorkflowDefinition) -> Value {
        switch f.type {
        case .enumeration(let values): return .string(values[Int(random.next() % UInt64(max(values.count, 1)))])
        case .bool: return .bool(true)
        case .int: return .int(0)
        case .date: return .date(calendar.day(of: profile.start))
        case .list: return .list([])
        case .string, .text:
            if let table = f.table, let keys = definition.tables[table]?.keys, !keys.isEmpty {
                return .string(keys[Int(random.next() % UInt64(keys.count))])
            }
            return .string("sample")
        }
    }
}
