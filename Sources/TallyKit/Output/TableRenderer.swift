/// The `table` format: aligned columns for a terminal.
///
/// ```
/// model    calls  cost_usd
/// ───────  ─────  ────────
/// gpt-5    1,204     $2.37
/// … 3 more rows (.last shows all)
/// ```
///
/// Columns are separated by two spaces and padded by display width; the last column is not
/// padded when left-aligned, so no line ends in spaces. Only the first `maxRows` rows are shown.
enum TableRenderer {
    static func render(_ result: ResultSet, options: RenderOptions) -> [String] {
        guard !result.columns.isEmpty else { return [] }
        let shown = options.maxRows.map { Array(result.rows.prefix(max(0, $0))) } ?? result.rows
        let hidden = result.rows.count - shown.count
        let columns = result.columns
        let cells = shown.map { row in
            columns.indices.map { escape(columns[$0].displayText(result.cell(row, $0)) ?? "") }
        }
        let right = columns.indices.map { columns[$0].isRightAligned(in: result.rows, at: $0) }
        let widths = columns.indices.map { i in
            cells.reduce(options.headers ? DisplayWidth.of(escape(columns[i].name)) : 0) {
                max($0, DisplayWidth.of($1[i]))
            }
        }

        func line(_ texts: [String]) -> String {
            texts.indices.map { i in
                i == texts.count - 1 && !right[i]
                    ? texts[i] : DisplayWidth.pad(texts[i], to: widths[i], right: right[i])
            }.joined(separator: "  ")
        }

        var lines: [String] = []
        if options.headers {
            lines.append(line(columns.map { escape($0.name) }))
            lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        }
        lines += cells.map(line)
        if result.rows.isEmpty { lines.append("(no rows)") }
        if hidden > 0 { lines.append("… \(hidden) more row\(hidden == 1 ? "" : "s") (.last shows all)") }
        if options.chart, let chart = result.chart, !shown.isEmpty {
            let drawn = BarChart.lines(chart, result: result, rows: shown)
            if !drawn.isEmpty { lines += [""] + drawn }
        }
        return lines
    }

    /// Shows line breaks and tabs as `\n`, `\r`, `\t` so that a row stays on one line.
    static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\r\n" }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension ResultSet {
    /// The cell at `index` of `row`, NULL when the row is short.
    func cell(_ row: [Value], _ index: Int) -> Value {
        index < row.count ? row[index] : .null
    }
}
