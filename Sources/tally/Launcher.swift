import Foundation
import TallyAnalyses
import TallyCommands
import TallyKit
import TallyREPL

/// Opens the database and runs the mode the command line asks for; returns the exit code.
struct Launcher {
    let options: TallyCommand
    let output = StandardOutput()

    var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    var interactive: Bool { options.command.isEmpty && options.commands.isEmpty && options.script == nil && stdinIsTerminal }

    func run() -> Int32 {
        var notebook: (arguments: NotebookCommand.Arguments, check: Bool)?
        if options.command.first == "notebook" {
            switch NotebookCommand.parse(words: Array(options.command.dropFirst()), output: output) {
            case .run(let arguments): notebook = (arguments, false)
            case .check(let arguments): notebook = (arguments, true)
            case .exit(let code): return code
            }
        }
        let registry = Registry(analyses: BuiltinAnalyses.all, commands: BuiltinCommands.all)
        PluginLoader.loadSQLAnalyses(
            into: registry, folders: PluginLoader.analysisFolders(extra: options.pluginFolders),
            report: { output.writeError($0 + "\n") })
        PluginLoader.loadExternalCommands(into: registry, searchPath: ProcessInfo.processInfo.environment["PATH"])
        var environment = Environment()
        if let now = ProcessInfo.processInfo.environment["TALLY_NOW"], let date = Timestamps.parse(now) {
            environment.now = date  // a fixed clock, for reproducible scripts and tests
        }
        let path: String
        if options.demo {
            do {
                path = try DemoDatabase.prepare(registry: registry, environment: environment, output: output)
            } catch {
                output.writeError("error: cannot build the demo database: \(Interpreter.message(for: error))\n")
                return 1
            }
        } else {
            path = options.db.map(ValueParser.expandTilde) ?? TallyInfo.defaultDatabasePath
        }
        let store: Store
        do {
            store = try openStore(path)
        } catch {
            output.writeError("error: \(Interpreter.message(for: error))\n")
            return 1
        }
        if let notebook {
            return runNotebook(notebook.arguments, check: notebook.check, store: store, registry: registry, environment: environment)
        }
        let interpreter = Interpreter(
            store: store, registry: registry, environment: environment, output: output,
            storeOpener: { path in try openStore(path) })
        interpreter.settings.maxRows = stdoutIsTerminal ? 50 : nil
        interpreter.settings.chart = stdoutIsTerminal

        if !options.noRC, let rc = try? String(contentsOf: TallyInfo.startupFile, encoding: .utf8) {
            ScriptRunner(interpreter: interpreter).run(rc, name: TallyInfo.startupFile.path, bail: false)
        }
        // Command-line flags win over the startup file.
        if let f = options.format.flatMap({ OutputFormat(rawValue: $0.lowercased()) }) { interpreter.settings.format = f }
        for d in options.defines {
            let (name, value) = (String(d.prefix(while: { $0 != "=" })), String(d.drop(while: { $0 != "=" }).dropFirst()))
            interpreter.environment.values[name] = value
        }

        if !options.command.isEmpty { return runOneShot(interpreter) }
        if !options.commands.isEmpty { return runCommands(interpreter) }
        if let script = options.script { return runScript(script, interpreter) }
        if !stdinIsTerminal {
            let summary = ScriptRunner(interpreter: interpreter).runLines(StandardInputLines(), name: "<stdin>", bail: options.bail)
            return summary.failures > 0 ? 1 : 0
        }
        return REPL(interpreter: interpreter, databasePath: path).run()
    }

    func openStore(_ path: String) throws -> Store {
        let policy: MigrationPolicy
        if options.command.first == "migrate" {
            policy = .leavePending  // `tally migrate ...` reports and runs the migrations itself
        } else if options.readOnly {
            policy = .refuse
        } else if interactive {
            policy = .ask { question in
                FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
                return (Swift.readLine() ?? "").lowercased().hasPrefix("y")
            }
        } else {
            policy = .migrateWithBackup
        }
        return try Store.open(path: path, readOnly: options.readOnly, policy: policy) { message in
            FileHandle.standardError.write(Data("tally: \(message)\n".utf8))
        }
    }

    /// `tally COMMAND ARGS...`: SQL and dot commands are taken as written, plugin words are
    /// re-quoted so that each argument stays one word.
    func runOneShot(_ interpreter: Interpreter) -> Int32 {
        let words = options.command
        let first = words[0]
        let line = SQLKeywords.kind(of: first) == .invocation ? words.map(Words.quote).joined(separator: " ") : words.joined(separator: " ")
        switch interpreter.execute(line) {
        case .success, .quit: return 0
        case .failure(let message, let usage):
            // An external command's status is tally's; it has said what went wrong itself.
            if let status = interpreter.lastExternalStatus { return status }
            output.writeError("error: \(message)\n")
            return usage ? 2 : 1
        }
    }

    /// `-c COMMAND` (repeatable): each is one complete input.
    func runCommands(_ interpreter: Interpreter) -> Int32 {
        var failed = false
        for (i, command) in options.commands.enumerated() {
            switch interpreter.execute(command) {
            case .success: continue
            case .quit: return failed ? 1 : 0
            case .failure(let message, _):
                output.writeError("-c #\(i + 1): error: \(message)\n")
                failed = true
                if options.bail { return 1 }
            }
        }
        return failed ? 1 : 0
    }

    func runScript(_ path: String, _ interpreter: Interpreter) -> Int32 {
        guard let text = try? String(contentsOfFile: ValueParser.expandTilde(path), encoding: .utf8) else {
            output.writeError("error: cannot read script \(path): no such file, or not UTF-8 text\n")
            return 1
        }
        let failures = ScriptRunner(interpreter: interpreter).run(text, name: path, bail: options.bail)
        return failures > 0 ? 1 : 0
    }
}

/// Lines of stdin, read lazily so a piped script runs as it arrives.
struct StandardInputLines: Sequence, IteratorProtocol {
    mutating func next() -> String? { Swift.readLine(strippingNewline: true) }
}

/// The cached demo database of `tally --demo`: built once (corpus generated and indexed) in the
/// data folder, rebuilt when this build's demo differs from the cached one.
enum DemoDatabase {
    static var folder: URL { TallyInfo.dataDirectory.appendingPathComponent("demo") }
    static var path: String { folder.appendingPathComponent("demo.db").path }
    /// Changes whenever the corpus or the schema changes, so a stale cache is rebuilt.
    static var stamp: String { "tally \(TallyInfo.version), schema \(Schema.currentVersion), corpus \(DemoCorpus.version)\n" }

    static func prepare(registry: Registry, environment: TallyKit.Environment, output: OutputSink) throws -> String {
        let stampFile = folder.appendingPathComponent("demo.stamp")
        if FileManager.default.fileExists(atPath: path),
            (try? String(contentsOf: stampFile, encoding: .utf8)) == stamp
        {
            return path
        }
        output.writeError("tally: building the demo database (once) in \(folder.path)…\n")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try? FileManager.default.removeItem(at: stampFile)
        let captured = CapturedOutput()
        let interpreter = Interpreter(store: try Store.open(path: path), registry: registry, environment: environment, output: captured)
        interpreter.settings.format = .csv
        if case .failure(let message, _) = interpreter.execute("demo " + Words.quote(folder.appendingPathComponent("corpus").path)) {
            throw CommandFailure(message: message)
        }
        try stamp.write(to: stampFile, atomically: true, encoding: .utf8)
        return path
    }
}
