import ArgumentParser
import Foundation
import TallyKit

/// `tally [--db PATH] notebook run|check FILE.md [-D NAME=VALUE]...` (SPEC §2): the words after
/// `notebook`, parsed on their own once the launcher sees the word.
struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally notebook",
        abstract: "Re-run a notebook's tally blocks and write or check their outputs.",
        discussion: """
            Each fenced block with the info string `tally` holds REPL input (plugin invocations, SQL, \
            dot commands). The blocks run in order against the database (--db before `notebook`) \
            through the same interpreter as the prompt, in table format. Each block's output follows \
            it in a fenced block with the info string `text tally-output`; charts are SVG files in \
            NAME.assets/ beside the notebook, linked under the output. Nothing else changes.

            Front matter (a --- block at the top) may set `now:` (the clock for relative dates) and \
            `params:` (indented NAME: VALUE lines), which blocks see as `.set` values; -D overrides \
            them.
            """,
        subcommands: [Run.self, Check.self])

    struct Arguments: ParsableArguments {
        @Argument(help: "The notebook (a Markdown file).")
        var file: String

        @Option(name: .customShort("D"), help: ArgumentHelp("Set a notebook parameter, overriding its front matter (repeatable).", valueName: "NAME=VALUE"))
        var defines: [String] = []

        func validate() throws {
            for d in defines where !d.contains("=") {
                throw ValidationError("-D takes NAME=VALUE, not '\(d)'")
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every block and write its output into the notebook.",
            discussion: "A failing block records its error as its output; the run goes on and exits 1 at the end.")
        @OptionGroup var arguments: Arguments
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-run every block in memory; exit 1 with a diff when an output differs.",
            discussion: "Never writes the notebook or its charts: a notebook checked in CI is a regression audit.")
        @OptionGroup var arguments: Arguments
    }

    /// What the launcher runs: the action and its arguments, or the exit code when parsing
    /// ended the run (help printed: 0; a usage error: 2).
    enum Parsed {
        case run(Arguments)
        case check(Arguments)
        case exit(Int32)
    }

    static func parse(words: [String], output: OutputSink) -> Parsed {
        do {
            var parsed = try parseAsRoot(words)
            switch parsed {
            case let run as Run: return .run(run.arguments)
            case let check as Check: return .check(check.arguments)
            case is NotebookCommand:
                throw ValidationError("say which: `tally notebook run FILE.md` or `tally notebook check FILE.md`")
            default:
                try parsed.run()  // `--help` and `help`: ArgumentParser's own help command prints and exits
                return .exit(0)
            }
        } catch {
            let message = fullMessage(for: error)
            if exitCode(for: error) == .success {
                output.write(message + "\n")
                return .exit(0)
            }
            output.writeError(message + "\n")
            return .exit(2)
        }
    }
}

extension Launcher {
    /// `notebook run|check FILE.md`: the startup file is skipped (a notebook's output must not
    /// depend on who runs it); `-D` before `notebook` and after it both set parameters.
    func runNotebook(_ arguments: NotebookCommand.Arguments, check: Bool, store: Store, registry: Registry, environment: TallyKit.Environment) -> Int32 {
        let notebook: Notebook
        do {
            notebook = try Notebook(path: arguments.file)
        } catch {
            output.writeError("error: \(Interpreter.message(for: error))\n")
            return 1
        }
        var defines: [String: String] = [:]
        for d in options.defines + arguments.defines {
            defines[String(d.prefix(while: { $0 != "=" }))] = String(d.drop(while: { $0 != "=" }).dropFirst())
        }
        let execution = notebook.execute(store: store, registry: registry, environment: environment, defines: defines)
        for failure in execution.failures {
            output.writeError("\(notebook.path):\(failure.line): error: \(failure.message)\n")
        }
        let blocks = notebook.document.blocks.count
        let changed = notebook.changedBlocks(execution)
        if check {
            let diff = notebook.differences(execution)
            if !diff.isEmpty {
                output.write(diff)
                let what = changed.isEmpty ? "its charts differ" : "\(changed.count) of \(blocks) block output(s) differ"
                output.writeError("\(notebook.path): \(what); `tally notebook run \(notebook.path)` updates them\n")
                return 1
            }
            output.writeError("\(notebook.path): \(blocks) block(s), outputs up to date\n")
            return execution.failures.isEmpty ? 0 : 1
        }
        do {
            try notebook.write(execution)
        } catch {
            output.writeError("error: cannot write \(notebook.path): \(Interpreter.message(for: error))\n")
            return 1
        }
        output.writeError("\(notebook.path): \(blocks) block(s) run, \(changed.count) output(s) changed\n")
        return execution.failures.isEmpty ? 0 : 1
    }
}
