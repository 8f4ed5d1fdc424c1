import Foundation
import GRDB
import Testing
@testable import TallyKit

/// Calls per model with a bar chart: what notebooks turn into SVG.
enum ModelChartAnalysis: Analysis {
    static let name = "model-chart"
    static let summary = "Total tokens per model, charted."
    static let parameters = [Parameter("since", .date, help: "From.")]
    static let examples: [Example] = []
    static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let since = arguments.date("since").map(Timestamps.iso) ?? ""
        let rows = try Row.fetchAll(
            context.db, sql: "SELECT model, sum(total_tokens) AS t FROM calls WHERE started_at >= ? GROUP BY model ORDER BY model",
            arguments: [since])
        return ResultSet(
            columns: [Column("model", .text), Column("total_tokens", .tokens)],
            rows: rows.map { [.text($0["model"]), .integer($0["t"])] },
            chart: Chart(kind: .bar, label: "model", value: "total_tokens"))
    }
}

/// Running notebooks: outputs written after their blocks, charts beside, checks in memory.
@Suite struct NotebookTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tally-nb-\(UUID().uuidString)")
    let store: Store
    let registry = Registry(analyses: [EchoAnalysis.self, ModelChartAnalysis.self])

    static let source = """
        ---
        title: Test notebook
        now: 2026-03-15T12:00:00Z
        params:
          since: 2026-03-01
        ---
        # Usage

        Tokens per model since the `since` parameter:

        ```tally
        model-chart
        ```

        Plain SQL sees the parameter too:

        ```tally
        SELECT :since AS since, count(*) AS calls
        FROM calls WHERE started_at >= :since;
        ```

        ```tally
        .set n 2
        ```

        A mistake is recorded, and the run goes on:

        ```tally
        select nosuch;
        echo hello
        echo --n 3 --since -7d --format csv
        ```
        """

    init() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try Store.inMemory()
        try store.write { db in
            try insertCall(db, "a", model: "gpt-5", at: "2026-02-20T09:00:00.000Z", input: 100, output: 50)
            try insertCall(db, "b", model: "gpt-5", at: "2026-03-02T09:00:00.000Z", input: 1000, output: 500)
            try insertCall(db, "c", model: "sonnet", at: "2026-03-10T09:00:00.000Z", input: 600, output: 150)
        }
    }

    func write(_ text: String, name: String = "nb.md") throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func run(_ path: String, defines: [String: String] = [:]) throws -> (Notebook, Notebook.Execution) {
        let notebook = try Notebook(path: path)
        let env = Environment(now: Timestamps.parse("2020-01-01T00:00:00Z")!, timeZone: TimeZone(identifier: "UTC")!)
        return (notebook, notebook.execute(store: store, registry: registry, environment: env, defines: defines))
    }

    static let expected = """
        ---
        title: Test notebook
        now: 2026-03-15T12:00:00Z
        params:
          since: 2026-03-01
        ---
        # Usage

        Tokens per model since the `since` parameter:

        ```tally
        model-chart
        ```

        ```text tally-output
        model   total_tokens
        ──────  ────────────
        gpt-5          1,500
        sonnet           750
        ```
        ![chart: total_tokens by model](nb.assets/block-1.svg)

        Plain SQL sees the parameter too:

        ```tally
        SELECT :since AS since, count(*) AS calls
        FROM calls WHERE started_at >= :since;
        ```

        ```text tally-output
        since       calls
        ──────────  ─────
        2026-03-01      2
        ```

        ```tally
        .set n 2
        ```

        A mistake is recorded, and the run goes on:

        ```tally
        select nosuch;
        echo hello
        echo --n 3 --since -7d --format csv
        ```

        ```text tally-output
        error: no such column: nosuch
        word   since                     n
        ─────  ────────────────────────  ─
        hello  2026-03-01T00:00:00.000Z  2
        word,since,n
        ,2026-03-08T00:00:00.000Z,3
        ```

        """

    @Test func runWritesEachOutputAfterItsBlock() throws {
        let path = try write(Self.source)
        let (notebook, execution) = try run(path)
        #expect(execution.failures == [.init(line: 29, message: "no such column: nosuch")])
        #expect(try notebook.write(execution) == [path, "nb.assets/block-1.svg"])
        #expect(try read(path) == Self.expected)
        let svg = try read(folder.appendingPathComponent("nb.assets/block-1.svg").path)
        #expect(svg == SVGChart.render(
            Chart(kind: .bar, label: "model", value: "total_tokens"),
            result: ResultSet(columns: [Column("model", .text), Column("total_tokens", .tokens)], rows: [["gpt-5", 1500], ["sonnet", 750]])))
    }

    @Test func aSecondRunChangesNothing() throws {
        let path = try write(Self.source)
        let (first, execution) = try run(path)
        try first.write(execution)
        let (second, again) = try run(path)
        #expect(again.text == Self.expected)
        #expect(second.differences(again) == "")
        #expect(try second.write(again) == [])
        #expect(try read(path) == Self.expected)
    }

    @Test func editingABlockChangesOnlyItsOutput() throws {
        let path = try write(Self.expected)
        let edited = Self.expected.replacingOccurrences(of: "FROM calls WHERE started_at >= :since;", with: "FROM calls WHERE started_at < :since;")
        try Data(edited.utf8).write(to: URL(fileURLWithPath: path))
        let (notebook, execution) = try run(path)
        #expect(notebook.changedBlocks(execution) == [2])
        #expect(execution.text == edited.replacingOccurrences(of: "2026-03-01      2", with: "2026-03-01      1"))
    }

    @Test func checkReportsADiffAfterTheDataChanges() throws {
        let path = try write(Self.expected)
        try store.write { db in try insertCall(db, "d", model: "sonnet", at: "2026-03-12T09:00:00.000Z", input: 50, output: 50) }
        let (notebook, execution) = try run(path)
        #expect(notebook.changedBlocks(execution) == [1, 2])
        #expect(notebook.differences(execution) == """
            --- \(path)
            +++ \(path) (re-run)
            @@ -16,7 +16,7 @@
             model   total_tokens
             ──────  ────────────
             gpt-5          1,500
            -sonnet           750
            +sonnet           850
             ```
             ![chart: total_tokens by model](nb.assets/block-1.svg)
             
            @@ -30,7 +30,7 @@
             ```text tally-output
             since       calls
             ──────────  ─────
            -2026-03-01      2
            +2026-03-01      3
             ```
             
             ```tally
            chart nb.assets/block-1.svg: missing

            """)
        #expect(try read(path) == Self.expected)  // check never writes
    }

    @Test func definesOverrideTheFrontMatter() throws {
        let path = try write(Self.source)
        let (_, execution) = try run(path, defines: ["since": "2026-01-01"])
        #expect(execution.text.contains("gpt-5          1,650\n"))
        #expect(execution.text.contains("2026-01-01      3\n"))
    }

    @Test func chartsNoBlockDrawsAreRemoved() throws {
        let path = try write(Self.source)
        let (notebook, execution) = try run(path)
        try notebook.write(execution)
        let assets = folder.appendingPathComponent("nb.assets")
        #expect(FileManager.default.fileExists(atPath: assets.appendingPathComponent("block-1.svg").path))
        try Data(try read(path).replacingOccurrences(of: "model-chart\n", with: "model-chart --chart off\n").utf8)
            .write(to: URL(fileURLWithPath: path))
        let (second, again) = try run(path)
        #expect(second.differences(again).hasSuffix("chart nb.assets/block-1.svg: no block draws it any more\n"))
        #expect(try second.write(again) == [path, "nb.assets/block-1.svg"])
        #expect(!FileManager.default.fileExists(atPath: assets.path))
        #expect(!(try read(path)).contains("![chart"))
    }

    @Test func aMissingNotebookIsAnErrorNamingIt() {
        #expect(throws: UsageError("cannot read notebook nope.md: no such file")) { try Notebook(path: "nope.md") }
        let path = folder.appendingPathComponent("bad.md").path
        try? Data("```tally\ntables\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: UsageError("\(path):1: the ```tally block opened here has no closing fence")) { try Notebook(path: path) }
    }
}
