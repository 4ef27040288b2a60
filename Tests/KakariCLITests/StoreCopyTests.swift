import Foundation
import KakariEngine
import KakariSQLite
import KakariStore
import KakariTesting
import Testing

/// `kakari store copy`: a ward's SQLite file moved into PostgreSQL.
@Suite("kakari store copy", .enabled(if: TestBackend.postgres != nil))
struct StoreCopyTests {
    @Test("a SQLite store copied to PostgreSQL holds exactly the same content, verifies, and its queue goes on there")
    func copy() async throws {
        try await withWorkspace { w in
            let file = w.folder + "/ward.sqlite"
            let run = KakariProcess(folder: w.folder)
            #expect(try run.run(["init", "--store", file, "--clock", "simulated", "--start", "2025-11-20T09:00:00+09:00"]).status == 0)
            #expect(try run.run(["deploy", Repository.workflows, "--store", file]).status == 0)
            let households = try w.write("h.csv", ([Workspace.header] + (1...30).map { Workspace.household(String(format: "C%03d", $0)) })
                .joined(separator: "\n") + "\n")
            #expect(try run.run(["cases", "import", "household-visit", households, "--store", file]).status == 0)
            let events = try w.write("e.csv", "case,event,key\n" + (1...30).map { String(format: "C%03d,assign,k%d", $0, $0) }.joined(separator: "\n") + "\n")
            #expect(try run.run(["events", "import", events, "--store", file]).status == 0)
            #expect(try run.run(["daemon", "--once", "--store", file]).status == 0)
            let later = try w.write("l.csv", "case,event,key,reason\nC001,withdraw,w1,転出\nC002,assign,k2,\n")
            #expect(try run.run(["events", "import", later, "--store", file]).status == 0)

            // A store of its own (the workspace's already holds a deploy).
            let location = TestBackend.location(folder: w.folder + "-copy")
            let target = location.description
            let copied = try run.run(["store", "copy", file, target])
            #expect(copied.status == 0, "\(copied.stderr)")
            #expect(copied.stdout.contains("cases: 30\n"))
            #expect(copied.stdout.hasSuffix("30 cases replayed, 0 mismatches\n"))
            let source = try await StoreDigest.of(try SQLiteStore(path: file))
            #expect(try await StoreDigest.of(try await location.open()) == source)
            let audit = try run.run(["audit", "verify", "--store", target])
            #expect(audit.status == 0 && audit.stdout.hasSuffix("chain intact\n"), "the audit chain is copied whole: \(audit.stdout)\(audit.stderr)")

            let again = try run.run(["store", "copy", file, target])
            #expect(again.status == 1)
            #expect(again.stderr.hasSuffix("already holds cases or definitions; copy into a new, empty store\n"))
            #expect(try await StoreDigest.of(try await location.open()) == source, "a refused copy writes nothing")

            // The copied queue goes on: new ids follow the copied ones.
            #expect(try w.kakari(["daemon", "--once", "--store", target], as: "admin").status == 0)
            let store = try await location.open()
            #expect(try await store.events(status: .pending).isEmpty)
            #expect(try await store.events(status: .duplicate).map(\.key) == ["k2"])
            #expect(try await store.caseRecord("C001")?.snapshot.state == "withdrawn")
        }
    }
}
