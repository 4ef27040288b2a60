import Foundation
import KakariCore
import Yams

extension BundleLoader {
    /// Loads the one workflow in `file`, with the definition files of the `context` folders
    /// around it (calendar, staff, tables, child workflows; the first folder holding a file name
    /// wins). Other files defining a workflow of the same name are left out, so two versions
    /// of one workflow can be loaded side by side.
    public static func loadWorkflow(file: String, context folders: [String]) throws(DefinitionErrors) -> (WorkflowDefinition, DefinitionBundle) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DefinitionErrors([Diagnostic(file: file, line: 1, column: 1, "no such file")], sources: [:])
        }
        let name = workflowName(data)
        var files = [RawFile(path: file, data: data)]
        var seen: Set<String> = [(file as NSString).lastPathComponent]
        for folder in folders {
            for path in yamlFiles(in: folder.isEmpty ? "." : folder) {
                let base = (path as NSString).lastPathComponent
                guard !seen.contains(base), let sibling = FileManager.default.contents(atPath: path) else { continue }
                seen.insert(base)
                if let other = workflowName(sibling), other == name { continue }
                files.append(RawFile(path: path, data: sibling))
            }
        }
        let bundle = try load(files: files, extraDiagnostics: [])
        guard let name, let definition = bundle.workflows[name] else {
            throw DefinitionErrors([Diagnostic(file: file, line: 1, column: 1, "\(file) is not a workflow file")], sources: [:])
        }
        return (definition, bundle)
    }

    /// The name a definition file gives its workflow (`workflow: NAME`), or nil when it is not a workflow.
    static func workflowName(_ data: Data) -> String? {
        guard let text = String(data: data, encoding: .utf8),
              let top = (try? Yams.load(yaml: text)) as? [String: Any] else { return nil }
        return top["workflow"] as? String
    }
}
