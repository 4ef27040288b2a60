import KakariCore
import Yams

extension WorkflowLoader {
    static let taskKeys = ["kind", "label", "title", "section", "route", "due", "follow_up", "priority", "form",
                           "event", "sees", "decision", "contractor", "confirms", "for_each", "retain", "critical", "sheet"]

    /// `sheet: {title: 訪問記録票, fields: [slot, result]}`: the survey sheet, whose fields must be
    /// fields of the task's form.
    func loadSheet(_ node: Node, form: [FieldDefinition], kind: String) -> SurveySheetDefinition? {
        guard let f = r.fields(node, "the sheet of task '\(kind)'", allowed: ["title", "fields"], required: ["title", "fields"]),
              let title = f["title"].flatMap({ r.string($0, "title") }),
              let fieldsNode = f["fields"], let names = r.strings(fieldsNode, "fields") else { return nil }
        var ok = true
        for (i, n) in names.enumerated() where !form.contains(where: { $0.name == n }) {
            r.error(itemNode(fieldsNode, i), "'\(n)' is not a field of the form of task '\(kind)'",
                    hint: NameSuggestion.hint(for: n, in: form.map(\.name)) ?? "a sheet prints fields of the task's form")
            ok = false
        }
        if names.isEmpty {
            r.error(fieldsNode, "the sheet of task '\(kind)' lists no fields", hint: "list the form fields the investigator fills in on paper")
            ok = false
        }
        return ok ? SurveySheetDefinition(title: title, fields: names) : nil
    }

    /// A task given on entering a state: where it goes, when it is due, what the worker sees
    /// and fills in.
    func loadTask(_ node: Node, state: String) -> TaskDefinition? {
        guard let f = r.fields(node, "a task of state '\(state)'", allowed: Self.taskKeys, required: ["kind", "title"]),
              let kind = f["kind"].flatMap({ r.identifier($0, "task kind") }),
              let titleNode = f["title"] else { return nil }
        // A for_each task is given once per item of a list field; the item is `item`.
        var forEach: String?
        var taskScope = scope()
        if let node = f["for_each"], let list = r.string(node, "for_each") {
            if fieldsByName[list]?.type != .list {
                let lists = fields.filter { $0.type == .list }.map(\.name)
                r.error(node, fieldsByName[list] == nil ? "unknown field '\(list)'" : "for_each needs a list field; \(list) is \(fieldsByName[list]!.type)",
                        hint: NameSuggestion.hint(for: list, in: lists) ?? (lists.isEmpty ? "declare a field of type list" : "list fields: \(lists.joined(separator: ", "))"))
            } else if fieldsByName[TaskDefinition.itemName] != nil {
                r.error(node, "for_each names each item 'item', which is already a field of the case", hint: "rename the case field")
            }
            forEach = list
            taskScope.caseFields[TaskDefinition.itemName] = FieldDefinition(name: TaskDefinition.itemName, type: .string, label: "item")
        }
        let title = r.template(titleNode, "title", scope: taskScope)
        let section: TaskDefinition.SectionRule?
        switch (f["section"], f["route"]) {
        case (let s?, nil):
            if let name = r.string(s, "section") {
                if let sections = context.sections, !sections.contains(name) {
                    r.error(s, "unknown section '\(name)'", hint: NameSuggestion.hint(for: name, in: sections))
                }
                section = .fixed(name)
            } else { section = nil }
        case (nil, let route?):
            section = r.expression(route, "route", scope: taskScope, expecting: .string).map { .route($0.0, source: $0.1) }
        case (_?, _?):
            r.error(f["route"], "a task has either section: or route:, not both")
            section = nil
        case (nil, nil):
            r.error(node, "task '\(kind)' needs section: (a section) or route: (an expression giving one)")
            section = nil
        }
        let form = f["form"].map { FieldLoader.load($0, "form of task '\(kind)'", r) } ?? []
        var sees: [String] = []
        if let seesNode = f["sees"], let names = r.strings(seesNode, "sees") {
            for (i, n) in names.enumerated() where fieldsByName[n] == nil {
                r.error(itemNode(seesNode, i), "unknown field '\(n)'", hint: NameSuggestion.hint(for: n, in: fieldsByName.keys))
            }
            sees = names
        }
        let decision = f["decision"].flatMap { r.bool($0, "decision") } ?? false
        let contractor = f["contractor"].flatMap { r.bool($0, "contractor") } ?? false
        if decision && contractor {
            r.error(f["contractor"], "task '\(kind)' is a decision and cannot go to a contractor",
                    hint: "decisions stay with ward staff (資格・賦課の最終決定)")
        }
        let sheet = f["sheet"].flatMap { loadSheet($0, form: form, kind: kind) }
        guard let title, let section else { return nil }
        return TaskDefinition(
            kind: kind, label: f["label"].flatMap { r.string($0, "label") }, title: title, section: section,
            due: f["due"].flatMap { r.duration($0, "due") }, followUp: f["follow_up"].flatMap { r.duration($0, "follow_up") },
            priority: f["priority"].flatMap { r.expression($0, "priority", scope: taskScope, expecting: .int)?.0 },
            form: form, event: f["event"].flatMap { r.identifier($0, "event") }, sees: sees, decision: decision,
            contractor: contractor, confirms: f["confirms"].flatMap { r.name($0, "confirms") }, forEach: forEach,
            retain: f["retain"].flatMap { r.name($0, "retain") }, critical: f["critical"].flatMap { r.name($0, "critical") },
            sheet: sheet)
    }
}
