import ArgumentParser
import Foundation
import TallyAnalyses
import TallyCommands
import TallyKit
import TallyREPL

/// `tally`: parses the command line, opens the database, then hands over to the interpreter
/// (one-shot, `-c`, `-f`, a script on stdin) or to the REPL (SPEC §2).
struct TallyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "An analytics workbench for LLM token usage and cost.",
        discussion: """
            Without COMMAND, tally opens the REPL on a terminal, or runs the script on stdin.
            COMMAND is a plugin invocation (`tables --format json`), SQL or a dot command.
            `tally notebook run|check FILE.md` re-runs a Markdown notebook (`tally notebook --help`).
            Inside the REPL, `help` lists everything.
            """,
        version: TallyInfo.version)

    @Option(name: .long, help: "Database file (default: $TALLY_DB, else $XDG_DATA_HOME/tally/tally.db).")
    var db: String?

    @Flag(name: .customLong("read-only"), help: "Open the database read-only (never migrates).")
    var readOnly = false

    @Option(name: .long, help: "Output format: table, markdown, csv, tsv, json, jsonl, line.")
    var format: String?

    @Option(name: .customShort("c"), help: ArgumentHelp("Run COMMAND, then exit (repeatable).", valueName: "COMMAND"))
    var commands: [String] = []

    @Option(name: .customShort("f"), help: ArgumentHelp("Run a saved script, then exit.", valueName: "SCRIPT"))
    var script: String?

    @Flag(name: .long, help: "Stop a script (or -c list) at the first failure.")
    var bail = false

    @Option(name: .customShort("D"), help: ArgumentHelp("Set a session value, as `.set NAME VALUE` (repeatable).", valueName: "NAME=VALUE"))
    var defines: [String] = []

    @Option(
        name: .customLong("plugins"),
        help: ArgumentHelp("Also load the SQL analyses (*.sql) in DIR (repeatable).", valueName: "DIR"))
    var pluginFolders: [String] = []

    @Flag(name: .customLong("no-rc"), help: "Skip the startup file $XDG_CONFIG_HOME/tally/tallyrc.")
    var noRC = false

    @Flag(name: .long, help: "Open the demo database (generated and indexed on first use, then cached).")
    var demo = false

    @Argument(parsing: .captureForPassthrough, help: "A command to run once (plugin, SQL or dot command).")
    var command: [String] = []

    func validate() throws {
        if let format, OutputFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("unknown format '\(format)': use one of " + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        for d in defines where !d.contains("=") {
            throw ValidationError("-D takes NAME=VALUE, not '\(d)'")
        }
        if demo && db != nil {
            throw ValidationError("--demo opens its own database: drop --db")
        }
        if script != nil && !(command.isEmpty && commands.isEmpty) {
            throw ValidationError("give either -f SCRIPT, -c COMMAND or a COMMAND, not several")
        }
        for folder in pluginFolders {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: ValueParser.expandTilde(folder), isDirectory: &isDirectory),
                isDirectory.boolValue
            else {
                throw ValidationError("--plugins \(folder): no such folder (it should hold *.sql analyses)")
            }
        }
        if command.first == "notebook" {
            if format != nil {
                throw ValidationError("notebook outputs are tables: drop --format (a block can switch with `.mode FMT`)")
            }
            if !commands.isEmpty { throw ValidationError("give either -c COMMAND or `notebook`, not both") }
        }
    }

    func run() throws {
        // The passthrough argument swallows these when no command precedes them.
        switch command.first {
        case "--help"?, "-h"?: throw CleanExit.helpRequest(self)
        case "--version"?: throw CleanExit.message(TallyInfo.version)
        default: break
        }
        let code = Launcher(options: self).run()
        throw ExitCode(code)
    }
}

do {
    var command = try TallyCommand.parseAsRoot()
    try command.run()
} catch let code as ExitCode {
    exit(code.rawValue)
} catch {
    // --help and --version print and exit 0; anything else is a usage error: exit code 2.
    if TallyCommand.exitCode(for: error) == .success { TallyCommand.exit(withError: error) }
    FileHandle.standardError.write(Data((TallyCommand.fullMessage(for: error) + "\n").utf8))
    exit(2)
}
