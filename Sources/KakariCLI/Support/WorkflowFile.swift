import ArgumentParser
import Foundation
import KakariDefinitions

/// Lints a workflow file with its folder, then loads the folder: the bundle and the
/// workflow's name. Exits 1 with the problems when the folder has any.
func loadWorkflow(_ file: String) async throws -> (DefinitionBundle, String) {
    let errors = BundleLoader.lint(paths: [file])
    if !errors.diagnostics.isEmpty {
        print(errors.rendered)
        throw ExitCode(1)
    }
    let folder = (file as NSString).deletingLastPathComponent
    let bundle = try await failing { try BundleLoader.load(paths: [folder.isEmpty ? "." : folder]) }
    let standardised = (file as NSString).standardizingPath
    guard let name = bundle.workflowFiles.first(where: { ($0.value as NSString).standardizingPath == standardised })?.key else {
        report("\(file) is not a workflow file")
        throw ExitCode(1)
    }
    return (bundle, name)
}
