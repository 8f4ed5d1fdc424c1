import Foundation
import GRDB
import Testing
@testable import TallyKit

/// Issue 6: `backfill rollups|totals|costs` on the demo data and on the `repair` fixture.
@Suite struct BackfillCommandTests {
    static let root = "ses_328f1deeeffeJZIoFdNxLNUjy1"
    static let child = "ses_328f1d69effeSwElxgteQjo1AT"

    @Test func dryRunReportsThePlantedRollupAndLeavesTheFileByteForByte() throws {
        let (store, path) = try DemoCopy.open()
        try checkpoint(store)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let before = try contents(store)
        let (outcome, output) = execute("backfill rollups --dry-run --verbose", on: store)
        #expect(outcome == .success, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("target,examined,updated,unchanged"))
        #expect(output.stderr.contains("would change sessions \(Self.root): "))
        #expect(output.stderr.contains("rollup_total_tokens 0 → 73706"))
        try checkpoint(store)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(try contents(store) == before)
    }

    @Test func fixesThePlantedZeroRootRollupOnceAndAuditsEachValue() throws {
        let (store, _) = try DemoCopy.open()
        let first = try run("backfill rollups", on: store)
        let updated = try #require(first.records.first?["updated"]?.int64Value)
        #expect(updated > 0)
        try store.read { db in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT rollup_total_tokens, rollup_cost_nanos, rollup_origin,
                  (SELECT count(*) FROM calls WHERE session_id IN (?, ?)) AS calls
                FROM sessions WHERE id = ?
                """, arguments: [Self.root, Self.child, Self.root]))
            #expect(row["rollup_total_tokens"] as Int64 == 73_706)
            #expect(row["rollup_cost_nanos"] as Int64 == 107_204_050)  // $0.10720405
            #expect(row["rollup_origin"] as String == "derived")
            #expect(row["calls"] as Int == 6)
            let audited = try Row.fetchAll(db, sql: """
                SELECT field, old_value, new_value, command FROM cost_audit_log
                WHERE entity = 'sessions' AND entity_id = ? ORDER BY id
                """, arguments: [Self.root])
            #expect(audited.map { $0["field"] as String } == [
                "rollup_input_tokens", "rollup_output_tokens", "rollup_cache_read_tokens", "rollup_cache_write_tokens",
                "rollup_total_tokens", "rollup_cost_nanos", "rollup_message_count", "rollup_tool_call_count",
                "rollup_duration_ms",
            ])
            let total = try #require(audited.first { $0["field"] == "rollup_total_tokens" })
            let change = "\(total["old_value"] as Int64) → \(total["new_value"] as Int64) by \(total["command"] as String)"
            #expect(change == "0 → 73706 by backfill")
            // One audit row per changed value of every updated session, no more.
            let rows = try Int.fetchOne(db, sql: "SELECT count(DISTINCT entity_id) FROM cost_audit_log WHERE command = 'backfill'")
            #expect(rows.map(Int64.init) == updated)
        }
        let auditRows = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cost_audit_log") }
        let second = try run("backfill rollups", on: store)
        #expect(second.records.first?["updated"] == 0)
        #expect(second.records.first?["unchanged"] == second.records.first?["examined"])
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cost_audit_log") } == auditRows)
    }

    /// A failing row midway (a trigger that raises when the root is updated, after every audit
    /// row is written) leaves the database exactly as before.
    @Test func aFailureMidwayLeavesTheDatabaseExactlyAsBefore() throws {
        let (store, path) = try DemoCopy.open()
        try store.withConnection { db in
            try db.execute(sql: """
                CREATE TEMP TRIGGER fail_midway BEFORE UPDATE ON main.sessions WHEN OLD.id = '\(Self.root)'
                BEGIN SELECT RAISE(ABORT, 'simulated failure'); END
                """)
        }
        try checkpoint(store)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let before = try contents(store)
        let (outcome, _) = execute("backfill rollups", on: store)
        #expect(outcome.message == "simulated failure")
        try checkpoint(store)
        #expect(try contents(store) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func rollupsOnTheFixture() throws {
        let store = try Fixtures.store("repair")
        let result = try run("backfill rollups", on: store)
        #expect(result.records.first?["updated"] == 3)
        try store.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, rollup_input_tokens, rollup_output_tokens, rollup_cache_read_tokens, rollup_total_tokens,
                  rollup_cost_nanos, rollup_message_count, rollup_tool_call_count, rollup_duration_ms, rollup_origin
                FROM sessions ORDER BY id
                """)
            // ses-root: k1 + its child's k2; messages m1, m2, m3; the child's tool call;
            // 3,000 ms (m2) + 1,500 ms (m3) of assistant time.
            #expect(rows.map { "\($0)" } == [
                "[id:\"ses-child\" rollup_input_tokens:2000 rollup_output_tokens:300 rollup_cache_read_tokens:0 rollup_total_tokens:2300 rollup_cost_nanos:10500000 rollup_message_count:1 rollup_tool_call_count:1 rollup_duration_ms:1500 rollup_origin:\"derived\"]",
                "[id:\"ses-quiet\" rollup_input_tokens:0 rollup_output_tokens:0 rollup_cache_read_tokens:0 rollup_total_tokens:0 rollup_cost_nanos:NULL rollup_message_count:0 rollup_tool_call_count:0 rollup_duration_ms:0 rollup_origin:\"derived\"]",
                "[id:\"ses-root\" rollup_input_tokens:3000 rollup_output_tokens:800 rollup_cache_read_tokens:2000 rollup_total_tokens:5800 rollup_cost_nanos:21600000 rollup_message_count:3 rollup_tool_call_count:1 rollup_duration_ms:4500 rollup_origin:\"derived\"]",
                "[id:\"ses-solo\" rollup_input_tokens:1000 rollup_output_tokens:650 rollup_cache_read_tokens:0 rollup_total_tokens:0 rollup_cost_nanos:7750000 rollup_message_count:0 rollup_tool_call_count:0 rollup_duration_ms:0 rollup_origin:\"derived\"]",
            ])
        }
    }

    /// The indexer's derived rollups and `backfill rollups` share one query: after a rebuild of
    /// every session, backfill finds nothing to change.
    @Test func derivedRollupsAgreeWithBackfill() throws {
        let store = try Fixtures.store("repair")
        try store.write { db in
            try db.execute(sql: "UPDATE sessions SET rollup_origin = NULL")
            try Derivations.enqueue(try String.fetchAll(db, sql: "SELECT id FROM sessions"), in: db)
            try Derivations.rebuildQueued(in: db)
        }
        #expect(try run("backfill rollups", on: store).records.first?["updated"] == 0)
    }

    @Test func limitExaminesTheFirstRowsByIdAndVerboseListsEachChange() throws {
        let store = try Fixtures.store("repair")
        let (outcome, output) = execute("backfill rollups --limit 1 --verbose", on: store)
        #expect(outcome == .success)
        #expect(output.stdout == """
            target,examined,updated,unchanged,total_tokens_before,total_tokens_after,cost_usd_before,cost_usd_after
            rollups:sessions,1,1,0,,,,

            """)
        #expect(output.stderr == """
            changed sessions ses-child: rollup_input_tokens NULL → 2000, rollup_output_tokens NULL → 300, rollup_reasoning_tokens NULL → 0, rollup_cache_read_tokens NULL → 0, rollup_cache_write_tokens NULL → 0, rollup_total_tokens NULL → 2300, rollup_cost_nanos NULL → 10500000, rollup_message_count NULL → 1, rollup_tool_call_count NULL → 1, rollup_duration_ms NULL → 1500

            """)
        #expect(execute("backfill rollups --limit -1", on: store).0.message == "backfill: --limit takes a count of 0 or more, not -1")
    }

    @Test func totalsFillMissingTotalsFromSplitsNeverTheReverse() throws {
        let store = try Fixtures.store("repair")
        try store.write { db in
            // A total that disagrees with its splits (not missing) stays as the source gave it.
            try db.execute(sql: "UPDATE calls SET total_tokens = 3000 WHERE id = 'k1'")
        }
        let result = try run("backfill totals", on: store)
        #expect(result.values("updated") == [1, 1, 0])
        try store.read { db in
            let calls = try Row.fetchAll(db, sql: "SELECT id, total_tokens, json_extract(attributes, '$.total_from_splits') AS marked FROM calls ORDER BY id")
            #expect(calls.map { "\($0["id"] as String) \($0["total_tokens"] as Int) \($0["marked"] as Int? ?? 0)" } == ["k1 3000 0", "k2 2300 0", "k3 1650 1"])
            #expect(try Int.fetchOne(db, sql: "SELECT rollup_total_tokens FROM sessions WHERE id = 'ses-solo'") == 150)
            #expect(try Int.fetchOne(db, sql: "SELECT rollup_total_tokens FROM sessions WHERE id = 'ses-child'") == nil)
            let audited = try Row.fetchAll(db, sql: "SELECT entity, entity_id, field, old_value, new_value FROM cost_audit_log ORDER BY id")
            #expect(audited.map { "\($0)" } == [
                "[entity:\"calls\" entity_id:\"k3\" field:\"total_tokens\" old_value:0 new_value:1650]",
                "[entity:\"sessions\" entity_id:\"ses-solo\" field:\"rollup_total_tokens\" old_value:NULL new_value:150]",
            ])
        }
        #expect(try run("backfill totals", on: store).values("updated") == [0, 0, 0])
    }

    @Test func costsRepriceCallsPricedUnderAnOlderPrice() throws {
        let store = try Fixtures.store("repair")
        let result = try run("backfill costs", on: store)
        #expect(result.records.map { "\($0["target"]!.stringValue!) \($0["updated"]!.stringValue!)" } == ["costs:calls 2", "costs:workflow_cost_records 0"])
        try store.read { db in
            // At $4 input: k1 = 1,000 × 4 + 500 × 15 + 2,000 × 0.3 = 12,100 millionths (was 11,100);
            // k2 = 2,000 × 4 + 300 × 15 = 12,500 (was 10,500); k3 (gpt-5) unchanged.
            let costs = try Row.fetchAll(db, sql: "SELECT id, cost_nanos FROM calls ORDER BY id").map { "\($0["id"] as String) \($0["cost_nanos"] as Int64)" }
            #expect(costs == ["k1 12100000", "k2 12500000", "k3 7750000"])
            let audited = try Row.fetchAll(db, sql: "SELECT entity_id, field, old_value, new_value FROM cost_audit_log ORDER BY entity_id, field")
            #expect(audited.map { "\($0["entity_id"] as String) \($0["field"] as String) \($0["old_value"] as Int64) \($0["new_value"] as Int64)" } == [
                "k1 computed_cost_nanos 11100000 12100000", "k1 cost_nanos 11100000 12100000",
                "k2 computed_cost_nanos 10500000 12500000", "k2 cost_nanos 10500000 12500000",
            ])
        }
        #expect(try run("backfill costs", on: store).values("updated") == [0, 0])
    }

    @Test func dryRunsChangeNothing() throws {
        for target in ["rollups", "totals", "costs"] {
            let store = try Fixtures.store("repair")
            let before = try contents(store)
            let (outcome, output) = execute("backfill \(target) --dry-run", on: store)
            #expect(outcome == .success)
            #expect(output.stderr.contains("dry run: nothing was changed"))
            #expect(try contents(store) == before, "backfill \(target) --dry-run")
        }
    }
}
