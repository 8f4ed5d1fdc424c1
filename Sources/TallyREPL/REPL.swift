import Dispatch
import Foundation
import GRDB
import TallyKit

/// The interactive loop: reads inputs with the line editor, runs them through the interpreter.
public final class REPL {
    let interpreter: Interpreter
    let databasePath: String
    private var signalSource: DispatchSourceSignal?

    public init(interpreter: Interpreter, databasePath: String) {
        self.interpreter = interpreter
        self.databasePath = databasePath
    }

    /// Runs until `.quit` or Ctrl-D; returns the exit code.
    public func run() -> Int32 {
        let completer = Completer(interpreter: interpreter)
        var accumulator = InputAccumulator()
        completer.isContinuingSQL = { accumulator.isContinuing }
        let editor = LineEditor(
            programName: "tally", historyFile: TallyInfo.historyFile(forDatabase: databasePath),
            completer: { line, cursor in
                let c = completer.complete(line: line, cursor: cursor)
                return Completion(replaceFrom: c.start, candidates: c.candidates)
            })
        interpreter.historyProvider = { editor.historyEntries }
        installInterruptHandler()
        defer { signalSource?.cancel() }

        interpreter.output.write(banner())
        while true {
            let prompt = accumulator.isContinuing ? "   ...> " : "tally> "
            switch editor.readLine(prompt: prompt) {
            case .endOfFile:
                interpreter.output.write("\n")
                try? editor.saveHistory()
                return 0
            case .interrupted:
                accumulator.reset()
            case .line(let text):
                // A recalled multi-line entry comes back whole: feed it line by line.
                for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                    guard let (input, _) = accumulator.feed(String(line)) else { continue }
                    editor.addHistory(input)
                    let outcome = interpreter.execute(input)
                    completer.invalidate()
                    switch outcome {
                    case .success: break
                    case .quit:
                        try? editor.saveHistory()
                        return 0
                    case .failure(let message, _):
                        interpreter.output.writeError("error: \(message)\n")
                    }
                }
            }
        }
    }

    /// Ctrl-C while a statement or plugin runs: `sqlite3_interrupt` on the open database. At the
    /// prompt the line editor reads ^C as a key instead (it clears the line).
    private func installInterruptHandler() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global(qos: .userInteractive))
        source.setEventHandler { [interpreter] in
            interpreter.store.interrupt()
        }
        source.resume()
        signalSource = source
    }

    private func banner() -> String {
        let calls = (try? interpreter.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") ?? 0 }) ?? 0
        var text = "tally \(TallyInfo.version) — \(databasePath)\n"
        if calls == 0 {
            if interpreter.registry.entry(named: "index") != nil {
                text += "This database holds no usage data yet: index some with `index auto PATH` (see `help index`).\n"
            } else {
                text += "This database holds no usage data yet, and this build cannot index source files (no `index`\n"
                text += "command yet): load rows with SQL (`INSERT INTO calls ...;`, `ATTACH 'other.db' AS o;`).\n"
            }
        }
        text += "Type `help` for commands; Tab completes; Ctrl-D exits.\n"
        return text
    }
}
