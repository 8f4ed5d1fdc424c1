/// The `markdown` format: a GitHub table with cells formatted as in `table`.
///
/// ```
/// | model | calls | cost_usd |
/// |---|---:|---:|
/// | gpt-5 | 1,204 | $2.37 |
/// ```
///
/// Cells are not padded (renderers of Markdown align them); `|` is escaped as `\|` and line
/// breaks become `<br>`. With headers off only the header row goes: the alignment row stays.
/// Every row is shown (`maxRows` is a terminal setting).
enum MarkdownRenderer {
    static func render(_ result: ResultSet, options: RenderOptions) -> [String] {
        let columns = result.columns
        guard !columns.isEmpty else { return [] }
        func line(_ cells: [String]) -> String {
            "| " + cells.map(escape).joined(separator: " | ") + " |"
        }
        var lines: [String] = []
        if options.headers { lines.append(line(columns.map(\.name))) }
        let alignments = columns.indices.map { columns[$0].isRightAligned(in: result.rows, at: $0) ? "---:" : "---" }
        lines.append("|" + alignments.joined(separator: "|") + "|")
        for row in result.rows {
            lines.append(line(columns.indices.map { columns[$0].displayText(result.cell(row, $0)) ?? "" }))
        }
        return lines
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>")
            .replacingOccurrences(of: "\n", with: "<br>")
            .replacingOccurrences(of: "\r", with: "<br>")
    }
}
