import Foundation

/// Runs a script (a file, stdin, `.read`, `-c` inputs) through the interpreter, reporting each
/// failure as `NAME:LINE: error: MESSAGE`.
public struct ScriptRunner {
    public let interpreter: Interpreter
    /// Where a failure goes; by default `NAME:LINE: error: MESSAGE` on the interpreter's stderr.
    public var reportFailure: ((_ message: String, _ line: Int) -> Void)?

    public init(interpreter: Interpreter) {
        self.interpreter = interpreter
    }

    /// What a run ended with.
    public struct Summary: Equatable {
        public var failures = 0
        public var usageFailures = 0
        public var quit = false
    }

    /// Runs every input of `text`; returns how many failed. With `bail`, stops at the first.
    @discardableResult
    public func run(_ text: String, name: String, bail: Bool) -> Int {
        runLines(text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), name: name, bail: bail)
            .failures
    }

    /// Runs lines as they come (stdin is read lazily so piped input streams).
    /// - Parameter firstLine: the line number of the first line (a notebook block's place in its document).
    public func runLines<S: Sequence>(_ lines: S, name: String, bail: Bool, firstLine: Int = 1) -> Summary
    where S.Element == String {
        var accumulator = InputAccumulator()
        var summary = Summary()
        func execute(_ input: String, line: Int) -> Bool {
            switch interpreter.execute(input) {
            case .success: return true
            case .quit:
                summary.quit = true
                return false
            case .failure(let message, let usage):
                summary.failures += 1
                if usage { summary.usageFailures += 1 }
                let line = line + firstLine - 1
                if let reportFailure {
                    reportFailure(message, line)
                } else {
                    interpreter.output.writeError("\(name):\(line): error: \(message)\n")
                }
                return !bail
            }
        }
        for var line in lines {
            if line.hasSuffix("\r") { line.removeLast() }
            if let (input, start) = accumulator.feed(line) {
                if !execute(input, line: start) { return summary }
            }
        }
        if let (input, start) = accumulator.finish() {
            _ = execute(input, line: start)
        }
        return summary
    }
}
