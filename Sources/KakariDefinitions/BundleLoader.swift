import Foundation
import KakariCore
import Yams

/// Loads and checks definition files together. Every problem in every file is collected;
/// a bundle is returned only when there are none.
public enum BundleLoader {
    /// The kinds of definition file, told apart by their top-level key.
    enum Kind: String, CaseIterable { case workflow, staff, tables, calendar }

    /// Loads `paths` (files, or folders meaning every `.yaml` in them) as one bundle.
    public static func load(paths: [String]) throws(DefinitionErrors) -> DefinitionBundle {
        let (files, missing) = expand(paths)
        return try load(files: files, extraDiagnostics: missing)
    }

    /// Checks `paths` and returns the problems in them. A single file is checked with the
    /// other definition files of its folder as context (so a workflow's sections, tables and
    /// child workflows resolve), but only its own problems are reported.
    /// `context` names further files or folders loaded alongside but never reported on.
    public static func lint(paths: [String], context contextPaths: [String] = []) -> DefinitionErrors {
        let (files, missing) = expand(paths)
        let requested = Set(files.map(\.path))
        var context: [RawFile] = files + expand(contextPaths).0.filter { !requested.contains($0.path) }
        for path in paths where !isDirectory(path) && contextPaths.isEmpty {
            let folder = (path as NSString).deletingLastPathComponent
            for sibling in yamlFiles(in: folder.isEmpty ? "." : folder) where !requested.contains(sibling) {
                if let data = FileManager.default.contents(atPath: sibling) { context.append(.init(path: sibling, data: data)) }
            }
        }
        do {
            _ = try load(files: context, extraDiagnostics: missing)
            return DefinitionErrors([], sources: [:])
        } catch {
            return DefinitionErrors(error.diagnostics.filter { requested.contains($0.file) || $0.file == missingMarker($0) },
                                    sources: error.sources)
        }
    }

    private static func missingMarker(_ d: Diagnostic) -> String { d.message.hasPrefix("no such file") ? d.file : "" }

    static func expand(_ paths: [String]) -> ([RawFile], [Diagnostic]) {
        var files: [RawFile] = []
        var missing: [Diagnostic] = []
        for path in paths {
            if isDirectory(path) {
                let found = yamlFiles(in: path)
                if found.isEmpty { missing.append(Diagnostic(file: path, line: 1, column: 1, "no such file: the folder holds no .yaml files")) }
                for f in found { if let data = FileManager.default.contents(atPath: f) { files.append(.init(path: f, data: data)) } }
            } else if let data = FileManager.default.contents(atPath: path) {
                files.append(.init(path: path, data: data))
            } else {
                missing.append(Diagnostic(file: path, line: 1, column: 1, "no such file"))
            }
        }
        return (files, missing)
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    static func yamlFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { folder.hasSuffix("/") ? folder + $0 : folder + "/" + $0 }
    }

    /// A file as read from disk or from a store, before any check.
    struct RawFile {
        var path: String
        var data: Data
    }

    /// Loads sources kept as text (by a store, for instance).
    public static func load(sources: [SourceFile]) throws(DefinitionErrors) -> DefinitionBundle {
        try load(files: sources.map { RawFile(path: $0.path, data: Data($0.text.utf8)) }, extraDiagnostics: [])
    }
}
