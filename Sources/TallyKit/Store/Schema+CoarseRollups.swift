import Foundation
import GRDB

// MARK: - v4: quarter_rollup and session_rollup

/// Two coarser sums of `call_rollup`, kept by triggers on it (so every writer of `call_rollup`
/// — its triggers on `calls` and `pricing`, the indexer's set-wise flush, a rebuild — keeps them
/// too). `call_rollup` keys each session, project and agent apart, so when the calls of many
/// sessions interleave in time (a thousand workers sharing every quarter hour) it has about a
/// row per call, and reading it was no faster than reading the calls.
/// - `quarter_rollup`: per quarter hour, provider, model and price only: the trends and every
///   dated analysis that neither filters nor groups by project, source or agent read it.
/// - `session_rollup`: every dimension but the time: every analysis without dates reads it (a
///   row per session and model).
/// Their keys are some of `call_rollup`'s, their measures the same.
extension Schema {
    /// The coarser rollups: table, and the `call_rollup` key columns it keeps.
    static let coarseRollups: [(table: String, key: [String])] = [
        ("quarter_rollup", ["quarter", "provider", "model", "pricing_id"]),
        ("session_rollup", rollupDimensions),
    ]

    static func v4(_ db: Database) throws {
        let measures = rollupMeasures("c").map(\.column)
        for (table, key) in coarseRollups {
            let columns = key.map { "\($0) ANY NOT NULL" } + measures.map { "\($0) INTEGER NOT NULL" }
            try db.execute(sql: """
                CREATE TABLE \(table) (
                    \(columns.joined(separator: ",\n    ")),
                    PRIMARY KEY (\(key.joined(separator: ", ")))
                ) STRICT, WITHOUT ROWID;
                INSERT INTO \(table) (\((key + measures).joined(separator: ", ")))
                SELECT \((key + measures.map { "sum(\($0))" }).joined(separator: ", "))
                FROM call_rollup GROUP BY \(key.joined(separator: ", "));
                """)
        }
        try db.execute(sql: coarseRollupTriggers())
    }

    /// The triggers on `call_rollup` that carry each change of it into both coarser rollups.
    /// `call_rollup` never keeps a row without calls (its triggers and the indexer's flush
    /// delete them), so a coarser row is removed when a deletion leaves it without calls.
    private static func coarseRollupTriggers() -> String {
        let measures = rollupMeasures("c").map(\.column)
        func match(_ key: [String], _ r: String) -> String {
            key.map { "\($0) = \(r).\($0)" }.joined(separator: " AND ")
        }
        func add(_ r: String) -> String {
            coarseRollups.map { table, key in
                """
                INSERT INTO \(table) (\((key + measures).joined(separator: ", ")))
                  VALUES (\((key + measures).map { "\(r).\($0)" }.joined(separator: ", ")))
                  ON CONFLICT DO UPDATE SET \(measures.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", "));
                """
            }.joined(separator: "\n")
        }
        func subtract(_ r: String) -> String {
            coarseRollups.map { table, key in
                """
                UPDATE \(table) SET \(measures.map { "\($0) = \($0) - \(r).\($0)" }.joined(separator: ", "))
                  WHERE \(match(key, r));
                DELETE FROM \(table) WHERE \(match(key, r)) AND calls = 0;
                """
            }.joined(separator: "\n")
        }
        let delta = coarseRollups.map { table, key in
            """
            UPDATE \(table) SET \(measures.map { "\($0) = \($0) - old.\($0) + new.\($0)" }.joined(separator: ", "))
              WHERE \(match(key, "new"));
            """
        }.joined(separator: "\n")
        let sameKey = (["quarter"] + rollupDimensions).map { "old.\($0) IS new.\($0)" }.joined(separator: " AND ")
        return """
            CREATE TRIGGER call_rollup_coarse_insert AFTER INSERT ON call_rollup BEGIN
            \(add("new"))
            END;
            CREATE TRIGGER call_rollup_coarse_update AFTER UPDATE ON call_rollup WHEN \(sameKey) BEGIN
            \(delta)
            END;
            CREATE TRIGGER call_rollup_coarse_move AFTER UPDATE ON call_rollup WHEN NOT (\(sameKey)) BEGIN
            \(subtract("old"))
            \(add("new"))
            END;
            CREATE TRIGGER call_rollup_coarse_delete AFTER DELETE ON call_rollup BEGIN
            \(subtract("old"))
            END;
            """
    }

    /// The rows where `table` (a coarser rollup) differs from a recomputation from `calls`
    /// (0 when exact).
    public static func coarseRollupDifferences(_ db: Database, table: String) throws -> Int {
        guard let key = coarseRollups.first(where: { $0.table == table })?.key else { return 0 }
        let measures = rollupMeasures("c")
        let expression = Dictionary(uniqueKeysWithValues: zip(["quarter"] + rollupDimensions, rollupKey("c")))
        let keyValues = key.map { expression[$0]! }
        let fresh = """
            SELECT \((keyValues + measures.map { "sum(\($0.value))" }).joined(separator: ", "))
            FROM calls c GROUP BY \(keyValues.joined(separator: ", "))
            """
        return try differences(db, table: table, columns: (key + measures.map(\.column)).joined(separator: ", "), fresh: fresh)
    }

    /// The rows where any rollup (`call_rollup`, `quarter_rollup`, `session_rollup`) differs
    /// from a recomputation from `calls` (0 when all are exact).
    public static func rollupDifferences(_ db: Database) throws -> Int {
        try coarseRollups.reduce(try callRollupDifferences(db)) { $0 + (try coarseRollupDifferences(db, table: $1.table)) }
    }

    /// `migrate down` from v4: both tables and their triggers go; `call_rollup` is untouched.
    static let v4Down = """
        DROP TRIGGER call_rollup_coarse_insert;
        DROP TRIGGER call_rollup_coarse_update;
        DROP TRIGGER call_rollup_coarse_move;
        DROP TRIGGER call_rollup_coarse_delete;
        DROP TABLE quarter_rollup;
        DROP TABLE session_rollup;
        """
}
