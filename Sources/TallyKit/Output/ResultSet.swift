import Foundation

/// What a column holds, which decides how every renderer shows it.
public enum ColumnType: String, Sendable, Hashable, CaseIterable {
    /// Free text, left-aligned.
    case text
    /// A plain integer (ids, counts that are not tokens), right-aligned with thousands separators.
    case integer
    /// A floating-point number, right-aligned.
    case real
    /// A token count: integer, thousands separators in tables, integer in JSON.
    case tokens
    /// US dollars: `$1,234.56` in tables, a full-precision JSON number elsewhere.
    case money
    /// A percentage value (12.5 means 12.5 %), one decimal in tables.
    case percent
    /// An instant, shown and exported as ISO-8601 UTC.
    case timestamp
    /// A calendar date or period label (`2026-03-05`, `2026-W10`).
    case date
    /// A boolean (0/1 in SQLite), `true`/`false` in JSON.
    case bool
    /// Whatever SQLite returned; the renderer decides per value.
    case any

    /// Numbers are right-aligned in tables.
    public var isNumeric: Bool {
        switch self {
        case .integer, .real, .tokens, .money, .percent: return true
        default: return false
        }
    }
}

public struct Column: Hashable, Sendable {
    public var name: String
    public var type: ColumnType

    public init(_ name: String, _ type: ColumnType = .any) {
        self.name = name
        self.type = type
    }
}

/// A chart drawn under a result: bars of one numeric column labelled by another.
public struct Chart: Hashable, Sendable {
    public enum Kind: String, Sendable { case bar, sparkline }
    public var kind: Kind
    public var labelColumn: String
    public var valueColumn: String

    public init(kind: Kind = .bar, label: String, value: String) {
        self.kind = kind
        self.labelColumn = label
        self.valueColumn = value
    }
}

/// The one shape every analysis, command and SQL statement returns.
public struct ResultSet: Hashable, Sendable {
    public var columns: [Column]
    public var rows: [[Value]]
    /// Caveats printed with the result ("2 unpriced models: cost shown is partial").
    public var notes: [String]
    public var chart: Chart?
    /// A one-line summary that people read instead of the table (`indexed 3, unchanged 0,
    /// rejected 0`); machine formats (csv, tsv, json, jsonl) still get the rows.
    public var summary: String?
    /// Set when the command ran and its result stands, but the run counts as failed (exit 1):
    /// for example records were rejected.
    public var failure: String?

    public init(
        columns: [Column], rows: [[Value]] = [], notes: [String] = [], chart: Chart? = nil, summary: String? = nil,
        failure: String? = nil
    ) {
        self.columns = columns
        self.rows = rows
        self.notes = notes
        self.chart = chart
        self.summary = summary
        self.failure = failure
    }

    /// A result with no columns: what a statement that returns nothing (an UPDATE) gives.
    public static let empty = ResultSet(columns: [])

    public var isEmpty: Bool { columns.isEmpty && notes.isEmpty }

    public func index(of column: String) -> Int? { columns.firstIndex { $0.name == column } }

    /// The cells of one column, by name.
    public func values(_ column: String) -> [Value] {
        guard let i = index(of: column) else { return [] }
        return rows.map { $0[i] }
    }
}
