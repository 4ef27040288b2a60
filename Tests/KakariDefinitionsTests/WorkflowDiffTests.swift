import Foundation
import KakariCore
import KakariDefinitions
import KakariTesting
import Testing

/// `kakari diff`: changes between two versions in workflow terms.
@Suite("Workflow diff")
struct WorkflowDiffTests {
    static func household() throws -> WorkflowDefinition {
        try BundleLoader.loadWorkflow(file: Repository.workflows + "/household-visit.yaml", context: [Repository.workflows]).0
    }

    @Test("the same definition has no changes")
    func identical() throws {
        let d = try Self.household()
        #expect(WorkflowDiff.compare(d, d).isEmpty)
    }

    @Test("a fifth visit, a renamed state, a new field, and a longer due date show as guard, transition, state, field, task and deadline changes")
    func procedureChange() throws {
        let folder = NSTemporaryDirectory() + "kakari-diff-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var text = try String(contentsOfFile: Repository.workflows + "/household-visit.yaml", encoding: .utf8)
        text = EditedWorkflows.contactedRenamedMet(EditedWorkflows.fifthVisit(text))
            .replacingOccurrences(of: "  visits: {type: int, label: 訪問回数, default: 0}\n",
                                  with: "  visits: {type: int, label: 訪問回数, default: 0}\n  children: {type: int, label: 子どもの数, default: 0}\n")
            .replacingOccurrences(of: "        due: 10bd\n        follow_up: 5bd\n", with: "        due: 15bd\n        follow_up: 5bd\n")
        try text.write(toFile: folder + "/household-visit.yaml", atomically: true, encoding: .utf8)
        let new = try BundleLoader.loadWorkflow(file: folder + "/household-visit.yaml", context: [folder, Repository.workflows]).0
        let changes = WorkflowDiff.compare(try Self.household(), new).map(\.description)
        #expect(changes.contains("+ field children: a whole number"))
        #expect(changes.contains("~ guard state awaiting_visit / on visit / branch 2: event.result == \"不在\" and visits + 1 >= 4 → event.result == \"不在\" and visits + 1 >= 5"))
        #expect(changes.contains("~ transition state awaiting_visit / on visit / branch 1: target contacted → met"))
        #expect(changes.contains("+ state state met: 面接できた"))
        #expect(changes.contains("- state state contacted: 面接できた"))
        #expect(changes.contains("~ task state counselling / task counselling: due 10bd → 15bd"))
        #expect(changes.contains { $0.hasPrefix("~ deadline deadline: except") })
        #expect(!changes.contains { $0.contains("state listed") }, "unchanged states are not mentioned: \(changes)")
    }
}
