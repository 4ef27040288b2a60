import ArgumentParser
import Foundation
import KakariEngine
import KakariStore

extension Kakari {
    /// `kakari bench`: end-to-end figures beside the store's own baseline.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench",
            abstract: "Measure the engine against the bare store: import, events, daemon, worklist, timers, memory.",
            discussion: """
            For each scale, makes a fresh simulated store (--store, default kakari-bench.sqlite; a store on \
            the real clock is refused), deploys the ward's workflows, imports invented households and runs \
            the household survey's first steps, timing each beside a bare transaction of the same store \
            measured in the same run. The ratio is the engine's share of the bare store: 1.0 costs nothing \
            beyond the storage. Build in release mode first; figures from a debug build mean little.

            Example: kakari bench --cases 10000,100000
            """
        )
        @Option(help: ArgumentHelp("How many households, or several scales separated by commas.", valueName: "N[,N...]"))
        var cases = "10000"
        @Option(help: ArgumentHelp("The definitions to deploy.", valueName: "FOLDER")) var workflows = "Workflows"
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard !scales.isEmpty, scales.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("--cases takes whole numbers above zero, such as 10000 or 10000,100000")
            }
        }

        var scales: [Int] { cases.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

        func run() async throws {
            try await failing {
                let location = StoreLocation(global.store ?? "kakari-bench.sqlite")
                let folder = FileManager.default.temporaryDirectory.path
                var figures: [BenchFigure] = []
                for n in scales {
                    let store = try await location.openRehearsal(start: Date(timeIntervalSince1970: 1_780_000_000), purpose: "the benchmark")
                    let benchmark = Benchmark(engine: Engine(store: store), cases: n, workflows: workflows, scratchFolder: folder,
                                              reopen: { try await location.open() },
                                              daemonProcess: { [address = global.store ?? "kakari-bench.sqlite"] in try Self.daemonOnce(store: address) })
                    figures += try await benchmark.run { step in report("\(n) cases: \(step)", prefix: false) }
                }
                if global.json {
                    Output.printJSON(figures.map { f -> [String: Any] in
                        var o: [String: Any] = ["figure": f.name, "cases": f.cases, "value": f.value, "unit": f.unit]
                        if let b = f.baseline { o["baseline"] = b }
                        if let b = f.baselineName { o["baseline_is"] = b }
                        if let r = f.ratio { o["ratio"] = r }
                        return o
                    })
                    return
                }
                var table = TextTable(["FIGURE", "CASES", "VALUE", "BASELINE", "RATIO"])
                for f in figures {
                    table.append([f.name, String(f.cases), Self.format(f.value) + " " + f.unit,
                                  f.baseline.map { Self.format($0) + " " + f.unit } ?? "",
                                  f.ratio.map { String(format: "%.2f", $0) } ?? ""])
                }
                print(table.rendered)
                let baselines = Set(figures.compactMap(\.baselineName)).sorted()
                if !baselines.isEmpty { print("\nbaselines, on the same store in the same run:\n" + baselines.map { "  " + $0 }.joined(separator: "\n")) }
            }
        }

        /// Runs `kakari daemon --once --json` on `store` in a child process: its wall time and
        /// the peak resident memory it reports (its own `VmHWM`; `getrusage` would count this
        /// process's memory too, which Linux carries into a child across exec).
        static func daemonOnce(store: String) throws -> (seconds: Double, peakMegabytes: Double) {
            let daemon = Process()
            daemon.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            daemon.arguments = ["daemon", "--once", "--json", "--store", store]
            var environment = ProcessInfo.processInfo.environment
            environment["KAKARI_LOG"] = "error"
            daemon.environment = environment
            let output = Pipe()
            daemon.standardOutput = output
            let started = ContinuousClock.now
            try daemon.run()
            let printed = output.fileHandleForReading.readDataToEndOfFile()
            daemon.waitUntilExit()
            let seconds = started.secondsElapsed
            guard daemon.terminationStatus == 0 else {
                throw EngineError(.refused, "the benchmark's daemon (kakari daemon --once) exited with status \(daemon.terminationStatus)")
            }
            let report = try? JSONSerialization.jsonObject(with: printed) as? [String: Any]
            guard let peak = report?["peak_resident_mb"] as? Double else {
                throw EngineError(.refused, "the benchmark's daemon did not report its memory (this needs Linux's /proc)")
            }
            return (seconds, peak)
        }

        static func format(_ value: Double) -> String {
            value >= 100 ? String(Int(value.rounded())) : String(format: "%.2f", value)
        }
    }
}
