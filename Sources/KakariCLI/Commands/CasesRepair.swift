import ArgumentParser
import Foundation
import KakariEngine

/// Runs an operator's repair and prints what it did (the case, its state before and after).
func repair(_ global: GlobalOptions, _ action: @escaping (Engine, String) async throws -> Engine.Outcome) async throws {
    try await failing {
        let context = try await CommandContext.open(global)
        let o = try await action(context.engine, context.user)
        if context.json { Output.printJSON(o) } else { print("\(o.caseID): \(o.event) \(o.from) → \(o.to)") }
    }
}

extension Kakari.Cases {
    /// `kakari cases suspend ID --reason R`.
    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "suspend",
            abstract: "Suspend a case (leads and admins): its timers stop and it accepts no event until resumed.",
            discussion: "Example: kakari cases suspend H000001 --reason '世帯主入院のため調査保留'")
        @Argument(help: "The case id.") var id: String
        @Option(help: "Why (recorded in the case history).") var reason: String
        @OptionGroup var global: GlobalOptions

        func run() async throws { try await repair(global) { try await $0.suspend(caseID: id, reason: reason, by: $1) } }
    }

    /// `kakari cases resume ID --reason R`.
    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume",
            abstract: "Resume a suspended case: timers and task due dates move forward by the open days it was suspended.",
            discussion: "Example: kakari cases resume H000001 --reason '退院を確認'")
        @Argument(help: "The case id.") var id: String
        @Option(help: "Why (recorded in the case history).") var reason: String
        @OptionGroup var global: GlobalOptions

        func run() async throws { try await repair(global) { try await $0.resume(caseID: id, reason: reason, by: $1) } }
    }

    /// `kakari cases move ID STATE --reason R`.
    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "move",
            abstract: "Move a case to another state (a manual correction by a lead or an admin).",
            discussion: """
            The open tasks are withdrawn and the state's timers cancelled; the new state is entered \
            as a transition would enter it (its tasks and timers are created).

            Example: kakari cases move H000001 visit2 --reason '一回目訪問の記録漏れを訂正'
            """)
        @Argument(help: "The case id.") var id: String
        @Argument(help: "The state to move it to (name or label).") var state: String
        @Option(help: "Why (recorded in the case history).") var reason: String
        @OptionGroup var global: GlobalOptions

        func run() async throws { try await repair(global) { try await $0.move(caseID: id, to: state, reason: reason, by: $1) } }
    }

    /// `kakari cases cancel ID --reason R`.
    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel",
            abstract: "Cancel a case (leads and admins): its tasks are withdrawn, its timers cancelled; it ends as cancelled.",
            discussion: "Example: kakari cases cancel H000001 --reason '重複登録'")
        @Argument(help: "The case id.") var id: String
        @Option(help: "Why (recorded in the case history).") var reason: String
        @OptionGroup var global: GlobalOptions

        func run() async throws { try await repair(global) { try await $0.cancel(caseID: id, reason: reason, by: $1) } }
    }
}

extension Kakari.Tasks {
    /// `kakari tasks reopen TASK --reason R`.
    struct Reopen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reopen",
            abstract: "Reopen a closed task (leads and admins): its case enters the task's state again and its tasks are created anew.",
            discussion: "Example: kakari tasks reopen 42 --reason '誤って完了'")
        @Argument(help: "The task id.") var task: String
        @Option(help: "Why (recorded in the case history).") var reason: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await repair(global) { engine, user in try await engine.reopen(taskID: try taskID(task), reason: reason, by: user) }
        }
    }
}
