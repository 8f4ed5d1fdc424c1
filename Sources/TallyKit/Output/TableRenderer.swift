/// The `table` format: aligned columns for a terminal.
///
/// ```
/// model    calls  cost_usd
/// ───────  ─────  ────────
/// gpt-5    1,204     $2.37
/// … 3 more rows (.last shows all)
/// ```
///
/// Columns are separated by two spaces and padded by display width; no line ends in spaces
/// (trailing padding is trimmed). Only the first `maxRows` rows are shown.
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
            var text = texts.indices.map { DisplayWidth.pad(texts[$0], to: widths[$0], right: right[$0]) }
                .joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
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

    /// Shows line breaks and tabs as `\n`, `\r`, `\t`, and other control characters as `\x1b`,
    /// so that a row stays on one line and a cell cannot drive the terminal.
    static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar):
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F
    }
}

extension ResultSet {
    /// The cell at `index` of `row`, NULL when the row is short.
    func cell(_ row: [Value], _ index: Int) -> Value {
        index < row.count ? row[index] : .null
    }
}
