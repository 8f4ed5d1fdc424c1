import Foundation
import Testing
@testable import TallyKit

/// Reading a notebook's Markdown and replacing only its output regions.
@Suite struct NotebookDocumentTests {
    func document(_ text: String) throws -> NotebookDocument {
        try NotebookDocument(text: text, assetsFolder: "nb.assets")
    }

    @Test func findsTallyBlocksAndTheirOutputs() throws {
        let d = try document("""
            # Title

            ```tally
            tables
            ```

            ```text tally-output
            old
            ```
            ![chart: x by y](nb.assets/block-1.svg)
            ![other image](elsewhere/pic.svg)

            ~~~~ tally   extra words
              select 1;
            ~~~~
            ```sql
            ```tally
            not a block: inside an sql fence
            ```
            ```tally
            .tables
            ```
            """)
        #expect(d.blocks.map(\.number) == [1, 2, 3])
        #expect(d.blocks.map(\.source) == ["tables", "  select 1;", ".tables"])
        #expect(d.blocks[0].output == 6..<10)
        #expect(d.blocks[1].output == nil)
        #expect(d.blocks[1].open == 12)
    }

    @Test func frontMatterGivesParamsAndClock() throws {
        let d = try document("""
            ---
            title: "Review: March"   # a comment
            authors:
              - someone
            now: 2026-03-31T12:00:00Z
            params:
              tz: UTC
              since: '2026-03-01'
              label: "a # b"
            ---
            ```tally
            select :since;
            ```
            """)
        #expect(d.frontMatter.params == [.init(name: "tz", value: "UTC"), .init(name: "since", value: "2026-03-01"), .init(name: "label", value: "a # b")])
        #expect(d.frontMatter.now == Timestamps.parse("2026-03-31T12:00:00Z"))
        #expect(d.frontMatter.values["title"] == "Review: March")
        #expect(d.blocks.first?.open == 10)
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        var text: String
        var line: Int
        var message: String
        var testDescription: String { message }
    }

    static let bad: [Bad] = [
        .init(text: "---\nparams:\n  since: 2026\n", line: 1, message: "front matter opened with --- is never closed: end it with a --- line"),
        .init(text: "---\nparams:\n  since\n---\n", line: 3, message: "front matter: write each parameter as an indented 'NAME: VALUE' line under params:"),
        .init(text: "---\nparams: {a: 1}\n---\n", line: 2, message: "front matter: params takes indented 'NAME: VALUE' lines below it, not a value on its line"),
        .init(text: "---\nnow: soon\n---\n", line: 2, message: "front matter: now: 'soon' is not a date or ISO timestamp (2026-03-31T12:00:00Z)"),
        .init(text: "---\n  tz: UTC\n---\n", line: 2, message: "front matter: unexpected indented line; params go under a 'params:' line"),
        .init(text: "---\nparams:\n  a: 1\n  a: 2\n---\n", line: 4, message: "front matter: parameter 'a' is given twice"),
        .init(text: "text\n\n```tally\ntables\n", line: 3, message: "the ```tally block opened here has no closing fence"),
        .init(text: "```tally\ntables\n```\n\n```text tally-output\nx\n", line: 5, message: "the tally-output block opened here has no closing fence"),
    ]

    @Test(arguments: bad)
    func malformedNotebooksNameTheLine(_ bad: Bad) {
        #expect(throws: NotebookError(line: bad.line, message: bad.message)) { try document(bad.text) }
    }

    @Test func insertsOutputAfterABlockAndChangesNothingElse() throws {
        let text = "Intro\n```tally\ntables\n```\nText right after.\n\n```tally\n.set x 1\n```\n"
        let d = try document(text)
        let out = d.replacingOutputs([
            1: .init(text: "table  rows\ncalls     4", charts: [.init(file: "nb.assets/block-1.svg", alt: "chart: rows by table")]),
            2: .init(text: ""),
        ])
        #expect(out == """
            Intro
            ```tally
            tables
            ```

            ```text tally-output
            table  rows
            calls     4
            ```
            ![chart: rows by table](nb.assets/block-1.svg)

            Text right after.

            ```tally
            .set x 1
            ```

            """)
        // The second run finds the region it wrote and replaces it in place.
        let again = try document(out)
        #expect(again.blocks[0].output == 5..<10)
        #expect(again.replacingOutputs([1: .init(text: "table  rows\ncalls     4", charts: [.init(file: "nb.assets/block-1.svg", alt: "chart: rows by table")]), 2: .init(text: "")]) == out)
        // Without a chart the link goes; with no output the region and its blank line go.
        #expect(again.replacingOutputs([1: .init(text: "x")]).contains("```text tally-output\nx\n```\n\nText right after."))
        #expect(again.replacingOutputs([1: .init(text: "")]) == "Intro\n```tally\ntables\n```\n\nText right after.\n\n```tally\n.set x 1\n```\n")
    }

    @Test func keepsLineEndingsAndAMissingFinalNewline() throws {
        let crlf = "A\r\n```tally\r\ntables\r\n```\r\nB\r\n"
        #expect(try document(crlf).replacingOutputs([1: .init(text: "t\nu")]) == "A\r\n```tally\r\ntables\r\n```\r\n\r\n```text tally-output\r\nt\r\nu\r\n```\r\n\r\nB\r\n")
        let unterminated = "```tally\ntables\n```"
        #expect(try document(unterminated).text == unterminated)
        #expect(try document(unterminated).replacingOutputs([1: .init(text: "t")]) == "```tally\ntables\n```\n\n```text tally-output\nt\n```\n")
    }

    @Test func anOutputHoldingAFenceGetsALongerOne() throws {
        let d = try document("```tally\nselect '```' as x;\n```\n")
        let out = d.replacingOutputs([1: .init(text: "x\n```\n  ````")])
        #expect(out == "```tally\nselect '```' as x;\n```\n\n`````text tally-output\nx\n```\n  ````\n`````\n")
        let reread = try document(out)
        #expect(reread.blocks[0].output == 4..<9)
        #expect(reread.replacingOutputs([1: .init(text: "x\n```\n  ````")]) == out)
    }
}
