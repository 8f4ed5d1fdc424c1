import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import TallyKit

@Suite struct SVGChartTests {
    let result = ResultSet(
        columns: [Column("period", .date), Column("cost_usd", .money)],
        rows: [["2026-01", .decimal(Decimal(string: "8.32")!)], ["2026-02", .null], ["2026-03 <&>", .decimal(4)]])

    @Test func barsAreGolden() {
        #expect(SVGChart.render(Chart(kind: .bar, label: "period", value: "cost_usd"), result: result) == """
            <svg xmlns="http://www.w3.org/2000/svg" width="547.2" height="96" viewBox="0 0 547.2 96" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12">
            <title>cost_usd by period</title>
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="8" y="20" font-weight="bold" fill="#222222">cost_usd by period</text>
            <text x="87.2" y="42" text-anchor="end" fill="#222222">2026-01</text>
            <rect x="95.2" y="31" width="400" height="14" fill="#4c78a8"/>
            <text x="503.2" y="42" fill="#222222">$8.32</text>
            <text x="87.2" y="62" text-anchor="end" fill="#222222">2026-02</text>
            <text x="103.2" y="62" fill="#222222"></text>
            <text x="87.2" y="82" text-anchor="end" fill="#222222">2026-03 &lt;&amp;&gt;</text>
            <rect x="95.2" y="71" width="192.3" height="14" fill="#4c78a8"/>
            <text x="295.5" y="82" fill="#222222">$4.00</text>
            </svg>

            """)
    }

    @Test func bothKindsAreWellFormedXML() throws {
        for kind in [Chart.Kind.bar, .sparkline] {
            let svg = try #require(SVGChart.render(Chart(kind: kind, label: "period", value: "cost_usd"), result: result))
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "\(kind): \(String(describing: parser.parserError))")
        }
    }

    @Test func noChartWithoutItsColumnsOrRows() {
        #expect(SVGChart.render(Chart(kind: .bar, label: "period", value: "calls"), result: result) == nil)
        #expect(SVGChart.render(Chart(kind: .bar, label: "period", value: "cost_usd"), result: ResultSet(columns: result.columns)) == nil)
    }

    @Test func coordinatesAreWrittenOneWay() {
        #expect(SVGChart.n(0) == "0")
        #expect(SVGChart.n(192.3076923) == "192.3")
        #expect(SVGChart.n(-0.25) == "-0.3")
        #expect(SVGChart.n(-3.5) == "-3.5")
        #expect(SVGChart.n(12.96) == "13")
    }
}

@Suite struct UnifiedDiffTests {
    @Test func equalTextsHaveNoDiff() {
        #expect(UnifiedDiff.diff(old: "a\nb\n", new: "a\nb\n", oldName: "x", newName: "y") == "")
    }

    @Test func hunksCarryThreeLinesOfContext() {
        let old = (1...20).map { "line \($0)" }.joined(separator: "\n") + "\n"
        var lines = (1...20).map { "line \($0)" }
        lines[1] = "changed 2"
        lines.insert("new after 15", at: 15)
        lines.removeLast()
        let diff = UnifiedDiff.diff(old: old, new: lines.joined(separator: "\n") + "\n", oldName: "a.md", newName: "a.md (re-run)")
        #expect(diff == """
            --- a.md
            +++ a.md (re-run)
            @@ -1,5 +1,5 @@
             line 1
            -line 2
            +changed 2
             line 3
             line 4
             line 5
            @@ -13,8 +13,8 @@
             line 13
             line 14
             line 15
            +new after 15
             line 16
             line 17
             line 18
             line 19
            -line 20

            """)
    }

    @Test func emptySidesUseZeroLengthRanges() {
        #expect(UnifiedDiff.diff(old: "", new: "a\n", oldName: "x", newName: "y") == "--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n")
        #expect(UnifiedDiff.diff(old: "a\nb\n", new: "a\n", oldName: "x", newName: "y") == "--- x\n+++ y\n@@ -1,2 +1 @@\n a\n-b\n")
    }
}
