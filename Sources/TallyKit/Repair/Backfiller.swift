import Foundation
import GRDB

/// `backfill`'s engine: recomputes stored values from the records they summarise, set-based,
/// writing only the rows that differ and one `cost_audit_log` row per changed value. Runs in the
/// caller's transaction (the interpreter's, rolled back under `--dry-run`).
///
/// - `rollups`: every session's `rollup_*` columns from its own and all its descendants' calls,
///   messages and tool calls (`Rollups.computed`, the query the indexer uses). A session whose
///   stored values differ gets the computed ones and `rollup_origin = 'derived'` (Tally computed
///   them; a later re-index of a changed source file may bring back the source's own totals,
///   `'source'`, for the next backfill to repair). A session whose values already match keeps
///   its origin.
/// - `totals`: fills a missing total from the splits, never the reverse. `calls.total_tokens` and
///   `workflow_cost_records.total_tokens` are NOT NULL, so "missing" there is a 0 beside non-zero
///   splits (the column default a source migration left, FORMATS.md); they get the splits' sum
///   and `attributes.total_from_splits = true`, as the indexer marks them. Session rollups
///   (`rollup_total_tokens`) are missing when NULL, or 0 beside non-zero splits, while at least
///   one split is known. A total that merely disagrees with its splits is kept as the source gave it.
/// - `costs`: `CostEngine.reprice` over calls and workflow cost records: every row whose stored
///   computed cost, pricing, fallback flag or used cost is not what the current price book gives
///   — that is, priced under an older version of its price, or before its model had one.
///
/// `limit` examines at most that many rows per table, in id order (sessions: the first N
/// sessions, each with its whole subtree).
public enum Backfiller {
    public enum Target: String, CaseIterable, Sendable {
        case rollups, totals, costs
    }

    /// One target over one table. Token and cost totals are sums over the rows examined (for
    /// sessions: over root sessions only, since a child's usage is inside its root's rollup);
    /// NULL when nothing had a value.
    public struct Summary: Hashable, Sendable {
        /// `rollups:sessions`, `totals:calls`, `costs:workflow_cost_records`, ...
        public var target: String
        public var examined = 0
        public var updated = 0
        public var tokensBefore: Int64?
        public var tokensAfter: Int64?
        public var costBefore: Int64?
        public var costAfter: Int64?

        public var unchanged: Int { examined - updated }
    }

    public static func run(_ target: Target, _ db: Database, limit: Int? = nil, audit: CostAudit) throws -> [Summary] {
        switch target {
        case .rollups: return [try rollups(db, limit: limit, audit: audit)]
        case .totals:
            return [
                try totals(db, table: .calls, limit: limit, audit: audit),
                try totals(db, table: .sessions, limit: limit, audit: audit),
                try totals(db, table: .workflowCostRecords, limit: limit, audit: audit),
            ]
        case .costs:
            return [try costs(db, workflow: false, limit: limit, audit: audit), try costs(db, workflow: true, limit: limit, audit: audit)]
        }
    }

    // MARK: - Rollups

    static func rollups(_ db: Database, limit: Int?, audit: CostAudit) throws -> Summary {
        let scope = self.scope("s", table: "sessions", limit: limit)
        var summary = Summary(target: "rollups:sessions")
        summary.examined = try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions s WHERE \(scope)") ?? 0
        let totals = "SELECT sum(rollup_total_tokens), sum(rollup_cost_nanos) FROM sessions s WHERE s.parent_id IS NULL AND \(scope)"
        (summary.tokensBefore, summary.costBefore) = try pair(db, totals)

        let columns = Rollups.columns
        try db.execute(sql: "DROP TABLE IF EXISTS temp.backfill_tree; DROP TABLE IF EXISTS temp.backfill_changes;")
        defer { try? db.execute(sql: "DROP TABLE IF EXISTS temp.backfill_tree; DROP TABLE IF EXISTS temp.backfill_changes;") }
        try db.execute(sql: Rollups.createTree("backfill_tree", roots: scope))
        try db.execute(sql: """
            CREATE TEMP TABLE backfill_changes AS
            SELECT s.rowid AS rid, s.id AS entity_id,
              \(columns.map { "s.\($0.column) AS old_\($0.value), r.\($0.value) AS new_\($0.value)" }.joined(separator: ", "))
            FROM (\(Rollups.computed(tree: "temp.backfill_tree"))) r
            JOIN sessions s ON s.id = r.root
            WHERE \(columns.map { "s.\($0.column) IS NOT r.\($0.value)" }.joined(separator: " OR "))
            """)
        try audit.record(
            db, entity: "sessions", changes: "temp.backfill_changes", id: "entity_id",
            fields: columns.map { .init($0.column, old: "old_\($0.value)", new: "new_\($0.value)") })
        try db.execute(sql: """
            UPDATE sessions SET \(columns.map { "\($0.column) = c.new_\($0.value)" }.joined(separator: ", ")),
              rollup_origin = 'derived'
            FROM temp.backfill_changes c WHERE sessions.rowid = c.rid
            """)
        summary.updated = db.changesCount
        (summary.tokensAfter, summary.costAfter) = try pair(db, totals)
        return summary
    }

    // MARK: - Totals

    struct TotalsTable {
        var name: String
        var total: String
        var splits: [String]
        var cost: String
        /// Which rows count in the token and cost sums.
        var counted: String
        /// Whether the table has `attributes` to mark `total_from_splits` in.
        var marks: Bool

        static let calls = TotalsTable(
            name: "calls", total: "total_tokens",
            splits: ["input_tokens", "output_tokens", "reasoning_tokens", "cache_read_tokens", "cache_write_tokens"],
            cost: "cost_nanos", counted: "1", marks: true)
        static let sessions = TotalsTable(
            name: "sessions", total: "rollup_total_tokens",
            splits: ["rollup_input_tokens", "rollup_output_tokens", "rollup_reasoning_tokens", "rollup_cache_read_tokens",
                     "rollup_cache_write_tokens"],
            cost: "rollup_cost_nanos", counted: "s.parent_id IS NULL", marks: false)
        static let workflowCostRecords = TotalsTable(
            name: "workflow_cost_records", total: "total_tokens",
            splits: ["input_tokens", "output_tokens", "reasoning_tokens", "cache_read_tokens", "cache_write_tokens"],
            cost: "cost_nanos", counted: "1", marks: true)
    }

    static func totals(_ db: Database, table t: TotalsTable, limit: Int?, audit: CostAudit) throws -> Summary {
        let scope = self.scope("s", table: t.name, limit: limit)
        var summary = Summary(target: "totals:\(t.name)")
        summary.examined = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(t.name) s WHERE \(scope)") ?? 0
        let totals = "SELECT sum(\(t.total)), sum(\(t.cost)) FROM \(t.name) s WHERE \(t.counted) AND \(scope)"
        (summary.tokensBefore, summary.costBefore) = try pair(db, totals)

        let sum = t.splits.map { "coalesce(s.\($0), 0)" }.joined(separator: " + ")
        let anySplit = "coalesce(\(t.splits.map { "s.\($0)" }.joined(separator: ", "))) IS NOT NULL"
        try db.execute(sql: "DROP TABLE IF EXISTS temp.backfill_changes")
        defer { try? db.execute(sql: "DROP TABLE IF EXISTS temp.backfill_changes") }
        try db.execute(sql: """
            CREATE TEMP TABLE backfill_changes AS
            SELECT s.rowid AS rid, CAST(s.id AS TEXT) AS entity_id, s.\(t.total) AS old_total, \(sum) AS new_total
            FROM \(t.name) s
            WHERE \(scope) AND \(anySplit)
              AND (s.\(t.total) IS NULL OR (s.\(t.total) = 0 AND \(sum) > 0))
            """)
        try audit.record(
            db, entity: t.name, changes: "temp.backfill_changes", id: "entity_id",
            fields: [.init(t.total, old: "old_total", new: "new_total")])
        let mark = t.marks
            ? ", attributes = json_set(coalesce(\(t.name).attributes, '{}'), '$.total_from_splits', json('true'))" : ""
        try db.execute(sql: """
            UPDATE \(t.name) SET \(t.total) = c.new_total\(mark)
            FROM temp.backfill_changes c WHERE \(t.name).rowid = c.rid
            """)
        summary.updated = db.changesCount
        (summary.tokensAfter, summary.costAfter) = try pair(db, totals)
        return summary
    }

    // MARK: - Costs

    static func costs(_ db: Database, workflow: Bool, limit: Int?, audit: CostAudit) throws -> Summary {
        let table = workflow ? "workflow_cost_records" : "calls"
        var summary = Summary(target: "costs:\(table)")
        let scope = self.scope("s", table: table, limit: limit)
        let totals = "SELECT sum(total_tokens), sum(cost_nanos) FROM \(table) s WHERE \(scope)"
        (summary.tokensBefore, summary.costBefore) = try pair(db, totals)
        var repriceScope = RepriceScope.all
        if let limit {
            repriceScope = .ids(try String.fetchAll(db, sql: "SELECT CAST(id AS TEXT) FROM \(table) ORDER BY id LIMIT \(limit)"))
        }
        let result = workflow
            ? try CostEngine.reprice(db, workflowCosts: repriceScope, audit: audit)
            : try CostEngine.reprice(db, calls: repriceScope, audit: audit)
        summary.examined = result.examined
        summary.updated = result.updated
        (summary.tokensAfter, summary.costAfter) = try pair(db, totals)
        return summary
    }

    // MARK: - Helpers

    /// The rows of `table` (aliased `alias`) a run examines: all, or the first `limit` by id.
    static func scope(_ alias: String, table: String, limit: Int?) -> String {
        guard let limit else { return "1" }
        return "\(alias).id IN (SELECT id FROM \(table) ORDER BY id LIMIT \(max(0, limit)))"
    }

    private static func pair(_ db: Database, _ sql: String) throws -> (Int64?, Int64?) {
        let row = try Row.fetchOne(db, sql: sql)
        return (row?[0], row?[1])
    }
}
