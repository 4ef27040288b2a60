import Foundation
import KakariEngine
import KakariStore
import KakariTesting
import Testing

@Suite("kakari demo")
struct DemoTests {
    /// A shortened rehearsal: the first 300 example households over three weeks.
    func profile(in folder: String) throws -> String {
        let lines = try String(contentsOfFile: Repository.examples + "/households.csv", encoding: .utf8).split(separator: "\n")
        try (lines.prefix(301).joined(separator: "\n") + "\n").write(toFile: folder + "/households.csv", atomically: true, encoding: .utf8)
        let full = try String(contentsOfFile: Repository.examples + "/demo.yaml", encoding: .utf8)
        let short = full.replacingOccurrences(of: "days: 122", with: "days: 21")
        #expect(short != full)
        try short.write(toFile: folder + "/demo.yaml", atomically: true, encoding: .utf8)
        return folder + "/demo.yaml"
    }

    @Test("the demo rehearses the survey on a fresh simulated store that then verifies")
    func rehearsal() async throws {
        let folder = NSTemporaryDirectory() + "kakari-demo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = KakariProcess(folder: folder)
        let result = try run.run(["demo", "--workflows", Repository.workflows, "--profile", try profile(in: folder), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["households"] as? Int == 300)
        let states = try #require(summary["states"] as? [[String: Any]])
        let households = states.filter { $0["workflow"] as? String == "household-visit" }.compactMap { $0["cases"] as? Int }.reduce(0, +)
        #expect(households == 300)
        #expect(states.contains { $0["state"] as? String == "payment_arranged" })
        #expect(try run.run(["verify", "--store", "kakari-demo.sqlite"]).status == 0)
        // No investigator visited their own town or the next one.
        let engine = Engine(store: try await StoreLocation.sqlite(path: folder + "/kakari-demo.sqlite").open())
        let bundle = try #require(try await engine.currentBundle())
        let visits = try await engine.store.tasks(TaskFilter(section: "survey_contractor", statuses: [.done]))
        #expect(visits.count > 100)
        for visit in visits {
            let person = try #require(bundle.staff.user(visit.completedBy ?? ""), "visit \(visit.id) completed by \(visit.completedBy ?? "nobody")")
            let town = try await engine.caseRecord(visit.caseID).snapshot.data["town"]?.description
            #expect(Engine.homeTownConflict(person, town: town, bundle: bundle) == nil, "\(visit.caseID) in \(town ?? "") visited by \(person.id)")
        }
        // The same seed gives the same rehearsal.
        let again = try run.run(["demo", "--workflows", Repository.workflows, "--profile", folder + "/demo.yaml", "--json"])
        let second = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(second["transitions"] as? Int == summary["transitions"] as? Int)
    }

    @Test("the demo refuses to replace a store on the real clock")
    func keepsRealStores() throws {
        let folder = NSTemporaryDirectory() + "kakari-demo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = KakariProcess(folder: folder)
        #expect(try run.run(["init", "--store", "work.sqlite"]).status == 0)
        let result = try run.run(["demo", "--store", "work.sqlite", "--workflows", Repository.workflows, "--profile", try profile(in: folder)])
        #expect(result.status == 1)
        #expect(result.stderr == "kakari: work.sqlite is a store on the real clock; the demo replaces only simulated stores (choose another --store)\n")
    }

    @Test("on PostgreSQL, the demo rehearses on a fresh simulated store that then verifies", .enabled(if: TestBackend.postgres != nil))
    func rehearsalOnPostgres() throws {
        let folder = NSTemporaryDirectory() + "kakari-demo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = KakariProcess(folder: folder)
        let store = TestBackend.location(folder: folder).description
        let result = try run.run(["demo", "--store", store, "--workflows", Repository.workflows, "--profile", try profile(in: folder), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["households"] as? Int == 300)
        #expect(try run.run(["verify", "--store", store]).status == 0)
    }
}
