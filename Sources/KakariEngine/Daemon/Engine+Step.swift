import Foundation
import KakariCore
import KakariStore

extension Engine {
    /// What one pass of the engine did.
    public struct StepReport: Hashable, Sendable {
        public var timersFired = 0
        public var eventsApplied = 0
        public var eventsRejected = 0
        public var total: Int { timersFired + eventsApplied + eventsRejected }
        public init() {}
    }

    /// Fires every timer due by `now` (each at its own due time, in order) and applies the
    /// queued events, until nothing is left to do. Each timer and each event is its own
    /// transaction, so a crash loses nothing and repeats nothing.
    public func runDue(now: Date, user: String = "kakari-daemon", shouldStop: @Sendable () -> Bool = { false }) async throws -> StepReport {
        var report = StepReport()
        while !shouldStop() {
            var progressed = false
            for timer in try await store.dueTimers(before: now, limit: 500) {
                if shouldStop() { return report }
                try await fire(timer, user: user)
                report.timersFired += 1
                progressed = true
            }
            for event in try await store.pendingEvents(limit: 500) {
                if shouldStop() { return report }
                if try await apply(event, user: user, now: now) { report.eventsApplied += 1 } else { report.eventsRejected += 1 }
                progressed = true
            }
            if !progressed { break }
        }
        return report
    }

    /// Fires one timer at its own due time.
    func fire(_ timer: TimerRecord, user: String) async throws {
        do {
            _ = try await deliver(.timer(name: timer.name), to: timer.caseID, by: user, at: timer.due)
        } catch let error as EngineError {
            // A timer whose branches cannot be taken (a guard failing at run time) must not
            // block the others: it is recorded as spent and logged.
            logger.error("timer \(timer.name) of case \(timer.caseID) failed: \(error.message)")
            var batch = CommitBatch()
            if let record = try await store.caseRecord(timer.caseID) {
                batch.cases = [CaseWrite(snapshot: record.snapshot, expectedSequence: record.snapshot.sequence, history: [
                    HistoryEntry(caseID: timer.caseID, seq: 0, at: timer.due, kind: .admin, event: "timer.failed", payload: nil,
                                 from: record.snapshot.state, to: record.snapshot.state, by: user,
                                 detail: StoreJSON.encode(["timer": timer.name, "reason": error.message]))
                ], timers: [timer.name: Date?.none], at: timer.due)]
                try? await store.commit(batch)
            }
        }
    }

    /// Applies one queued event; false when it was rejected (kept with its reason).
    func apply(_ event: QueuedEvent, user: String, now: Date) async throws -> Bool {
        let at = max(now, event.enqueuedAt)
        do {
            if let key = event.key, try await store.idempotency(key) != nil {
                try await resolve(event, .duplicate, "key \(key) was already used", at: at)
                return false
            }
            _ = try await deliver(.signal(name: event.event, fields: event.fields, task: nil), to: event.caseID, by: event.by,
                                  at: at, key: event.key) { _ in EventResolution(id: event.id, status: .applied, reason: nil, at: at) }
            return true
        } catch let error as EngineError {
            try await resolve(event, .rejected, error.message, at: at)
            return false
        }
    }

    private func resolve(_ event: QueuedEvent, _ status: QueuedEvent.Status, _ reason: String, at: Date) async throws {
        var batch = CommitBatch()
        batch.resolvedEvents = [EventResolution(id: event.id, status: status, reason: reason, at: at)]
        do { try await store.commit(batch) } catch let error as StoreError where error.code == .conflict {
            // Another daemon resolved it first.
        }
    }
}
