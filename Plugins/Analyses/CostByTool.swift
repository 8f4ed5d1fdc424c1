import Foundation
import GRDB
import TallyKit

/// `cost-by-tool`: tool calls per tool with their share of the cost of the steps that made them,
/// failure rate and median duration.
public enum CostByTool: Analysis {
    public static let name = "cost-by-tool"
    public static let summary = "Tool calls per tool: share of the cost of the steps that made them, failures, median duration."
    public static let discussion = """
        A step is the LLM call that asked for a tool: in a message with step-finish parts (OpenCode), \
        the step-finish that closes the tool's step; else the call of the tool's message (Codex, \
        Gemini, a Claude response's first line); else the session's latest call at or before the tool \
        (a Claude response's later lines). A step's cost is divided evenly among the tool calls it made, \
        in nano-dollars: the first (cost mod n) tool calls by part id get one nano-dollar more, so the \
        shares add up to the step's cost exactly. A step without tool calls is not counted. failed \
        counts status error; failure_rate_pct is failed / calls; median_duration_ms is over the calls \
        with a duration, rounded to the millisecond. Filters apply to each tool call's start and its \
        step (project, source and provider; its session's when it has no step).

        Columns: tool, calls, failed, failure_rate_pct, median_duration_ms, cost_usd, share_pct.
        """
    public static let parameters = CallFilter.parameters
    public static let examples = [
        Example("cost-by-tool", "Every tool; bash's steps are unpriced or unfinished.", fixture: "tools", expected: """
            tool,calls,failed,failure_rate_pct,median_duration_ms,cost_usd,share_pct
            read,3,0,0,100,0.116666667,56.63
            grep,1,0,0,300,0.033333333,16.18
            task,1,0,0,5000,0.02,9.71
            Grep,1,1,100,40,0.015,7.28
            Read,1,0,0,20,0.015,7.28
            exec_command,1,0,0,120,0.006,2.91
            bash,3,2,66.67,2000,,
            """),
        Example("cost-by-tool --source claude", "Two tool calls on later lines of one Claude response share its cost.",
                fixture: "tools", expected: """
            tool,calls,failed,failure_rate_pct,median_duration_ms,cost_usd,share_pct
            Grep,1,1,100,40,0.015,50
            Read,1,0,0,20,0.015,50
            """),
        Example("cost-by-tool --since 2026-03-11", "No tool calls in range: no rows, and a note saying so.",
                fixture: "tools", expected: """
            tool,calls,failed,failure_rate_pct,median_duration_ms,cost_usd,share_pct
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let filter = CallFilter(arguments)
        let cost = filter.costColumn
        let share: SQL = "CASE WHEN \(cost) IS NOT NULL THEN \(cost) / c.n + (c.r < \(cost) % c.n) END"
        let stored = try Schema.toolStepsAreCurrent(context.db)
        let rows = try Row.fetchAll(
            context.db,
            SQLRequest(literal: """
                \(stored ? "" : toolCallsAsCalls)
                SELECT c.tool, count(*) AS calls, coalesce(sum(c.status = 'error'), 0) AS failed,
                  \(stored ? "NULL" : "CAST(round(median(c.duration_ms)) AS INTEGER)" as SQL) AS median_ms,
                  count(c.duration_ms) AS durations,
                  sum(\(share)) AS cost, count(\(share)) AS costed,
                  sum(c.step IS NULL) AS stepless,
                  sum(c.step IS NOT NULL AND \(cost) IS NULL) AS unpriced,
                  group_concat(DISTINCT CASE WHEN c.step IS NOT NULL AND \(cost) IS NULL THEN coalesce(c.model, '(no model)') END) AS models,
                  coalesce(sum(\(filter.fallbackColumn)), 0) AS fallback
                FROM \(stored ? "tool_steps" : "c" as SQL) c
                WHERE \(filter.condition)
                GROUP BY c.tool
                """))
        var medians: [String: Int64] = [:]
        for row in rows where stored {
            medians[row["tool"]] = try storedMedian(of: row, filter: filter, db: context.db)
        }
        let total = rows.reduce(Int64(0)) { $0 + ($1["cost"] as Int64? ?? 0) }
        let sorted = rows.sorted { a, b in
            let (ca, cb) = (a["cost"] as Int64? ?? -1, b["cost"] as Int64? ?? -1)
            if ca != cb { return ca > cb }
            let (na, nb) = (a["calls"] as Int64, b["calls"] as Int64)
            return na != nb ? na > nb : (a["tool"] as String) < (b["tool"] as String)
        }
        let cells: [[Value]] = sorted.map { row in
            let calls: Int64 = row["calls"], failed: Int64 = row["failed"], cost: Int64? = row["cost"]
            let median = row["median_ms"] as Int64? ?? medians[row["tool"]]
            return [.text(row["tool"]), .integer(calls), .integer(failed), .share(failed, of: calls),
                    median.map(Value.integer) ?? .null, .usd(cost), .share(cost, of: total)]
        }
        let columns = [
            Column("tool", .text), Column("calls", .integer), Column("failed", .integer),
            Column("failure_rate_pct", .percent), Column("median_duration_ms", .integer), Column("cost_usd", .money),
            Column("share_pct", .percent),
        ]
        return ResultSet(columns: columns, rows: cells, notes: notes(rows, filter: filter))
    }
}

private extension CostByTool {
    /// `WITH … c AS (…)`: one row per tool call as `tool_steps` stores it, computed from the
    /// tables (`Schema.toolStepRows`), with the step's tool-call count `n` and this call's rank
    /// `r` among them (by part id), counted before any filter. Read while writes made outside
    /// Tally (plain SQL) wait in `tool_steps_queue`.
    static let toolCallsAsCalls = SQL(sql: """
        WITH t AS (\(Schema.toolStepRows())),
        c AS (
          SELECT t.*, count(*) OVER (PARTITION BY t.step_id) AS n,
            row_number() OVER (PARTITION BY t.step_id ORDER BY t.part_id) - 1 AS r
          FROM t
        )
        """)

    /// The median duration of `row`'s tool over its filtered `tool_steps` rows with a duration,
    /// rounded to the millisecond: the middle one or two in the table's (tool, duration) order,
    /// counted by the grouping query, so that no row goes through a Swift aggregate.
    static func storedMedian(of row: Row, filter: CallFilter, db: Database) throws -> Int64? {
        let durations: Int64 = row["durations"]
        guard durations > 0 else { return nil }
        let tool: String = row["tool"]
        return try Int64.fetchOne(db, SQLRequest(literal: """
            SELECT CAST(round(avg(duration_ms)) AS INTEGER) FROM (
              SELECT c.duration_ms FROM tool_steps c
              WHERE c.tool = \(tool) AND c.duration_key >= 0 AND \(filter.condition)
              ORDER BY c.duration_key LIMIT \(2 - durations % 2) OFFSET \((durations - 1) / 2))
            """))
    }

    static func notes(_ rows: [Row], filter: CallFilter) -> [String] {
        guard !rows.isEmpty else { return [filter.emptyNote("tool calls")] }
        func sum(_ column: String) -> Int64 { rows.reduce(0) { $0 + ($1[column] as Int64? ?? 0) } }
        func calls(_ n: Int64, _ verb: String) -> String {
            "\(NumberFormat.grouped(n)) tool call\(n == 1 ? "" : "s") \(n == 1 ? verb + "s" : verb)"
        }
        var notes: [String] = []
        if case let unpriced = sum("unpriced"), unpriced > 0 {
            let models = Set(rows.compactMap { $0["models"] as String? }.flatMap { $0.split(separator: ",").map(String.init) })
            notes.append("\(calls(unpriced, "come")) from unpriced steps (no cost in --cost-mode \(filter.costMode.rawValue): "
                + "\(models.sorted().joined(separator: ", "))): cost shown is partial.")
        }
        if case let stepless = sum("stepless"), stepless > 0 {
            notes.append("\(calls(stepless, "lack")) a recorded step (an unfinished step, or no call in its message "
                + "or before it in its session): counted in calls and failures, not in cost.")
        }
        if case let fallback = sum("fallback"), fallback > 0 {
            notes.append("\(calls(fallback, "come")) from steps priced with a fallback cache price "
                + "(cache read 0.1 ×, write 1.25 ×, 1-hour write 2 × the input price).")
        }
        return notes
    }
}
