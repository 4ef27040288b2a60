import Foundation
import KakariTesting
import Testing

/// Headless Chromium from Debian's packages, when installed (.ci/run installs it).
let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite("Tools for section leads: check, simulate, report, through the binary")
struct LeadToolsTests {
    @Test("kakari check proves the ward's folder and exits 0")
    func checkWorkflows() throws {
        let r = try KakariProcess(folder: Repository.root).run(["check", "Workflows"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.components(separatedBy: "proven: ").count == 5)
        #expect(r.stdout.contains("explored "))
    }

    /// Runs each `kakari …` line of a counterexample (comments dropped) in the workspace
    /// through the shell, as a person would paste them; returns the last result.
    static func replay(_ lines: [String], in w: Workspace) throws -> KakariProcess.Result? {
        var last: KakariProcess.Result?
        let binary = (KakariProcess.binary as NSString).deletingLastPathComponent
        for line in lines where line.hasPrefix("kakari ") {
            let command = line.components(separatedBy: "   #")[0]
            let process = KakariProcess(folder: w.folder)
            last = try process.runShell("PATH=\(binary):$PATH " + command)
            if last?.status != 0 { break }
        }
        return last
    }

    @Test("a counterexample replays on a simulated store: the case really is stuck where check says")
    func replayDeadEnd() throws {
        let check = try KakariProcess(folder: Repository.root).run(["check", "Tests/Fixtures/check/dead-end.yaml", "--json"])
        #expect(check.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        let defect = try #require((json["defects"] as? [[String: Any]])?.first)
        let lines = try #require(defect["replay"] as? [String])
        let w = try Workspace(start: "2026-04-01T09:00:00+09:00")
        defer { w.remove() }
        #expect(try w.kakari(["deploy", Repository.fixtures + "/check"]).status == 0)
        let last = try #require(try Self.replay(lines, in: w))
        #expect(last.status == 0, "\(last.stderr)")
        let shown = try #require(try w.json(["cases", "show", "check-1"]) as? [String: Any])
        #expect(shown["state"] as? String == "hold")
        // And nothing moves it: the one event it waits for is refused.
        let release = try w.kakari(["send", "check-1", "release"])
        #expect(release.status == 1)
    }

    @Test("an unhandled outcome replays: the last completion is refused by the engine too")
    func replayUnhandledOutcome() throws {
        let check = try KakariProcess(folder: Repository.root).run(["check", "Tests/Fixtures/check/unhandled-outcome.yaml", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        let lines = try #require(((json["defects"] as? [[String: Any]])?.first?["replay"]) as? [String])
        let w = try Workspace(start: "2026-04-01T09:00:00+09:00")
        defer { w.remove() }
        #expect(try w.kakari(["deploy", Repository.fixtures + "/check"]).status == 0)
        let last = try #require(try Self.replay(lines, in: w))
        #expect(last.status == 1)
        #expect(last.stderr.contains("no branch of 'decide' applies"), "\(last.stderr)")
    }

    @Test("kakari simulate prints the spread over runs and the same CSV for the same seed")
    func simulate() throws {
        let args = ["simulate", "Workflows/household-visit.yaml", "--cases", "100", "--profile", "Examples/demo.yaml", "--runs", "3", "--seed", "5"]
        let p = KakariProcess(folder: Repository.root)
        let table = try p.run(args)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("payment_arranged"))
        #expect(table.stdout.contains("not finished by the deadline"))
        let a = try p.run(args + ["--csv"]), b = try p.run(args + ["--csv"])
        #expect(a.stdout == b.stdout)
        #expect(a.stdout.hasPrefix("section,week,p10,p50,p90\nclerical") || a.stdout.contains("\nsurvey_contractor,1,"))
    }

    @Test("the report page loads in headless Chromium and shows the store's counts", .enabled(if: chromium != nil))
    func reportInBrowser() throws {
        let w = try Workspace()
        defer { w.remove() }
        for (i, town) in ["練馬", "豊玉上", "石神井町", "練馬"].enumerated() {
            let r = try w.kakari(["cases", "start", "household-visit", "H\(i)", "name=区民 \(i)", "address=練馬区", "town=\(town)"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try w.kakari(["send", "H0", "assign"]).status == 0)
        #expect(try w.kakari(["send", "H1", "assign"]).status == 0)
        #expect(try w.kakari(["send", "H2", "withdraw", "reason=転出"]).status == 0)
        #expect(try w.kakari(["clock", "advance", "20d"]).status == 0)
        let page = w.folder + "/status.html"
        let written = try w.kakari(["report", "--html", page])
        #expect(written.status == 0, "\(written.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("<script"), "self-contained")

        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: chromium!)
        browser.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + page]
        let out = Pipe()
        browser.standardOutput = out
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        browser.waitUntilExit()
        #expect(dom.contains("</svg>"), "the browser rendered the page")

        // Cases per state, as the store lists them, against the diagram's labels.
        let cases = try #require(try w.json(["cases", "list"]) as? [[String: Any]])
        var perState: [String: Int] = [:]
        for c in cases where c["workflow"] as? String == "household-visit" { perState[c["state"] as! String, default: 0] += 1 }
        #expect(perState == ["listed": 1, "awaiting_visit": 2, "withdrawn": 1])
        for state in ["listed", "awaiting_visit", "withdrawn", "contacted", "payment_arranged"] {
            let n = perState[state] ?? 0
            #expect(dom.contains("data-state=\"\(state)\" data-count=\"\(n)\""), "\(state): \(n)")
        }
        // Open and overdue tasks per section: two visit tasks, due 10 days after assignment, now overdue.
        let tasks = try #require(try w.json(["tasks", "list", "--section", "survey_contractor"]) as? [[String: Any]])
        #expect(dom.contains("data-section=\"survey_contractor\" data-open=\"\(tasks.count)\" data-overdue=\"2\""))
        #expect(dom.contains("訪問待ち"), "Japanese labels reach the page")
        // The funnel counts every case that reached a state, the listed ones included.
        #expect(dom.contains("data-state=\"listed\" data-entered=\"4\""))
        #expect(dom.contains("data-state=\"awaiting_visit\" data-entered=\"2\""))

        // The terminal summary gives the same counts.
        let summary = try w.kakari(["report"])
        #expect(summary.status == 0, "\(summary.stderr)")
        let row = summary.stdout.split(separator: "\n").first { $0.hasPrefix("awaiting_visit ") }.map { $0.split(separator: " ") }
        #expect(row?.suffix(2) == ["2", "2"], "\(summary.stdout)")
        #expect(summary.stdout.contains("訪問調査会社"))
    }
}
