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
    public static func render(_ result: ResultSet, options: RenderOptions) -> Rendered {
        // Placeholder until the renderers land: CSV-like text.
        var out = result.columns.map(\.name).joined(separator: ",") + "\n"
        for row in result.rows { out += row.map { $0.stringValue ?? "" }.joined(separator: ",") + "\n" }
        return Rendered(stdout: out, stderr: result.notes.map { "note: \($0)\n" }.joined())
    }
}
