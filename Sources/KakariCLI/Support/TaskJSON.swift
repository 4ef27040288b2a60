import Foundation
import KakariEngine
import KakariStore

extension Output {
    /// What a delivered event did, with the keys of `send --json`: `case`, `event`, `from`,
    /// `to`, `applied`.
    static func printJSON(_ o: Engine.Outcome) {
        printJSON(["case": o.caseID, "event": o.event, "from": o.from, "to": o.to, "applied": o.applied])
    }

    /// A task with the contract's keys (`id`, `case`, `kind`, `title`, `section`, `assignee`,
    /// `status`, `due`) and a few more.
    func json(_ t: TaskRecord) -> [String: Any] {
        ["id": t.id, "case": t.caseID, "kind": t.kind, "title": t.title, "section": t.section,
         "assignee": t.assignee ?? NSNull(), "status": t.status.rawValue, "due": iso(t.due),
         "follow_up": iso(t.followUp), "priority": t.priority, "decision": t.decision,
         "completed_by": t.completedBy ?? NSNull()]
    }

    /// Tasks as an aligned table.
    func table(_ tasks: [TaskRecord], sections: [String: String], now: Date? = nil) -> String {
        var table = TextTable(["ID", "CASE", "TITLE", "SECTION", "ASSIGNEE", "STATUS", "DUE"])
        for t in tasks {
            let overdue = t.isOpen && now != nil && (t.due.map { $0 < now! } ?? false)
            table.append([String(t.id), t.caseID, t.title, sections[t.section] ?? t.section, t.assignee ?? t.completedBy ?? "-",
                          t.status.rawValue, date(t.due) + (overdue ? " 期限超過" : "")])
        }
        return table.rendered
    }
}
