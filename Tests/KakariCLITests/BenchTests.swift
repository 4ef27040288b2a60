import Foundation
import KakariEngine
import KakariPostgres
import KakariStore
import KakariTesting
import Testing

@Suite("kakari bench")
struct BenchTests {
    @Test("bench measures every figure beside its baseline and leaves a store that verifies, with no scratch tables")
    func smallRun() throws {
        let folder = NSTemporaryDirectory() + "kakari-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = KakariProcess(folder: folder)
        let result = try run.run(["bench", "--cases", "400", "--workflows", Repository.workflows, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let names = figures.compactMap { $0["figure"] as? String }
        for expected in ["import", "single event", "daemon, queued events", "daemon's peak resident memory", "tasks list", "timers",
                         "start-up", "memory of the bench process"] {
            #expect(names.contains { $0.contains(expected) }, "\(expected) missing from \(names)")
        }
        for figure in figures where figure["baseline"] != nil {
            let ratio = try #require(figure["ratio"] as? Double, "\(figure)")
            #expect(ratio > 0)
        }
        #expect(figures.allSatisfy { $0["cases"] as? Int == 400 })
        // Every household was assigned and then ended with the contract: the work really ran.
        let list = try run.run(["cases", "list", "--store", "kakari-bench.sqlite", "--state", "contract_ended", "--json", "--as", "yamada"])
        let ended = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(ended.count == 400)
        #expect(try run.run(["verify", "--store", "kakari-bench.sqlite"]).status == 0)
    }

    @Test("bench refuses to replace a store on the real clock")
    func keepsRealStores() throws {
        let folder = NSTemporaryDirectory() + "kakari-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = KakariProcess(folder: folder)
        #expect(try run.run(["init", "--store", "work.sqlite"]).status == 0)
        let result = try run.run(["bench", "--store", "work.sqlite", "--cases", "10", "--workflows", Repository.workflows])
        #expect(result.status == 1)
        #expect(result.stderr == "kakari: work.sqlite is a store on the real clock; the benchmark replaces only simulated stores (choose another --store)\n")
    }

    @Test("on PostgreSQL, bench replaces a simulated store, drops its scratch tables, and refuses a store on the real clock with work in it",
          .enabled(if: TestBackend.postgres != nil))
    func onPostgres() async throws {
        let folder = NSTemporaryDirectory() + "kakari-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = KakariProcess(folder: folder)
        let location = TestBackend.location(folder: folder)
        let store = location.description
        // Beyond the 300 single events, so the daemon's figure has events to apply.
        let result = try run.run(["bench", "--store", store, "--cases", "320", "--workflows", Repository.workflows, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(figures.contains { $0["baseline"] != nil })
        for figure in figures where figure["baseline"] != nil {
            #expect(try #require(figure["ratio"] as? Double, "\(figure)") > 0)
        }
        let again = try run.run(["bench", "--store", store, "--cases", "20", "--workflows", Repository.workflows, "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try run.run(["verify", "--store", store]).status == 0)
        guard case .postgres(let url) = location else { Issue.record("not a PostgreSQL location"); return }
        let postgres = PostgresStore(location: try PostgresLocation(url), maximumConnections: 1)
        await #expect(throws: StoreError.self, "the scratch table is gone") { try await postgres.execute(unsafeSQL: "SELECT 1 FROM bench_rows") }
        #expect(try await postgres.caseCount() == 20, "the second run replaced the first")

        let real = TestBackend.location(folder: folder + "-real").description
        #expect(try run.run(["init", "--store", real]).status == 0)
        #expect(try run.run(["deploy", Repository.workflows, "--store", real]).status == 0)
        let refused = try run.run(["bench", "--store", real, "--cases", "10", "--workflows", Repository.workflows])
        #expect(refused.status == 1)
        let shown = try PostgresLocation(real).description
        #expect(refused.stderr == "kakari: \(shown) is a store on the real clock; the benchmark replaces only simulated stores (choose another --store)\n")
    }
}
