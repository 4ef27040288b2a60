// Micro-benchmarks of the parts every event goes through, each next to its baseline in the same
// run: the pure core, the snapshot codec, and one event through the engine on SQLite beside the
// bare durable "update one row + insert one history row" transaction of the same store file.
//
//   cd Benchmarks && swift package benchmark
//
// package-benchmark reports wall clock, throughput and mallocs per benchmark; compare the
// "engine send" and "bare transaction" lines for the ratio docs/performance.md tracks.
import Benchmark
import Foundation
import KakariCore
import KakariDefinitions
import KakariStore
import struct KakariEngine.Engine
import enum KakariEngine.Settings
import enum KakariEngine.StoreLocation

/// The repository's top folder, two levels above this package's `Benchmarks/` target folder.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

/// How many households the store-backed benchmarks import: one event each at most.
let households = 20_000

/// What the store-backed benchmarks share, made once by their `setup` (package-benchmark runs a
/// benchmark's setup once, before its samples) and removed by `teardown`.
final class Shared: @unchecked Sendable {
    nonisolated(unsafe) static var folder = ""
    nonisolated(unsafe) static var baseline: (any StoreBaseline)?
    nonisolated(unsafe) static var engine: Engine?
    nonisolated(unsafe) static var next = 0
    nonisolated(unsafe) static var decider: Decider?
    nonisolated(unsafe) static var waiting: CaseSnapshot?
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
                                           maxDuration: .seconds(5), maxIterations: 10_000)

    Benchmark("core: decide one visit (pure, no I/O)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        guard let decider = Shared.decider, let waiting = Shared.waiting else { return }
        let visit = CaseEvent.signal(name: "visit", fields: ["slot": .string("平日夜間"), "result": .string("不在")], task: waiting.openTasks[0].key)
        let now = Date(timeIntervalSince1970: 1_763_596_800)
        for _ in benchmark.scaledIterations {
            blackHole(try decider.decide(waiting, visit, now: now))
        }
    } setup: {
        let bundle = try BundleLoader.load(paths: [repository + "/Workflows"])
        let decider = Decider(definition: bundle.workflows["household-visit"]!, calendar: bundle.calendar)
        let now = Date(timeIntervalSince1970: 1_763_596_800)
        let data: [String: Value] = ["household_no": .string("B1"), "name": .string("世帯 1"), "address": .string("練馬区練馬1丁目1番"),
                                     "town": .string("練馬")]
        let listed = try decider.start(id: "B1", version: 1, data: data, now: now).after
        Shared.waiting = try decider.decide(listed, .signal(name: "assign", fields: [:], task: nil), now: now).after
        Shared.decider = decider
    }

    Benchmark("codec: snapshot written and read back", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let snapshot = CaseSnapshot(
            id: "B1", workflow: "household-visit", version: 1, state: "awaiting_visit",
            data: ["household_no": .string("B1"), "name": .string("世帯 1"), "town": .string("練馬"), "visits": .int(2),
                   "members": .list(["練馬 太郎", "練馬 花子"]), "first_visit_on": .date(Day(year: 2025, month: 11, day: 20))],
            openTasks: [.init(key: "3.1", kind: "visit", event: "visit")],
            timers: ["deadline": Date(timeIntervalSince1970: 1_773_596_800)], sequence: 3,
            enteredAt: Date(timeIntervalSince1970: 1_763_596_800))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(JSONReader.snapshot(JSONWriter.encode(snapshot)))
        }
    }

    Benchmark("sqlite: bare transaction (update one row + insert one history row)") { benchmark in
        guard let baseline = Shared.baseline else { return }
        for _ in benchmark.scaledIterations {
            Shared.next += 1
            try await baseline.bareTransaction([BareRow(id: Shared.next % households, seq: Shared.next)], inserting: false)
        }
    } setup: {
        Shared.folder = try scratchFolder()
        let store = try await StoreLocation.sqlite(path: Shared.folder + "/bench.sqlite").open(create: true)
        guard let baseline = store as? any StoreBaseline else { fatalError("the SQLite store has no baseline") }
        try await baseline.prepareBenchTables(rows: households)
        Shared.baseline = baseline
        Shared.next = 0
    } teardown: {
        try await Shared.baseline?.dropBenchTables()
        Shared.baseline = nil
        try? FileManager.default.removeItem(atPath: Shared.folder)
    }

    Benchmark("sqlite: engine send (one event, one transaction)") { benchmark in
        guard let engine = Shared.engine else { return }
        for _ in benchmark.scaledIterations {
            Shared.next += 1
            guard Shared.next <= households else { return }
            blackHole(try await engine.send(caseID: "B\(Shared.next)", event: "assign", fields: [:], key: nil, by: "yamada"))
        }
    } setup: {
        Shared.folder = try scratchFolder()
        let store = try await StoreLocation.sqlite(path: Shared.folder + "/bench.sqlite").open(create: true)
        try await store.setSetting(Settings.clockMode, "simulated")
        try await store.setSetting(Settings.clockNow, "1763596800")
        let engine = Engine(store: store)
        _ = try await engine.deploy(paths: [repository + "/Workflows"], by: "yamada")
        var csv = "household_no,name,address,town\n"
        for i in 1...households { csv += "B\(i),世帯 \(i),練馬区練馬\(i % 9 + 1)丁目,練馬\n" }
        try csv.write(toFile: Shared.folder + "/households.csv", atomically: true, encoding: .utf8)
        _ = try await engine.importCases(workflow: "household-visit", file: Shared.folder + "/households.csv", dataset: nil, by: "yamada")
        Shared.engine = engine
        Shared.next = 0
    } teardown: {
        Shared.engine = nil
        try? FileManager.default.removeItem(atPath: Shared.folder)
    }
}

func scratchFolder() throws -> String {
    let folder = NSTemporaryDirectory() + "kakari-benchmark-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}
