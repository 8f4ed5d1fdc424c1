import Foundation
import GRDB
import Testing
@testable import TallyKit

/// `call_rollup` (schema v2): its triggers keep it equal to the sums over `calls` through every
/// kind of write, and cost analyses read the same figures from it as from `calls`.
@Suite struct CallRollupTests {
    /// Seconds since 1970 / 900 of a timestamp.
    static func quarter(_ iso: String) -> Int64 { Int64(Timestamps.parse(iso)!.timeIntervalSince1970) / 900 }

    @Test func holdsHandComputedSumsPerQuarterAndDimension() throws {
        let store = try Fixtures.store("tiny")
        try store.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM call_rollup") == 3)
            // call-3 and call-4: same quarter (09:00–09:15), session, model; call-4 total-only, neither priced.
            let row = try Row.fetchOne(db, sql: """
                SELECT calls, input_tokens, reasoning_tokens, total_tokens, total_only_calls, cost_calls,
                  cost_unpriced_tokens, cost_unpriced_total_only_calls, cost_unpriced_total_only_tokens,
                  reported_calls, typeof(agent), length(agent)
                FROM call_rollup WHERE model = 'gpt-5' AND quarter = ?
                """, arguments: [Self.quarter("2026-03-06T09:00:00.000Z")])!
            #expect(row[0] as Int64 == 2 && row[1] as Int64 == 1000 && row[2] as Int64 == 100)
            #expect(row[3] as Int64 == 5800 && row[4] as Int64 == 1 && row[5] as Int64 == 0)
            #expect(row[6] as Int64 == 5800 && row[7] as Int64 == 1 && row[8] as Int64 == 4000)
            #expect(row[9] as Int64 == 0 && row[10] as String == "blob" && row[11] as Int64 == 0)
            // call-1: reported cost used in auto mode; no computed cost.
            let priced = try Row.fetchOne(db, sql: """
                SELECT cost_nanos, cost_calls, computed_calls, computed_unpriced_tokens, reported_nanos, session_id
                FROM call_rollup WHERE quarter = ? AND session_id = 'ses-root'
                """, arguments: [Self.quarter("2026-03-05T10:01:00.000Z")])!
            #expect(priced[0] as Int64 == 10_560_000 && priced[1] as Int64 == 1 && priced[2] as Int64 == 0)
            #expect(priced[3] as Int64 == 1700 && priced[4] as Int64 == 10_560_000)
        }
    }

    @Test func triggersFollowInsertsUpdatesAndDeletes() throws {
        let store = try Fixtures.store("priced")
        // call_rollup, and the coarser quarter_rollup and session_rollup its triggers keep (v4).
        func exact() throws -> Int { try store.read { db in try Schema.rollupDifferences(db) } }
        #expect(try exact() == 0)
        let writes = [
            "UPDATE calls SET model = 'renamed', agent = 'build' WHERE rowid % 2 = 0",
            "UPDATE calls SET started_at = '2026-02-01T00:14:59.999Z' WHERE rowid % 3 = 0",
            "UPDATE calls SET cost_nanos = NULL, cost_source = NULL, computed_cost_nanos = NULL, pricing_id = NULL, cost_fallback = 0 WHERE rowid % 5 = 0",
            "UPDATE calls SET reported_cost_nanos = 7, cost_nanos = coalesce(computed_cost_nanos, 7), cost_source = iif(computed_cost_nanos IS NULL, 'reported', 'computed')",
            "UPDATE calls SET session_id = NULL, project_id = NULL, provider = NULL",
            """
            INSERT INTO calls (id, source, model, started_at, total_tokens)
            VALUES ('extra-1', 'events', 'x', '2026-03-01T00:00:00.000Z', 5), ('extra-2', 'events', 'x', '2026-03-01T00:14:00.000Z', 6)
            """,
            "DELETE FROM calls WHERE id = 'extra-1'",
            // A long-context threshold appears, moves and goes: cache_read_above_tier_tokens follows.
            "UPDATE pricing SET tier_threshold_tokens = 1000, input_above_per_mtok = coalesce(input_above_per_mtok, 1) WHERE id IN (SELECT pricing_id FROM calls)",
            "UPDATE pricing SET tier_threshold_tokens = 250000 WHERE tier_threshold_tokens = 1000",
            "UPDATE pricing SET tier_threshold_tokens = NULL, input_above_per_mtok = NULL, output_above_per_mtok = NULL, cache_read_above_per_mtok = NULL, cache_write_above_per_mtok = NULL",
        ]
        for sql in writes {
            try store.write { db in try db.execute(sql: sql) }
            #expect(try exact() == 0, "after \(sql)")
        }
        try store.write { db in try db.execute(sql: "DELETE FROM calls") }
        #expect(try store.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM call_rollup) + (SELECT count(*) FROM quarter_rollup) + (SELECT count(*) FROM session_rollup)")
        } == 0)
    }

    @Test func aThresholdChangeMovesCacheReadsAboveTheTier() throws {
        let store = try Fixtures.store("priced")
        func above() throws -> Int64 {
            try store.read { db in try Int64.fetchOne(db, sql: "SELECT sum(cache_read_above_tier_tokens) FROM call_rollup") ?? 0 }
        }
        let before = try above()
        try store.write { db in
            try db.execute(sql: "UPDATE pricing SET tier_threshold_tokens = 1 WHERE id IN (SELECT pricing_id FROM calls)")
        }
        // Every priced call's prompt is now above its tier: all their cache reads count.
        let expected = try store.read { db in
            try Int64.fetchOne(db, sql: "SELECT sum(cache_read_tokens) FROM calls WHERE pricing_id IS NOT NULL AND input_tokens + cache_read_tokens + cache_write_tokens > 1")
        }
        #expect(try above() == expected && expected! > before)
        #expect(try store.read { db in try Schema.callRollupDifferences(db) } == 0)
    }

    @Test func cacheReadsAboveTheTierAreCountedFromBothSources() throws {
        // The cache fixture has calls above their model's long-context tier.
        let store = try Fixtures.store("cache")
        var filter = CallFilter(Arguments())
        filter.costMode = .computed
        let (fromRollup, fromCalls) = try store.read { db in
            (try ModelUsage.fetch(db, filter: filter, per: .price), try ModelUsage.fetch(db, filter: filter, groupBy: "c.pricing_id"))
        }
        #expect(fromRollup.reduce(0) { $0 + $1.cacheReadAboveTierTokens } == 300_000)
        #expect(fromCalls.reduce(0) { $0 + $1.cacheReadAboveTierTokens } == 300_000)
    }

    @Test func theCheckSeesARollupThatDrifted() throws {
        let store = try Fixtures.store("tiny")
        try store.write { db in try db.execute(sql: "UPDATE call_rollup SET calls = calls + 1 WHERE model = 'gpt-5'") }
        // The drifted row is in the rollup and not in the recomputation, and the other way round.
        #expect(try store.read { db in try Schema.callRollupDifferences(db) } == 2)
        try store.write { db in try Schema.rebuildCallRollup(db) }
        #expect(try store.read { db in try Schema.callRollupDifferences(db) } == 0)
    }

    @Test func datesInsideAQuarterHourReadTheCalls() {
        var filter = CallFilter(Arguments())
        filter.since = Timestamps.parse("2026-03-05T00:00:00.000Z")
        filter.until = Timestamps.parse("2026-03-05T05:45:00.000Z")
        #expect(filter.rollupCondition != nil)
        filter.until = Timestamps.parse("2026-03-05T05:50:00.000Z")
        #expect(filter.rollupCondition == nil)
        filter.until = Timestamps.parse("2026-03-05T05:45:00.500Z")
        #expect(filter.rollupCondition == nil)
    }

    /// Every fixture, dimension, cost mode and filter: the rollup and the calls agree.
    @Test(arguments: Fixtures.all.map(\.name))
    func rollupAndCallsGiveTheSameUsage(fixture: String) throws {
        let store = try Fixtures.store(fixture)
        let dimensions: [ModelUsage.Dimension] = [.none, .agent, .project, .session, .quarter, .price, .quarterAndPrice]
        var filters: [CallFilter] = []
        for mode in CostMode.allCases {
            var filter = CallFilter(Arguments())
            filter.costMode = mode
            filters.append(filter)
            var dated = filter
            dated.since = Timestamps.parse("2026-03-02T00:00:00.000Z")
            dated.until = Timestamps.parse("2026-03-05T23:45:00.000Z")
            filters.append(dated)
        }
        for (name, value) in [("provider", "ANTHROPIC"), ("source", "opencode"), ("project", "tally")] {
            var filter = CallFilter(Arguments())
            switch name {
            case "provider": filter.provider = value
            case "source": filter.source = value
            default: filter.project = value
            }
            filters.append(filter)
        }
        try store.read { db in
            for filter in filters {
                for dimension in dimensions {
                    let fromRollup = try ModelUsage.fetch(db, filter: filter, per: dimension)
                    let fromCalls = try ModelUsage.fetch(db, filter: filter, groupBy: dimension.callsColumn)
                    func sorted(_ u: [ModelUsage]) -> [ModelUsage] {
                        u.sorted { ($0.group ?? "", $0.provider ?? "", $0.model ?? "") < ($1.group ?? "", $1.provider ?? "", $1.model ?? "") }
                    }
                    #expect(sorted(fromRollup) == sorted(fromCalls), "\(fixture) \(dimension) \(filter.costMode) \(filter.since.map(Timestamps.iso) ?? "-")")
                }
                // `anomalies`' scan: costs per quarter hour and model, and the notes' usage from a date.
                for notesFrom in [nil, Timestamps.parse("2026-03-05T18:15:00.000Z")] {
                    let overCalls = try SpendScan.runOverCalls(db, filter: filter, notesFrom: notesFrom)
                    let overRollup = try SpendScan.run(
                        db, filter: filter, rollup: filter.rollupCondition!,
                        table: try ModelUsage.rollupTable(db, filter: filter, per: .quarter)!, notesFrom: notesFrom)
                    let zone = TimeZone(identifier: "Asia/Kathmandu")!
                    #expect(overRollup.models.count == overCalls.models.count && Set(overRollup.models) == Set(overCalls.models))
                    #expect(overRollup.firstQuarter == overCalls.firstQuarter && overRollup.lastQuarter == overCalls.lastQuarter)
                    #expect(overRollup.totalCost == overCalls.totalCost)
                    #expect(Set(overRollup.usage) == Set(overCalls.usage), "\(fixture) \(filter.costMode) \(notesFrom.map(Timestamps.iso) ?? "-")")
                    for unit in Periods.Unit.allCases {
                        // Model indexes may differ: compare by name.
                        func named(_ scan: SpendScan) -> [String: [String: Int64]] {
                            scan.costByPeriod(unit, timeZone: zone).mapValues { costs in
                                Dictionary(uniqueKeysWithValues: costs.map { (scan.models[$0.key] ?? "-", $0.value) })
                            }
                        }
                        #expect(named(overRollup) == named(overCalls), "\(fixture) \(unit)")
                    }
                }
                for unit in Periods.Unit.allCases {
                    let zone = TimeZone(identifier: "Asia/Kathmandu")!  // UTC+05:45
                    let label = { (quarter: Int64) in Periods.label(ofQuarter: quarter, by: unit, timeZone: zone) }
                    let fromRollup = try ModelUsage.fetch(db, filter: filter, by: unit, timeZone: zone)
                    let fromCalls = try ModelUsage.fetch(db, filter: filter, groupBy: ModelUsage.Dimension.quarter.callsColumn, relabel: label)
                    #expect(Set(fromRollup) == Set(fromCalls), "\(fixture) \(unit) \(filter.costMode)")
                }
            }
        }
    }
}
