import Foundation
import GRDB
import TallyKit

/// `integrity`: SQLite's own check, every foreign key, and the references and counts no
/// constraint guards; the run fails (exit 1) when any of them does.
public enum Integrity: Analysis {
    public static let name = "integrity"
    public static let summary = "Foreign keys, SQLite's own check and orphan counts across every table; exit 1 when any fails."
    public static let discussion = """
        One row per check: quick_check (or integrity_check with --full), foreign-key for every \
        table that declares one (PRAGMA foreign_key_check; example_id is the child's rowid), \
        orphan for references that are no foreign key (exchange traces to calls and parts, \
        exchanges to their user message, the derive queue to sessions; a delegated session not \
        indexed and a run summary without a run folder are allowed, so they only warn), \
        rejected-count (ingest_files.rejected against the rows in rejected_records per file), \
        pending-derivations (sessions whose exchanges and rollups, or tool steps, await a rebuild: \
        warn) and, with --full, derived (call_rollup, quarter_rollup and session_rollup against a \
        recomputation from calls: a rollup that drifted would make every cost analysis wrong; \
        count is the rows missing plus the rows extra). status is ok, warn or fail; any fail \
        makes the run fail after the table is shown.
        """
    public static let parameters = [
        Parameter("full", .bool, default: "false",
                  help: "Run PRAGMA integrity_check instead of quick_check, and recompute the rollups from the calls (slower).")
    ]
    public static let examples = [
        Example("integrity", "A consistent database: every check ok.", fixture: "tiny", expected: """
            check,table,status,count,example_id,detail
            quick_check,,ok,0,,pages and records and NOT NULL and CHECK constraints
            foreign-key,calls,ok,0,,references messages and pricing and projects and sessions
            foreign-key,errors,ok,0,,references messages and parts and sessions
            foreign-key,exchange_traces,ok,0,,references exchanges
            foreign-key,exchanges,ok,0,,references sessions
            foreign-key,file_operations,ok,0,,references parts
            foreign-key,messages,ok,0,,references sessions
            foreign-key,parts,ok,0,,references messages and sessions
            foreign-key,sessions,ok,0,,references projects and sessions
            foreign-key,text_parts,ok,0,,references parts
            foreign-key,thinking_blocks,ok,0,,references parts
            foreign-key,tool_calls,ok,0,,references parts
            foreign-key,workflow_cost_records,ok,0,,references pricing and workflow_runs
            orphan,exchange_traces,ok,0,,call_id not in calls
            orphan,exchange_traces,ok,0,,part_id not in parts
            orphan,exchanges,ok,0,,user_message_id not in messages
            orphan,derive_queue,ok,0,,session_id not in sessions
            orphan,tool_calls,ok,0,,child_session_id not in sessions (a delegated session not indexed)
            orphan,workflow_summaries,ok,0,,run_id not in workflow_runs (a summary without its run folder)
            rejected-count,ingest_files,ok,0,,files whose rejected count differs from their rows in rejected_records
            pending-derivations,derive_queue,ok,0,,sessions whose exchanges and rollups await a rebuild
            pending-derivations,tool_steps_queue,ok,0,,sessions whose tool steps await a refresh (tally's next write does it)
            """),
        // Traces point at call-gone and prt-gone, the queue at ses-gone, and the ledger counts 2
        // rejections of /logs/a.jsonl where rejected_records holds 1: four failures. The task
        // tool's ses-sub and run-x's summary only warn.
        Example("integrity", "Orphans and a wrong ledger count: the run fails.", fixture: "broken", expected: """
            error: integrity: 4 of 22 checks failed: orphan exchange_traces.call_id, orphan exchange_traces.part_id, \
            orphan derive_queue.session_id, rejected-count ingest_files
            """),
        Example("integrity --full", "The full check of a new database.", fixture: "empty", expected: """
            check,table,status,count,example_id,detail
            integrity_check,,ok,0,,pages and records and NOT NULL and CHECK constraints and indexes
            foreign-key,calls,ok,0,,references messages and pricing and projects and sessions
            foreign-key,errors,ok,0,,references messages and parts and sessions
            foreign-key,exchange_traces,ok,0,,references exchanges
            foreign-key,exchanges,ok,0,,references sessions
            foreign-key,file_operations,ok,0,,references parts
            foreign-key,messages,ok,0,,references sessions
            foreign-key,parts,ok,0,,references messages and sessions
            foreign-key,sessions,ok,0,,references projects and sessions
            foreign-key,text_parts,ok,0,,references parts
            foreign-key,thinking_blocks,ok,0,,references parts
            foreign-key,tool_calls,ok,0,,references parts
            foreign-key,workflow_cost_records,ok,0,,references pricing and workflow_runs
            orphan,exchange_traces,ok,0,,call_id not in calls
            orphan,exchange_traces,ok,0,,part_id not in parts
            orphan,exchanges,ok,0,,user_message_id not in messages
            orphan,derive_queue,ok,0,,session_id not in sessions
            orphan,tool_calls,ok,0,,child_session_id not in sessions (a delegated session not indexed)
            orphan,workflow_summaries,ok,0,,run_id not in workflow_runs (a summary without its run folder)
            rejected-count,ingest_files,ok,0,,files whose rejected count differs from their rows in rejected_records
            pending-derivations,derive_queue,ok,0,,sessions whose exchanges and rollups await a rebuild
            derived,call_rollup,ok,0,,rows missing or extra against the sums of calls (`migrate down --to v1` then `migrate up` rebuilds the rollups)
            derived,quarter_rollup,ok,0,,rows missing or extra against the sums of calls (`migrate down --to v1` then `migrate up` rebuilds the rollups)
            derived,session_rollup,ok,0,,rows missing or extra against the sums of calls (`migrate down --to v1` then `migrate up` rebuilds the rollups)
            pending-derivations,tool_steps_queue,ok,0,,sessions whose tool steps await a refresh (tally's next write does it)
            """),
    ]

    /// References no foreign key declares: (table, key, column, parent, parent column, fails, why allowed).
    static let references: [(String, String, String, String, String, Bool, String?)] = [
        ("exchange_traces", "id", "call_id", "calls", "id", true, nil),
        ("exchange_traces", "id", "part_id", "parts", "id", true, nil),
        ("exchanges", "id", "user_message_id", "messages", "id", true, nil),
        ("derive_queue", "session_id", "session_id", "sessions", "id", true, nil),
        ("tool_calls", "part_id", "child_session_id", "sessions", "id", false, "a delegated session not indexed"),
        ("workflow_summaries", "run_id", "run_id", "workflow_runs", "run_id", false, "a summary without its run folder"),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let db = context.db, full = arguments.bool("full")
        var rows: [[Value]] = []
        var failed: [String] = []
        func add(_ check: String, _ table: String?, _ count: Int64, _ example: String?, _ detail: String, fails: Bool = true) {
            let status = count == 0 ? "ok" : fails ? "fail" : "warn"
            if status == "fail" { failed.append(check + (table.map { " " + $0 } ?? "")) }
            rows.append([.text(check), .string(table), .text(status), .integer(count), .string(example), .text(detail)])
        }

        let problems = try String.fetchAll(db, sql: full ? "PRAGMA integrity_check" : "PRAGMA quick_check").filter { $0 != "ok" }
        add(full ? "integrity_check" : "quick_check", nil, Int64(problems.count), nil,
            problems.first ?? "pages and records and NOT NULL and CHECK constraints" + (full ? " and indexes" : ""))

        let violations = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
        let declared = try Row.fetchAll(db, sql: """
            SELECT m.name, f."table" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
            WHERE m.type = 'table' ORDER BY m.name, f."table"
            """)
        for (table, parents) in Dictionary(grouping: declared, by: { $0[0] as String }).sorted(by: { $0.key < $1.key }) {
            let mine = violations.filter { $0[0] as String == table }
            let example: Int64? = mine.first?[1]
            add("foreign-key", table, Int64(mine.count), example.map { String($0) },
                "references " + Set(parents.map { $0[1] as String }).sorted().joined(separator: " and "))
        }

        for (table, key, column, parent, parentColumn, fails, allowed) in references {
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), min(x.\(key)) FROM \(table) x
                WHERE x.\(column) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \(parent) p WHERE p.\(parentColumn) = x.\(column))
                """)!
            let example: DatabaseValue = row[1]
            add("orphan", table, row[0], Value(example).stringValue,
                "\(column) not in \(parent)" + (allowed.map { " (\($0))" } ?? ""), fails: fails)
            if fails, row[0] as Int64 > 0 { failed[failed.count - 1] = "orphan \(table).\(column)" }
        }

        let ledger = try Row.fetchOne(db, sql: """
            SELECT count(*), min(f.path) FROM ingest_files f
            WHERE f.rejected <> (SELECT count(*) FROM rejected_records r WHERE r.path = f.path)
            """)!
        add("rejected-count", "ingest_files", ledger[0], ledger[1], "files whose rejected count differs from their rows in rejected_records")
        let pending = try Row.fetchOne(db, sql: "SELECT count(*), min(session_id) FROM derive_queue")!
        add("pending-derivations", "derive_queue", pending[0], pending[1], "sessions whose exchanges and rollups await a rebuild",
            fails: false)
        // The rollups analyses read (schema v2 and v4), with --full: each recomputes every call.
        for table in ["call_rollup", "quarter_rollup", "session_rollup"] where full {
            guard try db.tableExists(table) else { continue }
            let differences = table == "call_rollup"
                ? try Schema.callRollupDifferences(db) : try Schema.coarseRollupDifferences(db, table: table)
            add("derived", table, Int64(differences), nil,
                "rows missing or extra against the sums of calls (`migrate down --to v1` then `migrate up` rebuilds the rollups)")
        }
        if try db.tableExists("tool_steps_queue") {
            let queued = try Row.fetchOne(db, sql: "SELECT count(DISTINCT session_id), min(session_id) FROM tool_steps_queue")!
            add("pending-derivations", "tool_steps_queue", queued[0], queued[1],
                "sessions whose tool steps await a refresh (tally's next write does it)", fails: false)
        }

        let warnings = rows.filter { $0[2] == .text("warn") }.count
        return ResultSet(
            columns: [Column("check", .text), Column("table", .text), Column("status", .text), Column("count", .integer),
                      Column("example_id", .text), Column("detail", .text)],
            rows: rows,
            notes: warnings > 0 ? ["\(warnings) check(s) warn: allowed, but worth a look"] : [],
            failure: failed.isEmpty ? nil : "integrity: \(failed.count) of \(rows.count) checks failed: " + failed.joined(separator: ", "))
    }
}
