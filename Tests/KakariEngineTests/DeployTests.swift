import Foundation
import KakariEngine
import KakariStore
import KakariTesting
import Testing

@Suite("Deploying definitions")
struct DeployTests {
    @Test("deploying the same files again keeps every version; a changed workflow gets a new one and running cases keep theirs")
    func versions() async throws {
        let t = try await TemporaryStore()
        defer { t.remove() }
        let again = try await t.engine.deploy(paths: [Repository.workflows], by: "yamada")
        #expect(again.allSatisfy { !$0.changed && $0.version == 1 })
        _ = try await t.engine.startCase(workflow: "household-visit", id: "H1",
                                         fields: ["name": "練馬　太郎", "address": "練馬区練馬1-1-1", "town": "練馬"], by: "yamada")
        // A copy of the folder with one label changed.
        let folder = t.folder + "/changed"
        try FileManager.default.copyItem(atPath: Repository.workflows, toPath: folder)
        let file = folder + "/household-visit.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "label: 訪問待ち", with: "label: 訪問待ち (改)")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let changed = try await t.engine.deploy(paths: [folder], by: "yamada")
        #expect(changed.first { $0.name == "household-visit" }?.version == 2)
        #expect(changed.first { $0.name == "nhi-clerical" }?.changed == false)
        #expect(try await t.engine.caseRecord("H1").snapshot.version == 1)
        let h2 = try await t.engine.startCase(workflow: "household-visit", id: "H2",
                                              fields: ["name": "石神井　花子", "address": "練馬区石神井町1-1", "town": "石神井町"], by: "yamada")
        #expect(h2.version == 2)
    }

    @Test("a bundle with a broken file is refused whole and nothing is deployed")
    func refusedWhole() async throws {
        let t = try await TemporaryStore(deploy: false)
        defer { t.remove() }
        let folder = t.folder + "/broken"
        try FileManager.default.copyItem(atPath: Repository.workflows, toPath: folder)
        try "workflow: broken\ninitial: nowhere\nstates:\n  a:\n    final: true\n".write(toFile: folder + "/broken.yaml", atomically: true, encoding: .utf8)
        await #expect(throws: DeployRefusal.self) { try await t.engine.deploy(paths: [folder], by: "yamada") }
        #expect(try await t.engine.store.workflowVersions().isEmpty)
    }
}
