import Foundation
import TallyKit

/// `index SOURCE [PATH]`: reads a source into the database, incrementally and idempotently
/// (SPEC §7).
public enum Index: Command {
    public static let name = "index"
    public static let summary = "Index a source (OpenCode, Claude Code, Codex, Gemini, events, autopack, workflows)."
    public static let discussion = """
        Unchanged files are skipped (size and mtime, confirmed by content hash); a changed file's
        records are replaced in one transaction; records that cannot be indexed are kept in
        rejected_records with their reason. Ends with `indexed N, unchanged N, rejected N` and exits
        1 when records were rejected, unless --allow-rejects. `index auto PATH` detects the source.
        Sources: \(SourceCatalog.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")).
        """
    public static let transaction = CommandTransaction.managed
    public static let parameters = [
        Parameter(
            "source", .choice(["auto"] + SourceCatalog.names), help: "The source format, or auto to detect it.",
            positional: true, required: true),
        Parameter("path", .path, help: "File or folder to read (default: the source's usual location).", positional: true),
        Parameter("watch", .bool, help: "Keep indexing changes as they land (Ctrl-C stops)."),
        Parameter("allow-rejects", .bool, help: "Exit 0 even when records were rejected."),
        Parameter("wait", .bool, default: "true", help: "Wait for another indexer on this database (--no-wait fails instead)."),
    ]
    public static let examples = [
        Example("index events /nonexistent/usage.jsonl", "A missing path is an error that names it.", fixture: "empty", expected: """
            error: /nonexistent/usage.jsonl: no such file or folder
            """),
        Example("index gemini --bogus", "Unknown parameters are errors.", fixture: "empty", expected: """
            error: index: unknown parameter --bogus (see `help index`)
            """),
    ]

    public static func run(_ arguments: Arguments, context: CommandContext) throws -> ResultSet {
        let (source, root) = try resolve(arguments, context: context)
        let lock = IndexLock(store: context.store)
        if !context.dryRun {
            if let recovered = try lock.acquire(wait: arguments.bool("wait"), log: context.log) { context.log(recovered) }
        }
        defer { if !context.dryRun { lock.release() } }
        let indexer = Indexer(
            store: context.store, reader: source.reader, now: context.environment.now, lock: lock,
            progress: Progress.onTerminal(), dryRun: context.dryRun)

        let summary = arguments.bool("watch")
            ? try watch(root, indexer: indexer, context: context) : try indexer.run(root: root)
        return result(summary, allowRejects: arguments.bool("allow-rejects"), dryRun: context.dryRun)
    }

    static func resolve(_ arguments: Arguments, context: CommandContext) throws -> (SourceCatalog.Source, URL) {
        let name = arguments.string("source")!
        var path = arguments.string("path")
        if name == "auto" {
            guard let p = path else { throw UsageError("index auto needs a PATH to look at") }
            let (source, reason) = try SourceCatalog.detect(URL(fileURLWithPath: p))
            context.log("index auto: \(p) looks like \(reason); indexing it as \(source.name)")
            return (source, URL(fileURLWithPath: p))
        }
        let source = SourceCatalog.named(name)!
        if path == nil { path = source.defaultPath() }
        guard let path else { throw UsageError("index \(name) needs a PATH (this source has no usual location)") }
        guard FileManager.default.fileExists(atPath: path) else { throw UsageError("\(path): no such file or folder") }
        return (source, URL(fileURLWithPath: path))
    }

    static func result(_ s: Indexer.Summary, allowRejects: Bool, dryRun: Bool) -> ResultSet {
        var notes: [String] = []
        if s.removed > 0 { notes.append("\(s.removed) file(s) no longer exist: their records were removed") }
        if dryRun { notes.append("dry run: nothing was written") }
        let failure = s.rejected > 0 && !allowRejects
            ? "\(s.rejected) record(s) rejected: see `SELECT path, line, reason FROM rejected_records;` (--allow-rejects accepts them)"
            : nil
        return ResultSet(
            columns: [Column("indexed", .integer), Column("unchanged", .integer), Column("rejected", .integer), Column("files_read", .integer)],
            rows: [[.integer(Int64(s.indexed)), .integer(Int64(s.unchanged)), .integer(Int64(s.rejected)), .integer(Int64(s.filesRead))]],
            notes: notes, summary: (dryRun ? "would have " : "") + s.line, failure: failure)
    }

    /// The bulk pass, then every change as it lands, until Ctrl-C or SIGTERM.
    static func watch(_ root: URL, indexer: Indexer, context: CommandContext) throws -> Indexer.Summary {
        let stop = StopSignal()
        let watcher = Watcher(root: root)
        let watching = watcher.start()  // before the bulk pass: nothing written meanwhile is missed
        var total = try indexer.run(root: root)
        context.log(total.line + (watching ? "; watching \(root.path) (Ctrl-C stops)" : "; polling \(root.path) every second (Ctrl-C stops)"))
        while !stop.requested {
            var round = Indexer.Summary()
            if watching {
                let changed = watcher.next(timeout: 0.5)
                guard !changed.isEmpty else { continue }
                round = try indexer.update(changed.map { URL(fileURLWithPath: $0) }, under: root)
            } else {
                Thread.sleep(forTimeInterval: 1)
                round = try indexer.run(root: root)
                round.unchanged = 0
            }
            if round.filesRead > 0 || round.removed > 0 { context.log(round.line) }
            total += round
        }
        return total
    }
}

/// SIGINT / SIGTERM as a flag, so a watch ends between batches with everything committed.
final class StopSignal: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var flag = false

    var requested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                self?.lock.lock()
                self?.flag = true
                self?.lock.unlock()
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for s in sources { s.cancel() }
        signal(SIGTERM, SIG_DFL)
    }
}
