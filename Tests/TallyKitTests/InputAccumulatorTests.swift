import Testing
@testable import TallyKit

@Suite struct InputAccumulatorTests {
    func inputs(_ lines: [String]) -> [(String, Int)] {
        var acc = InputAccumulator()
        var out: [(String, Int)] = []
        for l in lines { if let r = acc.feed(l) { out.append(r) } }
        if let r = acc.finish() { out.append(r) }
        return out
    }

    @Test func sqlRunsToItsSemicolonOutsideStringsAndComments() {
        let r = inputs(["select 'a;b' -- c;", "  , 2 /* ; */", "as x;", "tables"])
        #expect(r.map(\.0) == ["select 'a;b' -- c;\n  , 2 /* ; */\nas x;", "tables"])
        #expect(r.map(\.1) == [1, 4])
    }

    @Test func commentsAndBlankLinesBetweenInputsAreSkipped() {
        let r = inputs(["# a comment", "", "-- another", ".mode json", "WITH x AS (SELECT 1)", "SELECT * FROM x;"])
        #expect(r.map(\.0) == [".mode json", "WITH x AS (SELECT 1)\nSELECT * FROM x;"])
        #expect(r.map(\.1) == [4, 5])
    }

    @Test func backslashContinuesAnInvocation() {
        #expect(inputs(["cost-trend \\", "  --by week"]).map(\.0) == ["cost-trend    --by week"])
    }

    @Test func unfinishedSQLIsFlushedAtTheEnd() {
        #expect(inputs(["select 1"]).map(\.0) == ["select 1"])
    }

    @Test func classification() {
        #expect(SQLKeywords.kind(of: "  SELECT 1") == .sql)
        #expect(SQLKeywords.kind(of: "pragma table_info(calls)") == .sql)
        #expect(SQLKeywords.kind(of: ".tables") == .dotCommand)
        #expect(SQLKeywords.kind(of: "tables") == .invocation)
        #expect(SQLKeywords.kind(of: "selection") == .invocation)
    }
}
