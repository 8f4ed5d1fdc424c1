import Foundation
import TallyKit
import Testing

/// CI keeps the shipped notebooks from rotting: every `notebooks/*.md` with a `tally` block is
/// checked against a demo database built once (its dates are fixed), and the example script runs.
@Suite struct ShippedNotebooksTests {
    static let folder = TallyProcess.repository.appendingPathComponent("notebooks")

    /// Every Markdown file in notebooks/ that holds a `tally` block (a file that does not parse
    /// is included too, so that `check` reports why).
    static let notebooks: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".md") }.sorted().filter { name in
            guard let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) else { return true }
            guard let document = try? NotebookDocument(text: text, assetsFolder: name) else { return true }
            return !document.blocks.isEmpty
        }
    }()

    /// The demo database, generated and indexed once for all the checks.
    static let demo: (tally: TallyProcess, path: String, failure: String?) = {
        let tally = TallyProcess()
        let path = tally.path("demo.db")
        let r = try? tally.run(["--db", path, "demo", tally.path("corpus")])
        return (tally, path, r?.status == 0 ? nil : "demo failed: \(r?.stderr ?? "did not run")")
    }()

    @Test func theGlobFindsTheNotebooks() {
        #expect(Self.notebooks.contains("getting-started.md"))
        #expect(Self.notebooks.contains("cost-review.md"))
        #expect(Self.notebooks.contains("stale-cost-audit.md"))
        #expect(Self.notebooks.contains("suspicious-tokens.md"))
        #expect(!Self.notebooks.contains("README.md"))
    }

    @Test(arguments: notebooks)
    func notebookIsUpToDateOnTheDemoData(_ name: String) throws {
        let demo = Self.demo
        try #require(demo.failure == nil, "\(demo.failure ?? "")")
        let path = Self.folder.appendingPathComponent(name).path
        let r = try demo.tally.run(["--db", demo.path, "notebook", "check", path])
        #expect(r.status == 0, """
            \(name) no longer matches the demo data; re-run it with
              tally --db demo.db demo && tally --db demo.db notebook run notebooks/\(name)
            \(r.stderr)\(r.stdout)
            """)
    }

    @Test func theWeeklyScriptRuns() throws {
        let demo = Self.demo
        try #require(demo.failure == nil, "\(demo.failure ?? "")")
        let r = try demo.tally.run(
            ["--db", demo.path, "-f", "notebooks/weekly.tally", "-D", "since=2026-03-23", "-D", "until=2026-03-30", "--bail"],
            in: TallyProcess.repository)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("since\n──────────\n2026-03-23\nperiod      calls  total_tokens  cost_usd\n"))
        #expect(r.stdout.contains("\n2026-03-29      0             0     $0.00\n"))  // --until is exclusive
        #expect(r.stdout.contains("\ncalls                  1,126\n"))  // .read ran first-look.tally
        let missing = try demo.tally.run(["--db", demo.path, "-f", "notebooks/weekly.tally", "--bail"], in: TallyProcess.repository)
        #expect(missing.status == 1)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr == "notebooks/weekly.tally:17: error: unbound parameter :since: give it a value with `.set since VALUE`\n")
    }
}
