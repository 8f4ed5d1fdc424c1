import Foundation

/// The `json` and `jsonl` formats: one object per row, keyed by column name in column order.
///
/// `json` is `[`, one compact object per line (`,` between them), `]`; zero rows give `[]`.
/// `jsonl` is one compact object per line and nothing for zero rows. Numbers are JSON numbers:
/// tokens and integers as integers, money with its exact decimal digits, reals as the shortest
/// text that round-trips (non-finite reals are `null`). Timestamps are ISO-8601 strings, bools
/// `true`/`false`, blobs base64 strings. Written by hand so that key order is deterministic.
enum JSONRenderer {
    static func render(_ result: ResultSet, lines: Bool) -> [String] {
        guard !result.columns.isEmpty else { return [] }
        let objects = result.rows.map { object($0, columns: result.columns, result: result) }
        if lines { return objects }
        if objects.isEmpty { return ["[]"] }
        return ["["] + objects.indices.map { objects[$0] + ($0 < objects.count - 1 ? "," : "") } + ["]"]
    }

    static func object(_ row: [Value], columns: [Column], result: ResultSet) -> String {
        let members = columns.indices.map { i in
            string(columns[i].name) + ":" + value(result.cell(row, i), column: columns[i])
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// One cell as a JSON value.
    static func value(_ value: Value, column: Column) -> String {
        switch value {
        case .null: return "null"
        case .blob(let data): return string(data.base64EncodedString())
        default: break
        }
        if let number = column.exportNumber(value) { return number }
        switch column.type {
        case .timestamp, .text, .date:
            return column.exportText(value).map(string) ?? "null"
        case .bool:
            if let b = column.boolValue(value) { return b ? "true" : "false" }
        default:
            break
        }
        switch value {
        case .integer(let i): return String(i)
        case .real(let d): return NumberFormat.shortest(d) ?? "null"
        case .decimal(let d): return d.isNaN ? "null" : NumberFormat.plain(d)
        case .text(let s): return string(s)
        case .null, .blob: return "null"
        }
    }

    /// A JSON string literal (`JSONEscaping`).
    static func string(_ text: String) -> String {
        JSONEscaping.literal(text)
    }
}
