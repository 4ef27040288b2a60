import KakariAnalysis
import KakariCore
import KakariDefinitions
import KakariTesting
import Testing

@Suite("kakari check: model checking over the pure core")
struct ModelCheckerTests {
    static func checker(_ folder: String) throws -> ModelChecker {
        let bundle = try BundleLoader.load(paths: [folder])
        return ModelChecker(workflows: bundle.workflows, calendar: bundle.calendar, start: ModelChecker.defaultStart)
    }

    @Test("every workflow in Workflows/ is proven, and the explored space is reported", arguments: ["household-visit", "residence-investigation", "nhi-clerical"])
    func wardWorkflowsAreProven(_ name: String) throws {
        let result = try Self.checker(Repository.workflows).check(name)
        #expect(result.proven, "\(result.rendered(folder: "Workflows"))")
        #expect(result.configurations > result.statesTotal / 2)
        #expect(result.statesReached == result.statesTotal)
        #expect(result.rendered(folder: "Workflows").contains("explored \(result.configurations) configurations"))
    }

    @Test("every pattern workflow (stay, all_done, for_each, kept events, recursion) is proven", arguments: ["application", "checks", "members", "quorum", "reply", "referral", "appeal"])
    func patternWorkflowsAreProven(_ name: String) throws {
        let result = try Self.checker(Repository.fixtures + "/patterns").check(name)
        #expect(result.proven, "\(result.rendered(folder: "patterns"))")
        // Optional fields start at their defaults, so application's urgent path is not explored.
        #expect(result.statesReached >= result.statesTotal - 1)
    }

    @Test("the household survey's counter is bounded by its guard: visits count up to the fourth absence")
    func counterBounded() throws {
        let result = try Self.checker(Repository.workflows).check("household-visit")
        // listed, then awaiting_visit with visits 0…3, the rest a handful: far fewer than the
        // unbounded space, and more than the states alone.
        #expect(result.configurations >= 15 && result.configurations < 200, "\(result.configurations)")
    }

    static func defect(_ file: String) throws -> (CheckResult, CheckResult.Defect) {
        let result = try checker(Repository.fixtures + "/check").check(file)
        #expect(!result.proven)
        let defect = try #require(result.defects.first)
        return (result, defect)
    }

    @Test("a dead end: the held case waits for a release whose condition never holds")
    func deadEnd() throws {
        let (_, d) = try Self.defect("dead-end")
        #expect(d.kind == .deadEnd)
        #expect(d.state == "hold")
        #expect(d.steps.flatMap(\.commandLines) == [
            "kakari cases start dead-end check-1 ref_no=check-1 approved=false",
            "kakari send check-1 review ok=false   # completes the open task 'review'",
        ])
    }

    @Test("an unreachable final state: the attempts are never counted")
    func unreachableFinal() throws {
        let (result, d) = try Self.defect("unreachable-final")
        #expect(result.defects.count == 1)
        #expect(d.kind == .unreachableFinal)
        #expect(d.state == "given_up")
        #expect(d.message.contains("open --attempt [tries >= 2]"))
    }

    @Test("an unhandled form outcome: a second 差戻し matches no branch")
    func unhandledOutcome() throws {
        let (result, d) = try Self.defect("unhandled-outcome")
        #expect(result.defects.count == 1)
        #expect(d.kind == .unhandledOutcome)
        #expect(d.steps.flatMap(\.commandLines) == [
            "kakari cases start unhandled-outcome check-1 ref_no=check-1 rework=0",
            "kakari send check-1 decide decision=差戻し   # completes the open task 'decide'",
            "kakari send check-1 decide decision=差戻し   # completes the open task 'decide'",
        ])
    }

    @Test("an event nobody sends: the reply task belongs to another state")
    func eventNobodySends() throws {
        let (result, d) = try Self.defect("event-nobody-sends")
        #expect(result.defects.count == 1)
        #expect(d.kind == .eventNobodySends)
        #expect(d.state == "waiting")
        #expect(d.message.contains("waits for 'answer'"))
        #expect(d.steps.flatMap(\.commandLines) == [
            "kakari cases start event-nobody-sends check-1 ref_no=check-1",
            "kakari send check-1 request   # completes the open task 'request'",
        ])
    }

    @Test("a cycle with no way out: the second look repeats for ever")
    func noWayOut() throws {
        let (result, d) = try Self.defect("no-way-out")
        #expect(result.defects.count == 1)
        #expect(d.kind == .noWayOut)
        #expect(d.state == "recheck")
        #expect(d.message.contains("only move among 'recheck'"))
        #expect(d.steps.flatMap(\.commandLines) == [
            "kakari cases start no-way-out check-1 ref_no=check-1 checks=0",
            "kakari send check-1 inspect found=true   # completes the open task 'inspect'",
        ])
    }

    @Test("a child's result is replayed as the child's own steps, its timers as clock advances")
    func childAndTimers() throws {
        // A copy of the survey where the registry's deletion leads to a state nothing leaves.
        let bundle = try BundleLoader.load(paths: [Repository.workflows])
        var workflows = bundle.workflows
        var visit = try #require(workflows["household-visit"])
        let index = try #require(visit.states.firstIndex { $0.name == "registry_check" })
        visit.states[index].child?.results["registry_deleted"] = [Branch(target: "limbo")]
        visit.states.append(StateDefinition(name: "limbo", label: "宙に浮いた案件"))
        workflows["household-visit"] = visit
        let result = ModelChecker(workflows: workflows, calendar: bundle.calendar, start: ModelChecker.defaultStart).check("household-visit")
        let d = try #require(result.defects.first)
        #expect(d.kind == .deadEnd)
        #expect(d.state == "limbo")
        let lines = d.steps.flatMap(\.commandLines)
        #expect(lines.contains { $0.hasPrefix("# the child case check-1/") && $0.hasSuffix("(residence-investigation) runs to its result 'registry_deleted':") })
        #expect(lines.contains { $0.hasPrefix("kakari clock advance ") && $0.hasSuffix("# the deadline falls due") })
    }
}
