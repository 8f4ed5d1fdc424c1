import Foundation
import GRDB

extension Interpreter {
    /// Runs `NAME [words] [--format FMT] [> FILE]`, or `help [NAME]`.
    func runInvocation(_ line: String) throws {
        if let external = try externalCommand(in: line) {
            try runExternal(external, line: line)
            return
        }
        let invocation = try Invocation.parse(line)
        if invocation.name == "help" {
            let topic = invocation.words.first
            output.write(topic.map { try? helpText(forPlugin: $0) }.flatMap { $0 } ?? generalHelp())
            if let topic, registry.entry(named: topic) == nil, !topic.hasPrefix(".") {
                throw UsageError(unknownCommandMessage(topic))
            }
            return
        }
        guard let entry = registry.entry(named: invocation.name) else {
            throw UsageError(unknownCommandMessage(invocation.name))
        }
        if invocation.help {
            output.write(try helpText(forPlugin: entry.name))
            return
        }
        var env = environment
        if let tzName = invocation.timeZone ?? environment.values["tz"] {
            env.timeZone = try Self.timeZone(named: tzName)
        }
        let binder = ArgumentBinder(
            parameters: entry.parameters, pluginName: entry.name, acceptsDryRun: entry.acceptsDryRun,
            parser: env.parser, sessionValues: env.values)
        var arguments = try binder.bind(invocation.words)
        var format = invocation.format
        // A plugin that declares `format` (export: the file's format) takes `--format` itself;
        // its result is then shown in the session's format.
        if let f = format, entry.parameters.contains(where: { $0.name == "format" }) {
            arguments.values["format"] = .choice(f.rawValue)
            arguments.given.insert("format")
            format = nil
        }
        let result = try run(entry, arguments: arguments, environment: env)
        try show(result, format: format, redirect: invocation.redirect, chart: invocation.chart)
        if let failure = result.failure { throw CommandFailure(message: failure) }
    }

    /// Runs a plugin in the transaction its kind asks for.
    public func run(_ entry: PluginEntry, arguments: Arguments, environment env: Environment) throws -> ResultSet {
        let log: (String) -> Void = { [output] in output.writeError($0.hasSuffix("\n") ? $0 : $0 + "\n") }
        switch entry.runner {
        case .analysis(let analysis):
            return try store.read { db in
                try analysis.run(arguments, context: AnalysisContext(db: db, environment: env, log: log))
            }
        case .sql(let analysis):
            return try store.read { db in try analysis.run(arguments, db: db, environment: env) }
        case .external(let external):
            throw UsageError("\(external.name) is an external command: run it by name (`\(external.name) ARGS`)")
        case .command(let command) where command.onlyReads(arguments):
            return try store.read { db in
                try command.run(
                    arguments,
                    context: CommandContext(
                        db: db, store: store, environment: env, commandName: entry.name, dryRun: arguments.dryRun, log: log,
                        registry: registry))
            }
        case .command(let command):
            if store.isReadOnly {
                throw StoreError.readOnly("the command '\(entry.name)'")
            }
            switch command.transaction {
            case .managed:
                let context = CommandContext(
                    db: nil, store: store, environment: env, commandName: entry.name, dryRun: arguments.dryRun, log: log,
                    registry: registry)
                return try command.run(arguments, context: context)
            case .single:
                var result = ResultSet.empty
                try store.writer.writeWithoutTransaction { db in
                    try db.inTransaction {
                        let context = CommandContext(
                            db: db, store: store, environment: env, commandName: entry.name, dryRun: arguments.dryRun,
                            log: log, registry: registry)
                        result = try command.run(arguments, context: context)
                        if arguments.dryRun { return .rollback }
                        try Store.finishWrite(db)
                        return .commit
                    }
                }
                return result
            }
        }
    }

    /// The external command a line invokes, if its first word names one.
    private func externalCommand(in line: String) throws -> ExternalCommand? {
        guard case .word(let name)? = try Words.split(line).first,
            case .external(let command)? = registry.entry(named: name)?.runner
        else { return nil }
        return command
    }

    /// Runs `tally-NAME` with the line's other words unchanged; `> FILE` still redirects.
    private func runExternal(_ command: ExternalCommand, line: String) throws {
        var tokens = try Words.split(line).dropFirst()[...]
        var words: [String] = []
        var redirect: Redirect?
        while let token = tokens.popFirst() {
            switch token {
            case .word(let w): words.append(w)
            case .redirect(let append):
                guard case .word(let path)? = tokens.popFirst() else { throw UsageError("'>' needs a file name") }
                redirect = Redirect(path: ValueParser.expandTilde(path), append: append)
            }
        }
        var destination = redirect ?? onceFile ?? outputFile
        onceFile = nil
        let session = ExternalCommand.Session(databasePath: store.path, format: settings.format, readOnly: store.isReadOnly)
        let status = try command.run(
            words, session: session, inheritStderr: output is StandardOutput,
            write: { [self] text in
                if let d = destination {
                    try append(text, to: d)
                    destination = Redirect(path: d.path, append: true)  // later chunks add to the file
                } else {
                    output.write(text)
                }
            },
            writeError: { [output] in output.writeError($0) })
        if status != 0 { throw ExternalCommandFailure(name: command.name, status: status) }
    }

    static func timeZone(named name: String) throws -> TimeZone {
        if name.lowercased() == "local" { return .current }
        guard let tz = TimeZone(identifier: name) ?? TimeZone(abbreviation: name) else {
            throw UsageError("unknown time zone '\(name)': use a name such as UTC, Europe/Berlin or America/New_York")
        }
        return tz
    }

    /// "unknown command 'x'" with the closest plugin, dot command or SQL keyword.
    func unknownCommandMessage(_ name: String) -> String {
        var message = "unknown command '\(name)'"
        let candidates = registry.names + ["help"] + SQLKeywords.leading.sorted()
        if let s = Suggestions.closest(to: name, in: candidates) { message += "; did you mean '\(s)'?" }
        return message + " (`.plugins` lists the commands, `help` explains the rest)"
    }

    // MARK: - Help

    /// `help NAME` / `NAME --help`: summary, usage, parameters with types and defaults, examples.
    public func helpText(forPlugin name: String) throws -> String {
        guard let entry = registry.entry(named: name) else { throw UsageError(unknownCommandMessage(name)) }
        var lines: [String] = []
        lines.append("\(entry.name) — \(entry.summary)")
        lines.append("")
        if case .external(let command) = entry.runner {
            lines.append("Usage: \(entry.name) [ARGS...] [> FILE]")
            lines.append("")
            lines.append("Runs \(command.path) with the words after the name as its arguments, TALLY_DB set to the")
            lines.append("database and TALLY_FORMAT to the session's format; `\(entry.name) --help` asks the command itself.")
            return lines.joined(separator: "\n") + "\n"
        }
        var usage = "Usage: \(entry.name)"
        for p in entry.parameters where p.positional {
            usage += p.rest ? " [\(p.name)...]" : p.required ? " <\(p.name)>" : " [\(p.name)]"
        }
        if entry.parameters.contains(where: { !$0.positional }) { usage += " [--PARAM VALUE]..." }
        if entry.acceptsDryRun { usage += " [--dry-run]" }
        usage += " [--format FMT] [> FILE]"
        lines.append(usage)
        if let location = entry.origin.location {
            lines.append("")
            lines.append("From \(entry.origin.label) \(location).")
        }
        if !entry.discussion.isEmpty {
            lines.append("")
            lines.append(entry.discussion)
        }
        var rows: [(String, String, String)] = entry.parameters.map { p in
            let label = p.positional ? "<\(p.name)>" : "--\(p.name)"
            var detail = [p.help]
            if let d = p.defaultValue { detail.append("(default: \(d))") }
            if p.required { detail.append("(required)") }
            return (label, p.type.name, detail.filter { !$0.isEmpty }.joined(separator: " "))
        }
        if entry.acceptsDryRun { rows.append(("--dry-run", "bool", "Report what would change; change nothing.")) }
        if !entry.parameters.contains(where: { $0.name == "format" }) {
            rows.append(("--format", "FMT", OutputFormat.allCases.map(\.rawValue).joined(separator: ", ") + " (default: the session's .mode)."))
        }
        lines.append("")
        lines.append("Parameters:")
        let w0 = rows.map { $0.0.count }.max() ?? 0
        let w1 = rows.map { $0.1.count }.max() ?? 0
        for (label, type, detail) in rows {
            var line = "  " + label.padding(toLength: w0, withPad: " ", startingAt: 0) + "  "
                + type.padding(toLength: w1, withPad: " ", startingAt: 0) + "  " + detail
            while line.hasSuffix(" ") { line.removeLast() }
            lines.append(line)
        }
        if !entry.examples.isEmpty {
            lines.append("")
            lines.append("Examples:")
            for example in entry.examples {
                lines.append("  \(example.invocation)")
                lines.append("      \(example.summary) (fixture: \(example.fixture))")
                for line in example.expected.split(separator: "\n", omittingEmptySubsequences: false) {
                    lines.append("      │ \(line)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `help` and `.help`: the language, dot commands and plugins in one page.
    public func generalHelp() -> String {
        var lines = [
            "Tally — LLM token usage and cost workbench. Type one of:",
            "",
            "  NAME [ARGS] [--param VALUE] [--format FMT] [> FILE]   run a plugin (`help NAME` for its parameters)",
            "  SELECT ... ;                                          SQL, over several lines up to `;` (:name binds .set values)",
            "  .COMMAND [ARGS]                                       a dot command",
            "",
            "Dot commands:",
        ]
        let w = DotCommand.all.map { $0.usage.count }.max() ?? 0
        for d in DotCommand.all {
            lines.append("  " + d.usage.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + d.help)
        }
        lines.append("")
        for kind in [PluginKind.analysis, .command] {
            let entries = registry.entries.filter { $0.kind == kind }
            guard !entries.isEmpty else { continue }
            lines.append(kind == .analysis ? "Analyses:" : "Commands:")
            let w = entries.map { $0.name.count }.max() ?? 0
            for e in entries {
                lines.append("  " + e.name.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + e.summary)
            }
            lines.append("")
        }
        lines.append("Your own plugins: every *.sql file in ./analyses/, $XDG_CONFIG_HOME/tally/analyses/ and --plugins DIR")
        lines.append("is an analysis (header comments -- name:, -- summary:, -- param: NAME TYPE default=... help=...);")
        lines.append("an executable tally-NAME on PATH is the command NAME. `.plugins` lists them with their origin.")
        lines.append("")
        lines.append("Scripts: tally -f FILE [--bail] [-D NAME=VALUE] or .read FILE. Notebooks: tally notebook run|check FILE.md")
        lines.append("re-runs the ```tally blocks of a Markdown file and writes (or checks) each block's output after it.")
        lines.append("")
        lines.append("Keys: Tab completes, Up/Down recall history, Ctrl-R searches it, Ctrl-C interrupts, Ctrl-D exits.")
        return lines.joined(separator: "\n") + "\n"
    }
}
