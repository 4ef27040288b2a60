import KakariCore
import KakariDefinitions
import KakariTesting
import Testing

@Suite("The ward's workflows in Workflows/")
struct WorkflowsFolderTests {
    @Test("every file in Workflows/ passes lint together")
    func lintPasses() {
        let result = BundleLoader.lint(paths: [Repository.workflows])
        #expect(result.diagnostics.isEmpty, "\(result.rendered)")
    }

    @Test("the calendar holds Japan's holidays 2009–2030 and the year-end closure")
    func calendar() throws {
        let c = try BundleLoader.load(paths: [Repository.workflows]).calendar
        #expect(c.closureReason(Day(year: 2019, month: 5, day: 1)) == "即位の日")
        #expect(c.closureReason(Day(year: 2026, month: 9, day: 22)) == "国民の休日")
        #expect(c.closureReason(Day(year: 2024, month: 2, day: 12)) == "振替休日")
        #expect(c.closureReason(Day(year: 2030, month: 12, day: 30)) == "年末年始休業")
        #expect(c.isOpen(Day(year: 2026, month: 11, day: 27)))
    }

    @Test("the towns table has at least 30 of the ward's towns, each with an area")
    func towns() throws {
        let towns = try #require(try BundleLoader.load(paths: [Repository.workflows]).tables["towns"])
        #expect(towns.keys.count >= 30)
        #expect(towns.keys.allSatisfy { towns.rows[$0]?["area"] != .null })
    }

    @Test("graph renders Mermaid and DOT with labels, guards and sections")
    func graphs() throws {
        let bundle = try BundleLoader.load(paths: [Repository.workflows])
        let labels = Dictionary(uniqueKeysWithValues: bundle.staff.sections.map { ($0.id, $0.label) })
        let renderer = GraphRenderer(definition: bundle.workflows["household-visit"]!, sectionLabels: labels)
        let mermaid = renderer.render(.mermaid)
        #expect(mermaid.hasPrefix("stateDiagram-v2\n"))
        #expect(mermaid.contains("awaiting_visit --> absent: visit [event.result == '不在' and visits + 1 >= 4]"))
        #expect(mermaid.contains("訪問調査 @ 訪問調査会社 (10d)"))
        let dot = renderer.render(.dot)
        #expect(dot.hasPrefix("digraph \"household-visit\" {"))
        #expect(dot.contains("__start -> listed;"))
    }
}
