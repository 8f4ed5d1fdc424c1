import Foundation
import GRDB
import Testing
@testable import TallyKit

/// User SQL analyses (SPEC §5): header parsing, errors with file and line, loading, binding.
@Suite struct SQLAnalysisHeaderTests {
    static let recent = """
        -- name: recent-models
        -- summary: Calls and tokens per model since a date.
        -- param: since date default=-30d help=Only calls from this date on.
        -- param: limit int default=10
        -- param: by enum(model, provider) default=model help="Group by model or provider."
        -- param: project string
        -- chart: bar model total_tokens
        -- Tokens are total_tokens, whatever the split.
        --
        -- Second paragraph.
        SELECT model, count(*) AS calls, sum(total_tokens) AS total_tokens
        FROM calls WHERE started_at >= :since AND (:project IS NULL OR project_id = :project)
        GROUP BY model ORDER BY total_tokens DESC LIMIT :limit;
        """

    @Test func headerDeclaresTheAnalysis() throws {
        let a = try SQLAnalysis.parse(Self.recent, path: "analyses/recent.sql", defaultName: "recent")
        #expect(a.name == "recent-models")
        #expect(a.summary == "Calls and tokens per model since a date.")
        #expect(a.discussion == "Tokens are total_tokens, whatever the split.\n\nSecond paragraph.")
        #expect(a.parameters == [
            Parameter("since", .date, default: "-30d", help: "Only calls from this date on."),
            Parameter("limit", .int, default: "10", help: ""),
            Parameter("by", .choice(["model", "provider"]), default: "model", help: "Group by model or provider."),
            Parameter("project", .string, help: ""),
        ])
        #expect(a.chart == Chart(kind: .bar, label: "model", value: "total_tokens"))
        #expect(a.nameLine == 1)
    }

    @Test func nameDefaultsToTheFileName() throws {
        let a = try SQLAnalysis.parse("SELECT 1;", path: "x/daily-spend.sql", defaultName: "daily-spend")
        #expect(a.name == "daily-spend")
        #expect(a.summary == "SQL analysis in x/daily-spend.sql.")
        #expect(a.parameters.isEmpty)
    }

    struct BadHeader: CustomTestStringConvertible, Sendable {
        var text: String
        var error: String
        var testDescription: String { error }
    }

    static let badHeaders: [BadHeader] = [
        .init(text: "-- name: x\n-- summary: s\n-- param: since dat default=-30d\nSELECT 1;",
              error: "analyses/x.sql:3: unknown parameter type 'dat'; did you mean 'date'? (types: string, int, decimal, bool, date, duration, path, enum(a,b,c))"),
        .init(text: "-- param: since date default=-3o\nSELECT 1;",
              error: "analyses/x.sql:1: default '-3o' of 'since' is not a date (2026-01-31, an ISO timestamp, today, yesterday, -30d, -12w, -6m)"),
        .init(text: "-- param: by enum(day,week) default=year\nSELECT 1;",
              error: "analyses/x.sql:1: default 'year' of 'by' is not one of day, week"),
        .init(text: "-- param: n int\n-- param: n int\nSELECT 1;", error: "analyses/x.sql:2: parameter 'n' is declared twice"),
        .init(text: "-- param: format string\nSELECT 1;",
              error: "analyses/x.sql:1: parameter name 'format' is taken by the option every plugin has (--format): choose another"),
        .init(text: "-- param: Since date\nSELECT 1;",
              error: "analyses/x.sql:1: parameter name 'Since' must be lowercase letters and digits, words joined by '-' or '_'"),
        .init(text: "-- param: since\nSELECT 1;",
              error: "analyses/x.sql:1: parameter 'since' has no type: use one of string, int, decimal, bool, date, duration, path, enum(a,b,c)"),
        .init(text: "-- param: since date deflaut=1\nSELECT 1;",
              error: "analyses/x.sql:1: unexpected 'deflaut=1' in param 'since': write default=VALUE, help=TEXT or required"),
        .init(text: "-- summary: s\n-- parm: since date\nSELECT 1;", error: "analyses/x.sql:2: unknown header key 'parm'; did you mean 'param'?"),
        .init(text: "-- name: Big_One\nSELECT 1;",
              error: "analyses/x.sql:1: name 'Big_One' is not kebab-case (lowercase words joined by '-', as in expensive-tools)"),
        .init(text: "-- chart: model cost_usd\nSELECT 1;",
              error: "analyses/x.sql:1: chart takes a kind and two columns: '-- chart: bar LABEL_COLUMN VALUE_COLUMN' (or sparkline)"),
        .init(text: "-- name: empty-one\n-- just a comment\n/* and a block */\n", error: "analyses/x.sql: no query after the header: add a SELECT statement"),
    ]

    @Test(arguments: badHeaders)
    func malformedHeaderNamesFileAndLine(_ bad: BadHeader) {
        #expect {
            _ = try SQLAnalysis.parse(bad.text, path: "analyses/x.sql", defaultName: "x")
        } throws: { error in
            (error as? SQLAnalysisError)?.description == bad.error
        }
    }
}

@Suite struct PluginLoaderTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tally-sql-\(UUID().uuidString)")

    func write(_ name: String, _ text: String, in sub: String = "a") throws {
        let dir = folder.appendingPathComponent(sub)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: dir.appendingPathComponent(name))
    }

    @Test func badFilesAreReportedAndTheRestLoad() throws {
        try write("good.sql", "-- name: good-one\n-- summary: Fine.\nSELECT 1 AS one;")
        try write("bad.sql", "-- name: bad-one\n-- summary: Broken.\n-- param: since dat\nSELECT 1;")
        try write("clash.sql", "-- summary: Takes a built-in's name.\n-- name: echo\nSELECT 1;")
        try write("notes.txt", "not an analysis")
        let registry = Registry(analyses: [EchoAnalysis.self])
        var reports: [String] = []
        let a = folder.appendingPathComponent("a").path
        let added = PluginLoader.loadSQLAnalyses(into: registry, folders: [a], report: { reports.append($0) })
        #expect(added == 1)
        #expect(registry.entry(named: "good-one")?.origin == .sqlFile(a + "/good.sql"))
        #expect(registry.entry(named: "bad-one") == nil)
        #expect(reports == [
            "\(a)/bad.sql:3: error: unknown parameter type 'dat'; did you mean 'date'? (types: string, int, decimal, bool, date, duration, path, enum(a,b,c)); this analysis is skipped",
            "\(a)/clash.sql:2: error: plugin name 'echo' is taken twice: the built-in analysis and SQL file \(a)/clash.sql; rename one; this analysis is skipped",
        ])
    }

    @Test func twoFilesWithOneNameAreAnErrorNamingBoth() throws {
        try write("x.sql", "-- name: dup\nSELECT 1;", in: "a")
        try write("y.sql", "-- name: dup\nSELECT 2;", in: "b")
        try write("notebook.sql", "SELECT 3;", in: "b")
        let registry = Registry()
        var reports: [String] = []
        let (a, b) = (folder.appendingPathComponent("a").path, folder.appendingPathComponent("b").path)
        // A folder given twice is read once; a missing one is skipped.
        PluginLoader.loadSQLAnalyses(into: registry, folders: [a, b, a + "/", folder.appendingPathComponent("none").path]) {
            reports.append($0)
        }
        #expect(registry.names == ["dup"])
        #expect(reports == [
            "\(b)/notebook.sql:1: error: plugin name 'notebook' is taken by the built-in `tally notebook` command; rename this analysis; this analysis is skipped",
            "\(b)/y.sql:1: error: plugin name 'dup' is taken twice: SQL file \(a)/x.sql and SQL file \(b)/y.sql; rename one; this analysis is skipped",
        ])
    }
}

/// Running SQL analyses through the interpreter, as the REPL, scripts and notebooks do.
@Suite struct SQLAnalysisRunTests {
    static let header = """
        -- name: model-calls
        -- summary: Calls per model since a date.
        -- param: since date default=-30d help=Only calls from this date on.
        -- param: min-tokens decimal default=0
        -- param: model string
        SELECT model, count(*) AS calls, sum(total_tokens) AS total_tokens
        FROM calls
        WHERE started_at >= :since AND total_tokens >= :min_tokens AND (:model IS NULL OR model = :model)
        GROUP BY model ORDER BY model;
        """

    func interpreter(_ sql: String = header) throws -> (Interpreter, CapturedOutput) {
        let (i, out) = try makeInterpreter()  // clock 2026-03-15T12:00Z, UTC, csv
        try i.registry.add(PluginEntry(sql: try SQLAnalysis.parse(sql, path: "analyses/m.sql", defaultName: "m")))
        try i.store.write { db in
            try insertCall(db, "a", model: "gpt-5", at: "2026-01-10T09:00:00.000Z", input: 100, output: 50)
            try insertCall(db, "b", model: "gpt-5", at: "2026-03-01T09:00:00.000Z", input: 1000, output: 500)
            try insertCall(db, "c", model: "sonnet", at: "2026-03-10T09:00:00.000Z", input: 10, output: 5)
        }
        return (i, out)
    }

    @Test func runsWithAndWithoutItsDateParameter() throws {
        let (i, out) = try interpreter()
        #expect(i.execute("model-calls") == .success)  // since -30d: 2026-02-13
        #expect(i.execute("model-calls --since 2026-01-01") == .success)
        #expect(i.execute("model-calls --since 2026-01-01 --min-tokens 100.5 --model gpt-5") == .success)
        #expect(out.stdout == """
            model,calls,total_tokens
            gpt-5,1,1500
            sonnet,1,15
            model,calls,total_tokens
            gpt-5,2,1650
            sonnet,1,15
            model,calls,total_tokens
            gpt-5,2,1650

            """)
    }

    @Test func anInjectionAttemptIsAnInvalidDateAndTheTableStays() throws {
        let (i, out) = try interpreter()
        #expect(i.execute(#"model-calls --since "2026-01-01'; DROP TABLE calls; --""#) == .failure(
            "model-calls: --since expects a date (2026-01-31, an ISO timestamp, today, yesterday, -30d, -12w, -6m), got '2026-01-01'; DROP TABLE calls; --'",
            usage: true))
        #expect(out.stdout.isEmpty)
        // A string parameter is bound, not spliced: the quote is just a character of the value.
        #expect(i.execute(#"model-calls --since 2026-01-01 --model "gpt-5'; DROP TABLE calls; --""#) == .success)
        #expect(try i.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") } == 3)
    }

    @Test func sessionValuesAreDefaultsAndBindUndeclaredNames() throws {
        let (i, out) = try interpreter("""
            -- name: at-least
            -- param: since date default=2026-01-01
            SELECT count(*) AS calls, :now AS now, :tz AS tz, :label AS label FROM calls WHERE started_at >= :since;
            """)
        _ = i.execute(".set since 2026-03-05")
        _ = i.execute(".set label hello")
        #expect(i.execute("at-least --tz Asia/Tokyo") == .success)
        #expect(out.stdout == "calls,now,tz,label\n1,2026-03-15T12:00:00.000Z,Asia/Tokyo,hello\n")
        _ = i.execute(".unset label")
        #expect(i.execute("at-least") == .failure(
            "at-least (analyses/m.sql): :label is not a declared parameter: add '-- param: label TYPE' to the header, or give it a value with `.set label VALUE`",
            usage: true))
    }

    @Test func relativeDatesInSQLCountDaysInTheSessionTimeZone() throws {
        let (i, out) = try makeInterpreter()  // now: 2026-03-15T12:00Z, 21:00 in Tokyo
        _ = i.execute(".set since today")
        _ = i.execute(".set tz Asia/Tokyo")
        #expect(i.execute("select :since as since;") == .success)
        #expect(out.stdout == "since\n2026-03-14T15:00:00.000Z\n")
    }

    @Test func anAnalysisOnlyReads() throws {
        let (i, _) = try interpreter("-- name: sneaky\nDELETE FROM calls;")
        #expect(i.execute("sneaky") == .failure(
            "sneaky (analyses/m.sql): the statement writes, and an analysis only reads: run it as SQL or in a script", usage: true))
        let (j, _) = try interpreter("-- name: two\nSELECT 1; SELECT 2;")
        #expect(j.execute("two") == .failure(
            "two (analyses/m.sql): holds more than one statement; an analysis is one query (put the others in a script)",
            usage: true))
        let (k, _) = try interpreter("-- name: typo\nSELECT nosuch FROM calls;")
        #expect(k.execute("typo") == .failure("typo (analyses/m.sql): no such column: nosuch", usage: false))
        #expect(try i.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") } == 3)
    }

    @Test func helpAndPluginsShowTheFile() throws {
        let (i, out) = try interpreter()
        i.settings.format = .table
        #expect(i.execute("help model-calls") == .success)
        #expect(out.stdout == """
            model-calls — Calls per model since a date.

            Usage: model-calls [--PARAM VALUE]... [--format FMT] [> FILE]

            From SQL file analyses/m.sql.

            Parameters:
              --since       date     Only calls from this date on. (default: -30d)
              --min-tokens  decimal  (default: 0)
              --model       string
              --format      FMT      table, markdown, csv, tsv, json, jsonl, line (default: the session's .mode).

            """)
        i.settings.format = .csv
        #expect(i.execute(".plugins") == .success)
        #expect(out.stdout.hasSuffix("""
            name,kind,origin,summary,path
            echo,analysis,built-in,Echoes its parameters.,
            model-calls,analysis,SQL file,Calls per model since a date.,analyses/m.sql
            note,command,built-in,"Writes a row, or fails after writing it.",

            """))
    }
}
