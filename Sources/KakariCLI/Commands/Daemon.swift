import ArgumentParser
import Dispatch
import Foundation
import KakariEngine
import KakariStore
import Logging

extension Kakari {
    /// `kakari daemon [--once]`: the engine loop.
    struct Daemon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "daemon",
            abstract: "Fire due timers and apply queued events until stopped.",
            discussion: """
            --once works until nothing is due, then exits. SIGTERM or SIGINT finish the transaction \
            in flight and exit 0. Logs go to stderr.

            Example: kakari daemon --once
            """
        )
        @Flag(help: "Work until nothing is due, then exit.") var once = false
        @Option(help: ArgumentHelp("Longest sleep between polls, in seconds.", valueName: "SECONDS")) var poll: Double = 1
        @Option(help: ArgumentHelp("How long a claim on a case lasts if this daemon dies, in seconds (PostgreSQL).", valueName: "SECONDS"))
        var lease: Double = Engine.defaultLease
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global, checkUser: false)
                var logger = Logger(label: "kakari.daemon")
                logger.logLevel = ProcessInfo.processInfo.environment["KAKARI_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .info
                var configured = context.engine
                configured.logger = logger
                let engine = configured
                let stop = StopSignal()
                stop.install()
                logger.info("daemon started", metadata: ["store": "\(StoreLocation(global.store ?? ProcessInfo.processInfo.environment["KAKARI_STORE"]))", "once": "\(once)"])
                var total = Engine.StepReport()
                var retry = StoreRetry()
                var nextReminder = Date.distantPast
                while !stop.isSet {
                    // Datasets past their end date are named in the log at start and every hour.
                    if Date() >= nextReminder, let reminders = try? await engine.datasetReminders() {
                        for line in reminders { logger.warning("\(line)") }
                        nextReminder = Date().addingTimeInterval(3600)
                    }
                    let report: Engine.StepReport
                    do {
                        let now = try await engine.now()
                        // A pass that hangs (a connection lost without an error) is given up on
                        // after a while: its claims end with their lease and the work is retried.
                        // A pass takes at most `groupsPerPass` groups, so a long backlog is worked
                        // off in many passes, each well within the deadline.
                        report = try await withDeadline(seconds: max(60, lease * 4)) { [lease] in
                            try await engine.runDue(now: now, lease: lease, groups: Self.groupsPerPass, shouldStop: { stop.isSet })
                        }
                        retry.succeeded(logger)
                    } catch let error as StoreError where error.code == .unavailable || error.code == .conflict {
                        // The server restarted or the network is cut: nothing half-done was
                        // committed, so the same work is claimed again once it is back.
                        try await stop.sleep(seconds: retry.failed(error, logger))
                        continue
                    }
                    total.add(report)
                    if report.total > 0 {
                        logger.info("applied", metadata: ["timers": "\(report.timersFired)", "events": "\(report.eventsApplied)", "rejected": "\(report.eventsRejected)"])
                    }
                    // --once waits for work that other daemons hold (or held, until their
                    // claims end) to be done too.
                    if once, try await !hasWorkLeft(engine) { break }
                    if report.total == 0 {
                        var wait = once ? min(poll, 0.2) : poll
                        do {
                            if let next = try await engine.store.nextTimerDue(), try await !engine.isSimulated() {
                                wait = min(poll, max(0.05, next.timeIntervalSince(Date())))
                            }
                            try await engine.store.waitForWork(seconds: wait, stop: { stop.isSet })
                        } catch let error as StoreError where error.code == .unavailable {
                            try await stop.sleep(seconds: retry.failed(error, logger))
                        }
                    }
                }
                logger.info("daemon stopped", metadata: ["timers": "\(total.timersFired)", "events": "\(total.eventsApplied)", "rejected": "\(total.eventsRejected)"])
                if global.json {
                    var out: [String: Any] = ["timers_fired": total.timersFired, "events_applied": total.eventsApplied,
                                              "events_rejected": total.eventsRejected]
                    if let peak = ProcessMemory.highWaterMegabytes() { out["peak_resident_mb"] = (peak * 10).rounded() / 10 }
                    Output.printJSON(out)
                }
            }
        }
    }
}

extension Kakari.Daemon {
    /// How many groups (of `Engine.groupSize`) one pass of the daemon takes at most: about
    /// 16,000 events, two seconds at the rates of docs/performance.md, far within a pass's
    /// deadline. Before this bound a pass took the whole backlog, and a million queued events
    /// outlasted the deadline (see `withDeadline`).
    static let groupsPerPass = 64

    /// Whether any event is pending or any timer due.
    func hasWorkLeft(_ engine: Engine) async throws -> Bool {
        let now = try await engine.now()
        if try await !engine.store.dueTimers(before: now, limit: 1).isEmpty { return true }
        return try await !engine.store.pendingEvents(limit: 1).isEmpty
    }
}

/// Set once SIGTERM or SIGINT arrives; the loop checks it between transactions.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    private var sources: [DispatchSourceSignal] = []

    var isSet: Bool { lock.withLock { set } }

    func install() {
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                self?.lock.withLock { self?.set = true }
                // A daemon stuck waiting for an unreachable store still stops: nothing it had not
                // committed was written.
                DispatchQueue.global().asyncAfter(deadline: .now() + 15) {
                    FileHandle.standardError.write(Data("kakari: the daemon did not stop within 15 s; exiting (nothing half-done was committed)\n".utf8))
                    exit(0)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Sleeps up to `seconds`, waking early when stopped.
    func sleep(seconds: Double) async throws {
        var left = seconds
        while left > 0, !isSet {
            let step = min(left, 0.05)
            try await Task.sleep(nanoseconds: UInt64(step * 1_000_000_000))
            left -= step
        }
    }
}

/// Backoff for a daemon whose store is unreachable: 0.1 s doubling to 10 s, logged once per
/// failure and once when the store is back.
struct StoreRetry {
    private var delay = 0.0

    /// Logs the failure and returns how long to wait before trying again.
    mutating func failed(_ error: StoreError, _ logger: Logger) -> Double {
        delay = min(max(delay * 2, 0.1), 10)
        logger.warning("store unavailable; retrying", metadata: ["reason": "\(error.message)", "retry_in": "\(delay)s"])
        return delay
    }

    mutating func succeeded(_ logger: Logger) {
        if delay > 0 { logger.info("store available again") }
        delay = 0
    }
}

/// Runs `operation`, or throws `StoreError.unavailable` when it has not finished after
/// `seconds` (the operation is cancelled and left behind).
func withDeadline<T: Sendable>(seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let gate = DeadlineGate<T>()
    return try await withCheckedThrowingContinuation { continuation in
        gate.continuation = continuation
        let work = Task {
            do { gate.finish(.success(try await operation())) } catch { gate.finish(.failure(error)) }
        }
        let timer = Task {
            guard (try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))) != nil else { return }
            if gate.finish(.failure(StoreError(.unavailable, "the store did not answer within \(Int(seconds)) s"))) { work.cancel() }
        }
        // The timer ends with the work, so a daemon's idle passes leave no sleeping tasks behind.
        Task { _ = await work.result; timer.cancel() }
    }
}

/// Resumes a continuation once, from whichever finishes first.
final class DeadlineGate<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    var continuation: CheckedContinuation<T, Error>?

    @discardableResult
    func finish(_ result: Result<T, Error>) -> Bool {
        let waiting: CheckedContinuation<T, Error>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(with: result)
        return waiting != nil
    }
}
