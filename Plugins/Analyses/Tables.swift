import GRDB
import TallyKit

/// `tables`: how many rows each table holds — the first look at a database.
public enum Tables: Analysis {
    public static let name = "tables"
    public static let summary = "Row count per table."
    public static let discussion = "Counts every table of the Tally schema (SQLite's and the migrator's own tables aside)."
    public static let parameters = [
        Parameter("pattern", .string, help: "Only tables whose name matches this glob (sess*, *_parts).", positional: true)
    ]
    public static let examples = [
        Example("tables", "Every table of a fresh database is empty.", fixture: "empty", expected: """
            table,rows
            calls,0
            sessions,0
            """),
        Example("tables sess*", "Sessions of the tiny fixture.", fixture: "tiny", expected: """
            table,rows
            sessions,3
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let pattern = arguments.string("pattern")
        let names = try String.fetchAll(
            context.db,
            sql: """
                SELECT name FROM sqlite_master
                WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                  AND (?1 IS NULL OR name GLOB ?1)
                ORDER BY name
                """, arguments: [pattern])
        let rows: [[Value]] = try names.map { table in
            let count = try Int64.fetchOne(context.db, sql: "SELECT count(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
            return [.text(table), .integer(count)]
        }
        return ResultSet(columns: [Column("table", .text), Column("rows", .integer)], rows: rows)
    }
}
