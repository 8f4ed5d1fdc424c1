import Foundation
import GRDB
import Testing
import TallyAnalyses
import TallyCommands
@testable import TallyKit

/// A demo-like database: the shipped snapshot's prices and 5,000 calls of real model names over
/// 60 days from four sources, with total-only, unpriced and reported-only calls.
func demoLikeStore(calls: Int = 5000) throws -> Store {
    let store = try Store.inMemory()
    var rng = SeededGenerator(seed: 2026)
    let models: [(String, String?)] = [
        ("claude-sonnet-4-5", "anthropic"), ("claude-opus-4-5@20251101", "google-vertex-anthropic"),
        ("claude-haiku-4-5-20251001", "anthropic"), ("gpt-5-codex", "openai"), ("gpt-5", "openai"),
        ("gemini-2.5-pro", "google"), ("gemini-2.5-flash", "google"), ("anthropic/claude-sonnet-4.5", "openrouter"),
        ("acme-internal-7b", nil), ("grok-code", "opencode"),
    ]
    try store.write { db in
        try PriceSnapshot.ensureLoaded(db)
        try db.execute(sql: "INSERT INTO projects (id, name) VALUES ('p1', 'tally'), ('p2', 'web')")
        for n in 0..<calls {
            let (model, provider) = models.randomElement(using: &rng)!
            let seconds = Int.random(in: 0..<(60 * 86_400), using: &rng)
            let at = Timestamps.iso(Timestamps.parse("2026-01-10T00:00:00Z")!.addingTimeInterval(Double(seconds)))
            let totalOnly = Int.random(in: 0..<25, using: &rng) == 0
            let cw: Int64? = totalOnly ? nil : .random(in: 0...40_000, using: &rng)
            try insertCall(
                db, "d\(n)", model: model, provider: provider, at: at,
                input: totalOnly ? nil : .random(in: 0...260_000, using: &rng),
                output: totalOnly ? nil : .random(in: 0...8_000, using: &rng),
                reasoning: totalOnly ? nil : .random(in: 0...2_000, using: &rng),
                cacheRead: totalOnly ? nil : .random(in: 0...150_000, using: &rng),
                cacheWrite: cw, cacheWrite1h: cw.map { Bool.random(using: &rng) ? $0 / 2 : 0 },
                total: totalOnly ? .random(in: 1...50_000, using: &rng) : nil,
                reported: Int.random(in: 0..<3, using: &rng) == 0 ? .random(in: 0...2_000_000_000, using: &rng) : nil)
        }
        try db.execute(sql: """
            UPDATE calls SET source = CASE rowid % 4 WHEN 0 THEN 'opencode' WHEN 1 THEN 'claude' WHEN 2 THEN 'codex' ELSE 'gemini' END,
                             project_id = CASE WHEN rowid % 7 < 3 THEN 'p2' ELSE 'p1' END
            """)
        try CostEngine.reprice(db, calls: .all)
    }
    return store
}

@Suite struct CostAnalysesTests {
    static let store = Result { try demoLikeStore() }

    /// Issue 4: the sum of cost-by-model equals the sum over cost-trend's days equals a direct SQL sum.
    @Test(arguments: ["", "--cost-mode computed", "--cost-mode reported", "--since 2026-02-01 --until 2026-02-15",
                      "--project web --source codex", "--provider anthropic"])
    func costByModelAndCostTrendAgreeWithSQL(_ filter: String) throws {
        let store = try Self.store.get()
        for zone in ["UTC", "America/Los_Angeles", "Asia/Kolkata"] {
            var env = Fixtures.environment
            env.timeZone = TimeZone(identifier: zone)!
            let byModel = try run("cost-by-model \(filter)", on: store, environment: env)
            let trend = try run("cost-trend --by day \(filter)", on: store, environment: env)
            let weekly = try run("cost-trend --by week \(filter)", on: store, environment: env)
            let filterSQL = try CallFilter(ArgumentBinder(
                parameters: CallFilter.parameters, pluginName: "t", acceptsDryRun: false, parser: env.parser, sessionValues: [:]
            ).bind(try Words.split(filter).compactMap { if case .word(let w) = $0 { return w } else { return nil } }))
            let (direct, calls) = try store.read { db -> (Int64, Int64) in
                let row = try Row.fetchOne(db, SQLRequest<Row>(literal: "SELECT coalesce(sum(\(filterSQL.costColumn)), 0), count(*) FROM calls c WHERE \(filterSQL.condition)"))!
                return (row[0], row[1])
            }
            let sql = Money.usd(nanos: direct)
            #expect(sql > 0)
            #expect(byModel.sum("cost_usd") == sql, "\(zone) \(filter)")
            #expect(trend.sum("cost_usd") == sql, "\(zone) \(filter)")
            #expect(weekly.sum("cost_usd") == sql, "\(zone) \(filter)")
            #expect(byModel.sum("calls") == Decimal(calls) && trend.sum("calls") == Decimal(calls))
            #expect(byModel.sum("total_tokens") == trend.sum("total_tokens"))
            // Consecutive days, no gaps.
            let days = trend.values("period").compactMap(\.stringValue)
            #expect(days == Periods.labels(from: days.first! + "T12:00:00.000Z", through: days.last! + "T12:00:00.000Z", by: .day, timeZone: TimeZone(identifier: "UTC")!))
        }
    }

    /// cost-trend groups by UTC quarter hour in SQL and relabels in Swift; every period must hold
    /// what `tz_period` puts in it, in zones with DST and with 45-minute offsets.
    @Test(arguments: ["UTC", "America/New_York", "Asia/Kathmandu", "Pacific/Chatham"])
    func costTrendPeriodsEqualTzPeriodInSQL(_ zone: String) throws {
        let store = try Self.store.get()
        var env = Fixtures.environment
        env.timeZone = TimeZone(identifier: zone)!
        for unit in ["day", "week", "month"] {
            let trend = try run("cost-trend --by \(unit)", on: store, environment: env)
            let expected = try store.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT tz_period(started_at, ?, ?) AS period, count(*), sum(total_tokens), sum(cost_nanos)
                    FROM calls GROUP BY 1 ORDER BY 1
                    """, arguments: [unit, zone])
            }
            let shown = trend.records.filter { $0["calls"] != .integer(0) }
            #expect(shown.map { $0["period"]?.stringValue } == expected.map { $0[0] as String? }, "\(zone) \(unit)")
            #expect(shown.map { $0["calls"] } == expected.map { .integer($0[1]) }, "\(zone) \(unit)")
            #expect(shown.map { $0["total_tokens"] } == expected.map { .integer($0[2]) }, "\(zone) \(unit)")
            #expect(shown.map { $0["cost_usd"] } == expected.map { .decimal(Money.usd(nanos: $0[3])) }, "\(zone) \(unit)")
        }
    }

    @Test func costTrendBucketsDaysInTheSessionTimeZone() throws {
        let store = try Fixtures.store("priced")
        // In Tokyo (UTC+9) g2 at 2026-03-05T12:00Z is on the 5th; o2 at 16:00Z and a1 at 20:00Z are on the 6th.
        var env = Fixtures.environment
        env.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        let trend = try run("cost-trend --since 2026-03-05 --until 2026-03-08", on: store, environment: env)
        #expect(trend.records.map { $0["period"] } == ["2026-03-05", "2026-03-06", "2026-03-07"])
        #expect(trend.records.map { $0["calls"] } == [.integer(1), .integer(2), .integer(0)])
        #expect(trend.records.map { $0["cost_usd"] } == [.decimal(Decimal(string: "0.9")!), .decimal(Decimal(string: "0.0075")!), .decimal(0)])
        // A day whose only call is unpriced has no cost, not $0; an empty day is zero.
        let events = try run("cost-trend --since 2026-03-05 --until 2026-03-08 --source events", on: store, environment: env)
        #expect(events.records.map { $0["cost_usd"] } == [.decimal(0), .null, .decimal(0)])
        #expect(trend.chart == Chart(kind: .bar, label: "period", value: "cost_usd"))
    }

    @Test func costTrendWithOnlySinceRunsToToday() throws {
        let store = try Fixtures.store("priced")
        // The fixtures' clock is 2026-03-15.
        let trend = try run("cost-trend --since 2026-03-04", on: store)
        #expect(trend.records.first?["period"] == "2026-03-04" && trend.records.last?["period"] == "2026-03-15")
        #expect(trend.rows.count == 12)
        #expect(try run("cost-trend", on: try Fixtures.store("empty")).rows.isEmpty)
    }

    @Test func sessionDefaultsApply() throws {
        let store = try Fixtures.store("priced")
        var env = Fixtures.environment
        env.values = ["cost-mode": "reported", "since": "2026-03-04"]
        let result = try run("cost-by-model", on: store, environment: env)
        #expect(result.sum("cost_usd") == Decimal(string: "0.203"))
    }
}
