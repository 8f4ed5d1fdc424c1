import Foundation
import GRDB
import Testing
@testable import TallyKit

/// The audit analyses' arithmetic, with hand-computed values, and checked against the SQL
/// aggregates of the same names.
@Suite struct StatisticsTests {
    @Test func meanAndSampleStandardDeviation() throws {
        #expect(Statistics.mean([1, 2, 3, 4]) == 2.5)
        // 2 4 4 4 5 5 7 9: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32; 32 / 7 (n − 1).
        let sd = try #require(Statistics.sampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9]))
        #expect(abs(sd - (32.0 / 7).squareRoot()) < 1e-12)
        #expect(Statistics.sampleStandardDeviation([5]) == nil)
        #expect(Statistics.mean([]) == nil)
        // Large, close values (nano-dollars): 1e12 + 4, 7, 13, 16 → deviations −6 −3 3 6, 90 / 3.
        let big = try #require(Statistics.sampleStandardDeviation([4, 7, 13, 16].map { 1e12 + $0 }))
        #expect(abs(big - 30.0.squareRoot()) < 1e-6)
    }

    @Test func medianAndMedianAbsoluteDeviation() {
        #expect(Statistics.median([3, 1, 2]) == 2)
        #expect(Statistics.median([4, 1, 3, 2]) == 2.5)
        #expect(Statistics.median([]) == nil)
        // 1 1 2 2 4 6 9: median 2; |x − 2| = 1 1 0 0 2 4 7 → sorted 0 0 1 1 2 4 7: median 1.
        #expect(Statistics.medianAbsoluteDeviation([1, 1, 2, 2, 4, 6, 9]) == 1)
        // The suspicious-tokens fixture: 1000…1800 by 100 and 100000 → median 1450, MAD 250.
        let totals = Array(stride(from: 1000.0, through: 1800, by: 100)) + [100_000]
        #expect(Statistics.median(totals) == 1450)
        #expect(Statistics.medianAbsoluteDeviation(totals) == 250)
        #expect(Statistics.quantile(sorted: [10, 20, 30, 40], 0.25) == 17.5)
    }

    /// The median by selection equals the middle of the sorted values, duplicates and even
    /// counts included; `select` puts the k-th smallest at k.
    @Test func selectionAgreesWithSorting() {
        var state: UInt64 = 9
        for count in [1, 2, 3, 10, 11, 100, 1001] {
            let values = (0..<count).map { _ -> Double in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Double(state >> 58)  // 0…63: many duplicates
            }
            let sorted = values.sorted()
            #expect(Statistics.median(values) == Statistics.quantile(sorted: sorted, 0.5), "\(count)")
            for k in [0, count / 3, count - 1] {
                var v = values
                Statistics.select(&v, k)
                #expect(v[k] == sorted[k] && v[..<k].allSatisfy { $0 <= v[k] } && v[(k + 1)...].allSatisfy { $0 >= v[k] })
            }
        }
    }

    @Test func agreesWithTheSQLAggregates() throws {
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 40) / 1000
        }
        let values = (0..<501).map { _ in next() }
        let store = try Store.inMemory()
        let sql = try store.read { db -> Row in
            let json = "[" + values.map { String($0) }.joined(separator: ",") + "]"
            return try Row.fetchOne(db, sql: """
                SELECT median(value), mad(value), stddev(value), avg(value) FROM json_each(?)
                """, arguments: [json])!
        }
        #expect(abs(Statistics.median(values)! - (sql[0] as Double)) < 1e-9)
        #expect(abs(Statistics.medianAbsoluteDeviation(values)! - (sql[1] as Double)) < 1e-9)
        #expect(abs(Statistics.sampleStandardDeviation(values)! - (sql[2] as Double)) < 1e-6)
        #expect(abs(Statistics.mean(values)! - (sql[3] as Double)) < 1e-6)
    }

    @Test func roundsForResultCells() {
        #expect(Statistics.rounded(8, places: 2) == 8)
        #expect(Statistics.rounded(9.899494936611665, places: 2) == Decimal(string: "9.9"))
        #expect(Statistics.rounded(10.0 / 3, places: 2) == Decimal(string: "3.33"))
        #expect(Statistics.rounded(2.37 / 0.09, places: 4) == Decimal(string: "26.3333"))
        #expect(Statistics.rounded(.nan, places: 2) == nil)
        // Half away from zero, both signs (0.125 and 2.5 are exact in binary).
        #expect(Statistics.rounded(0.125, places: 2) == Decimal(string: "0.13"))
        #expect(Statistics.rounded(-2.5, places: 0) == -3)
        #expect(Statistics.rounded(-0.0015, places: 1) == 0)
        #expect(Statistics.rounded(1e17, places: 2) == Decimal(string: "100000000000000000"))
    }
}

@Suite struct TrailingBaselineTests {
    let baseline = TrailingBaseline(window: 3, sigma: 2, ratio: 2, minHistory: 3)

    @Test func judgesEachValueAgainstTheWindowBeforeIt() throws {
        let points = baseline.evaluate([1, 2, 3, 10, 0, 2])
        #expect(points.map(\.index) == [3, 4, 5])
        // Index 3: window 1 2 3, mean 2, sd 1; 10 > 2 + 2 and 10 > 4.
        #expect(points[0].mean == 2 && points[0].standardDeviation == 1)
        #expect(points[0].zscore == 8 && points[0].ratio == 5 && points[0].isAnomalous)
        // Index 4: window 2 3 10, mean 5, squared deviations 9 + 4 + 25 = 38, sd √19.
        #expect(points[1].mean == 5 && abs(points[1].standardDeviation - 19.0.squareRoot()) < 1e-12)
        #expect(!points[1].isAnomalous)
        #expect(baseline.anomalies([1, 2, 3, 10, 0, 2]).map(\.index) == [3])
    }

    @Test func needsBothTheSigmaAndTheRatioTest() {
        // A flat window (sd 0): 15 clears mean + 2 sd but not 2 × mean; 25 clears both.
        #expect(baseline.anomalies([10, 10, 10, 15]).isEmpty)
        let spike = baseline.anomalies([10, 10, 10, 25])
        #expect(spike.map(\.index) == [3] && spike[0].zscore == nil && spike[0].ratio == 2.5)
        // Spend after an empty window: no zscore, no ratio, but anomalous.
        let first = baseline.anomalies([0, 0, 0, 4])
        #expect(first.count == 1 && first[0].zscore == nil && first[0].ratio == nil)
        // A noisy window: 9 is over 2 × mean (4) but not over mean + 2 sd.
        #expect(baseline.anomalies([1, 8, 3, 9]).isEmpty)
    }

    @Test func leavesOutValuesWithoutEnoughHistory() {
        #expect(baseline.evaluate([1, 2]).isEmpty)
        #expect(TrailingBaseline(window: 14, minHistory: 7).evaluate(Array(repeating: 1, count: 7)).isEmpty)
        #expect(TrailingBaseline(window: 14, minHistory: 7).evaluate(Array(repeating: 1, count: 8)).map(\.index) == [7])
        // The window slides: index 20 sees indexes 6…19 only.
        let points = TrailingBaseline(window: 14, minHistory: 7).evaluate((0..<21).map(Double.init))
        #expect(points.last?.mean == 12.5)
    }
}

@Suite struct PeriodIntervalTests {
    let utc = TimeZone(identifier: "UTC")!

    @Test func labelsMapBackToTheirInstants() throws {
        let day = try #require(Periods.interval(of: "2026-03-05", by: .day, timeZone: utc))
        #expect(Timestamps.iso(day.start) == "2026-03-05T00:00:00.000Z" && Timestamps.iso(day.end) == "2026-03-06T00:00:00.000Z")
        let week = try #require(Periods.interval(of: "2026-W10", by: .week, timeZone: utc))
        #expect(Timestamps.iso(week.start) == "2026-03-02T00:00:00.000Z" && Timestamps.iso(week.end) == "2026-03-09T00:00:00.000Z")
        // Los Angeles: PST (−8) on March 1, PDT (−7) from March 8 2026.
        let month = try #require(Periods.interval(of: "2026-03", by: .month, timeZone: TimeZone(identifier: "America/Los_Angeles")!))
        #expect(Timestamps.iso(month.start) == "2026-03-01T08:00:00.000Z" && Timestamps.iso(month.end) == "2026-04-01T07:00:00.000Z")
        #expect(Periods.interval(of: "2026-02-30", by: .day, timeZone: utc) == nil)
        #expect(Periods.interval(of: "2026-03", by: .day, timeZone: utc) == nil)
    }

    @Test func startsAGivenNumberOfPeriodsBefore() {
        let at = Timestamps.parse("2026-03-05T12:00:00Z")!
        #expect(Timestamps.iso(Periods.start(3, periodsBefore: at, by: .day, timeZone: utc)) == "2026-03-02T00:00:00.000Z")
        #expect(Timestamps.iso(Periods.start(2, periodsBefore: at, by: .week, timeZone: utc)) == "2026-02-16T00:00:00.000Z")
        #expect(Timestamps.iso(Periods.start(2, periodsBefore: at, by: .month, timeZone: utc)) == "2026-01-01T00:00:00.000Z")
    }
}

@Suite struct SpendScanTests {
    /// Quarter hours land in the same local period as `tz_period` puts each call, in zones with
    /// whole, half and three-quarter hour offsets (models without cost in a period count 0).
    @Test(arguments: ["UTC", "Asia/Kolkata", "Asia/Kathmandu", "America/Los_Angeles", "Pacific/Chatham"])
    func periodsMatchTzPeriod(_ zoneName: String) throws {
        let zone = TimeZone(identifier: zoneName)!
        let store = try Store.inMemory()
        var state: UInt64 = 7
        try store.write { db in
            for n in 0..<400 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let ms = 1_767_225_600_000 + Int64(state >> 33) % (120 * 86_400_000)  // 2026-01-01 + up to 120 days
                try db.execute(literal: """
                    INSERT INTO calls (id, source, model, started_at, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
                    VALUES (\("c\(n)"), 'test', \(n % 3 == 0 ? nil : "m\(n % 3)"), \(Timestamps.fromEpochMilliseconds(ms)),
                            10, \(Int64(n) * 1000), \(Int64(n) * 1000), 'reported')
                    """)
            }
        }
        for unit in Periods.Unit.allCases {
            let (expected, scan) = try store.read { db in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT tz_period(started_at, ?, ?), model, sum(cost_nanos) FROM calls GROUP BY 1, 2
                    """, arguments: [unit.rawValue, zoneName])
                return (rows, try SpendScan.run(db, filter: CallFilter(Arguments())))
            }
            var byPeriod: [String: [String: Int64]] = [:]
            for (label, models) in scan.costByPeriod(unit, timeZone: zone) {
                for (model, cost) in models where cost != 0 {
                    byPeriod[label, default: [:]][scan.models[model] ?? "-", default: 0] += cost
                }
            }
            var sql: [String: [String: Int64]] = [:]
            for row in expected where row[2] as Int64 != 0 { sql[row[0] as String, default: [:]][row[1] as String? ?? "-"] = row[2] }
            #expect(byPeriod == sql, "\(zoneName) \(unit)")
            #expect(Set(scan.costByPeriod(unit, timeZone: zone).keys) == Set(expected.map { $0[0] as String }), "periods with calls")
        }
    }

    @Test func countsNotesOnlyFromTheReportedRange() throws {
        let store = try Store.inMemory()
        try store.write { db in
            try db.execute(sql: """
                INSERT INTO calls (id, source, model, started_at, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
                VALUES ('a', 't', 'm', '2026-03-01T10:00:00.000Z', 100, 5, 5, 'reported'),
                       ('b', 't', 'x', '2026-03-02T10:00:00.000Z', 200, NULL, NULL, NULL),
                       ('c', 't', 'x', '2026-03-03T10:00:00.000Z', 300, NULL, NULL, NULL);
                """)
        }
        let scan = try store.read { db in
            try SpendScan.run(db, filter: CallFilter(Arguments()), notesFrom: Timestamps.parse("2026-03-02T00:00:00Z"))
        }
        #expect(scan.usage.map(\.model) == ["x"] && scan.usage[0].unpricedCalls == 2 && scan.usage[0].unpricedTokens == 500)
        #expect(scan.firstQuarter.map(SpendScan.timestamp) == "2026-03-01T10:00:00.000Z")
        #expect(scan.totalCost == 5 && scan.lastQuarter.map(SpendScan.timestamp) == "2026-03-03T10:00:00.000Z")
    }

    /// More models than the grid's first width, arriving latest first: the grid widens and
    /// grows backwards without losing a cost.
    @Test func manyModelsInAnyOrder() throws {
        let store = try Store.inMemory()
        try store.write { db in
            for n in 0..<120 {
                let at = Timestamps.fromEpochMilliseconds(1_772_000_000_000 - Int64(n) * 3_600_000 * 7)
                try db.execute(literal: """
                    INSERT INTO calls (id, source, model, started_at, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
                    VALUES (\("c\(n)"), 'test', \("model-\(n % 40)"), \(at), 10, \(Int64(n + 1)), \(Int64(n + 1)), 'reported')
                    """)
            }
        }
        let (scan, expected) = try store.read { db in
            (try SpendScan.run(db, filter: CallFilter(Arguments())),
             try Row.fetchAll(db, sql: "SELECT tz_date(started_at, 'UTC'), model, sum(cost_nanos) FROM calls GROUP BY 1, 2"))
        }
        #expect(scan.models.count == 40 && scan.totalCost == 120 * 121 / 2)
        var byDay: [String: Int64] = [:]
        for (label, models) in scan.costByPeriod(.day, timeZone: TimeZone(identifier: "UTC")!) {
            for (model, cost) in models where cost != 0 { byDay[label + " " + scan.models[model]!] = cost }
        }
        #expect(byDay == Dictionary(uniqueKeysWithValues: expected.map { (($0[0] as String) + " " + ($0[1] as String), $0[2] as Int64) }))
    }

    @Test func textKeysAreStableAndTellNullFromEmpty() {
        var keys = TextKeys()
        func index(_ text: String?) -> Int {
            guard let text else { return keys.index(nil) }
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { keys.index($0) }
        }
        #expect(index("gpt-5") == 0 && index(nil) == 1 && index("") == 2 && index("gpt-5") == 0 && index(nil) == 1)
        #expect(keys.texts == ["gpt-5", nil, ""])
    }
}
