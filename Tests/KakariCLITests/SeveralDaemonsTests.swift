import Foundation
import KakariTesting
import Testing

/// The throwaway cluster's folder (`scripts/test` sets it), for the restart.
let testCluster = ProcessInfo.processInfo.environment["KAKARI_TEST_POSTGRES_CLUSTER"]

/// Three daemons on one PostgreSQL database working through 100,000 queued events over 10,000
/// cases, while one of them is killed with SIGKILL and the server restarts.
@Suite("Several daemons on PostgreSQL", .enabled(if: TestBackend.postgres != nil && testCluster != nil))
struct SeveralDaemonsTests {
    static var cluster: String? { testCluster }
    static let cases = 10_000

    /// Runs one SQL query on the workspace's schema with psql and returns its output.
    /// The workspace's schema in the test database.
    static func schema(_ w: Workspace) -> String {
        String(w.location.description.split(separator: "=").last ?? "")
    }

    static func psql(_ w: Workspace, _ sql: String) throws -> String {
        let schema = Self.schema(w)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["psql", TestBackend.postgres!, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", "SET search_path = \(schema)", "-c", sql]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Workspace.Failure("psql failed: \(sql)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func count(_ w: Workspace, _ sql: String) -> Int? { (try? psql(w, sql)).flatMap { Int($0) } }

    @Test("100,000 events over 10,000 cases, 3 daemons, one SIGKILLed and a server restart: each applied or rejected exactly once, in order",
          .timeLimit(.minutes(20)))
    func threeDaemons() async throws {
        let started = Date()
        try await withWorkspace { w in
            let ids = (1...Self.cases).map { String(format: "P%05d", $0) }
            try w.importHouseholds(ids)
            let script = CrashSafetyTests.perCase
            var rows = ["case,event,key," + CrashSafetyTests.columns.joined(separator: ",")]
            for (n, e) in script.enumerated() {
                for id in ids { rows.append("\(id),\(e.event),\(id)-\(n)," + CrashSafetyTests.columns.map { e.fields[$0] ?? "" }.joined(separator: ",")) }
            }
            let file = try w.write("events.csv", rows.joined(separator: "\n") + "\n")
            let queued = try #require(try w.json(["events", "import", file]) as? [String: Any])
            #expect(queued["queued"] as? Int == 100_000)
            let prepared = Date()

            var daemons: [Process] = []
            for n in 0..<3 {
                let d = KakariProcess(folder: w.folder, user: "admin").start(["daemon", "--poll", "0.5", "--lease", "5"])
                d.standardOutput = FileHandle.nullDevice
                _ = FileManager.default.createFile(atPath: w.folder + "/daemon\(n).log", contents: nil)
                d.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: w.folder + "/daemon\(n).log"))
                try d.run()
                daemons.append(d)
            }
            defer { for d in daemons where d.isRunning { kill(d.processIdentifier, SIGKILL) } }
            let resolved = "SELECT count(*) FROM queued_events WHERE status <> 'pending'"
            var killedAt: Int?, restartedAt: Int?
            let deadline = Date().addingTimeInterval(15 * 60)
            while Date() < deadline {
                try await Task.sleep(nanoseconds: 250_000_000)
                guard let done = Self.count(w, resolved) else { continue }
                if killedAt == nil, done >= 20_000 {
                    kill(daemons[0].processIdentifier, SIGKILL)
                    daemons[0].waitUntilExit()
                    killedAt = done
                }
                if restartedAt == nil, done >= 50_000 {
                    // The audit chain's lock held for a moment first, so that the daemons' writes
                    // are waiting on the server when it restarts: each sees its statement end,
                    // not only idle connections that its pool would replace unseen.
                    let holder = Process()
                    holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    holder.arguments = ["psql", TestBackend.postgres!, "-X", "-q", "-c", "SET search_path = \(Self.schema(w))",
                                        "-c", "SELECT pg_advisory_lock(hashtext(current_schema() || '.kakari.audit'))", "-c", "SELECT pg_sleep(60)"]
                    holder.standardOutput = FileHandle.nullDevice
                    holder.standardError = FileHandle.nullDevice
                    try holder.run()
                    try await Task.sleep(nanoseconds: 1_000_000_000)
                    let restart = Process()
                    restart.executableURL = URL(fileURLWithPath: Repository.root + "/scripts/postgres-cluster")
                    restart.arguments = ["restart", Self.cluster!]
                    restart.standardOutput = FileHandle.nullDevice
                    restart.standardError = FileHandle.nullDevice
                    try restart.run()
                    // waitpid, not waitUntilExit: Foundation may not notice the end of a script
                    // whose grandchild (the new postmaster) lives on.
                    var status: Int32 = 0
                    let reaped = waitpid(restart.processIdentifier, &status, 0)
                    #expect(reaped == -1 || status == 0, "the server restarted")
                    restartedAt = done
                    if holder.isRunning { holder.terminate() }
                    holder.waitUntilExit()
                }
                if done == 100_000 { break }
            }
            let finished = Date()
            for d in daemons.dropFirst() {
                kill(d.processIdentifier, SIGTERM)
                d.waitUntilExit()
                #expect(d.terminationStatus == 0, "a daemon stopped by SIGTERM exits 0")
            }
            #expect(daemons[0].terminationReason == .uncaughtSignal)
            #expect(killedAt != nil && restartedAt != nil)

            #expect(try Self.psql(w, "SELECT status || '=' || count(*) FROM queued_events GROUP BY status ORDER BY status")
                    == "applied=70000\nrejected=30000")
            // Every case took its seven events exactly once, in file order: start, assign, three
            // absent visits, the visit that met someone, triage, counselling.
            #expect(try Self.psql(w, "SELECT count(*) FROM cases WHERE sequence <> 8 OR state <> 'payment_arranged'") == "0")
            #expect(try Self.psql(w, "SELECT count(*) FROM history") == "80000")
            #expect(try Self.psql(w, """
                SELECT count(*) FROM history WHERE (seq, event) NOT IN
                    ((1, 'start'), (2, 'assign'), (3, 'visit'), (4, 'visit'), (5, 'visit'), (6, 'visit'), (7, 'triage'), (8, 'counselling'))
                    OR (seq BETWEEN 3 AND 5 AND payload NOT LIKE '%不在%') OR (seq = 6 AND payload NOT LIKE '%面接%')
                """) == "0")
            #expect(try Self.psql(w, "SELECT count(*) FROM (SELECT case_id FROM queued_events WHERE status = 'applied' GROUP BY case_id HAVING count(*) <> 7) AS c") == "0")
            let logs = try (1..<3).map { try String(contentsOfFile: w.folder + "/daemon\($0).log", encoding: .utf8) }.joined()
            #expect(logs.contains("store unavailable; retrying") || logs.contains("listening for new events failed; retrying"),
                    "the daemons saw the restart and retried")
            let verify = try w.kakari(["verify"])
            #expect(verify.status == 0, "\(verify.stdout)")
            #expect(verify.stdout.hasSuffix("\(Self.cases) cases replayed, 0 mismatches\n"))
            print("SEVERAL-DAEMONS: prepare \(Int(prepared.timeIntervalSince(started))) s, 100,000 events with 3 daemons (one killed at \(killedAt ?? 0), server restarted at \(restartedAt ?? 0)) \(Int(finished.timeIntervalSince(prepared))) s, checks \(Int(Date().timeIntervalSince(finished))) s")
        }
    }
}
