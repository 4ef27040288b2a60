import Foundation
import KakariCore
import Yams

extension BundleLoader {
    /// Parses every file, loads the supporting files first, then each workflow against them.
    static func load(files: [RawFile], extraDiagnostics: [Diagnostic]) throws(DefinitionErrors) -> DefinitionBundle {
        var diagnostics = extraDiagnostics
        var sources: [SourceFile] = []
        var readers: [String: NodeReader] = [:]
        var parsed: [(Kind, Node, NodeReader)] = []
        for file in files {
            let (source, node, problems) = YAMLSource.load(path: file.path, data: file.data)
            sources.append(source)
            diagnostics += problems
            guard let node else { continue }
            let reader = NodeReader(source: source)
            readers[file.path] = reader
            guard case .mapping(let m) = node, let firstKey = m.keys.first?.string else {
                reader.error(node, "a definition file is a mapping starting with one of: \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            let kinds = m.keys.compactMap { $0.string.flatMap(Kind.init(rawValue:)) }
            guard let kind = Kind(rawValue: firstKey) ?? kinds.first else {
                reader.error(node, "unknown kind of file: expected \(Kind.allCases.map { "'\($0.rawValue):'" }.joined(separator: ", ")) at the top",
                             hint: NameSuggestion.hint(for: firstKey, in: Kind.allCases.map(\.rawValue)))
                continue
            }
            if kind != .workflow {
                if m.count > 1 {
                    for key in m.keys where key.string != kind.rawValue {
                        reader.error(key, "unknown key '\(key.string ?? "")' beside '\(kind.rawValue):'",
                                     hint: "a \(kind.rawValue) file holds only '\(kind.rawValue):'")
                    }
                }
                parsed.append((kind, m[kind.rawValue]!, reader))
            } else {
                parsed.append((kind, node, reader))
            }
        }

        // Calendar and staff: at most one of each.
        var calendar = BusinessCalendar.weekendsOnly
        var staff: StaffDirectory?
        var homeTowns: [(String, Node, NodeReader)] = []
        var calendarSeen = false
        for (kind, node, r) in parsed {
            switch kind {
            case .calendar:
                if calendarSeen { r.error(node, "a second calendar file; a bundle has one calendar") }
                calendarSeen = true
                if let c = CalendarLoader.load(node, r) { calendar = c }
            case .staff:
                if staff != nil { r.error(node, "a second staff file; a bundle has one staff directory") }
                if let (s, towns) = StaffLoader.load(node, r) {
                    staff = s
                    homeTowns += towns.map { ($0.0, $0.1, r) }
                }
            default: break
            }
        }

        // Tables, then the references between them.
        var tables: [String: LookupTable] = [:]
        var loadedTables: [(TableLoader.Loaded, String)] = []
        for (kind, node, r) in parsed where kind == .tables {
            for loaded in TableLoader.load(node, r) {
                if tables[loaded.table.name] != nil {
                    r.error(loaded.keyNode, "table '\(loaded.table.name)' is defined twice")
                    continue
                }
                tables[loaded.table.name] = loaded.table
                loadedTables.append((loaded, r.path))
            }
        }
        let pathOf = Dictionary(loadedTables.map { ($0.0.table.name, $0.1) }, uniquingKeysWith: { a, _ in a })
        TableLoader.checkReferences(loadedTables.map(\.0), all: tables, readers) { pathOf[$0.table.name] ?? "" }
        if let towns = tables["towns"] {
            for (town, node, r) in homeTowns where towns.rows[town] == nil {
                r.error(node, "unknown home town '\(town)'", hint: NameSuggestion.hint(for: town, in: towns.keys))
            }
        }

        // Workflows: names and results first, so children resolve in any order.
        var results: [String: [String]] = [:]
        var fieldsOf: [String: (all: [String], required: [String])] = [:]
        var workflowNodes: [String: Node] = [:]
        for (kind, node, r) in parsed where kind == .workflow {
            guard let (name, finals, fields, required) = WorkflowLoader.peek(node) else { continue }
            fieldsOf[name] = (fields, required)
            if workflowNodes[name] != nil {
                r.error(node, "workflow '\(name)' is defined in two files")
                continue
            }
            workflowNodes[name] = node
            results[name] = finals
        }
        let context = WorkflowContext(tables: tables, sections: staff?.sections.map(\.id), workflowResults: results,
                                      workflowFields: fieldsOf)
        var workflows: [String: WorkflowDefinition] = [:]
        var workflowFiles: [String: String] = [:]
        var supportFiles: [String] = []
        for (kind, node, r) in parsed {
            guard kind == .workflow else { supportFiles.append(r.path); continue }
            if let definition = WorkflowLoader(reader: r, context: context).load(node), workflowFiles[definition.name] == nil {
                workflows[definition.name] = definition
                workflowFiles[definition.name] = r.path
            }
        }
        diagnostics += readers.values.flatMap(\.diagnostics)
        let byPath = Dictionary(sources.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        guard diagnostics.isEmpty else { throw DefinitionErrors(diagnostics, sources: byPath) }
        return DefinitionBundle(workflows: workflows, tables: tables, calendar: calendar, staff: staff ?? StaffDirectory(),
                                sources: sources, workflowFiles: workflowFiles, supportFiles: supportFiles)
    }
}
