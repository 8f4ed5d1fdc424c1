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
        Example("tables", "Row counts of every table.", fixture: "tiny", expected: """
            table,rows
            call_rollup,3
            calls,4
            cost_audit_log,0
            derive_queue,0
            errors,0
            exchange_traces,0
            exchanges,0
            file_operations,0
            ingest_files,0
            ingest_lock,0
            messages,0
            model_aliases,0
            parts,0
            pricing,0
            projects,1
            quarter_rollup,2
            rejected_records,0
            session_rollup,3
            sessions,3
            text_parts,0
            thinking_blocks,0
            tool_calls,0
            tool_steps,0
            tool_steps_queue,0
            workflow_cost_records,0
            workflow_runs,0
            workflow_summaries,0
            """),
        Example("tables sess*", "Only the tables whose name matches a glob.", fixture: "tiny", expected: """
            table,rows
            session_rollup,3
            sessions,3
            """),
        Example("tables 'workflow_*'", "A new database has every table, all empty.", fixture: "empty", expected: """
            table,rows
            workflow_cost_records,0
            workflow_runs,0
            workflow_summaries,0
            """),
        Example("tables --limit 3", "Unknown parameters are errors that say what exists.", fixture: "empty", expected: """
            error: tables: unknown parameter --limit (see `help tables`)
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
