import Foundation
import Testing
import TallyKit
@testable import TallyREPL

private enum TrendStub: Analysis {
    static let name = "cost-trend"
    static let summary = "Stub with the parameter kinds completion cares about."
    static let parameters = [
        Parameter("by", .choice(["day", "week", "month"]), default: "day", help: "Period."),
        Parameter("since", .date, help: "First day."),
        Parameter("out", .path, help: "A file.", positional: true),
    ]
    static let examples: [Example] = []
    static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet { .empty }
}

@Suite struct CompleterTests {
    let completer: Completer
    let dir: URL

    init() throws {
        let interpreter = Interpreter(
            store: try Store.inMemory(), registry: Registry(analyses: [TrendStub.self]), output: CapturedOutput())
        interpreter.environment.values["since"] = "2026-01-01"
        completer = Completer(interpreter: interpreter)
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-complete-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("review.tally").path, contents: Data())
    }

    func complete(_ line: String) -> (Int, [String]) {
        let r = completer.complete(line: line, cursor: line.utf8.count)
        return (r.start, r.candidates)
    }

    @Test func dotCommands() {
        #expect(complete(".ti") == (0, [".timer"]))
        #expect(complete(".mode js").1 == ["json", "jsonl"])
        #expect(complete(".headers o").1 == ["off", "on"])
    }

    @Test func pluginNamesAndSQLKeywordsAtTheStart() {
        #expect(complete("cost").1 == ["cost-trend"])
        #expect(complete("sel").1 == ["select"])
        #expect(complete("SEL").1 == ["SELECT"])
        #expect(complete("hel").1 == ["help"])
    }

    @Test func parameterNamesAndEnumValues() {
        #expect(complete("cost-trend --b") == (11, ["--by"]))
        #expect(complete("cost-trend --by w") == (16, ["week"]))
        #expect(complete("cost-trend --format c").1 == ["csv"])
        #expect(complete("cost-trend --since ").1.contains("-30d"))
        #expect(complete("help cost").1 == ["cost-trend"])
    }

    @Test func tablesColumnsAndSessionParameters() {
        #expect(complete("select * from cal").1 == ["call_count", "call_id", "call_rollup", "calls"])
        #expect(complete("select input_t").1 == ["input_tokens"])
        #expect(complete("select :si").1 == [":since"])
        #expect(complete(".schema sess").1 == ["session_rollup", "sessions"])
        completer.isContinuingSQL = { true }
        #expect(complete("  where model = 'x' and total_t").1 == ["total_tokens"])
    }

    @Test func pathsAfterReadRedirectAndPathParameters() {
        let base = dir.path + "/re"
        #expect(complete(".read \(base)").1 == [dir.path + "/reports/", dir.path + "/review.tally"])
        #expect(complete("cost-trend > \(dir.path)/rep").1 == [dir.path + "/reports/"])
        #expect(complete("cost-trend \(dir.path)/rev").1 == [dir.path + "/review.tally"])
    }

    @Test func sqlAnalysesAndExternalCommandsComplete() throws {
        let sql = try SQLAnalysis.parse(
            "-- name: spend-by\n-- param: group enum(model,agent) default=model\n-- param: since date\nSELECT 1;",
            path: "analyses/spend.sql", defaultName: "spend")
        try completer.interpreter.registry.add(PluginEntry(sql: sql))
        try completer.interpreter.registry.add(PluginEntry(external: ExternalCommand(name: "hello", path: "/bin/tally-hello")))
        #expect(complete("spe").1 == ["spend-by"])
        #expect(complete("spend-by --g").1 == ["--group"])
        #expect(complete("spend-by --group a").1 == ["agent"])
        #expect(complete("hel").1 == ["hello", "help"])
        #expect(complete("hello --").1 == [])  // its options are its own
    }
}
