import Foundation

/// The output formats of SPEC §4 (`--format`, `.mode`).
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, markdown, csv, tsv, json, jsonl, line

    /// Machine-readable formats keep stdout clean: their notes go to stderr.
    public var notesToStderr: Bool {
        switch self {
        case .json, .jsonl, .csv, .tsv: return true
        case .table, .markdown, .line: return false
        }
    }
}

/// How to render: the format and the display settings of the REPL session.
public struct RenderOptions: Sendable {
    public var format: OutputFormat
    /// `.headers on|off` (table, markdown, csv, tsv).
    public var headers: Bool
    /// At most this many rows in `table` output (`.maxrows`); nil shows all.
    public var maxRows: Int?
    /// Draw the result's chart under a table.
    public var chart: Bool

    public init(format: OutputFormat = .table, headers: Bool = true, maxRows: Int? = nil, chart: Bool = true) {
        self.format = format
        self.headers = headers
        self.maxRows = maxRows
        self.chart = chart
    }
}

/// Rendered text: what goes to stdout and what goes to stderr.
public struct Rendered: Equatable, Sendable {
    public var stdout: String
    public var stderr: String
    public init(stdout: String, stderr: String = "") {
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Turns results into text. Nothing else formats numbers or money.
public enum Renderer {
    /// The result in `options.format`, notes included: on stdout after the output for `table`,
    /// `markdown` and `line`, on stderr for the machine-readable formats.
    ///
    /// A result with no columns renders no body, only its notes.
    public static func render(_ result: ResultSet, options: RenderOptions) -> Rendered {
        let body: [String]
        switch options.format {
        case .table where result.summary != nil, .markdown where result.summary != nil,
            .line where result.summary != nil:
            body = [result.summary!]
        case .table: body = TableRenderer.render(result, options: options)
        case .markdown: body = MarkdownRenderer.render(result, options: options)
        case .line: body = LineRenderer.render(result, options: options)
        case .csv: body = DelimitedRenderer.render(result, options: options, dialect: .csv)
        case .tsv: body = DelimitedRenderer.render(result, options: options, dialect: .tsv)
        case .json: body = JSONRenderer.render(result, lines: false)
        case .jsonl: body = JSONRenderer.render(result, lines: true)
        }
        let notes = result.notes.map { "note: " + $0 }
        if options.format.notesToStderr {
            return Rendered(stdout: text(body), stderr: text(notes))
        }
        // A table ends on a line of its own; markdown and line output need a blank line so that
        // a note is not read as a row or a field.
        let gap = options.format != .table && !body.isEmpty && !notes.isEmpty ? [""] : []
        return Rendered(stdout: text(body + gap + notes))
    }

    /// Lines joined, each ending in LF.
    private static func text(_ lines: [String]) -> String {
        var text = ""
        text.reserveCapacity(lines.reduce(0) { $0 + $1.utf8.count + 1 })
        for line in lines {
            text += line
            text += "\n"
        }
        return text
    }
}
