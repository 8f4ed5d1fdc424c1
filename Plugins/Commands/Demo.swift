import Foundation
import TallyKit

/// `demo [FOLDER]`: writes the demo corpus (every source format, fixed seed and dates) and
/// indexes it into the open database, so every analysis has something real to show.
public enum Demo: Command {
    public static let name = "demo"
    public static let summary = "Generate the demo corpus (all source formats, fixed dates) and index it."
    public static let discussion = """
        The corpus holds several projects and three months of OpenCode sessions (JSON tree and
        opencode.db) with sub-agents, Claude Code transcripts with duplicated lines and sidechains,
        Codex and Gemini sessions, a usage-event database with total-only rows, generic events and
        workflow runs with one stale stored cost — plus a few malformed files, which end up in
        rejected_records. `tally --demo` opens the REPL on a cached demo database built this way.
        """
    public static let transaction = CommandTransaction.managed
    public static let parameters = [
        Parameter(
            "folder", .path, help: "Where to write the corpus (default: <data dir>/demo/corpus).", positional: true)
    ]
    public static let examples = [
        Example("demo --seed 3", "Unknown parameters are errors.", fixture: "empty", expected: """
            error: demo: unknown parameter --seed (see `help demo`)
            """),
        Example("demo a b", "One folder at most.", fixture: "empty", expected: """
            error: demo: unexpected argument 'b' (see `help demo`)
            """),
    ]

    /// Where each source of the corpus lives, relative to the corpus folder, in indexing order.
    public static let layout: [(source: String, path: String)] = [
        ("opencode", "opencode/storage"),
        ("opencode", "opencode/opencode.db"),
        ("claude", "claude/projects"),
        ("codex", "codex/sessions"),
        ("gemini", "gemini/tmp"),
        ("autopack", "usage-events/llm_usage_events.db"),
        ("events", "events/usage.jsonl"),
        ("workflows", "workflows/runs"),
        ("workflows", "workflows/workflow_history.db"),
    ]

    public static var defaultFolder: URL { TallyInfo.dataDirectory.appendingPathComponent("demo/corpus") }

    public static func run(_ arguments: Arguments, context: CommandContext) throws -> ResultSet {
        let folder = arguments.string("folder").map { URL(fileURLWithPath: $0) } ?? defaultFolder
        if context.dryRun {
            return ResultSet(columns: [Column("folder", .text)], rows: [[.text(folder.path)]], summary: "would write the demo corpus to \(folder.path) and index it")
        }
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        _ = try DemoCorpus.generate(into: folder)
        context.log("demo corpus written to \(folder.path)")

        let lock = IndexLock(store: context.store)
        if let recovered = try lock.acquire(wait: true, log: context.log) { context.log(recovered) }
        defer { lock.release() }
        var rows: [[Value]] = []
        var total = Indexer.Summary()
        for (name, relative) in layout {
            let path = folder.appendingPathComponent(relative)
            guard FileManager.default.fileExists(atPath: path.path), let source = SourceCatalog.named(name) else { continue }
            let indexer = Indexer(store: context.store, reader: source.reader, now: context.environment.now, lock: lock)
            let s = try indexer.run(root: path)
            total += s
            rows.append([.text(name), .text(relative), .integer(Int64(s.indexed)), .integer(Int64(s.unchanged)),
                         .integer(Int64(s.rejected)), .integer(Int64(s.filesRead))])
        }
        return ResultSet(
            columns: [
                Column("source", .text), Column("path", .text), Column("indexed", .integer), Column("unchanged", .integer),
                Column("rejected", .integer), Column("files_read", .integer),
            ],
            rows: rows,
            notes: total.rejected > 0 ? ["\(total.rejected) planted malformed record(s) are in rejected_records, as intended"] : [])
    }
}
