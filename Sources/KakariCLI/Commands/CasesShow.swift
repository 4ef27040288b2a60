import ArgumentParser
import Foundation
import KakariCore
import KakariEngine
import KakariStore

extension Kakari.Cases {
    /// `kakari cases show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a case: its data, history, tasks, parent and children.",
                                                        discussion: "Example: kakari cases show H000001 --json")
        @Argument(help: "The case id.") var id: String
        @OptionGroup var global: GlobalOptions

        /// The fields an event carried (none for starts, timers and child results).
        static func fields(_ entry: HistoryEntry) -> [String: Value] {
            if case .signal(_, let fields, _)? = entry.payload { return fields }
            if let reason = entry.payload?.reason { return ["reason": .string(reason)] }
            return [:]
        }

        func run() async throws {
            try await failing {
                let context = try await CommandContext.open(global)
                let engine = context.engine
                let view = try await engine.readCase(id, by: context.user)
                let s = view.record.snapshot
                let history = view.history
                let tasks = view.tasks
                let children = view.children
                let definition = try? await engine.decider(s.workflow, s.version).definition
                let out = context.output
                if context.json {
                    let data = Dictionary(uniqueKeysWithValues: s.data.map { ($0.key, $0.value.natural) })
                    Output.printJSON([
                        "id": s.id, "workflow": s.workflow, "version": s.version, "state": s.state, "data": data,
                        "history": history.map {
                            ["seq": $0.seq, "at": out.iso($0.at), "event": $0.event, "from": $0.from ?? NSNull(), "to": $0.to, "by": $0.by,
                             "fields": Dictionary(uniqueKeysWithValues: Self.fields($0).map { ($0.key, $0.value.natural) })] as [String: Any]
                        },
                        "tasks": tasks.map(out.json), "parent": s.parent ?? NSNull(), "children": children,
                        "finished": s.finished, "result": s.result ?? NSNull(),
                        "suspended_since": s.suspended.map { out.iso($0.at) as Any } ?? NSNull(),
                        "dataset": view.record.dataset ?? NSNull(), "notice": view.notice ?? NSNull(),
                    ] as [String: Any])
                    return
                }
                let stateLabel = definition?.state(s.state)?.label ?? s.state
                print("\(s.id)  \(definition?.label ?? s.workflow) (\(s.workflow)@\(s.version))")
                print("state: \(stateLabel) (\(s.state))\(s.finished ? ", finished: \(s.result ?? "")" : "")")
                if let suspension = s.suspended { print("suspended since \(out.date(suspension.at)) (kakari cases resume)") }
                if let parent = s.parent { print("parent: \(parent)") }
                if let dataset = view.record.dataset { print("dataset: \(dataset)") }
                if let notice = view.notice { print("note: \(notice)") }
                if !children.isEmpty { print("children: \(children.joined(separator: ", "))") }
                print("\ndata:")
                var data = TextTable(["FIELD", "VALUE"])
                for field in definition?.fields ?? [] where (s.data[field.name] ?? .null) != .null {
                    data.append([field.label, s.data[field.name]!.description])
                }
                print(data.rendered)
                print("\nhistory:")
                var table = TextTable(["SEQ", "AT", "EVENT", "FROM", "TO", "BY", "FIELDS"])
                for h in history {
                    let fields = Self.fields(h).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                    table.append([String(h.seq), out.date(h.at), h.event, h.from ?? "", h.to, h.by, fields])
                }
                print(table.rendered)
                if !tasks.isEmpty {
                    print("\ntasks:")
                    let sections = Dictionary((try await engine.currentBundle()?.staff.sections ?? []).map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
                    print(out.table(tasks, sections: sections))
                }
            }
        }
    }
}
