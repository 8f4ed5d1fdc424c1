import Foundation
import GRDB

/// A dot command's name and help, for `.help` and Tab completion.
public struct DotCommand: Sendable {
    public var name: String
    public var usage: String
    public var help: String
    /// What the first argument completes to.
    public var argument: ArgumentCompletion

    public enum ArgumentCompletion: Sendable {
        case none, path, table, format, onOff, setting
    }

    public static let all: [DotCommand] = [
        DotCommand(name: ".help", usage: ".help", help: "This help.", argument: .none),
        DotCommand(name: ".open", usage: ".open PATH", help: "Open another Tally database.", argument: .path),
        DotCommand(name: ".tables", usage: ".tables [PATTERN]", help: "List tables (and views).", argument: .table),
        DotCommand(name: ".schema", usage: ".schema [TABLE]", help: "Show CREATE statements.", argument: .table),
        DotCommand(name: ".indexes", usage: ".indexes [TABLE]", help: "List indexes.", argument: .table),
        DotCommand(
            name: ".mode", usage: ".mode FMT",
            help: "Output format: " + OutputFormat.allCases.map(\.rawValue).joined(separator: ", ") + ".",
            argument: .format),
        DotCommand(name: ".headers", usage: ".headers on|off", help: "Show column names.", argument: .onOff),
        DotCommand(name: ".maxrows", usage: ".maxrows N", help: "Rows shown in a table before \"N more rows\" (0: all).", argument: .none),
        DotCommand(name: ".timer", usage: ".timer on|off", help: "Print the wall time of each command.", argument: .onOff),
        DotCommand(name: ".read", usage: ".read FILE", help: "Run a script of commands.", argument: .path),
        DotCommand(name: ".once", usage: ".once FILE", help: "Write the next result to FILE.", argument: .path),
        DotCommand(name: ".output", usage: ".output [FILE]", help: "Write results to FILE (no FILE: back to the screen).", argument: .path),
        DotCommand(name: ".set", usage: ".set NAME VALUE", help: "Session value: parameter default and :NAME in SQL.", argument: .setting),
        DotCommand(name: ".unset", usage: ".unset NAME", help: "Remove a session value.", argument: .setting),
        DotCommand(name: ".show", usage: ".show", help: "Show settings and session values.", argument: .none),
        DotCommand(name: ".plugins", usage: ".plugins", help: "List plugins with their kind and origin.", argument: .none),
        DotCommand(name: ".last", usage: ".last", help: "Show the previous result in full.", argument: .none),
        DotCommand(name: ".history", usage: ".history", help: "Show the input history.", argument: .none),
        DotCommand(name: ".quit", usage: ".quit", help: "Exit (also .exit, Ctrl-D).", argument: .none),
        DotCommand(name: ".exit", usage: ".exit", help: "Exit.", argument: .none),
    ]
}

extension Interpreter {
    func runDotCommand(_ input: String) throws -> Outcome {
        let tokens = try Words.split(input)
        let words: [String] = tokens.map {
            switch $0 {
            case .word(let w): return w
            case .redirect(let append): return append ? ">>" : ">"
            }
        }
        guard let name = words.first else { return .success }
        let args = Array(words.dropFirst())
        func on(_ word: String?) throws -> Bool {
            switch word?.lowercased() {
            case "on"?, "yes"?, "true"?, "1"?: return true
            case "off"?, "no"?, "false"?, "0"?: return false
            default: throw UsageError("\(name) takes on or off")
            }
        }
        switch name {
        case ".help":
            output.write(generalHelp())
        case ".quit", ".exit":
            return .quit
        case ".open":
            guard let path = args.first else { throw UsageError(".open needs a file path") }
            replaceStore(try storeOpener(ValueParser.expandTilde(path)))
        case ".tables":
            try runTables(pattern: args.first)
        case ".schema":
            try runSchema(table: args.first)
        case ".indexes", ".indices":
            let r = try store.read { db in
                try db.resultSet(
                    SQL(
                        sql: """
                            SELECT name AS "index", tbl_name AS "table" FROM sqlite_master
                            WHERE type = 'index' AND (? IS NULL OR tbl_name = ?) ORDER BY tbl_name, name
                            """, arguments: [args.first, args.first]), types: ["index": .text, "table": .text])
            }
            try show(r)
        case ".mode":
            guard let f = args.first else {
                output.write("current mode: \(settings.format.rawValue)\n")
                return .success
            }
            guard let format = OutputFormat(rawValue: f.lowercased()) else {
                throw UsageError("unknown format '\(f)': use one of " + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
            settings.format = format
        case ".headers":
            settings.headers = try on(args.first)
        case ".timer":
            settings.timer = try on(args.first)
        case ".maxrows":
            guard let n = args.first.flatMap({ Int($0) }), n >= 0 else { throw UsageError(".maxrows takes a number (0: all rows)") }
            settings.maxRows = n == 0 ? nil : n
        case ".read":
            guard let path = args.first else { throw UsageError(".read needs a file path") }
            guard readDepth < 16 else { throw UsageError(".read nested too deeply (a script reading itself?)") }
            let expanded = ValueParser.expandTilde(path)
            guard let text = try? String(contentsOfFile: expanded, encoding: .utf8) else {
                throw UsageError("cannot read \(path): no such file, or not UTF-8 text")
            }
            readDepth += 1
            defer { readDepth -= 1 }
            let failures = ScriptRunner(interpreter: self).run(text, name: path, bail: false)
            if failures > 0 { return .failure("\(path): \(failures) command(s) failed", usage: false) }
        case ".once":
            guard let path = args.first else { throw UsageError(".once needs a file path") }
            onceFile = Redirect(path: ValueParser.expandTilde(path), append: false)
        case ".output":
            if let path = args.first {
                let r = Redirect(path: ValueParser.expandTilde(path), append: false)
                try append("", to: r)
                outputFile = Redirect(path: r.path, append: true)
            } else {
                outputFile = nil
            }
        case ".set":
            guard args.count >= 2 else { throw UsageError(".set needs a name and a value: .set since 2026-01-01") }
            let value = args.dropFirst().joined(separator: " ")
            if args[0] == "tz" { _ = try Self.timeZone(named: value) }
            environment.values[args[0]] = value
        case ".unset":
            guard let n = args.first else { throw UsageError(".unset needs a name") }
            environment.values[n] = nil
        case ".show":
            try show(showResult())
        case ".plugins":
            let rows: [[Value]] = registry.entries.map {
                [.text($0.name), .text($0.kind.rawValue), .text($0.origin.label), .text($0.summary),
                 $0.origin.location.map(Value.text) ?? .null]
            }
            try show(ResultSet(
                columns: [
                    Column("name", .text), Column("kind", .text), Column("origin", .text), Column("summary", .text),
                    Column("path", .text),
                ],
                rows: rows))
        case ".last":
            guard let last = lastResult else { throw UsageError(".last: no result yet") }
            let saved = settings.maxRows
            settings.maxRows = nil
            defer { settings.maxRows = saved }
            try show(last)
        case ".history":
            for (i, entry) in historyProvider().enumerated() {
                output.write(String(format: "%5d  ", i + 1) + entry.replacingOccurrences(of: "\n", with: "\n       ") + "\n")
            }
        default:
            var message = "unknown dot command \(name)"
            if let s = Suggestions.closest(to: name, in: DotCommand.all.map(\.name)) { message += "; did you mean \(s)?" }
            throw UsageError(message + " (.help lists them)")
        }
        return .success
    }

    private func runTables(pattern: String?) throws {
        let names = try store.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type IN ('table', 'view')
                    AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                    AND (? IS NULL OR name GLOB ?) ORDER BY name
                    """, arguments: [pattern, pattern])
        }
        guard !names.isEmpty else { return }
        let width = (names.map(\.count).max() ?? 0) + 2
        let perLine = max(1, 100 / width)
        var text = ""
        for (i, n) in names.enumerated() {
            let last = (i + 1) % perLine == 0 || i == names.count - 1
            text += last ? n + "\n" : n.padding(toLength: width, withPad: " ", startingAt: 0)
        }
        output.write(text)
    }

    private func runSchema(table: String?) throws {
        let statements = try store.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
                    AND name NOT LIKE 'grdb_%' AND (? IS NULL OR tbl_name = ? OR name = ?)
                    ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, tbl_name, name
                    """, arguments: [table, table, table])
        }
        if let table, statements.isEmpty { throw UsageError(".schema: no table named '\(table)'") }
        output.write(statements.map { $0 + ";\n" }.joined())
    }

    private func showResult() -> ResultSet {
        var rows: [[Value]] = [
            ["database", .text(store.path ?? ":memory:")],
            ["read-only", .text(store.isReadOnly ? "on" : "off")],
            ["mode", .text(settings.format.rawValue)],
            ["headers", .text(settings.headers ? "on" : "off")],
            ["maxrows", .text(settings.maxRows.map(String.init) ?? "all")],
            ["timer", .text(settings.timer ? "on" : "off")],
            ["tz", .text(environment.values["tz"] ?? environment.timeZone.identifier)],
            ["output", .text(outputFile?.path ?? "stdout")],
        ]
        for (k, v) in environment.values.sorted(by: { $0.key < $1.key }) where k != "tz" {
            rows.append([.text(":" + k), .text(v)])
        }
        return ResultSet(columns: [Column("setting", .text), Column("value", .text)], rows: rows)
    }
}
