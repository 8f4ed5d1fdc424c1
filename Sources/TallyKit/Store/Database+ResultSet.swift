import Foundation
import GRDB

extension Value {
    /// The cell for an SQLite value.
    public init(_ dbValue: DatabaseValue) {
        switch dbValue.storage {
        case .null: self = .null
        case .int64(let i): self = .integer(i)
        case .double(let d): self = .real(d)
        case .string(let s): self = .text(s)
        case .blob(let b): self = .blob(b)
        }
    }
}

extension Value {
    /// A row's first `count` cells, replacing `cells`; the columns at `nanoIndexes` hold integer
    /// nano-dollars and are shown as USD (what the `*_usd` views compute, exactly).
    static func cells(of row: Row, count: Int, nanoIndexes: Set<Int>, into cells: inout [Value]) {
        cells.removeAll(keepingCapacity: true)
        cells.reserveCapacity(count)
        for i in 0..<count {
            let v = Value(row[i] as DatabaseValue)
            if nanoIndexes.contains(i), let n = v.decimalValue {
                cells.append(.decimal(n / 1_000_000_000))
            } else {
                cells.append(v)
            }
        }
    }
}

extension Value: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .real(let d): return d.databaseValue
        case .decimal(let d): return d.description.databaseValue
        case .text(let s): return s.databaseValue
        case .blob(let b): return b.databaseValue
        }
    }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Value? { Value(dbValue) }
}

extension ColumnType {
    /// The type a column name suggests, for SQL typed by the user (`total_tokens` → tokens,
    /// `cost_usd` → money, `share_pct` → percent, `started_at` → timestamp).
    public static func inferred(fromName name: String) -> ColumnType {
        let n = name.lowercased()
        if n == "tokens" || n.hasSuffix("_tokens") { return .tokens }
        if n.hasSuffix("_usd") || n == "usd" { return .money }
        if n.hasSuffix("_pct") || n.hasSuffix("_percent") { return .percent }
        if n.hasSuffix("_at") { return .timestamp }
        return .any
    }
}

extension Database {
    /// Runs one query and collects it as a result.
    ///
    /// - Parameters:
    ///   - types: column types by name; other columns get `ColumnType.inferred(fromName:)`.
    ///   - nanos: columns whose SQL value is integer nano-dollars, exposed as exact USD.
    public func resultSet(
        _ sql: SQL, types: [String: TallyKit.ColumnType] = [:], nanos: Set<String> = []
    ) throws -> ResultSet {
        let (text, arguments) = try sql.build(self)
        let statement = try makeStatement(sql: text)
        try statement.setArguments(arguments)
        return try resultSet(statement, types: types, nanos: nanos)
    }

    /// Runs a prepared statement and collects its rows.
    public func resultSet(
        _ statement: Statement, types: [String: TallyKit.ColumnType] = [:], nanos: Set<String> = []
    ) throws -> ResultSet {
        let names = statement.columnNames
        let columns = names.map { name in
            Column(name, types[name] ?? (nanos.contains(name) ? .money : TallyKit.ColumnType.inferred(fromName: name)))
        }
        let nanoIndexes = Set(names.indices.filter { nanos.contains(names[$0]) })
        var rows: [[Value]] = []
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() {
            var cells: [Value] = []
            Value.cells(of: row, count: names.count, nanoIndexes: nanoIndexes, into: &cells)
            rows.append(cells)
        }
        return ResultSet(columns: columns, rows: rows)
    }
}
