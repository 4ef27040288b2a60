import Foundation
import KakariCore
import KakariEngine
import KakariStore
import KakariTesting
import Testing

/// `tasks assign --auto`: investigators never visit their home town or its neighbours
/// (staff.yaml `home_town`, the towns table's `neighbours`), and the work is spread evenly.
@Suite("Automatic assignment")
struct AutoAssignTests {
    /// The contractors' home towns and the towns next to each, from the ward's files.
    static let near: [String: Set<String>] = [
        "matsumoto": ["石神井町", "三原台", "谷原", "高野台", "南田中", "下石神井", "上石神井", "石神井台", "東大泉"],
        "inoue": ["光が丘", "旭町", "田柄", "高松", "谷原"],
        "kimura": ["練馬", "早宮", "桜台", "豊玉上", "豊玉北", "中村北", "向山"],
        "hayashi": ["大泉学園町", "大泉町", "東大泉", "西大泉"],
    ]

    func assigned(_ s: TemporaryStore, towns: [String]) async throws -> AutoAssignment {
        try await s.importHouseholds(towns.enumerated().map { ("H\($0.offset + 1)", $0.element) })
        for n in towns.indices { _ = try await s.engine.send(caseID: "H\(n + 1)", event: "assign", fields: [:], key: nil, by: "yamada") }
        return try await s.engine.autoAssign(section: "survey_contractor", by: "yamada")
    }

    @Test("no investigator gets a household in or next to their home town, and the load is even")
    func homeTownsAndBalance() async throws {
        try await withStore { s in
            let towns = ["石神井町", "練馬", "光が丘", "大泉学園町", "谷原", "東大泉", "中村", "豊玉上", "高松", "西大泉", "貫井", "関町北"]
            let report = try await assigned(s, towns: towns)
            #expect(report.unassigned.isEmpty)
            #expect(report.assigned.count == towns.count)
            for a in report.assigned {
                let town = try #require(a.town)
                #expect(!(Self.near[a.assignee] ?? []).contains(town), "\(a.assignee) got \(town)")
                let task = try await s.engine.task(a.task)
                #expect(task.assignee == a.assignee && task.status == .claimed)
            }
            let load = Dictionary(grouping: report.assigned, by: \.assignee).mapValues(\.count)
            #expect(load.count == 4 && load.values.allSatisfy { $0 == 3 }, "load: \(load)")
            // Ties go by login: the first household (石神井町) goes to hayashi, the first eligible in order.
            #expect(report.assigned.first { $0.caseID == "H1" }?.assignee == "hayashi")
            try await s.expectVerifies()
            #expect(try await s.engine.verifyAudit().broken == nil)
        }
    }

    @Test("a task nobody may take stays unassigned and is reported")
    func nobodyMayTake() async throws {
        try await withStore { s in
            // Only matsumoto and inoue: both live next to 谷原.
            let folder = s.folder + "/workflows"
            try FileManager.default.copyItem(atPath: Repository.workflows, toPath: folder)
            let staff = folder + "/staff.yaml"
            let text = try String(contentsOfFile: staff, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains("kimura:") && !$0.contains("hayashi:") }.joined(separator: "\n")
            try text.write(toFile: staff, atomically: true, encoding: .utf8)
            _ = try await s.engine.deploy(paths: [folder], by: "yamada")
            let report = try await assigned(s, towns: ["谷原", "中村"])
            #expect(report.assigned.map(\.caseID) == ["H2"])
            #expect(report.unassigned.map(\.caseID) == ["H1"])
            #expect(report.unassigned.first?.reason == "every contractor lives in 谷原 or next to it")
            #expect(try await s.openTask("H1", kind: "visit").assignee == nil)
        }
    }

    @Test("handing, claiming or completing a visit in one's home town is refused, and nothing changes")
    func manualAssignmentFollowsTheRule() async throws {
        try await withStore { s in
            try await s.importHouseholds([("H1", "練馬")])
            _ = try await s.engine.send(caseID: "H1", event: "assign", fields: [:], key: nil, by: "yamada")
            let visit = try await s.openTask("H1", kind: "visit")
            let before = try await s.digest()
            await #expect(throws: EngineError(.refused, "kimura lives in 練馬, the case's town; task \(visit.id) must go to someone else")) {
                try await s.engine.assign(visit.id, to: "kimura", by: "yamada")
            }
            await #expect(throws: EngineError(.notPermitted, "kimura lives in 練馬, the case's town; task \(visit.id) must go to someone else")) {
                try await s.engine.claim(visit.id, by: "kimura")
            }
            await #expect(throws: EngineError(.notPermitted, "kimura lives in 練馬, the case's town; task \(visit.id) must go to someone else")) {
                _ = try await s.engine.completeTask(visit.id, fields: ["slot": "休日", "result": "面接"], by: "kimura")
            }
            #expect(try await s.digest() == before)
            await #expect(throws: EngineError(.notPermitted, "only a lead or an admin may hand out tasks; suzuki is staff")) {
                _ = try await s.engine.autoAssign(section: "survey_contractor", by: "suzuki")
            }
            #expect(try await s.digest() == before)
        }
    }
}
