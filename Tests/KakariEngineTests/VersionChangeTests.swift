import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// Changing the household survey mid-contract: a fifth visit, and `contacted` renamed `met`.
/// Refused deploys, deploys with a mapping, migration of a mid-survey population, replay.
@Suite("Changing a workflow while cases run")
struct VersionChangeTests {
    /// The ward's workflows copied to a folder of `store`, with household-visit.yaml edited: a
    /// fifth visit, and (with `renameContacted`) a new field `children` and `contacted` renamed `met`.
    static func editedWorkflows(_ s: TemporaryStore, renameContacted: Bool = true) throws -> String {
        try EditedWorkflows.write(to: s.folder + "/workflows-v2-\(UUID().uuidString.prefix(8))") { text in
            guard renameContacted else { return EditedWorkflows.fifthVisit(text) }
            return EditedWorkflows.contactedRenamedMet(EditedWorkflows.fifthVisit(text))
                .replacingOccurrences(of: "  preschool_children: {type: bool, label: 未就学児あり, default: false}\n",
                                      with: "  preschool_children: {type: bool, label: 未就学児あり, default: false}\n  children: {type: int, label: 子どもの数, default: 0}\n")
        }
    }

    /// 60 households from Examples/households.csv, mid-survey: H000001–H000020 met (contacted),
    /// H000021–H000030 absent four times, H000031 sent on to the registry check, the rest
    /// waiting for a visit, half of them after one absent visit.
    static func midSurvey(_ s: TemporaryStore) async throws {
        let lines = try String(contentsOfFile: Repository.examples + "/households.csv", encoding: .utf8).split(separator: "\n")
        let file = s.folder + "/households-60.csv"
        try lines.prefix(61).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try await s.engine.importCases(workflow: "household-visit", file: file, dataset: nil, by: "yamada") == 60)
        let ids = (1...60).map { String(format: "H%06d", $0) }
        for id in ids { _ = try await s.engine.send(caseID: id, event: "assign", fields: [:], key: nil, by: "yamada") }
        _ = try await s.engine.advanceClock(to: tokyo("2025-12-01T09:00:00+09:00"))
        for id in ids[0..<20] { try await s.visit(id, "面接", outcome: "納付相談希望") }
        for id in ids[20..<31] { for _ in 1...4 { try await s.visit(id, "不在") } }
        try await s.complete("H000031", "absent_review", ["request_check": "true"], by: "nakamura")
        #expect(try await s.state("H000031") == "registry_check")
        for id in ids[31..<46] { try await s.visit(id, "不在") }
    }

    @Test("a deploy that drops a state holding running cases is refused with the state and its count, writing nothing")
    func refusedDeploy() async throws {
        try await withStore { s in
            try await Self.midSurvey(s)
            let folder = try Self.editedWorkflows(s)
            let before = try await s.digest()
            do {
                _ = try await s.engine.deploy(paths: [folder], by: "yamada")
                Issue.record("the deploy stranded 20 cases")
            } catch let error as EngineError {
                #expect(error.category == .refused)
                #expect(error.message.contains("household-visit@1: state contacted has 20 running cases"))
            }
            #expect(try await s.digest() == before)
            #expect(try await s.engine.latestVersion(of: "household-visit").version == 1)
        }
    }

    @Test("a deploy with --map contacted=met moves exactly the stranded cases to version 2, re-deriving their tasks")
    func deployWithMap() async throws {
        try await withStore { s in
            try await Self.midSurvey(s)
            let old = try await s.openTask("H000001", kind: "triage")
            let deployed = try await s.engine.deploy(paths: [try Self.editedWorkflows(s)], map: ["contacted": "met"], by: "yamada")
            #expect(deployed.first { $0.name == "household-visit" }?.version == 2)
            let moved = try await s.snapshot("H000001")
            #expect(moved.version == 2 && moved.state == "met")
            #expect(moved.data["children"] == .int(0), "the new field's default fills in")
            #expect(try await s.engine.task(old.id).status == .withdrawn)
            let triage = try await s.openTask("H000001", kind: "triage")
            #expect(triage.id != old.id)
            #expect(try await s.snapshot("H000040").version == 1, "cases in states the new version keeps stay on theirs")
            let entry = try #require(try await s.engine.store.history("H000001").last)
            #expect(entry.event == "case.migrate" && entry.from == "contacted" && entry.to == "met" && entry.by == "yamada")
            try await s.complete("H000001", "triage", ["referral": "納付相談"], by: "nakamura")
            #expect(try await s.state("H000001") == "counselling")
            try await s.expectVerifies()
        }
    }

    @Test("migrating a mid-survey population: the dry run names the case that cannot move, the real run moves the rest, keeping claims, and they get a fifth visit")
    func migratePopulation() async throws {
        try await withStore { s in
            try await Self.midSurvey(s)
            _ = try await s.engine.deploy(paths: [try Self.editedWorkflows(s)], map: ["contacted": "met"], by: "yamada")
            let dry = try await s.engine.migrate(workflow: "household-visit", to: 2, map: [:], filter: nil, dryRun: true,
                                                 reason: "第5回訪問の追加", by: "yamada")
            #expect(dry.count == 40)
            #expect(dry.filter { $0.problem != nil }.map(\.caseID) == ["H000031"])
            #expect(dry.first { $0.caseID == "H000031" }?.problem?.contains("waits for its child case") == true)
            #expect(dry.first { $0.caseID == "H000021" }?.toState == "absent")

            let held = try await s.openTask("H000040", kind: "visit")
            try await s.engine.claim(held.id, by: "kimura")
            let before = try await s.digest()
            await #expect(throws: EngineError.self) {
                try await s.engine.migrate(workflow: "household-visit", to: 2, map: [:], filter: nil, dryRun: false,
                                           reason: "第5回訪問の追加", by: "yamada")
            }
            #expect(try await s.digest() == before, "a refused migration moves nothing")

            let done = try await s.engine.migrate(workflow: "household-visit", to: 2, map: [:], filter: "household_no != \"H000031\"",
                                                  dryRun: false, reason: "第5回訪問の追加", by: "yamada")
            #expect(done.count == 39 && done.allSatisfy { $0.problem == nil })
            #expect(try await s.snapshot("H000031").version == 1)
            let recreated = try await s.openTask("H000040", kind: "visit")
            #expect(recreated.id != held.id && recreated.status == .claimed && recreated.assignee == "kimura",
                    "a claim stays with its holder when the migration re-creates the task")
            let visit = try await s.openTask("H000032", kind: "visit")
            #expect(visit.title.hasSuffix("訪問 2 回目"))
            for _ in 1...3 { try await s.visit("H000032", "不在") }
            #expect(try await s.state("H000032") == "awaiting_visit", "under version 2 a fourth absent visit leads to a fifth")
            try await s.visit("H000032", "不在")
            #expect(try await s.state("H000032") == "absent")
            try await s.expectVerifies()
        }
    }

    @Test("replay against the five-visit definition finds each household that went absent on its fourth visit")
    func replayDivergence() async throws {
        try await withStore { s in
            try await Self.midSurvey(s)
            let folder = try Self.editedWorkflows(s, renameContacted: false)
            let (checked, divergences) = try await s.engine.replay(against: folder + "/household-visit.yaml", workflow: "household-visit")
            #expect(checked == 60)
            #expect(divergences.map(\.caseID) == (21...31).map { String(format: "H%06d", $0) })
            let fourth = try #require(try await s.engine.store.history("H000021").first { $0.to == "absent" })
            let d = try #require(divergences.first)
            #expect(d.seq == fourth.seq)
            #expect(d.expected == "awaiting_visit → absent" && d.got == "awaiting_visit → awaiting_visit")
            let same = try await s.engine.replay(against: Repository.workflows + "/household-visit.yaml")
            #expect(same.divergences.isEmpty, "the deployed definition reproduces its own histories")
        }
    }
}
