import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// Several `kakari` processes on one SQLite file at once.
@Suite("Several processes on one store")
struct ConcurrencyTests {
    /// Starts `kakari ARGS` without waiting; its output goes to pipes read by `finish`.
    struct Running {
        let process: Process
        let out = Pipe(), err = Pipe()

        init(_ w: Workspace, _ arguments: [String], as user: String = "yamada") throws {
            process = KakariProcess(folder: w.folder, user: user).start(arguments)
            process.standardOutput = out
            process.standardError = err
            try process.run()
        }

        func finish() -> (status: Int32, stdout: String, stderr: String) {
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
        }
    }

    @Test("the same key sent by four processes at once makes exactly one transition")
    func sameKeyFromProcesses() async throws {
        try await withWorkspace { w in
            let ids = (1...5).map { "H\($0)" }
            try w.importHouseholds(ids)
            for id in ids {
                let runs = try (0..<4).map { _ in try Running(w, ["send", id, "withdraw", "reason=転出", "--key", "K-\(id)", "--json"]) }
                let results = runs.map { $0.finish() }
                #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
                let outcomes = results.compactMap { try? JSONSerialization.jsonObject(with: Data($0.stdout.utf8)) as? [String: Any] }
                #expect(outcomes.count == 4)
                #expect(outcomes.filter { $0["applied"] as? Bool == true }.count == 1, "\(id): \(results.map(\.stdout))")
                #expect(outcomes.allSatisfy { $0["from"] as? String == "listed" && $0["to"] as? String == "withdrawn" && $0["case"] as? String == id })
                let history = try #require(try w.json(["cases", "show", id]) as? [String: Any])["history"] as? [[String: Any]]
                #expect(history?.compactMap { $0["event"] as? String } == ["start", "withdraw"])
            }
            #expect(try w.kakari(["verify"]).status == 0)
        }
    }

    @Test("four processes sending visits and withdrawals to the same households lose no update", .timeLimit(.minutes(15)))
    func fourProcesses() async throws {
        try await withWorkspace { w in
            let ids = (1...12).map { String(format: "H%02d", $0) }
            try w.importHouseholds(ids)
            for id in ids { #expect(try w.kakari(["send", id, "assign"]).status == 0) }
            let binary = KakariProcess.binary
            // Workers 0–2 visit every household (each in another order); worker 3 withdraws
            // H01–H06 and visits H07–H12. One line per send: case, event, exit status, stderr.
            func line(_ id: String, _ event: String, _ fields: String) -> String {
                "r=0; err=$(\"$K\" send \(id) \(event) \(fields) 2>&1 >/dev/null) || r=$?; printf '%s\\t%s\\t%s\\t%s\\n' \(id) \(event) \"$r\" \"$err\""
            }
            var scripts: [String] = []
            for worker in 0..<4 {
                var lines = ["K='\(binary)'"]
                let order = Array(ids[(worker * 3)...] + ids[..<(worker * 3)])
                for id in order {
                    if worker == 3, id <= "H06" { lines.append(line(id, "withdraw", "reason=重複")) }
                    else { lines.append(line(id, "visit", "slot=休日 result=不在")) }
                }
                scripts.append(lines.joined(separator: "\n"))
            }
            let processes = try scripts.map { script -> (Process, Pipe) in
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/bin/sh")
                p.arguments = ["-c", script]
                p.currentDirectoryURL = URL(fileURLWithPath: w.folder)
                p.environment = KakariProcess(folder: w.folder, user: "yamada").environment
                let out = Pipe()
                p.standardOutput = out
                try p.run()
                return (p, out)
            }
            var sends: [(id: String, event: String, status: Int, error: String)] = []
            for (p, out) in processes {
                let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
                for l in text.split(separator: "\n") {
                    let f = l.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                    sends.append((f[0], f[1], Int(f[2]) ?? -1, f.count > 3 ? f[3] : ""))
                }
            }
            #expect(sends.count == 48)
            for s in sends where s.status != 0 {
                #expect(s.status == 1, "\(s)")
                #expect(s.error == "kakari: case \(s.id) is finished (調査対象外) and accepts no events", "\(s)")
            }
            let engine = try await w.engine()
            for id in ids {
                let accepted = sends.filter { $0.id == id && $0.status == 0 }
                let history = try await engine.store.history(id).filter { $0.kind == .decision }
                let snapshot = try await engine.caseRecord(id).snapshot
                let acceptedVisits = accepted.filter { $0.event == "visit" }.count
                #expect(history.filter { $0.event == "visit" }.count == acceptedVisits, "\(id)")
                #expect(history.filter { $0.event == "withdraw" }.count == accepted.filter { $0.event == "withdraw" }.count, "\(id)")
                #expect(history.count == 2 + accepted.count, "\(id): every accepted event once, nothing else")
                #expect(snapshot.data["visits"] == .int(acceptedVisits), "\(id)")
                if id <= "H06" {
                    #expect(accepted.contains { $0.event == "withdraw" }, "the withdrawal of \(id) is always accepted")
                    #expect(snapshot.state == "withdrawn")
                    #expect(history.last?.event == "withdraw")
                } else {
                    #expect(acceptedVisits == 4)
                    #expect(snapshot.state == "absent")
                }
            }
            let verify = try w.kakari(["verify"])
            #expect(verify.status == 0, "\(verify.stdout)")
            // Four writers at once still made one audit chain, with an entry for every change.
            #expect(verify.stdout.contains("audit entries checked, chain intact"), "\(verify.stdout)")
            let entries = try #require(try w.json(["audit", "show"]) as? [[String: Any]])
            let writes = entries.filter { $0["action"] as? String == "write" && $0["command"] as? String == "send" }
            let store = try await w.engine().store
            var applied = 0
            for id in ids { applied += try await store.history(id).filter { $0.event != "start" }.count }
            #expect(writes.count == applied, "\(writes.count) audited sends for \(applied) applied events")
        }
    }
}
