import ArgumentParser
import Foundation
import KakariCore
import KakariEngine

extension Kakari {
    /// `kakari clock [advance DURATION | set ISO8601]`: the simulated clock.
    struct Clock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clock",
            abstract: "Show or move a simulated store's clock.",
            discussion: "Example: kakari clock advance 5bd",
            subcommands: [Show.self, Advance.self, Set.self],
            defaultSubcommand: Show.self
        )

        /// `kakari clock`.
        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the store's current time.")
            @OptionGroup var global: GlobalOptions
            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    let now = try await context.engine.now()
                    let simulated = try await context.engine.isSimulated()
                    if context.json {
                        Output.printJSON(["now": context.output.iso(now), "simulated": simulated])
                    } else {
                        print("\(context.output.date(now)) (\(simulated ? "simulated" : "real") clock)")
                    }
                }
            }
        }

        /// `kakari clock advance DURATION`.
        struct Advance: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "advance",
                abstract: "Move the clock forward, firing every timer on the way at its own due time.",
                discussion: "Durations: 30m, 4h, 3d, 2w, 5bd (business days in the deployed calendar).\n\nExample: kakari clock advance 2w"
            )
            @Argument(help: "How far.") var duration: String
            @OptionGroup var global: GlobalOptions
            func run() async throws {
                try await failing {
                    guard let d = KakariCore.Duration(duration) else { throw ValidationError("'\(duration)' is not a duration; \(KakariCore.Duration.syntaxHint)") }
                    let context = try await CommandContext.open(global)
                    try await context.engine.requireSupervisor(context.user, to: "move the clock")
                    let calendar = try await context.engine.currentBundle()?.calendar ?? .weekendsOnly
                    let target = calendar.add(d, to: try await context.engine.now(), rollToOpenDay: false)
                    let report = try await context.engine.advanceClock(to: target, by: context.user)
                    try await printAdvance(context, report)
                }
            }
        }

        /// `kakari clock set ISO8601`.
        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "set", abstract: "Move the clock to a later time, firing timers on the way.",
                                                            discussion: "Example: kakari clock set 2009-10-01T09:00:00+09:00")
            @Argument(help: "The new time (ISO 8601).") var time: String
            @OptionGroup var global: GlobalOptions
            func run() async throws {
                try await failing {
                    guard let target = ISO8601DateFormatter().date(from: time) else {
                        throw ValidationError("'\(time)' is not an ISO 8601 time such as 2009-10-01T09:00:00+09:00")
                    }
                    let context = try await CommandContext.open(global)
                    try await context.engine.requireSupervisor(context.user, to: "move the clock")
                    let report = try await context.engine.advanceClock(to: target, by: context.user)
                    try await printAdvance(context, report)
                }
            }
        }
    }
}

private func printAdvance(_ context: CommandContext, _ report: Engine.StepReport) async throws {
    let now = try await context.engine.now()
    if context.json {
        Output.printJSON(["now": context.output.iso(now), "timers_fired": report.timersFired, "events_applied": report.eventsApplied,
                          "events_rejected": report.eventsRejected])
    } else {
        print("\(context.output.date(now)): \(report.timersFired) timers fired, \(report.eventsApplied) events applied, \(report.eventsRejected) rejected")
    }
}
