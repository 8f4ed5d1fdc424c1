import Foundation
import GRDB

/// The rows of one table (or view) for `export`, streamed from a cursor: every column, the
/// generated `*_usd` ones included, typed by name as SQL results are. A `*_usd` column whose
/// `*_nanos` sibling exists is read from the nanos, so money is exact (the stored `*_usd` is a
/// binary float).
public enum TableExport {
    /// True when `name` is a table or view of the main database.
    public static func exists(_ db: Database, _ name: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?)", arguments: [name]) ?? false
    }

    /// Tables and views, for "did you mean".
    public static func names(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite%' ORDER BY name")
    }

    /// Calls `columns` once, then `row` for every row in rowid order (views: as they come).
    public static func stream(
        _ db: Database, table: String, columns: ([Column]) throws -> Void, row: ([Value]) throws -> Void
    ) throws {
        let info = try Row.fetchAll(db, sql: "PRAGMA table_xinfo(\(table.quotedDatabaseIdentifier))")
        // hidden: 0 ordinary, 2 and 3 generated; 1 is a virtual table's hidden column.
        let names: [String] = info.filter { ($0["hidden"] as Int? ?? 0) != 1 }.map { $0["name"] }
        let available = Set(names)
        var selects: [String] = []
        var nanoIndexes: Set<Int> = []
        for (i, name) in names.enumerated() {
            if name.hasSuffix("_usd"), case let nanos = String(name.dropLast(4)) + "_nanos", available.contains(nanos) {
                selects.append("\(nanos.quotedDatabaseIdentifier) AS \(name.quotedDatabaseIdentifier)")
                nanoIndexes.insert(i)
            } else {
                selects.append(name.quotedDatabaseIdentifier)
            }
        }
        try columns(names.enumerated().map { i, name in
            Column(name, nanoIndexes.contains(i) ? .money : ColumnType.inferred(fromName: name))
        })
        let isView = try Bool.fetchOne(db, sql: "SELECT type = 'view' FROM sqlite_master WHERE name = ?", arguments: [table]) ?? false
        let unordered = try isView || isWithoutRowid(db, table)
        let order = unordered ? "" : " ORDER BY rowid"
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(selects.joined(separator: ", ")) FROM \(table.quotedDatabaseIdentifier)\(order)")
        var cells: [Value] = []
        while let r = try cursor.next() {
            Value.cells(of: r, count: names.count, nanoIndexes: nanoIndexes, into: &cells)
            try row(cells)
        }
    }

    private static func isWithoutRowid(_ db: Database, _ table: String) throws -> Bool {
        let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [table]) ?? ""
        return sql.uppercased().contains("WITHOUT ROWID")
    }
}
