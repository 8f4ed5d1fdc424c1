import Foundation
import GRDB
import TallyKit

/// `export TARGET [ARGS...] --to FILE`: an analysis's result, a read-only command's, or a table,
/// streamed to a csv, tsv, json or jsonl file.
public enum Export: Command {
    public static let name = "export"
    public static let summary = "Write an analysis result or a table to a csv, tsv, json or jsonl file."
    public static let discussion = """
        TARGET is an analysis or read-only command with its own arguments (`export cost-by-model
        --since -30d --to costs.csv`), or a table (`export calls --to calls.jsonl`). Column names
        and values are those of --format output: money as exact numbers, timestamps as ISO-8601
        UTC, NULL as an empty field or null; in a table export every *_usd column is exact (read
        from its *_nanos). The format comes from --format, else from the file's extension. Rows
        are streamed into a temporary file renamed to FILE at the end, so a failed export leaves
        nothing behind. An existing FILE is never replaced without --force. --to, --format,
        --force and --dry-run belong to export; to pass an argument of the same name to the
        target, quote the whole invocation: export 'some-analysis --to X' --to out.csv.
        """
    public static let parameters = [
        Parameter("target", .string, help: "An analysis, read-only command or table name (or a quoted invocation).", positional: true, required: true),
        Parameter("arguments", .string, help: "The target's own arguments.", rest: true),
        Parameter("to", .path, help: "The file to write.", required: true),
        Parameter("format", .choice(ExportWriter.Format.allCases.map(\.rawValue)), help: "csv, tsv, json or jsonl (default: from the file's extension)."),
        Parameter("force", .bool, help: "Replace FILE if it exists."),
    ]
    public static let examples = [
        Example("export calls --to calls.csv --dry-run", "A table: every row, every column.", fixture: "tiny", expected: """
            target,format,path,rows
            calls,csv,calls.csv,4
            """),
        Example("export cost-by-model --since 2026-03-02 --to costs.jsonl --dry-run", "An analysis with its own arguments.", fixture: "priced", expected: """
            target,format,path,rows
            cost-by-model --since 2026-03-02,jsonl,costs.jsonl,4
            """),
        Example("export callz --to x.csv", "An unknown target suggests a table or plugin.", fixture: "tiny", expected: """
            error: export: 'callz' is neither a plugin nor a table; did you mean 'calls'?
            """),
        Example("export calls --to calls.txt", "The format must be known.", fixture: "tiny", expected: """
            error: export: cannot tell the format of calls.txt from its extension: add --format csv, tsv, json or jsonl
            """),
    ]

    /// Export only reads the database: it runs in one read transaction (a consistent snapshot),
    /// also on a `--read-only` database.
    public static func onlyReads(_ arguments: Arguments) -> Bool { true }

    public static func run(_ arguments: Arguments, context: CommandContext) throws -> ResultSet {
        let db = context.db!
        var words = try Words.split(arguments.string("target")!).compactMap { token -> String? in
            if case .word(let w) = token { return w }
            return nil
        }
        words += try Words.split(arguments.string("arguments") ?? "").compactMap { token -> String? in
            if case .word(let w) = token { return w }
            return nil
        }
        guard let name = words.first else { throw UsageError("export: missing <target> (an analysis or table name)") }
        let path = ValueParser.expandTilde(arguments.string("to")!)
        guard let format = arguments.string("format").flatMap(ExportWriter.Format.init(rawValue:)) ?? ExportWriter.Format(path: path) else {
            if let given = arguments.string("format") {
                throw UsageError("export: cannot write --format \(given): export writes csv, tsv, json or jsonl")
            }
            throw UsageError("export: cannot tell the format of \(path) from its extension: add --format csv, tsv, json or jsonl")
        }
        if FileManager.default.fileExists(atPath: path), !arguments.bool("force") {
            throw UsageError("export: \(path) already exists: choose another file or add --force to replace it")
        }

        var writer: ExportWriter?
        var count = 0
        func open(_ columns: [TallyKit.Column]) throws {
            if !context.dryRun { writer = try ExportWriter(path: path, format: format, columns: columns, replace: true) }
        }
        func write(_ row: [Value]) throws {
            try writer?.write(row)
            count += 1
        }
        var notes: [String] = []
        if let entry = context.registry?.entry(named: name) {
            let result = try runPlugin(entry, words: Array(words.dropFirst()), context: context, db: db)
            try open(result.columns)
            for row in result.rows { try write(row) }
            notes = result.notes
        } else if try TableExport.exists(db, name) {
            guard words.count == 1 else { throw UsageError("export: \(name) is a table: it takes no arguments (got \(words.dropFirst().joined(separator: " ")))") }
            try TableExport.stream(db, table: name, columns: open, row: write)
        } else {
            var message = "export: '\(name)' is neither a plugin nor a table"
            let candidates = (context.registry?.names ?? []) + (try TableExport.names(db))
            if let s = Suggestions.closest(to: name, in: candidates) { message += "; did you mean '\(s)'?" }
            throw UsageError(message)
        }
        try writer?.finish()
        if context.dryRun { notes.append("dry run: \(path) was not written") }
        let target = words.joined(separator: " ")
        return ResultSet(
            columns: [
                TallyKit.Column("target", .text), TallyKit.Column("format", .text), TallyKit.Column("path", .text),
                TallyKit.Column("rows", .integer),
            ],
            rows: [[.text(target), .text(format.rawValue), .text(arguments.string("to")!), .integer(Int64(count))]],
            notes: notes,
            summary: (context.dryRun ? "would write" : "wrote") + " \(count) row(s) of \(target) to \(path) (\(format.rawValue))")
    }

    /// Runs an analysis, or a command invocation that only reads, in export's read transaction.
    static func runPlugin(_ entry: PluginEntry, words: [String], context: CommandContext, db: Database) throws -> ResultSet {
        let binder = ArgumentBinder(
            parameters: entry.parameters, pluginName: entry.name, acceptsDryRun: entry.acceptsDryRun,
            parser: context.environment.parser, sessionValues: context.environment.values)
        let arguments = try binder.bind(words)
        switch entry.runner {
        case .analysis(let analysis):
            return try analysis.run(arguments, context: AnalysisContext(db: db, environment: context.environment, log: context.log))
        case .sql(let analysis):
            return try analysis.run(arguments, db: db, environment: context.environment)
        case .external:
            throw UsageError("export: \(entry.name) is an external command, whose output is its own: run `\(entry.name) ... > FILE`")
        case .command(let command) where entry.name != name && command.onlyReads(arguments):
            return try command.run(
                arguments,
                context: CommandContext(
                    db: db, store: context.store, environment: context.environment, commandName: entry.name, dryRun: false,
                    log: context.log, registry: context.registry))
        case .command:
            throw UsageError("export: \(entry.name) changes data, so it cannot be exported: run it, then export its result or the table it changed")
        }
    }
}
