import Foundation
import GRDB
import Testing
@testable import TallyKit

/// A tiny analysis and command to drive the interpreter without the plugin targets.
enum EchoAnalysis: Analysis {
    static let name = "echo"
    static let summary = "Echoes its parameters."
    static let parameters = [
        Parameter("word", .string, help: "A word.", positional: true),
        Parameter("since", .date, help: "A date."),
        Parameter("n", .int, default: "1", help: "A number."),
    ]
    static let examples: [Example] = []
    static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        ResultSet(
            columns: [Column("word", .text), Column("since", .timestamp), Column("n", .integer)],
            rows: [[arguments.string("word").map(Value.text) ?? .null,
                    arguments.date("since").map { .text(Timestamps.iso($0)) } ?? .null, .integer(Int64(arguments.int("n")!))]])
    }
}

enum NoteCommand: Command {
    static let name = "note"
    static let summary = "Writes a row, or fails after writing it."
    static let parameters = [Parameter("fail", .bool, help: "Fail after the write.")]
    static let examples: [Example] = []
    static func run(_ arguments: Arguments, context: CommandContext) throws -> ResultSet {
        try context.db!.execute(sql: "INSERT INTO notes VALUES ('x')")
        if arguments.bool("fail") { throw UsageError("failing on purpose") }
        let n = try Int64.fetchOne(context.db!, sql: "SELECT count(*) FROM notes") ?? 0
        return ResultSet(columns: [Column("updated", .integer)], rows: [[.integer(n)]])
    }
}

func makeInterpreter() throws -> (Interpreter, CapturedOutput) {
    let output = CapturedOutput()
    let store = try Store.inMemory()
    try store.write { db in try db.execute(sql: "CREATE TABLE notes(x TEXT)") }
    let registry = Registry(analyses: [EchoAnalysis.self], commands: [NoteCommand.self])
    let env = Environment(now: Timestamps.parse("2026-03-15T12:00:00Z")!, timeZone: TimeZone(identifier: "UTC")!)
    let interpreter = Interpreter(store: store, registry: registry, environment: env, output: output)
    interpreter.settings.format = .csv
    return (interpreter, output)
}

@Suite struct InterpreterTests {
    @Test func sqlBindsSetValues() throws {
        let (i, out) = try makeInterpreter()
        #expect(i.execute(".set since 2026-01-01") == .success)
        #expect(i.execute(".set n 41") == .success)
        #expect(i.execute("select :since as s, :n + 1 as m, $n as d;") == .success)
        #expect(out.stdout == "s,m,d\n2026-01-01,42,41\n")
    }

    @Test func unboundParameterIsAnErrorNamingIt() throws {
        let (i, out) = try makeInterpreter()
        #expect(i.execute("select :nope;") == .failure("unbound parameter :nope: give it a value with `.set nope VALUE`", usage: true))
        #expect(out.stdout.isEmpty)
    }

    @Test func severalStatementsShowEachResult() throws {
        let (i, out) = try makeInterpreter()
        #expect(i.execute("insert into notes values ('a'); select count(*) as n from notes; select 2 as two;") == .success)
        #expect(out.stdout == "n\n1\ntwo\n2\n")
    }

    @Test func pluginParametersTakeSetDefaultsAndTimeZone() throws {
        let (i, out) = try makeInterpreter()
        _ = i.execute(".set since yesterday")
        #expect(i.execute("echo hello --n 3") == .success)
        #expect(i.execute("echo --tz Asia/Tokyo") == .success)
        #expect(out.stdout == "word,since,n\nhello,2026-03-14T00:00:00.000Z,3\nword,since,n\n,2026-03-13T15:00:00.000Z,1\n")
    }

    @Test func unknownCommandSuggests() throws {
        let (i, _) = try makeInterpreter()
        #expect(i.execute("ecko") == .failure(
            "unknown command 'ecko'; did you mean 'echo'? (`.plugins` lists the commands, `help` explains the rest)", usage: true))
    }

    @Test func commandsAreAllOrNothing() throws {
        let (i, _) = try makeInterpreter()
        #expect(i.execute("note --fail") == .failure("failing on purpose", usage: true))
        #expect(i.execute("note --dry-run") == .success)
        let count = try i.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM notes") }
        #expect(count == 0)
        #expect(i.execute("note") == .success)
        #expect(try i.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM notes") } == 1)
    }

    @Test func redirectAndOnceWriteFiles() throws {
        let (i, out) = try makeInterpreter()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let a = dir.appendingPathComponent("a.json").path
        #expect(i.execute("echo x --format json > \(a)") == .success)
        #expect(try String(contentsOfFile: a, encoding: .utf8).contains("\"word\""))
        let b = dir.appendingPathComponent("b.csv").path
        _ = i.execute(".once \(b)")
        _ = i.execute("select 1 as one;")
        _ = i.execute("select 2 as two;")
        #expect(try String(contentsOfFile: b, encoding: .utf8) == "one\n1\n")
        #expect(out.stdout == "two\n2\n")
    }

    @Test func lastShowsThePreviousResultInFull() throws {
        let (i, out) = try makeInterpreter()
        i.settings.format = .table
        i.settings.maxRows = 1
        _ = i.execute("values (1), (2), (3);")
        let truncated = out.stdout
        _ = i.execute(".last")
        let full = String(out.stdout.dropFirst(truncated.count))
        #expect(truncated.contains("2 more rows"))
        #expect(!full.contains("more row"))
    }

    @Test func dotCommandErrors() throws {
        let (i, _) = try makeInterpreter()
        #expect(i.execute(".mode yaml") == .failure("unknown format 'yaml': use one of table, markdown, csv, tsv, json, jsonl, line", usage: true))
        #expect(i.execute(".tabels") == .failure("unknown dot command .tabels; did you mean .tables? (.help lists them)", usage: true))
        #expect(i.execute(".quit") == .quit)
    }

    @Test func scriptErrorsCarryFileAndLine() throws {
        let (i, out) = try makeInterpreter()
        let script = "select 1 as a;\n\nselect nosuch;\nselect 2 as b;\n"
        #expect(ScriptRunner(interpreter: i).run(script, name: "s.tally", bail: false) == 1)
        #expect(out.stderr == "s.tally:3: error: no such column: nosuch\n")
        #expect(out.stdout == "a\n1\nb\n2\n")
        let (j, out2) = try makeInterpreter()
        #expect(ScriptRunner(interpreter: j).run(script, name: "s.tally", bail: true) == 1)
        #expect(out2.stdout == "a\n1\n")
    }

    @Test func helpListsParametersAndExamples() throws {
        let (i, out) = try makeInterpreter()
        #expect(i.execute("help echo") == .success)
        #expect(out.stdout == """
            echo — Echoes its parameters.

            Usage: echo [word] [--PARAM VALUE]... [--format FMT] [> FILE]

            Parameters:
              <word>    string  A word.
              --since   date    A date.
              --n       int     A number. (default: 1)
              --format  FMT     table, markdown, csv, tsv, json, jsonl, line (default: the session's .mode).

            """)
        #expect(i.execute("echo --help") == .success)
        #expect(i.execute("help") == .success)
        #expect(out.stdout.contains(".timer on|off"))
    }
}
