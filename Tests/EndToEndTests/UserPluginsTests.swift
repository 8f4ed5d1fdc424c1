import Foundation
import Testing

/// SQL-file analyses and `tally-NAME` external commands (SPEC §5), through the built binary.
@Suite struct UserPluginsTests {
    let tally = TallyProcess()
    let clock = ["TALLY_NOW": "2026-03-15T12:00:00Z"]

    init() throws {
        let r = try tally.run([
            "--db", tally.path("t.db"), "-c",
            """
            INSERT INTO calls (id, source, model, started_at, total_tokens) VALUES
              ('a', 'test', 'gpt-5', '2026-01-10T09:00:00.000Z', 150),
              ('b', 'test', 'gpt-5', '2026-03-01T09:00:00.000Z', 1500),
              ('c', 'test', 'sonnet', '2026-03-10T09:00:00.000Z', 15)
            """,
        ])
        precondition(r.status == 0, r.stderr)
        try write("analyses/recent-calls.sql", """
            -- name: recent-calls
            -- summary: Calls per model since a date.
            -- param: since date default=-30d help=Only calls from this date on.
            SELECT model, count(*) AS calls, sum(total_tokens) AS total_tokens
            FROM calls WHERE started_at >= :since
            GROUP BY model ORDER BY model;
            """)
    }

    func write(_ relative: String, _ text: String, executable: Bool = false) throws {
        let url = tally.home.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
    }

    func tally(_ arguments: [String], environment: [String: String] = [:]) throws -> TallyProcess.Output {
        try tally.run(["--db", tally.path("t.db")] + arguments, extraEnvironment: clock.merging(environment) { $1 })
    }

    @Test func aSQLAnalysisRunsWithAndWithoutItsDateAndRefusesAnInjection() throws {
        let recent = try tally(["recent-calls", "--format", "csv"])  // -30d: from 2026-02-13
        #expect(recent.status == 0, "\(recent.stderr)")
        #expect(recent.stdout == "model,calls,total_tokens\ngpt-5,1,1500\nsonnet,1,15\n")
        let all = try tally(["recent-calls", "--since", "2026-01-01", "--format", "csv"])
        #expect(all.stdout == "model,calls,total_tokens\ngpt-5,2,1650\nsonnet,1,15\n")

        let attack = try tally(["recent-calls", "--since", "2026-01-01'; DROP TABLE calls; --"])
        #expect(attack.status == 2)
        #expect(attack.stdout.isEmpty)
        #expect(attack.stderr == """
            error: recent-calls: --since expects a date (2026-01-31, an ISO timestamp, today, yesterday, -30d, -12w, -6m), got '2026-01-01'; DROP TABLE calls; --'

            """)
        let count = try tally(["-c", "select count(*) as n from calls", "--format", "csv"])
        #expect(count.stdout == "n\n3\n")
    }

    @Test func aMalformedHeaderIsReportedAndTheOthersStillLoad() throws {
        try write("analyses/bad.sql", "-- name: bad-one\n-- summary: Broken.\n-- param: since dat default=-30d\nSELECT 1;\n")
        try write("analyses/clash.sql", "-- name: tables\n-- summary: Takes a built-in's name.\nSELECT 1;\n")
        let r = try tally(["recent-calls", "--since", "2026-03-05", "--format", "csv"])
        #expect(r.status == 0)
        #expect(r.stdout == "model,calls,total_tokens\nsonnet,1,15\n")
        #expect(r.stderr == """
            analyses/bad.sql:3: error: unknown parameter type 'dat'; did you mean 'date'? (types: string, int, decimal, bool, date, duration, path, enum(a,b,c)); this analysis is skipped
            analyses/clash.sql:1: error: plugin name 'tables' is taken twice: the built-in analysis and SQL file analyses/clash.sql; rename one; this analysis is skipped

            """)
    }

    @Test func pluginsFoldersAddAnalysesListedWithTheirFile() throws {
        try write("more/top-model.sql", "-- summary: The model with the most tokens.\nSELECT model FROM calls GROUP BY model ORDER BY sum(total_tokens) DESC LIMIT 1;\n")
        let r = try tally(["--plugins", "more", "-c", ".plugins", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\nrecent-calls,analysis,SQL file,Calls per model since a date.,analyses/recent-calls.sql\n"))
        #expect(r.stdout.contains("\ntop-model,analysis,SQL file,The model with the most tokens.,more/top-model.sql\n"))
        #expect(r.stdout.contains("\ntables,analysis,built-in,Row count per table.,\n"))
        let help = try tally(["--plugins", "more", "top-model", "--help"])
        #expect(help.stdout.hasPrefix("top-model — The model with the most tokens.\n\nUsage: top-model [--format FMT] [> FILE]\n\nFrom SQL file more/top-model.sql.\n"))
        let missing = try tally(["--plugins", "nowhere", "tables"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--plugins nowhere: no such folder"))
    }

    @Test func theShippedExampleAnalysisLoads() throws {
        let folder = TallyProcess.repository.appendingPathComponent("notebooks/analyses").path
        let r = try tally(["--plugins", folder, "expensive-days", "--since", "2026-01-01", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty)
        #expect(r.stdout == "day,calls,total_tokens,cost_usd,top_model\n2026-01-10,1,150,,gpt-5\n2026-03-01,1,1500,,gpt-5\n2026-03-10,1,15,,sonnet\n")
    }

    @Test func anExternalCommandIsListedAndRunsWithTheDatabase() throws {
        try write("bin/tally-hello", """
            #!/bin/sh
            echo "hello $* db=$TALLY_DB format=$TALLY_FORMAT"
            exit ${HELLO_STATUS:-0}
            """, executable: true)
        try write("bin/tally-tables", "#!/bin/sh\necho shadowed\n", executable: true)
        let bin = tally.home.appendingPathComponent("bin").path
        let path = ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]

        let listed = try tally(["-c", ".plugins", "--format", "csv"], environment: path)
        #expect(listed.stdout.contains("\nhello,command,external,External command tally-hello (`hello --help` asks it for help).,\(bin)/tally-hello\n"))
        #expect(listed.stdout.contains("\ntables,analysis,built-in,"))  // built-ins win

        let hello = try tally(["hello", "big world", "--help"], environment: path)
        #expect(hello.status == 0, "\(hello.stderr)")
        #expect(hello.stdout == "hello big world --help db=\(tally.path("t.db")) format=table\n")
        let relative = try tally.run(["--db", "t.db", "--format", "json", "hello"], extraEnvironment: path)
        #expect(relative.stdout == "hello  db=\(tally.path("t.db")) format=json\n")

        let failing = try tally(["hello"], environment: path.merging(["HELLO_STATUS": "4"]) { $1 })
        #expect(failing.status == 4)
        #expect(failing.stderr.isEmpty)
        let scripted = try tally(["-c", "hello"], environment: path.merging(["HELLO_STATUS": "4"]) { $1 })
        #expect(scripted.status == 1)
        #expect(scripted.stderr == "-c #1: error: hello exited with status 4\n")
    }
}
