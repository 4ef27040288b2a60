import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// Runs `body` on a fresh store with the workflows of `Tests/Fixtures/patterns` deployed.
func withPatterns<T>(_ body: (TemporaryStore) async throws -> T) async throws -> T {
    let store = try await TemporaryStore(deploy: false)
    defer { store.remove() }
    _ = try await store.engine.deploy(paths: [Repository.fixtures + "/patterns"], by: "lead")
    return try await body(store)
}

extension TemporaryStore {
    /// The kinds of a case's open tasks, sorted.
    func openKinds(_ caseID: String) async throws -> [String] {
        try await openTasks(caseID).map(\.kind).sorted()
    }

    /// The kinds of a case's tasks with `status`, sorted.
    func kinds(_ caseID: String, _ status: TaskRecord.Status) async throws -> [String] {
        try await allTasks(caseID).filter { $0.status == status }.map(\.kind).sorted()
    }

    /// Completes an open task of `kind` (the one whose title holds `item`, if given) as `user`,
    /// whatever else is open in the case.
    @discardableResult
    func finish(_ caseID: String, _ kind: String, _ fields: [String: String] = [:], item: String? = nil, by user: String,
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> Engine.Outcome {
        let open = try await openTasks(caseID).filter { $0.kind == kind && (item.map($0.title.contains) ?? true) }
        let task = try #require(open.first, "case \(caseID) has no open \(kind) task", sourceLocation: sourceLocation)
        return try await engine.completeTask(task.id, fields: fields, by: user)
    }

    /// Starts a case of a pattern workflow as the lead.
    @discardableResult
    func startPattern(_ workflow: String, _ id: String, _ fields: [String: String]) async throws -> CaseSnapshot {
        try await engine.startCase(workflow: workflow, id: id, fields: fields, by: "lead")
    }

    /// Sends a declared event as the lead.
    @discardableResult
    func sendPattern(_ id: String, _ event: String, _ fields: [String: String] = [:]) async throws -> Engine.Outcome {
        try await engine.send(caseID: id, event: event, fields: fields, key: nil, by: "lead")
    }
}
