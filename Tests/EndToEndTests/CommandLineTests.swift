import Foundation
import Testing

/// The command line of SPEC §2, run against the built binary.
@Suite struct CommandLineTests {
    let tally = TallyProcess()

    @Test func sqlFromStdinAsJSON() throws {
        let r = try tally.run(["--db", tally.path("t.db"), "--format", "json"], stdin: "select 1 as x;\n")
        #expect(r.status == 0)
        #expect(r.stdout.filter { !$0.isWhitespace } == #"[{"x":1}]"#)
        #expect(r.stderr.isEmpty)
    }

    @Test func repeatedDashC() throws {
        let r = try tally.run(["--db", tally.path("t.db"), "-c", "select 2 as y", "-c", ".tables"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("y"))
        #expect(r.stdout.contains("2"))
        #expect(r.stdout.contains("sessions"))
    }

    @Test func unknownCommandIsAUsageError() throws {
        let r = try tally.run(["--db", tally.path("t.db"), "nope"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown command 'nope'"))
        let close = try tally.run(["--db", tally.path("t.db"), "tabels"])
        #expect(close.status == 2)
        #expect(close.stderr.contains("did you mean 'tables'?"))
    }

    @Test func oneShotPluginWithFormat() throws {
        let r = try tally.run(["--db", tally.path("t.db"), "tables", "sess*", "--format", "csv"])
        #expect(r.status == 0)
        #expect(r.stdout == "table,rows\nsession_rollup,0\nsessions,0\n")
    }

    @Test func badParameterExitsTwo() throws {
        let r = try tally.run(["--db", tally.path("t.db"), "tables", "--bogus"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown parameter --bogus"))
    }

    @Test func scriptErrorsNameFileAndLine() throws {
        try tally.write("script.tally", "select 1 as a;\n.set n 2\nselect nosuch;\nselect :n as n;\n")
        let r = try tally.run(["--db", tally.path("t.db"), "-f", "script.tally"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.tally:3: error: no such column: nosuch"))
        #expect(r.stdout.contains("n"))
        let bail = try tally.run(["--db", tally.path("t.db"), "-f", "script.tally", "--bail"])
        #expect(bail.status == 1)
        #expect(bail.stderr.contains("script.tally:3:"))
        #expect(!bail.stdout.contains("n\n"))
    }

    @Test func stdinScriptBehavesLikeDashF() throws {
        let script = "select 1 as a;\nselect nosuch;\n"
        try tally.write("s.tally", script)
        let piped = try tally.run(["--db", tally.path("t.db")], stdin: script)
        let file = try tally.run(["--db", tally.path("t.db"), "-f", "s.tally"])
        #expect(piped.stdout == file.stdout)
        #expect(piped.status == 1 && file.status == 1)
        #expect(piped.stderr.contains(":2: error: no such column: nosuch"))
    }

    @Test func defineSetsSessionValues() throws {
        let r = try tally.run(["--db", tally.path("t.db"), "-D", "since=2026-01-01", "-c", "select :since as s"])
        #expect(r.stdout.contains("2026-01-01"))
    }

    @Test func startupFileRunsUnlessNoRC() throws {
        let config = tally.home.appendingPathComponent("config/tally")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try Data(".set greeting hello\n.mode csv\n".utf8).write(to: config.appendingPathComponent("tallyrc"))
        let r = try tally.run(["--db", tally.path("t.db"), "-c", "select :greeting as g"])
        #expect(r.stdout == "g\nhello\n")
        let flagWins = try tally.run(["--db", tally.path("t.db"), "--format", "json", "-c", "select :greeting as g"])
        #expect(flagWins.stdout.contains(#""g":"hello""#))
        let skipped = try tally.run(["--db", tally.path("t.db"), "--no-rc", "-c", "select :greeting as g"])
        #expect(skipped.status == 1)
        #expect(skipped.stderr.contains("unbound parameter :greeting"))
    }

    @Test func defaultDatabaseFollowsTallyDBThenXDG() throws {
        _ = try tally.run(["-c", "select 1"], extraEnvironment: ["TALLY_DB": tally.path("env.db")])
        #expect(FileManager.default.fileExists(atPath: tally.path("env.db")))
        _ = try tally.run(["-c", "select 1"])
        #expect(FileManager.default.fileExists(atPath: tally.path("data/tally/tally.db")))
    }

    @Test func notATallyDatabaseIsLeftAlone() throws {
        try tally.write("notes.db", "just text\n")
        let r = try tally.run(["--db", tally.path("notes.db"), "-c", "select 1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("is not a SQLite database"))
        #expect(try String(contentsOfFile: tally.path("notes.db"), encoding: .utf8) == "just text\n")
    }

    @Test func readOnlyRefusesWrites() throws {
        _ = try tally.run(["--db", tally.path("t.db"), "-c", "select 1"])
        let r = try tally.run(["--db", tally.path("t.db"), "--read-only", "-c", "create table x(a)"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("readonly"))
    }

    @Test func readOnlyCommandsRunOnAReadOnlyDatabase() throws {
        _ = try tally.run(["--db", tally.path("t.db"), "-c", "select 1"])
        let missing = try tally.run(["--db", tally.path("t.db"), "--read-only", "pricing", "missing", "--format", "csv"])
        #expect(missing.status == 0, "\(missing.stderr)")
        #expect(missing.stdout.hasPrefix("model,provider,calls,total_tokens,first_seen,last_seen\n"))
        let set = try tally.run(["--db", tally.path("t.db"), "--read-only", "pricing", "set", "x", "--input", "1", "--output", "2"])
        #expect(set.status == 1)
        #expect(set.stderr.contains("read-only"))
    }

    @Test func helpAndVersion() throws {
        let help = try tally.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--read-only"))
        let version = try tally.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("0."))
        let usage = try tally.run(["--format", "yaml", "-c", "select 1"])
        #expect(usage.status == 2)
    }
}

/// The scripts shipped in notebooks/ run cleanly.
@Suite struct ShippedScriptTests {
    @Test func firstLookRuns() throws {
        let tally = TallyProcess()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("notebooks/first-look.tally").path
        let r = try tally.run(["--db", tally.path("t.db"), "-f", script, "-D", "since=-30d", "--bail", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("table,rows\ncall_rollup,0\ncalls,0\n"))
        #expect(r.stdout.hasSuffix("model,calls,total_tokens,total_only_tokens,cost_usd\n"))
        let missing = try tally.run(["--db", tally.path("t.db"), "-f", script])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("first-look.tally:10: error: unbound parameter :since"))
    }
}
