import Foundation
import Testing

/// `tally notebook run|check FILE.md` through the built binary.
@Suite struct NotebookCommandTests {
    let tally = TallyProcess()

    static let notebook = """
        ---
        now: 2026-03-15T12:00:00Z
        params:
          tz: UTC
          since: 2026-03-01
        ---
        # Calls

        ```tally
        SELECT model, count(*) AS calls FROM calls GROUP BY model ORDER BY model;
        ```

        Since `since`:

        ```tally
        select count(*) as n from calls where started_at >= :since;
        ```

        """

    static let rendered = """
        ---
        now: 2026-03-15T12:00:00Z
        params:
          tz: UTC
          since: 2026-03-01
        ---
        # Calls

        ```tally
        SELECT model, count(*) AS calls FROM calls GROUP BY model ORDER BY model;
        ```

        ```text tally-output
        model   calls
        ──────  ─────
        gpt-5       2
        sonnet      1
        ```

        Since `since`:

        ```tally
        select count(*) as n from calls where started_at >= :since;
        ```

        ```text tally-output
        n
        ─
        2
        ```

        """

    init() throws {
        try insert(("a", "gpt-5", "2026-01-10"), ("b", "gpt-5", "2026-03-01"), ("c", "sonnet", "2026-03-10"))
        try tally.write("nb.md", Self.notebook)
    }

    func insert(_ calls: (String, String, String)...) throws {
        let values = calls.map { "('\($0.0)', 'test', '\($0.1)', '\($0.2)T09:00:00.000Z', 100)" }.joined(separator: ", ")
        let r = try tally.run([
            "--db", tally.path("t.db"), "-c",
            "INSERT INTO calls (id, source, model, started_at, total_tokens) VALUES \(values)",
        ])
        precondition(r.status == 0, r.stderr)
    }

    func notebook(_ words: String...) throws -> TallyProcess.Output {
        try tally.run(["--db", tally.path("t.db"), "notebook"] + words)
    }

    func text() throws -> String { try String(contentsOfFile: tally.path("nb.md"), encoding: .utf8) }

    @Test func runTwiceThenEditOneBlockThenCheck() throws {
        let first = try notebook("run", "nb.md")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.isEmpty)
        #expect(first.stderr == "nb.md: 2 block(s) run, 2 output(s) changed\n")
        #expect(try text() == Self.rendered)

        let second = try notebook("run", "nb.md")
        #expect(second.stderr == "nb.md: 2 block(s) run, 0 output(s) changed\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: tally.path("nb.md"))) == Data(Self.rendered.utf8))

        try tally.write("nb.md", Self.rendered.replacingOccurrences(of: "started_at >= :since", with: "started_at < :since"))
        let edited = try notebook("run", "nb.md")
        #expect(edited.stderr == "nb.md: 2 block(s) run, 1 output(s) changed\n")
        #expect(try text() == Self.rendered.replacingOccurrences(of: "started_at >= :since", with: "started_at < :since")
            .replacingOccurrences(of: "n\n─\n2\n", with: "n\n─\n1\n"))

        let clean = try notebook("check", "nb.md")
        #expect(clean.status == 0)
        #expect(clean.stdout.isEmpty)
        #expect(clean.stderr == "nb.md: 2 block(s), outputs up to date\n")
    }

    @Test func checkFailsWithADiffAfterTheDataChanges() throws {
        _ = try notebook("run", "nb.md")
        try insert(("d", "sonnet", "2026-03-12"))
        let check = try notebook("check", "nb.md")
        #expect(check.status == 1)
        #expect(check.stdout == """
            --- nb.md
            +++ nb.md (re-run)
            @@ -14,7 +14,7 @@
             model   calls
             ──────  ─────
             gpt-5       2
            -sonnet      1
            +sonnet      2
             ```
             
             Since `since`:
            @@ -26,5 +26,5 @@
             ```text tally-output
             n
             ─
            -2
            +3
             ```

            """)
        #expect(check.stderr == "nb.md: 2 of 2 block output(s) differ; `tally notebook run nb.md` updates them\n")
        #expect(try text() == Self.rendered)  // check never writes
        let override = try notebook("check", "nb.md", "-D", "since=2026-03-11")
        #expect(override.stdout.contains("-2\n+1\n"))
    }

    @Test func aFailingBlockRecordsItsErrorAndTheRunGoesOn() throws {
        try tally.write("bad.md", "```tally\nselect nosuch;\n```\n\n```tally\nselect 1 as one;\n```\n")
        let r = try notebook("run", "bad.md")
        #expect(r.status == 1)
        #expect(r.stderr == "bad.md:2: error: no such column: nosuch\nbad.md: 2 block(s) run, 2 output(s) changed\n")
        #expect(try String(contentsOfFile: tally.path("bad.md"), encoding: .utf8) == """
            ```tally
            select nosuch;
            ```

            ```text tally-output
            error: no such column: nosuch
            ```

            ```tally
            select 1 as one;
            ```

            ```text tally-output
            one
            ───
              1
            ```

            """)
    }

    @Test func usageErrors() throws {
        let missing = try notebook("run", "nope.md")
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: cannot read notebook nope.md: no such file\n")
        let bare = try notebook()
        #expect(bare.status == 2)
        #expect(bare.stderr.hasPrefix("Error: say which: `tally notebook run FILE.md` or `tally notebook check FILE.md`\n"))
        let format = try tally.run(["--db", tally.path("t.db"), "--format", "json", "notebook", "run", "nb.md"])
        #expect(format.status == 2)
        #expect(format.stderr.hasPrefix("Error: notebook outputs are tables: drop --format (a block can switch with `.mode FMT`)\n"))
        let define = try notebook("check", "nb.md", "-D", "since")
        #expect(define.status == 2)
        #expect(define.stderr.hasPrefix("Error: -D takes NAME=VALUE, not 'since'\n"))
        #expect(try text() == Self.notebook)
    }

    @Test func helpIsGolden() throws {
        let help = try tally.run(["notebook", "--help"], extraEnvironment: ["COLUMNS": "80"])
        #expect(help.status == 0)
        #expect(help.stdout == """
            OVERVIEW: Re-run a notebook's tally blocks and write or check their outputs.

            Each fenced block with the info string `tally` holds REPL input (plugin
            invocations, SQL, dot commands). The blocks run in order against the database
            (--db before `notebook`) through the same interpreter as the prompt, in table
            format. Each block's output follows it in a fenced block with the info string
            `text tally-output`; charts are SVG files in NAME.assets/ beside the notebook,
            linked under the output. Nothing else changes.

            Front matter (a --- block at the top) may set `now:` (the clock for relative
            dates) and `params:` (indented NAME: VALUE lines), which blocks see as `.set`
            values; -D overrides them.

            USAGE: tally notebook <subcommand>

            OPTIONS:
              -h, --help              Show help information.

            SUBCOMMANDS:
              run                     Run every block and write its output into the
                                      notebook.
              check                   Re-run every block in memory; exit 1 with a diff when
                                      an output differs.

              See 'tally notebook help <subcommand>' for detailed help.

            """)
        let check = try tally.run(["notebook", "check", "--help"], extraEnvironment: ["COLUMNS": "80"])
        #expect(check.stdout == """
            OVERVIEW: Re-run every block in memory; exit 1 with a diff when an output
            differs.

            Never writes the notebook or its charts: a notebook checked in CI is a
            regression audit.

            USAGE: tally notebook check <file> [-D <NAME=VALUE> ...]

            ARGUMENTS:
              <file>                  The notebook (a Markdown file).

            OPTIONS:
              -D <NAME=VALUE>         Set a notebook parameter, overriding its front matter
                                      (repeatable).
              -h, --help              Show help information.


            """)
    }
}
