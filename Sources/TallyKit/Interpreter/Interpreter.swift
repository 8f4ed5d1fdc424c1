import Foundation
import GRDB

/// Where the interpreter writes: the terminal, a captured buffer (tests, notebooks), a file.
public protocol OutputSink: AnyObject {
    func write(_ text: String)
    func writeError(_ text: String)
}

/// Writes to the process's stdout and stderr.
public final class StandardOutput: OutputSink {
    public init() {}
    public func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
    public func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Collects output in memory.
public final class CapturedOutput: OutputSink {
    public private(set) var stdout = ""
    public private(set) var stderr = ""
    public init() {}
    public func write(_ text: String) { stdout += text }
    public func writeError(_ text: String) { stderr += text }
}

/// The result of one input.
public enum Outcome: Equatable {
    case success
    /// The input failed; `usage` marks errors in what was typed (exit code 2 one-shot).
    case failure(String, usage: Bool)
    /// `.quit` / `.exit`.
    case quit

    public var failed: Bool { if case .failure = self { return true } else { return false } }
}

/// Display settings of a session (`.mode`, `.headers`, `.maxrows`, `.timer`).
public struct Settings {
    public var format: OutputFormat = .table
    public var headers = true
    /// Rows shown in `table` output before "N more rows"; nil shows all.
    public var maxRows: Int? = 50
    public var timer = false
    public var chart = true

    public init() {}
}

/// Turns one input — plugin invocation, SQL or dot command — into an execution and its output.
/// The REPL, `-c`, `-f`, scripts on stdin and notebooks all go through it (ARCHITECTURE.md).
public final class Interpreter {
    public private(set) var store: Store
    public let registry: Registry
    public var settings = Settings()
    public var environment: Environment
    public let output: OutputSink
    /// The last result shown, in full (`.last`).
    public private(set) var lastResult: ResultSet?
    /// History entries for `.history` (the REPL provides them).
    public var historyProvider: () -> [String] = { [] }
    /// Opens another database for `.open` (the CLI decides the migration policy).
    public var storeOpener: (String) throws -> Store
    /// `.output FILE` redirection for every following result.
    var outputFile: Redirect?
    /// `.once FILE` redirection for the next result only.
    var onceFile: Redirect?
    /// Current script location for `.read` nesting, to stop runaway recursion.
    var readDepth = 0
    /// The exit status of the external command that made the last input fail, if one did:
    /// a one-shot `tally NAME` exits with it.
    public private(set) var lastExternalStatus: Int32?
    /// Called with every result shown on the output (not those sent to a file), and the
    /// invocation's `--chart on|off` if given: notebooks draw the charts as SVG.
    public var resultObserver: ((ResultSet, Bool?) -> Void)?

    public init(
        store: Store, registry: Registry, environment: Environment = Environment(),
        output: OutputSink = StandardOutput(),
        storeOpener: ((String) throws -> Store)? = nil
    ) {
        self.store = store
        self.registry = registry
        self.environment = environment
        self.output = output
        self.storeOpener = storeOpener ?? { path in try Store.open(path: path) }
    }

    /// Runs one complete input.
    @discardableResult
    public func execute(_ input: String) -> Outcome {
        let started = Date()
        let outcome: Outcome
        lastExternalStatus = nil
        do {
            switch SQLKeywords.kind(of: input) {
            case .dotCommand: outcome = try runDotCommand(input)
            case .sql: try runSQL(input); outcome = .success
            case .invocation: try runInvocation(input); outcome = .success
            }
        } catch let e as UsageError {
            outcome = .failure(e.message, usage: true)
        } catch let e as ExternalCommandFailure {
            lastExternalStatus = e.status
            outcome = .failure(e.description, usage: false)
        } catch {
            outcome = .failure(Self.message(for: error), usage: false)
        }
        if settings.timer, outcome != .quit {
            output.write(String(format: "Run Time: real %.3f s\n", Date().timeIntervalSince(started)))
        }
        return outcome
    }

    /// A one-line message for any error, in words a user can act on.
    public static func message(for error: Error) -> String {
        if let e = error as? DatabaseError {
            if e.resultCode == .SQLITE_INTERRUPT { return "interrupted" }
            return e.message ?? "\(e)"
        }
        if let e = error as? LocalizedError, let d = e.errorDescription { return d }
        if error is CocoaError { return error.localizedDescription }
        return String(describing: error)
    }

    /// Changes the open database (`.open`).
    public func replaceStore(_ newStore: Store) {
        store = newStore
    }

    // MARK: - Showing results

    /// Renders a result to the current destination and remembers it for `.last`.
    func show(_ result: ResultSet, format: OutputFormat? = nil, redirect: Redirect? = nil, chart: Bool? = nil) throws {
        if result.columns.isEmpty && result.notes.isEmpty { return }
        lastResult = result
        let destination = redirect ?? onceFile ?? outputFile
        onceFile = nil
        var options = RenderOptions(
            format: format ?? settings.format, headers: settings.headers,
            maxRows: destination == nil ? settings.maxRows : nil, chart: chart ?? settings.chart)
        if destination != nil { options.chart = false }
        if destination == nil { resultObserver?(result, chart) }
        let rendered = Renderer.render(result, options: options)
        if let destination {
            try append(rendered.stdout, to: destination)
        } else {
            output.write(rendered.stdout)
        }
        if !rendered.stderr.isEmpty { output.writeError(rendered.stderr) }
    }

    /// Writes (or appends) text to a file; the first write of a `> FILE` truncates it.
    func append(_ text: String, to redirect: Redirect) throws {
        let url = URL(fileURLWithPath: redirect.path)
        let fm = FileManager.default
        if !redirect.append || !fm.fileExists(atPath: url.path) {
            guard fm.createFile(atPath: url.path, contents: Data(text.utf8)) else {
                throw UsageError("cannot write \(redirect.path): check that its folder exists and is writable")
            }
            return
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
