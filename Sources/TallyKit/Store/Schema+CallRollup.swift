import Foundation
import GRDB

// MARK: - v2: call_rollup

/// `call_rollup`: the calls summed per UTC quarter hour and per dimension an analysis filters or
/// groups by, kept exact by triggers on `calls` (every writer — indexer, cost engine, repair
/// commands, a user's SQL — goes through them).
///
/// Cost analyses read it instead of every call: a million calls are a few hundred thousand
/// rollup rows at most, and their dates select a key range. It holds what `ModelUsage` needs in
/// each cost mode (SPEC §6): token sums with NULL splits as 0, total-only calls, and per mode
/// the cost, the calls that have one, the unpriced tokens and calls, and fallback prices.
///
/// A NULL dimension is stored as the empty blob `x''` (a primary key column cannot be NULL, and
/// an empty blob never equals any text): `nullif(column, x'')` reads it back.
extension Schema {
    /// The dimensions: the key of a rollup row, after its quarter.
    static let rollupDimensions = ["session_id", "source", "project_id", "provider", "model", "agent", "pricing_id"]

    /// The split token columns of `calls`.
    static let splitColumns = ["input_tokens", "output_tokens", "reasoning_tokens", "cache_read_tokens", "cache_write_tokens"]

    /// The cost modes' columns: rollup prefix, the `calls` cost column, and its fallback flag.
    static let rollupCostModes: [(prefix: String, column: String, fallback: ((String) -> String)?)] = [
        ("cost", "cost_nanos", { r in "(\(r).cost_fallback AND \(r).cost_source = 'computed')" }),
        ("computed", "computed_cost_nanos", { r in "(\(r).cost_fallback AND \(r).computed_cost_nanos IS NOT NULL)" }),
        ("reported", "reported_cost_nanos", nil),
    ]

    /// The summed columns of `call_rollup`, each with its value for one `calls` row named `r`.
    static func rollupMeasures(_ r: String) -> [(column: String, value: String)] {
        let totalOnly = "(" + splitColumns.map { "\(r).\($0) IS NULL" }.joined(separator: " AND ") + ")"
        var measures = [("calls", "1")]
        measures += splitColumns.map { ($0, "coalesce(\(r).\($0), 0)") }
        measures += [("total_tokens", "\(r).total_tokens"), ("total_only_calls", totalOnly)]
        // The cache reads of calls whose prompt is above their price's long-context tier (what
        // `cache-efficiency` prices at the above-tier rates). The pricing triggers rebuild a
        // price's rows when its threshold changes, so both sides of an update see one threshold.
        measures.append(("cache_read_above_tier_tokens", cacheReadAboveTier(r)))
        for mode in rollupCostModes {
            let (p, cost) = (mode.prefix, "\(r).\(mode.column)")
            measures += [
                ("\(p)_nanos", "coalesce(\(cost), 0)"),
                ("\(p)_calls", "(\(cost) IS NOT NULL)"),
                ("\(p)_unpriced_tokens", "iif(\(cost) IS NULL, \(r).total_tokens, 0)"),
                ("\(p)_unpriced_total_only_calls", "(\(cost) IS NULL AND \(totalOnly))"),
                ("\(p)_unpriced_total_only_tokens", "iif(\(cost) IS NULL AND \(totalOnly), \(r).total_tokens, 0)"),
            ]
            if let fallback = mode.fallback { measures.append(("\(p)_fallback_calls", fallback(r))) }
        }
        return measures
    }

    /// The cache reads of the call `r` when its prompt (input + cache read + cache write) is
    /// above its price's long-context threshold, else 0 (SPEC §6's tier rule).
    public static func cacheReadAboveTier(_ r: String) -> String {
        let prompt = ["input_tokens", "cache_read_tokens", "cache_write_tokens"].map { "coalesce(\(r).\($0), 0)" }
            .joined(separator: " + ")
        return "iif(\(prompt) > (SELECT tier_threshold_tokens FROM pricing WHERE id = \(r).pricing_id), coalesce(\(r).cache_read_tokens, 0), 0)"
    }

    /// The quarter hour of `r.started_at`: seconds since 1970 / 900 (`strftime('%s')`, so the
    /// file still works in a `sqlite3` shell older than `unixepoch`).
    public static func rollupQuarter(_ r: String) -> String {
        "(CAST(strftime('%s', \(r).started_at) AS INTEGER) / 900)"
    }

    /// The key values of `r`'s rollup row, in key order.
    static func rollupKey(_ r: String) -> [String] {
        [rollupQuarter(r)] + rollupDimensions.map { $0 == "source" ? "\(r).source" : "coalesce(\(r).\($0), x'')" }
    }

    /// The columns of `calls` a rollup row depends on: an UPDATE of any other leaves it alone.
    static var rollupInputs: [String] {
        ["started_at"] + rollupDimensions + splitColumns
            + ["total_tokens", "reported_cost_nanos", "computed_cost_nanos", "cost_nanos", "cost_source", "cost_fallback"]
    }

    static func v2(_ db: Database) throws {
        let measures = rollupMeasures("new")
        let keyColumns = ["quarter"] + rollupDimensions
        let columns = keyColumns.map { "\($0) ANY NOT NULL" } + measures.map { "\($0.column) INTEGER NOT NULL" }
        try db.execute(sql: """
            -- The calls summed per UTC quarter hour (seconds since 1970 / 900) and dimension; kept
            -- by the calls_rollup_* triggers. A NULL dimension is the empty blob x''.
            CREATE TABLE call_rollup (
                \(columns.joined(separator: ",\n    ")),
                PRIMARY KEY (\(keyColumns.joined(separator: ", ")))
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX call_rollup_by_pricing ON call_rollup(pricing_id);
            \(rollupTriggers())
            \(pricingTriggers())
            """)
        try rebuildCallRollup(db)
    }

    /// The triggers that keep `call_rollup` equal to the sums over `calls`.
    private static func rollupTriggers() -> String {
        let keyColumns = ["quarter"] + rollupDimensions
        func add(_ r: String) -> String {
            let measures = rollupMeasures(r)
            return """
                INSERT INTO call_rollup (\((keyColumns + measures.map(\.column)).joined(separator: ", ")))
                  VALUES (\((rollupKey(r) + measures.map(\.value)).joined(separator: ", ")))
                  ON CONFLICT DO UPDATE SET \(measures.map { "\($0.column) = \($0.column) + excluded.\($0.column)" }.joined(separator: ", "));
                """
        }
        func subtract(_ r: String) -> String {
            let match = zip(keyColumns, rollupKey(r)).map { "\($0) = \($1)" }.joined(separator: " AND ")
            return """
                UPDATE call_rollup SET \(rollupMeasures(r).map { "\($0.column) = \($0.column) - \($0.value)" }.joined(separator: ", "))
                  WHERE \(match);
                DELETE FROM call_rollup WHERE \(match) AND calls = 0;
                """
        }
        // An update that keeps the row's key (a reprice, a token fix) moves each sum by its
        // difference in one statement; one that changes the key takes the row out and puts it in.
        let sameKey = "((old.started_at IS new.started_at OR \(rollupQuarter("old")) = \(rollupQuarter("new")))"
            + rollupDimensions.map { " AND old.\($0) IS new.\($0)" }.joined() + ")"
        let match = zip(keyColumns, rollupKey("new")).map { "\($0) = \($1)" }.joined(separator: " AND ")
        let delta = zip(rollupMeasures("old"), rollupMeasures("new"))
            .map { "\($0.column) = \($0.column) - \($0.value) + \($1.value)" }.joined(separator: ", ")
        let inputs = rollupInputs.joined(separator: ", ")
        return """
            CREATE TRIGGER calls_rollup_insert AFTER INSERT ON calls BEGIN
            \(add("new"))
            END;
            CREATE TRIGGER calls_rollup_delete AFTER DELETE ON calls BEGIN
            \(subtract("old"))
            END;
            CREATE TRIGGER calls_rollup_update AFTER UPDATE OF \(inputs) ON calls WHEN \(sameKey) BEGIN
            UPDATE call_rollup SET \(delta) WHERE \(match);
            END;
            CREATE TRIGGER calls_rollup_move AFTER UPDATE OF \(inputs) ON calls WHEN NOT \(sameKey) BEGIN
            \(subtract("old"))
            \(add("new"))
            END;
            """
    }

    /// The triggers that rebuild a price's rollup rows when a price row appears, goes, or
    /// changes its long-context threshold (`cache_read_above_tier_tokens` depends on it). Only
    /// when calls use it: loading the snapshot inserts thousands of price rows.
    private static func pricingTriggers() -> String {
        func rebuild(_ id: String) -> String {
            "DELETE FROM call_rollup WHERE pricing_id = \(id);\n" + rollupFill(where: "c.pricing_id = \(id)") + ";"
        }
        let used = { (id: String) in "EXISTS (SELECT 1 FROM calls WHERE pricing_id = \(id))" }
        return """
            CREATE TRIGGER pricing_rollup_insert AFTER INSERT ON pricing WHEN \(used("new.id")) BEGIN
            \(rebuild("new.id"))
            END;
            CREATE TRIGGER pricing_rollup_delete AFTER DELETE ON pricing WHEN \(used("old.id")) BEGIN
            \(rebuild("old.id"))
            END;
            CREATE TRIGGER pricing_rollup_update AFTER UPDATE OF id, tier_threshold_tokens ON pricing
              WHEN (old.id IS NOT new.id OR old.tier_threshold_tokens IS NOT new.tier_threshold_tokens)
                AND (\(used("old.id")) OR \(used("new.id"))) BEGIN
            \(rebuild("old.id"))
            \(rebuild("new.id"))
            END;
            """
    }

    /// `INSERT INTO call_rollup` of the sums over the calls `c` that pass `condition`.
    private static func rollupFill(where condition: String) -> String {
        let measures = rollupMeasures("c")
        let keyColumns = ["quarter"] + rollupDimensions
        return """
            INSERT INTO call_rollup (\((keyColumns + measures.map(\.column)).joined(separator: ", ")))
            SELECT \((rollupKey("c") + measures.map { "sum(\($0.value))" }).joined(separator: ", "))
            FROM calls c WHERE \(condition)
            GROUP BY \(rollupKey("c").joined(separator: ", "))
            """
    }

    /// Recomputes `call_rollup` from `calls` (the migration fills it this way).
    public static func rebuildCallRollup(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM call_rollup;\n" + rollupFill(where: "1"))
    }

    /// The rows where `call_rollup` differs from a recomputation from `calls` (0 when exact).
    public static func callRollupDifferences(_ db: Database) throws -> Int {
        let measures = rollupMeasures("c")
        let keyColumns = ["quarter"] + rollupDimensions
        let all = (keyColumns + measures.map(\.column)).joined(separator: ", ")
        let fresh = """
            SELECT \((rollupKey("c") + measures.map { "sum(\($0.value))" }).joined(separator: ", "))
            FROM calls c GROUP BY \(rollupKey("c").joined(separator: ", "))
            """
        return try differences(db, table: "call_rollup", columns: all, fresh: fresh)
    }

    /// The rows in `table` (its `columns`) and not in the query `fresh`, plus the other way round.
    static func differences(_ db: Database, table: String, columns: String, fresh: String) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT count(*) FROM (
              SELECT * FROM (\(fresh)) EXCEPT SELECT \(columns) FROM \(table)
              UNION ALL
              SELECT * FROM (SELECT \(columns) FROM \(table) EXCEPT \(fresh))
            )
            """) ?? 0
    }

    /// `migrate down` from v2: the rollup and its triggers go; `calls` is untouched.
    static let v2Down = """
        DROP TRIGGER calls_rollup_insert;
        DROP TRIGGER calls_rollup_delete;
        DROP TRIGGER calls_rollup_update;
        DROP TRIGGER calls_rollup_move;
        DROP TRIGGER pricing_rollup_insert;
        DROP TRIGGER pricing_rollup_delete;
        DROP TRIGGER pricing_rollup_update;
        DROP TABLE call_rollup;
        """
}
