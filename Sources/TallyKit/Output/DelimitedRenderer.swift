import Foundation

/// The `csv` and `tsv` formats: machine-readable values (see `Column.exportText`), LF line ends.
///
/// `csv` follows RFC 4180: a field containing a comma, a quote, CR or LF is quoted and its
/// quotes doubled. `tsv` never quotes; it escapes tab, LF, CR and backslash as `\t`, `\n`, `\r`,
/// `\\`. NULL is an empty field. Every row is shown.
enum DelimitedRenderer {
    enum Dialect {
        case csv, tsv

        var separator: String { self == .csv ? "," : "\t" }

        /// Appends `text` as one field; most need no quoting or escaping and are appended as is
        /// (a byte check rather than a scalar walk: a 70,000-row export has 770,000 fields).
        func append(_ text: String, to line: inout String) {
            switch self {
            case .csv:
                guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else {
                    return line += text
                }
                line += "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            case .tsv:
                guard text.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
                    return line += text
                }
                for scalar in text.unicodeScalars {
                    switch scalar {
                    case "\\": line += "\\\\"
                    case "\t": line += "\\t"
                    case "\n": line += "\\n"
                    case "\r": line += "\\r"
                    default: line.unicodeScalars.append(scalar)
                    }
                }
            }
        }
    }

    static func render(_ result: ResultSet, options: RenderOptions, dialect: Dialect) -> [String] {
        let columns = result.columns
        guard !columns.isEmpty else { return [] }
        var lines: [String] = []
        lines.reserveCapacity(result.rows.count + 1)
        if options.headers { lines.append(line(columns.map(\.name), dialect: dialect)) }
        // Rows are independent: a large result is rendered in one chunk per core (70,000 rows of
        // `cost-by-session` took a fifth of its time on one).
        let rows = result.rows
        let chunks = rows.count >= 8192 ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        var parts = [[String]](repeating: [], count: chunks)
        parts.withUnsafeMutableBufferPointer { parts in
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let range = rows.count * chunk / chunks..<rows.count * (chunk + 1) / chunks
                parts[chunk] = range.map { self.row(rows[$0], columns: columns, result: result, dialect: dialect) }
            }
        }
        for part in parts { lines.append(contentsOf: part) }
        return lines
    }

    /// One row's line (also what `ExportWriter` streams).
    static func row(_ row: [Value], columns: [Column], result: ResultSet, dialect: Dialect) -> String {
        var line = ""
        line.reserveCapacity(16 * columns.count)
        for i in columns.indices {
            if i > 0 { line += dialect.separator }
            if let text = columns[i].exportText(result.cell(row, i)) { dialect.append(text, to: &line) }
        }
        return line
    }

    static func line(_ cells: [String], dialect: Dialect) -> String {
        var line = ""
        for (i, cell) in cells.enumerated() {
            if i > 0 { line += dialect.separator }
            dialect.append(cell, to: &line)
        }
        return line
    }
}
