/// The `line` format, as sqlite3's `.mode line`: one `name = value` line per column, names
/// right-aligned to the longest, a blank line between rows; values formatted as in `table`.
///
/// ```
///    model = gpt-5
/// cost_usd = $2.37
/// ```
///
/// A NULL shows as `name =` (no trailing space). Every row is shown.
enum LineRenderer {
    static func render(_ result: ResultSet, options: RenderOptions) -> [String] {
        let columns = result.columns
        let nameWidth = columns.map { DisplayWidth.of(TableRenderer.escape($0.name)) }.max() ?? 0
        var lines: [String] = []
        for (n, row) in result.rows.enumerated() where !columns.isEmpty {
            if n > 0 { lines.append("") }
            for (i, column) in columns.enumerated() {
                let name = DisplayWidth.pad(TableRenderer.escape(column.name), to: nameWidth, right: true)
                let value = TableRenderer.escape(column.displayText(result.cell(row, i)) ?? "")
                lines.append(value.isEmpty ? name + " =" : name + " = " + value)
            }
        }
        return lines
    }
}
