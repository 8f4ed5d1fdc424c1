import Foundation
import GRDB
import GRDBSQLite

/// One row of a `Database.scan`, read straight from SQLite's statement: no `Row` and no
/// `DatabaseValue` per cell. Valid only inside the scan's closure.
public struct ScanRow {
    fileprivate let statement: SQLiteStatement

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    /// Whether the column holds a BLOB (`call_rollup` stores a NULL dimension as `x''`).
    public func isBlob(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_BLOB }

    /// The column as an integer (0 for NULL).
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    public func text(_ column: Int32) -> String? {
        bytes(column).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The column's UTF-8 text without copying it (nil for NULL); valid until the next row.
    public func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard let text = sqlite3_column_text(statement, column) else { return nil }
        return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column)))
    }
}

extension Database {
    /// Runs `sql` and hands every row to `body` as it is stepped.
    ///
    /// For analyses that must look at every call of a large table in Swift (order statistics per
    /// model, say): reading cells from the statement costs a fraction of building `Row`s, which
    /// matters at a million rows. Honours `sqlite3_interrupt` (Ctrl-C) like any query.
    public func scan(_ sql: SQL, _ body: (ScanRow) throws -> Void) throws {
        try scan(try makeStatement(literal: sql), body)
    }

    /// Steps a prepared statement the same way.
    public func scan(_ statement: Statement, _ body: (ScanRow) throws -> Void) throws {
        let s = statement.sqliteStatement
        defer { sqlite3_reset(s) }
        let row = ScanRow(statement: s)
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                let message = sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message, sql: statement.sql)
            }
            try body(row)
        }
    }
}
