import Foundation
import GRDB

// MARK: - call_rollup during a bulk load

/// Keeps `call_rollup` exact inside one of the indexer's write transactions without its per-row
/// triggers: they cost 17–22 % of an index run's CPU, one upsert into the rollup's 8-column key
/// per call written. The `calls_rollup_*` triggers are dropped inside the transaction and the
/// rollup is brought up to date set-wise by ``flush()``, before they are created again from their
/// stored SQL by ``finish()``. Readers and other writers never see the database without them:
/// the drop commits only together with the re-creation (a rollback or a crash restores them too).
///
/// What changed since the last flush, whatever statement changed it:
/// - rows inserted have a rowid above the `baseline` (the largest rowid at the last flush), or
///   reuse the rowid of a row deleted since (`freed`);
/// - rows updated or deleted that were counted at the last flush: a temporary BEFORE trigger
///   takes their counted image out (`delta`) and notes their id (`touched`). Inserts, the bulk of
///   an index run, fire no trigger at all.
/// A flush adds the current image of every row inserted or touched, sums the differences per
/// rollup key into `call_rollup` and removes rows left with no calls: the same rows the triggers
/// give (`Schema.callRollupDifferences` checks it).
public final class CallRollupBulk {
    let db: Database
    /// The suspended triggers' SQL, to create them again.
    private let triggers: [String]

    /// Suspends the rollup triggers for the rest of the caller's transaction; nil when the
    /// schema has none (a database before v2).
    public init?(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT name, sql FROM main.sqlite_master
            WHERE type = 'trigger' AND tbl_name = 'calls' AND name GLOB 'calls_rollup_*' ORDER BY name
            """)
        guard !rows.isEmpty else { return nil }
        self.db = db
        triggers = rows.map { $0["sql"] }
        for row in rows {
            try db.execute(sql: "DROP TRIGGER main.\((row["name"] as String).quotedDatabaseIdentifier)")
        }
        try db.execute(sql: Self.setUp)
    }

    /// Runs `body` with the rollup triggers suspended, then flushes and restores them.
    public static func during<T>(_ db: Database, _ body: (CallRollupBulk?) throws -> T) throws -> T {
        let bulk = try CallRollupBulk(db)
        let result = try body(bulk)
        try bulk?.finish()
        return result
    }

    /// Brings `call_rollup` up to date with every change to `calls` since the last flush.
    ///
    /// In statements of ``chunkRows`` rows: an upsert into the rollup journals every page it
    /// changes until it ends (it may abort), and the rows of a streamed piece land all over
    /// the rollup's key range, so one statement per piece journaled most of the rollup in
    /// memory (+67 MB peak on a million events).
    public func flush() throws {
        let baseline = try Int64.fetchOne(db, sql: "SELECT baseline FROM temp.rollup_bulk_state") ?? 0
        let top = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM main.calls") ?? 0
        try chunks(from: baseline, to: top) { range in
            try db.cachedStatement(sql: Self.addRange).execute(arguments: [range.lowerBound, range.upperBound])
        }
        let changed = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM temp.rollup_bulk_delta) OR EXISTS (SELECT 1 FROM temp.rollup_bulk_freed)
            """) ?? false
        if changed {
            try db.execute(sql: Self.collectChanged)
            let deltas = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM temp.rollup_bulk_delta") ?? 0
            try chunks(from: 0, to: deltas) { range in
                try db.cachedStatement(sql: Self.addDeltaRange).execute(arguments: [range.lowerBound, range.upperBound])
            }
            try chunks(from: 0, to: deltas) { range in
                try db.cachedStatement(sql: Self.removeEmptyRange).execute(arguments: [range.lowerBound, range.upperBound])
            }
            try db.execute(sql: "DELETE FROM temp.rollup_bulk_delta; DELETE FROM temp.rollup_bulk_touched;")
        }
        try db.execute(sql: "DELETE FROM temp.rollup_bulk_freed")
        try db.execute(sql: "UPDATE temp.rollup_bulk_state SET baseline = ?", arguments: [top])
    }

    /// Rows per flush statement (see ``flush()``).
    static let chunkRows: Int64 = 1024

    /// Calls `body` with consecutive ranges `lo...hi` (exclusive of `lo`) covering (from, to].
    private func chunks(from: Int64, to: Int64, _ body: (ClosedRange<Int64>) throws -> Void) rethrows {
        var lo = from
        while lo < to {
            let hi = min(lo + Self.chunkRows, to)
            try body(lo...hi)
            lo = hi
        }
    }

    /// Flushes, creates the rollup triggers again and drops the temporary objects.
    public func finish() throws {
        try flush()
        try db.execute(sql: Self.tearDown)
        for sql in triggers { try db.execute(sql: sql) }
    }

    // MARK: - SQL

    private static let keyColumns = ["quarter"] + Schema.rollupDimensions
    private static var keyList: String { keyColumns.joined(separator: ", ") }
    private static var allColumns: String { (keyColumns + Schema.rollupMeasures("c").map(\.column)).joined(separator: ", ") }
    private static let baseline = "(SELECT baseline FROM temp.rollup_bulk_state)"

    private static let setUp: String = {
        let old = Schema.rollupMeasures("old")
        let taken = "old.rowid <= \(baseline) AND old.rowid NOT IN (SELECT id FROM temp.rollup_bulk_freed)"
            + " AND NOT EXISTS (SELECT 1 FROM temp.rollup_bulk_touched t WHERE t.id = old.id)"
        let takeOut = """
            INSERT INTO rollup_bulk_delta (\(allColumns))
              VALUES (\((Schema.rollupKey("old") + old.map { "-(\($0.value))" }).joined(separator: ", ")));
            """
        return """
            CREATE TEMP TABLE rollup_bulk_state (baseline INTEGER NOT NULL);
            INSERT INTO temp.rollup_bulk_state SELECT coalesce(max(rowid), 0) FROM main.calls;
            -- Columns without a type: no affinity, so a key keeps its type (text '1' stays text).
            CREATE TEMP TABLE rollup_bulk_delta (\(allColumns));
            CREATE TEMP TABLE rollup_bulk_touched (id TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;
            CREATE TEMP TABLE rollup_bulk_freed (id INTEGER PRIMARY KEY);
            -- A counted row about to change or go: its counted image comes out of the rollup.
            CREATE TEMP TRIGGER rollup_bulk_update BEFORE UPDATE ON main.calls WHEN \(taken) BEGIN
            \(takeOut)
            INSERT INTO rollup_bulk_touched (id) VALUES (old.id);
            END;
            CREATE TEMP TRIGGER rollup_bulk_delete BEFORE DELETE ON main.calls WHEN old.rowid <= \(baseline) BEGIN
            INSERT INTO rollup_bulk_delta (\(allColumns))
              SELECT \((Schema.rollupKey("old") + old.map { "-(\($0.value))" }).joined(separator: ", "))
              WHERE \(taken);
            -- SQLite gives a new row the largest rowid + 1: a freed rowid may come back.
            INSERT OR IGNORE INTO rollup_bulk_freed (id) VALUES (old.rowid);
            END;
            """
    }()

    /// The sums of the calls `c` matching `condition`, as `call_rollup` rows.
    private static func sums(where condition: String, from: String = "main.calls c") -> String {
        let measures = Schema.rollupMeasures("c")
        return """
            SELECT \((Schema.rollupKey("c") + measures.map(\.value)).joined(separator: ", "))
            FROM \(from) WHERE \(condition)
            """
    }

    /// Rows of `calls` added since the last flush in a rowid a deleted row freed.
    private static let addedInFreed = """
        c.rowid IN (SELECT id FROM temp.rollup_bulk_freed)
          AND NOT EXISTS (SELECT 1 FROM temp.rollup_bulk_touched t WHERE t.id = c.id)
        """

    private static var upsertSums: String {
        let measures = Schema.rollupMeasures("c").map(\.column)
        return """
            ON CONFLICT DO UPDATE SET \(measures.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", "))
            """
    }

    /// The sums of the calls added with rowids in (?1, ?2].
    private static let addRange: String = {
        let measures = Schema.rollupMeasures("c")
        return """
            INSERT INTO main.call_rollup (\(allColumns))
            SELECT \((Schema.rollupKey("c") + measures.map { "sum(\($0.value))" }).joined(separator: ", "))
            FROM main.calls c WHERE c.rowid > ?1 AND c.rowid <= ?2
            GROUP BY \(Schema.rollupKey("c").joined(separator: ", "))
            \(upsertSums)
            """
    }()

    /// Into the delta (which holds the images taken out): the current images of rows added in
    /// a freed rowid and of counted rows that changed.
    private static let collectChanged = """
        INSERT INTO temp.rollup_bulk_delta (\(allColumns)) \(sums(where: addedInFreed));
        INSERT INTO temp.rollup_bulk_delta (\(allColumns))
        \(sums(where: "c.rowid <= \(baseline)", from: "temp.rollup_bulk_touched t JOIN main.calls c ON c.id = t.id"));
        """

    /// The delta rows with rowids in (?1, ?2], summed per key into the rollup.
    private static let addDeltaRange: String = {
        let measures = Schema.rollupMeasures("c").map(\.column)
        return """
            INSERT INTO main.call_rollup (\(allColumns))
            SELECT \(keyList), \(measures.map { "sum(\($0))" }.joined(separator: ", "))
            FROM temp.rollup_bulk_delta WHERE rowid > ?1 AND rowid <= ?2 GROUP BY \(keyList)
            \(upsertSums)
            """
    }()

    /// Rollup rows left without calls, among the keys of the delta rows in (?1, ?2].
    private static let removeEmptyRange = """
        DELETE FROM main.call_rollup
        WHERE calls = 0 AND (\(keyList)) IN (
          SELECT \(keyList) FROM temp.rollup_bulk_delta WHERE rowid > ?1 AND rowid <= ?2)
        """

    private static let tearDown = """
        DROP TRIGGER temp.rollup_bulk_update;
        DROP TRIGGER temp.rollup_bulk_delete;
        DROP TABLE temp.rollup_bulk_state;
        DROP TABLE temp.rollup_bulk_delta;
        DROP TABLE temp.rollup_bulk_touched;
        DROP TABLE temp.rollup_bulk_freed;
        """
}
