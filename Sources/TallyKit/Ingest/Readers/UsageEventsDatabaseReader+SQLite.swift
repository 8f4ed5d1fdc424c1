import Foundation
import GRDB

/// Reading SQLite source databases without ever changing them: shared by
/// ``UsageEventsDatabaseReader`` and ``WorkflowsReader``.
enum SQLiteSourceFile {
    /// Opens the database read-only (`SQLITE_OPEN_READONLY`: no journal, no schema change).
    static func open(_ url: URL) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = url.lastPathComponent
        do {
            return try DatabaseQueue(path: url.path, configuration: configuration)
        } catch {
            throw ReaderError("\(url.path): cannot open the SQLite database (\(error))")
        }
    }

    /// True when the file starts with SQLite's header (cheap: no database is opened).
    static func looksLikeSQLite(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        return header == Data("SQLite format 3\u{0}".utf8)
    }

    /// True when the file is an SQLite database with a table of that name.
    static func hasTable(_ table: String, in url: URL) -> Bool {
        guard looksLikeSQLite(url), let queue = try? open(url) else { return false }
        return (try? queue.read { db in try tableName(table, in: db) != nil }) ?? false
    }

    /// The table's name as the database spells it (names match case-insensitively).
    static func tableName(_ table: String, in db: Database) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ? COLLATE NOCASE
            """, arguments: [table])
    }

    /// Column index by lowercased name.
    static func columnIndex(_ row: Row) -> [String: Int] {
        var index: [String: Int] = [:]
        for (i, name) in row.columnNames.enumerated() where index[name.lowercased()] == nil {
            index[name.lowercased()] = i
        }
        return index
    }

    /// A database value as JSON: blobs as base64 text.
    static func json(_ value: DatabaseValue) -> JSONValue {
        switch value.storage {
        case .null: return .null
        case .int64(let i): return .integer(i)
        case .double(let d): return .number(d)
        case .string(let s): return .string(s)
        case .blob(let data): return .string(data.base64EncodedString())
        }
    }

    /// The whole row as JSON text (the raw text of a rejected row).
    static func rowText(_ row: Row) -> String {
        var object: [String: JSONValue] = [:]
        for (name, value) in row { object[name] = json(value) }
        return JSONValue.object(object).jsonText
    }

    /// A token count column, validated per SPEC §6 like a JSON one (NULL is absent).
    static func tokenField(_ value: DatabaseValue) -> TokenField? {
        switch value.storage {
        case .null:
            return nil
        case .int64(let i):
            return TokenField.validate(i)
        case .double(let d):
            if d.rounded() == d, abs(d) <= Double(TokenField.maximum) { return TokenField.validate(Int64(d)) }
            return TokenField(value: nil, problem: d.rounded() == d ? "out of range (\(d))" : "not an integer (\(d))")
        case .string(let s):
            return TokenField(value: nil, problem: "a string (\"\(s.prefix(40))\"), not a number")
        case .blob:
            return TokenField(value: nil, problem: "a blob, not a number")
        }
    }

    /// Text of a text column; nil when NULL or blank, a problem when not text.
    static func text(_ value: DatabaseValue, column: String) -> Result<String?, ReaderError> {
        switch value.storage {
        case .null:
            return .success(nil)
        case .string(let s):
            let t = String(s.trimmedSpaces)
            return .success(t.isEmpty ? nil : t)
        case .int64(let i):
            return .success(String(i))
        default:
            return .failure(ReaderError("\(column) is not text (\(json(value).jsonText.prefix(40)))"))
        }
    }

    /// A canonical timestamp from a text column (naive text is UTC).
    static func timestamp(_ value: DatabaseValue, column: String) -> Result<String?, ReaderError> {
        switch value.storage {
        case .null:
            return .success(nil)
        case .string(let s):
            guard let t = Timestamps.normalize(String(s.trimmedSpaces)) else {
                return .failure(ReaderError("\(column) not understood: \"\(s.prefix(40))\" (expected ISO-8601 text, e.g. 2026-03-05 10:02:11)"))
            }
            return .success(t)
        default:
            return .failure(ReaderError("\(column) is not timestamp text (\(json(value).jsonText.prefix(40)))"))
        }
    }

    /// Exact nano-dollars of a USD column; a problem when negative or not a number.
    static func money(_ value: DatabaseValue, column: String) -> Result<Int64?, ReaderError> {
        let nanos: Int64?
        switch value.storage {
        case .null: return .success(nil)
        case .int64(let i): nanos = Money.nanos(fromDecimal: String(i))
        case .double(let d): nanos = Money.nanos(usd: d)
        case .string(let s): nanos = Money.nanos(usdText: s)
        case .blob: nanos = nil
        }
        guard let nanos else {
            return .failure(ReaderError("invalid \(column): not a number (\(json(value).jsonText.prefix(40)))"))
        }
        guard nanos >= 0 else { return .failure(ReaderError("invalid \(column): negative (\(json(value).jsonText))")) }
        return .success(nanos)
    }
}
