import ArgumentParser
import Dispatch
import Foundation
import KakariEngine
import Logging

extension Kakari {
    /// `kakari daemon [--once]`: the engine loop.
    struct Daemon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fire due timers and apply queued events until stopped.",
            discussion: """
            --once works until nothing is due, then exits. SIGTERM or SIGINT finish the transaction \
            in flight and exit 0. Logs go to stderr.

            Example: kakari daemon --once
            """
        )
        @Flag(help: "Work until nothing is due, then exit.") var once = false
        @Option(help: ArgumentHelp("Longest sleep between polls, in seconds.", valueName: "SECONDS")) var poll: Double = 1
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global, checkUser: false)
                var logger = Logger(label: "kakari.daemon")
                logger.logLevel = ProcessInfo.processInfo.environment["KAKARI_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .info
                var engine = context.engine
                engine.logger = logger
                let stop = StopSignal()
                stop.install()
                logger.info("daemon started", metadata: ["store": "\(StoreLocation(global.store ?? ProcessInfo.processInfo.environment["KAKARI_STORE"]))", "once": "\(once)"])
                var total = Engine.StepReport()
                while !stop.isSet {
                    let now = try await engine.now()
                    let report = try await engine.runDue(now: now, shouldStop: { stop.isSet })
                    total.add(report)
                    if report.total > 0 {
                        logger.info("applied", metadata: ["timers": "\(report.timersFired)", "events": "\(report.eventsApplied)", "rejected": "\(report.eventsRejected)"])
                    }
                    if once { break }
                    if report.total == 0 {
                        var wait = poll
                        if let next = try await engine.store.nextTimerDue(), try await !engine.isSimulated() {
                            wait = min(poll, max(0.05, next.timeIntervalSince(Date())))
                        }
                        try await stop.sleep(seconds: wait)
                    }
                }
                logger.info("daemon stopped", metadata: ["timers": "\(total.timersFired)", "events": "\(total.eventsApplied)", "rejected": "\(total.eventsRejected)"])
                if global.json {
                    Output.printJSON(["timers_fired": total.timersFired, "events_applied": total.eventsApplied, "events_rejected": total.eventsRejected])
                }
            }
        }
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
            source.setEventHandler { [weak self] in self?.lock.withLock { self?.set = true } }
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
