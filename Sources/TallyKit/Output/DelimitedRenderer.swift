/// The `csv` and `tsv` formats: machine-readable values (see `Column.exportText`), LF line ends.
///
/// `csv` follows RFC 4180: a field containing a comma, a quote, CR or LF is quoted and its
/// quotes doubled. `tsv` never quotes; it escapes tab, LF, CR and backslash as `\t`, `\n`, `\r`,
/// `\\`. NULL is an empty field. Every row is shown.
enum DelimitedRenderer {
    enum Dialect {
        case csv, tsv

        var separator: String { self == .csv ? "," : "\t" }

        func field(_ text: String) -> String {
            switch self {
            case .csv:
                let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
                return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
            case .tsv:
                var out = ""
                for scalar in text.unicodeScalars {
                    switch scalar {
                    case "\\": out += "\\\\"
                    case "\t": out += "\\t"
                    case "\n": out += "\\n"
                    case "\r": out += "\\r"
                    default: out.unicodeScalars.append(scalar)
                    }
                }
                return out
            }
        }
    }

    static func render(_ result: ResultSet, options: RenderOptions, dialect: Dialect) -> [String] {
        let columns = result.columns
        guard !columns.isEmpty else { return [] }
        var lines: [String] = []
        if options.headers { lines.append(line(columns.map(\.name), dialect: dialect)) }
        for row in result.rows {
            lines.append(self.row(row, columns: columns, result: result, dialect: dialect))
        }
        return lines
    }

    /// One row's line (also what `ExportWriter` streams).
    static func row(_ row: [Value], columns: [Column], result: ResultSet, dialect: Dialect) -> String {
        line(columns.indices.map { columns[$0].exportText(result.cell(row, $0)) ?? "" }, dialect: dialect)
    }

    static func line(_ cells: [String], dialect: Dialect) -> String {
        cells.map(dialect.field).joined(separator: dialect.separator)
    }
}
