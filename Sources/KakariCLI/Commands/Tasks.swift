import ArgumentParser
import Foundation
import KakariEngine
import KakariStore

extension Kakari {
    /// `kakari tasks …`: the worklist.
    struct Tasks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tasks",
            abstract: "Work the task list: list, show, claim, release, assign, complete, update.",
            subcommands: [List.self, Show.self, Claim.self, Next.self, Release.self, Assign.self, Complete.self, Update.self, Reopen.self, Export.self],
            defaultSubcommand: List.self
        )

        /// `kakari tasks [list]`.
        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract: "List tasks, highest priority and earliest due first.",
                discussion: "Example: kakari tasks list --section kokuho_seiri --status open --json"
            )
            @Option(help: "Only this section's tasks.") var section: String?
            @Flag(help: "Only tasks assigned to me.") var mine = false
            @Option(help: "open (open and claimed, the default), claimed, done or all.") var status: String = "open"
            @OptionGroup var global: GlobalOptions

            func validate() throws {
                guard ["open", "claimed", "done", "all"].contains(status) else { throw ValidationError("--status is open, claimed, done or all") }
            }

            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    let statuses: Set<TaskRecord.Status> = switch status {
                    case "claimed": [.claimed]
                    case "done": [.done]
                    case "all": Set(TaskRecord.Status.allCases)
                    default: [.open, .claimed]
                    }
                    let sections = try await sectionLabels(context)
                    if let section, !sections.isEmpty, sections[section] == nil {
                        let byLabel = sections.first { $0.value == section }?.key
                        guard byLabel != nil else {
                            throw EngineError(.refused, "there is no section '\(section)'\(NameSuggestion.hint(for: section, in: sections.keys).map { "; \($0)" } ?? "")")
                        }
                    }
                    let sectionID = section.flatMap { s in sections[s] != nil ? s : sections.first { $0.value == s }?.key ?? s }
                    let tasks = try await context.engine.visibleTasks(TaskFilter(section: sectionID, assignee: mine ? context.user : nil, statuses: statuses), by: context.user)
                    if context.json { Output.printJSON(tasks.map(context.output.json)); return }
                    print(context.output.table(tasks, sections: sections, now: try await context.engine.now()))
                }
            }
        }

        /// `kakari tasks show TASK`.
        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a task with the case fields its form lets the worker see.",
                                                            discussion: "Example: kakari tasks show 42")
            @Argument(help: "The task id.") var task: String
            @OptionGroup var global: GlobalOptions

            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    let view = try await context.engine.readTask(try taskID(task), by: context.user)
                    let t = view.task
                    let kind = view.definition
                    let visible = view.fields
                    if context.json {
                        var object = context.output.json(t)
                        object["fields"] = Dictionary(uniqueKeysWithValues: visible.map { ($0.0.name, $0.1.natural) })
                        object["form"] = (kind?.form ?? []).map { f -> [String: Any] in
                            var entry: [String: Any] = ["name": f.name, "label": f.label, "type": f.type.name, "required": f.required]
                            if case .enumeration(let values) = f.type { entry["values"] = values }
                            return entry
                        }
                        Output.printJSON(object)
                        return
                    }
                    let sections = try await sectionLabels(context)
                    print("task \(t.id): \(t.title)")
                    print("\(kind?.label ?? t.kind) for \(sections[t.section] ?? t.section); \(t.status.rawValue)\(t.assignee.map { " by \($0)" } ?? ""); due \(context.output.date(t.due))")
                    var fields = TextTable(["FIELD", "VALUE"])
                    for (field, value) in visible { fields.append([field.label, value.description]) }
                    print(fields.rendered)
                    if let form = kind?.form, !form.isEmpty {
                        print("\nform (kakari tasks complete \(t.id) FIELD=VALUE ...):")
                        var table = TextTable(["FIELD", "LABEL", "TYPE", "REQUIRED"])
                        for f in form { table.append([f.name, f.label, f.type.description, f.required ? "yes" : ""]) }
                        print(table.rendered)
                    }
                }
            }
        }

        /// `kakari tasks claim TASK`.
        struct Claim: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "claim", abstract: "Take a task.", discussion: "Example: kakari tasks claim 42")
            @Argument(help: "The task id.") var task: String
            @OptionGroup var global: GlobalOptions
            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    try await context.engine.claim(try taskID(task), by: context.user)
                    try await printTask(context, task, "claimed by \(context.user)")
                }
            }
        }

        /// `kakari tasks next [--kind K] [--section S]`: piled execution.
        struct Next: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "next",
                abstract: "Take the next open task of a kind from my worklist.",
                discussion: """
                    Claims the first open task on your worklist (highest priority, earliest due) of the kind given, \
                    so that one person can work through the same kind of task across cases. Prints nothing to take \
                    when there is none.
                    Example: kakari tasks next --kind visit
                    """
            )
            @Option(help: "Only tasks of this kind.") var kind: String?
            @Option(help: "A section's worklist other than mine (leads).") var section: String?
            @OptionGroup var global: GlobalOptions
            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    guard let task = try await context.engine.claimNext(kind: kind, section: section, by: context.user) else {
                        if context.json { print("null") } else { print("nothing to take\(kind.map { " of kind \($0)" } ?? "") for \(context.user)") }
                        return
                    }
                    if context.json {
                        Output.printJSON(context.output.json(task))
                    } else {
                        print("task \(task.id) claimed by \(context.user): \(task.title)")
                    }
                }
            }
        }

        /// `kakari tasks release TASK`.
        struct Release: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "release", abstract: "Give a task back to its section.", discussion: "Example: kakari tasks release 42")
            @Argument(help: "The task id.") var task: String
            @OptionGroup var global: GlobalOptions
            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    try await context.engine.release(try taskID(task), by: context.user)
                    try await printTask(context, task, "released")
                }
            }
        }

        /// `kakari tasks assign TASK USER` or `kakari tasks assign --auto --section S`.
        struct Assign: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "assign",
                abstract: "Hand a task to someone, or a section's open tasks to its contractors.",
                discussion: """
                With --auto --section S: the open, unassigned tasks of S go to its contractors, never to one \
                whose home town (home_town in staff.yaml) is the case's town or next to it (neighbours in the \
                towns table), fewest open tasks first; tasks nobody may take stay unassigned and are listed.

                Example: kakari tasks assign 42 suzuki, or kakari tasks assign --auto --section survey_contractor
                """
            )
            @Argument(help: "The task id.") var task: String?
            @Argument(help: "Who takes it.") var assignee: String?
            @Flag(help: "Assign a section's open tasks to its contractors.") var auto = false
            @Option(help: "The section (with --auto).") var section: String?
            @OptionGroup var global: GlobalOptions

            func validate() throws {
                if auto {
                    guard section != nil, task == nil else { throw ValidationError("--auto takes --section S and no task") }
                } else if task == nil || assignee == nil {
                    throw ValidationError("give TASK USER, or --auto --section S")
                }
            }

            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    guard auto, let section else {
                        try await context.engine.assign(try taskID(task ?? ""), to: assignee ?? "", by: context.user)
                        try await printTask(context, task ?? "", "assigned to \(assignee ?? "")")
                        return
                    }
                    let r = try await context.engine.autoAssign(section: section, by: context.user)
                    if context.json {
                        Output.printJSON([
                            "assigned": r.assigned.map { ["task": $0.task, "case": $0.caseID, "town": $0.town ?? NSNull(), "assignee": $0.assignee] as [String: Any] },
                            "unassigned": r.unassigned.map { ["task": $0.task, "case": $0.caseID, "reason": $0.reason] as [String: Any] },
                        ])
                        return
                    }
                    var table = TextTable(["TASK", "CASE", "TOWN", "ASSIGNEE"])
                    for a in r.assigned { table.append([String(a.task), a.caseID, a.town ?? "", a.assignee]) }
                    if !r.assigned.isEmpty { print(table.rendered) }
                    for u in r.unassigned { print("task \(u.task) (\(u.caseID)) stays unassigned: \(u.reason)") }
                    print("\(r.assigned.count) assigned, \(r.unassigned.count) unassigned")
                }
            }
        }

        /// `kakari tasks complete TASK [FIELD=VALUE...]`.
        struct Complete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "complete",
                abstract: "Fill in a task's form; the values become the event that advances the case.",
                discussion: "Example: kakari tasks complete 42 slot=平日夜間 result=不在"
            )
            @Argument(help: "The task id.") var task: String
            @Argument(help: "FIELD=VALUE pairs.") var fields: [String] = []
            @OptionGroup var global: GlobalOptions
            func run() async throws {
                try await failing {
                    let values = try assignments(fields)
                    let context = try await CommandContext.open(global)
                    let o = try await context.engine.completeTask(try taskID(task), fields: values, by: context.user)
                    if context.json {
                        Output.printJSON(o)
                    } else {
                        print("task \(task) done: \(o.caseID) \(o.from) → \(o.to)")
                    }
                }
            }
        }

        /// `kakari tasks update TASK [--section S] [--due DATE]`: a lead's correction.
        struct Update: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "update",
                abstract: "Change a task's section or due date; the change goes into the case history.",
                discussion: "Example: kakari tasks update 42 --section kokuho_shakujii --due 2009-07-10"
            )
            @Argument(help: "The task id.") var task: String
            @Option(help: "Move it to this section.") var section: String?
            @Option(help: ArgumentHelp("New due date (YYYY-MM-DD, end of the office day) or 'none'.", valueName: "DATE")) var due: String?
            @OptionGroup var global: GlobalOptions

            func validate() throws {
                if section == nil && due == nil { throw ValidationError("give --section or --due") }
            }

            func run() async throws {
                try await failing {
                    let context = try await CommandContext.open(global)
                    var newDue: Date?? = nil
                    if let due {
                        if due == "none" { newDue = .some(nil) } else {
                            guard case .success(.date(let day)) = FieldType.date.parse(due) else {
                                throw ValidationError("--due '\(due)' is not a date (YYYY-MM-DD)")
                            }
                            newDue = .some(day.start(in: context.output.timeZone).addingTimeInterval(17 * 3600))
                        }
                    }
                    try await context.engine.updateTask(try taskID(task), section: section, due: newDue, by: context.user)
                    try await printTask(context, task, "updated")
                }
            }
        }
    }
}

/// After a change: the task as JSON, or a sentence.
func printTask(_ context: CommandContext, _ id: String, _ what: String) async throws {
    if context.json {
        Output.printJSON(context.output.json(try await context.engine.task(try taskID(id))))
    } else {
        print("task \(id) \(what)")
    }
}

/// A task id as typed; anything but a number names no task.
func taskID(_ text: String) throws -> Int64 {
    guard let id = Int64(text), id > 0 else { throw EngineError(.refused, "there is no task \(text)") }
    return id
}

/// Section ids to their labels, from the deployed staff directory.
func sectionLabels(_ context: CommandContext) async throws -> [String: String] {
    Dictionary((try await context.engine.currentBundle()?.staff.sections ?? []).map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
}

import KakariCore
