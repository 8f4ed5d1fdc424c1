import Foundation
import GRDB
import Testing
@testable import TallyKit

/// Inserts one call with the given tokens (nil = NULL split) and reported cost.
func insertCall(
    _ db: Database, _ id: String, model: String?, provider: String? = nil, at startedAt: String = "2026-03-05T10:00:00.000Z",
    input: Int64? = nil, output: Int64? = nil, reasoning: Int64? = nil, cacheRead: Int64? = nil,
    cacheWrite: Int64? = nil, cacheWrite1h: Int64? = nil, total: Int64? = nil, reported: Int64? = nil,
    sourcePath: String? = nil
) throws {
    let sum = [input, output, reasoning, cacheRead, cacheWrite].compactMap { $0 }.reduce(0, +)
    try db.execute(
        literal: """
            INSERT INTO calls (id, source, provider, model, started_at, input_tokens, output_tokens, reasoning_tokens,
                               cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, total_tokens,
                               reported_cost_nanos, cost_nanos, cost_source, source_path)
            VALUES (\(id), 'test', \(provider), \(model), \(startedAt), \(input), \(output), \(reasoning), \(cacheRead),
                    \(cacheWrite), \(cacheWrite1h), \(total ?? sum), \(reported), \(reported),
                    \(reported == nil ? nil : "reported"), \(sourcePath))
            """)
}

@discardableResult
func insertPrice(_ db: Database, _ record: PriceRecord) throws -> Int64 {
    var record = record
    try record.insert(db)
    return record.id!
}

@Suite struct CostEngineTests {
    static let sonnet = PriceRecord(
        model: "claude-sonnet-4-5", provider: "anthropic", input: mtok("3"), output: mtok("15"), cacheRead: mtok("0.3"),
        cacheWrite: mtok("3.75"), cacheWrite1h: mtok("6"), source: "snapshot")
    static let gemini = PriceRecord(
        model: "gemini-2.5-pro", input: mtok("1.25"), output: mtok("10"), cacheRead: mtok("0.125"), tierThreshold: 200_000,
        inputAbove: mtok("2.5"), outputAbove: mtok("15"), cacheReadAbove: mtok("0.25"), source: "snapshot")
    static let gpt5 = PriceRecord(
        model: "gpt-5", provider: "openai", input: mtok("1.25"), output: mtok("10"), cacheRead: mtok("0.125"), source: "snapshot")

    @Test func storesComputedCostsWithProvenance() throws {
        let store = try Store.inMemory()
        try store.write { db in
            let sonnetID = try insertPrice(db, Self.sonnet)
            let geminiID = try insertPrice(db, Self.gemini)
            try insertPrice(db, Self.gpt5)
            try insertCall(db, "a", model: "claude-sonnet-4-5", input: 0, output: 0, cacheWrite: 10_000, cacheWrite1h: 10_000)
            try insertCall(db, "b", model: "gemini-2.5-pro", input: 300_000, output: 10_000)
            try insertCall(db, "c", model: "gpt-5", input: 1000, output: 500, cacheRead: 200, reported: 9_999)
            try insertCall(db, "d", model: "gpt-5", input: 1000, output: 0, cacheWrite: 1000)  // no write price: fallback
            try insertCall(db, "e", model: "gpt-5", total: 4000, reported: 7_000_000)  // total-only, reported
            try insertCall(db, "f", model: "acme-internal-7b", input: 10, output: 10)  // unpriced
            try insertCall(db, "g", model: nil, input: 10, output: 10, reported: 5)

            let summary = try CostEngine.reprice(db, calls: .all)
            // e, f and g keep what the insert stored: reported cost (or none) and no price.
            #expect(summary == RepriceSummary(examined: 7, updated: 4, audited: 0))
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, computed_cost_nanos, pricing_id, cost_fallback, cost_nanos, cost_source FROM calls ORDER BY id
                """)
            func row(_ id: String) -> [DatabaseValue] { rows.first { $0["id"] == id }!.databaseValues.dropFirst().map { $0 } }
            #expect(row("a") == [60_000_000.databaseValue, sonnetID.databaseValue, 0.databaseValue, 60_000_000.databaseValue, "computed".databaseValue])
            #expect(row("b") == [900_000_000.databaseValue, geminiID.databaseValue, 0.databaseValue, 900_000_000.databaseValue, "computed".databaseValue])
            #expect(row("c")[0] == 6_275_000.databaseValue && row("c")[3] == 6_275_000.databaseValue)
            // 1,000 × 1.25 + 1,000 × 1.25 × 1.25 = 1,250 + 1,562.5 millionths → 2,812,500 nano-dollars.
            #expect(row("d")[0] == 2_812_500.databaseValue && row("d")[2] == 1.databaseValue)
            #expect(row("e") == [.null, .null, 0.databaseValue, 7_000_000.databaseValue, "reported".databaseValue])
            #expect(row("f") == [.null, .null, 0.databaseValue, .null, .null])
            #expect(row("g") == [.null, .null, 0.databaseValue, 5.databaseValue, "reported".databaseValue])

            // Idempotent: nothing changes the second time.
            #expect(try CostEngine.reprice(db, calls: .all) == RepriceSummary(examined: 7, updated: 0, audited: 0))
        }
    }

    @Test func costModes() throws {
        let store = try Store.inMemory()
        try store.write { db in
            try insertPrice(db, Self.gpt5)
            try insertCall(db, "c", model: "gpt-5", input: 1000, output: 500, cacheRead: 200, reported: 9_999)
            try insertCall(db, "e", model: "gpt-5", total: 4000, reported: 7_000_000)
            try CostEngine.reprice(db, calls: .all, mode: .reported)
            #expect(try Int64.fetchAll(db, sql: "SELECT cost_nanos FROM calls ORDER BY id") == [9_999, 7_000_000])
            try CostEngine.reprice(db, calls: .all, mode: .computed)
            #expect(try Int64?.fetchAll(db, sql: "SELECT cost_nanos FROM calls ORDER BY id") == [6_275_000, nil])
            try CostEngine.reprice(db, calls: .all, mode: .auto)
            #expect(try Int64?.fetchAll(db, sql: "SELECT cost_nanos FROM calls ORDER BY id") == [6_275_000, 7_000_000])
        }
    }

    @Test func datedPricesApplyFromTheirStartAndAuditEveryChange() throws {
        let store = try Store.inMemory()
        try store.write { db in
            try insertPrice(db, Self.gpt5)
            try insertCall(db, "before", model: "gpt-5", at: "2026-02-28T23:59:59.999Z", input: 1_000_000, output: 0)
            try insertCall(db, "on", model: "gpt-5", at: "2026-03-01T00:00:00.000Z", input: 1_000_000, output: 0)
            try insertCall(db, "after", model: "gpt-5", at: "2026-03-20T08:00:00.000Z", input: 1_000_000, output: 0)
            try CostEngine.reprice(db, calls: .all)
            #expect(try Int64.fetchAll(db, sql: "SELECT cost_nanos FROM calls ORDER BY started_at") == [1_250_000_000, 1_250_000_000, 1_250_000_000])

            let dated = try insertPrice(db, PriceRecord(
                model: "gpt-5", input: mtok("1"), output: mtok("8"), effectiveFrom: "2026-03-01T00:00:00.000Z", source: "user"))
            let audit = CostAudit(command: "test", reason: "new price", at: "2026-03-15T12:00:00.000Z")
            let summary = try CostEngine.reprice(db, calls: .models(["gpt-5"]), audit: audit)
            #expect(summary == RepriceSummary(examined: 3, updated: 2, audited: 4))
            #expect(try Int64.fetchAll(db, sql: "SELECT cost_nanos FROM calls ORDER BY started_at") == [1_250_000_000, 1_000_000_000, 1_000_000_000])
            #expect(try Int64.fetchAll(db, sql: "SELECT pricing_id FROM calls WHERE id <> 'before'") == [dated, dated])
            let log = try Row.fetchAll(db, sql: "SELECT entity, entity_id, field, old_value, new_value, reason, command FROM cost_audit_log ORDER BY entity_id, field")
            #expect(log.map { $0["entity_id"] as String } == ["after", "after", "on", "on"])
            #expect(log.map { $0["field"] as String } == ["computed_cost_nanos", "cost_nanos", "computed_cost_nanos", "cost_nanos"])
            #expect(log.allSatisfy { $0["old_value"] == 1_250_000_000 && $0["new_value"] == 1_000_000_000 && $0["entity"] == "calls" })

            // A period with an end: the undated price applies again after it.
            try db.execute(sql: "UPDATE pricing SET effective_to = '2026-03-10T00:00:00.000Z' WHERE id = ?", arguments: [dated])
            try CostEngine.reprice(db, calls: .all)
            #expect(try Int64.fetchAll(db, sql: "SELECT cost_nanos FROM calls ORDER BY started_at") == [1_250_000_000, 1_000_000_000, 1_250_000_000])
        }
    }

    @Test func scopes() throws {
        let store = try Store.inMemory()
        try store.write { db in
            try insertPrice(db, Self.gpt5)
            try insertCall(db, "1", model: "gpt-5", at: "2026-03-01T00:00:00.000Z", input: 1000, output: 0, sourcePath: "/a")
            try insertCall(db, "2", model: "gpt-5", at: "2026-03-02T00:00:00.000Z", input: 1000, output: 0, sourcePath: "/b")
            try insertCall(db, "3", model: "claude-sonnet-4-5", at: "2026-03-03T00:00:00.000Z", input: 1000, output: 0)
            #expect(try CostEngine.reprice(db, calls: .ids(["1", "3"])).examined == 2)
            #expect(try CostEngine.reprice(db, calls: .models(["claude-sonnet-4-5"])).examined == 1)
            #expect(try CostEngine.reprice(db, calls: .startedAtOrAfter("2026-03-02")).examined == 2)
            #expect(try CostEngine.reprice(db, calls: .sourcePaths(["/b"])).examined == 1)
            #expect(try CostEngine.reprice(db, calls: .allOf([.models(["gpt-5"]), .startedAtOrAfter("2026-03-02")])).examined == 1)
            #expect(try Int64?.fetchAll(db, sql: "SELECT cost_nanos FROM calls ORDER BY id") == [1_250_000, 1_250_000, nil])
        }
    }

    @Test func workflowCostRecords() throws {
        let store = try Store.inMemory()
        try store.write { db in
            try insertPrice(db, Self.sonnet)
            try db.execute(sql: """
                INSERT INTO workflow_runs (run_id, status) VALUES ('r1', 'completed');
                INSERT INTO workflow_cost_records (run_id, line, at, model, input_tokens, output_tokens, cache_read_tokens,
                                                   cache_write_tokens, total_tokens, reported_cost_nanos)
                VALUES ('r1', 1, '2026-03-05T10:00:00.000Z', 'claude-sonnet-4-5', 1000, 1000, 0, 1000, 3000, 1),
                       ('r1', 2, NULL, 'claude-sonnet-4-5-20250929', 1000, 0, 0, 0, 1000, NULL),
                       ('r1', 3, NULL, 'mystery', 1000, 0, 0, 0, 1000, 42);
                """)
            let audit = CostAudit(command: "test", reason: "r", at: "2026-03-15T12:00:00.000Z")
            // Stored without any cost: two computed (two audit rows each), one takes its reported cost.
            #expect(try CostEngine.reprice(db, workflowCosts: .all, audit: audit) == RepriceSummary(examined: 3, updated: 3, audited: 5))
            // 1,000 × 3 + 1,000 × 15 + 1,000 × 3.75 = 21,750 millionths; 1,000 × 3 = 3,000; unpriced → reported.
            #expect(try Int64.fetchAll(db, sql: "SELECT cost_nanos FROM workflow_cost_records ORDER BY line") == [21_750_000, 3_000_000, 42])
            #expect(try String.fetchAll(db, sql: "SELECT DISTINCT entity_id FROM cost_audit_log ORDER BY 1") == ["1", "2", "3"])
        }
    }

    /// The prices of the random-call tests: the three above, a dated period and a dated tier.
    static func insertRandomTestPrices(_ db: Database) throws {
        try insertPrice(db, sonnet)
        try insertPrice(db, gemini)
        try insertPrice(db, gpt5)
        try insertPrice(db, PriceRecord(model: "gpt-5", input: mtok("1"), output: mtok("8"),
                                        effectiveFrom: "2026-03-10T00:00:00.000Z", effectiveTo: "2026-03-20T00:00:00.000Z", source: "user"))
        try insertPrice(db, PriceRecord(model: "gemini-2.5-pro", input: mtok("1.5"), output: mtok("12"), tierThreshold: 100_000,
                                        inputAbove: mtok("3"), effectiveFrom: "2026-03-15T00:00:00.000Z", source: "user"))
    }

    /// Random calls in March 2026 over `models` and providers: NULL splits, total-only rows,
    /// 1-hour cache writes, reported costs.
    static func randomCalls(_ count: Int, models: [String?], seed: UInt64) -> [CallRecord] {
        var rng = SeededGenerator(seed: seed)
        let providers: [String?] = [nil, "anthropic", "openai", "google"]
        return (0..<count).map { n in
            let day = Int.random(in: 1...28, using: &rng)
            let totalOnly = Int.random(in: 0..<20, using: &rng) == 0
            func count(_ max: Int64) -> Int64? {
                totalOnly ? nil : (Int.random(in: 0..<8, using: &rng) == 0 ? nil : .random(in: 0...max, using: &rng))
            }
            let cw = count(300_000)
            let model = models.randomElement(using: &rng)!
            let provider = providers.randomElement(using: &rng)!
            let at = String(format: "2026-03-%02dT%02d:00:00.000Z", day, Int.random(in: 0..<24, using: &rng))
            let tokens = TokenCounts(
                input: count(400_000), output: count(50_000), reasoning: count(20_000), cacheRead: count(300_000),
                cacheWrite: cw, cacheWrite1h: cw.map { .random(in: 0...$0, using: &rng) }, total: totalOnly ? 5000 : nil)
            let reported: Int64? = Bool.random(using: &rng) ? .random(in: 0...1_000_000, using: &rng) : nil
            return CallRecord(
                id: "c\(n)", source: "test", provider: provider, model: model, startedAt: at, tokens: tokens,
                reportedCostNanos: reported)
        }
    }

    /// The set-based SQL and the Pricer are two evaluations of one formula: they must agree.
    @Test func sqlAgreesWithThePricerOnRandomCalls() throws {
        let store = try Store.inMemory()
        let models = ["claude-sonnet-4-5", "gemini-2.5-pro", "gpt-5", "anthropic/claude-sonnet-4.5", "acme", "gpt-5-2099-01-01"]
        try store.write { db in
            try Self.insertRandomTestPrices(db)
            for c in Self.randomCalls(3000, models: models, seed: 7) {
                let t = c.tokens
                try insertCall(
                    db, c.id, model: c.model, provider: c.provider, at: c.startedAt, input: t.input, output: t.output,
                    reasoning: t.reasoning, cacheRead: t.cacheRead, cacheWrite: t.cacheWrite, cacheWrite1h: t.cacheWrite1h,
                    total: t.total, reported: c.reportedCostNanos)
            }
            try CostEngine.reprice(db, calls: .all)
            let book = try PriceBook.load(db)
            var priced = 0, fallbacks = 0, above = 0
            for row in try Row.fetchAll(db, sql: "SELECT * FROM calls") {
                let usage = TokenUsage(
                    input: row["input_tokens"], output: row["output_tokens"], reasoning: row["reasoning_tokens"],
                    cacheRead: row["cache_read_tokens"], cacheWrite: row["cache_write_tokens"],
                    cacheWrite1h: row["cache_write_1h_tokens"])
                let expected = Pricer.cost(of: usage, model: row["model"], provider: row["provider"], at: row["started_at"], in: book)
                #expect(row["computed_cost_nanos"] as Int64? == expected?.nanos, "\(row)")
                #expect(row["pricing_id"] as Int64? == expected?.pricingID)
                #expect(row["cost_fallback"] as Bool == (expected?.usedFallback ?? false))
                #expect(row["cost_nanos"] as Int64? == expected?.nanos ?? row["reported_cost_nanos"])
                if expected != nil { priced += 1 }
                if expected?.usedFallback == true { fallbacks += 1 }
                if expected?.aboveTier == true { above += 1 }
            }
            // The random data exercises every path.
            #expect(priced > 1000 && fallbacks > 100 && above > 100)
        }
    }

    /// Money stays exact: one million calls of $0.000001 each sum to exactly $1.000000.
    @Test func oneMillionMicroDollarCallsSumToExactlyOneDollar() throws {
        let store = try Store.inMemory()
        try store.write { db in
            // $1 per million input tokens: one input token costs $0.000001 = 1,000 nano-dollars.
            try insertPrice(db, PriceRecord(model: "micro", input: mtok("1"), output: mtok("1"), source: "user"))
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
                INSERT INTO calls (id, source, model, started_at, input_tokens, output_tokens, reasoning_tokens,
                                   cache_read_tokens, cache_write_tokens, total_tokens)
                SELECT 'm' || i, 'test', 'micro', '2026-03-05T10:00:00.000Z', 1, 0, 0, 0, 0, 1 FROM n
                """)
            let summary = try CostEngine.reprice(db, calls: .all)
            #expect(summary.updated == 1_000_000)
            let total = try Int64.fetchOne(db, sql: "SELECT sum(cost_nanos) FROM calls")!
            #expect(total == 1_000_000_000)
            #expect(Money.usd(nanos: total) == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE cost_nanos <> 1000") == 0)
            // What cost-by-model reads (call_rollup, kept by triggers through the reprice) is as exact.
            let usage = try ModelUsage.fetch(db, filter: CallFilter(Arguments()), per: .none)
            #expect(usage.count == 1 && usage[0].calls == 1_000_000 && usage[0].costNanos == 1_000_000_000)
            #expect(try Schema.callRollupDifferences(db) == 0)
        }
    }

    @Test func snapshotLoadsOnceAndKeepsUserPrices() throws {
        let store = try Store.inMemory()
        try store.write { db in
            #expect(try PriceSnapshot.ensureLoaded(db) == PriceSnapshot.count)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM pricing WHERE source = 'snapshot'") == PriceSnapshot.count)
            #expect(try PriceSnapshot.ensureLoaded(db) == 0)
            let row = try #require(try PriceRecord.fetchOne(db, sql: "SELECT * FROM pricing WHERE model = 'gemini-2.5-pro'"))
            #expect(row.input == mtok("1.25") && row.inputAbove == mtok("2.5") && row.outputAbove == mtok("15"))
            #expect(row.tierThreshold == 200_000 && row.maxInputTokens == 1_048_576 && row.effectiveFrom == nil)

            // A newer snapshot (simulated by aging the rows) updates snapshot rows only, and reprices.
            try db.execute(sql: """
                UPDATE pricing SET created_at = '2020-01-01T00:00:00.000Z', input_per_mtok = 99 WHERE source = 'snapshot';
                UPDATE pricing SET source = 'user', input_per_mtok = 2 WHERE model = 'gpt-5';
                INSERT INTO pricing (model, input_per_mtok, output_per_mtok, source, created_at)
                VALUES ('gone', 1, 1, 'snapshot', '2020-01-01T00:00:00.000Z');
                """)
            try insertCall(db, "x", model: "claude-sonnet-4-5", input: 1_000_000, output: 0)
            try insertCall(db, "y", model: "gpt-5", input: 1_000_000, output: 0)
            try CostEngine.reprice(db, calls: .all)
            #expect(try Int64.fetchAll(db, sql: "SELECT cost_nanos FROM calls ORDER BY id") == [99_000_000_000, 2_000_000_000])
            #expect(try PriceSnapshot.ensureLoaded(db) > 0)
            #expect(try PriceSnapshot.isLoaded(db))
            #expect(try Int64.fetchAll(db, sql: "SELECT cost_nanos FROM calls ORDER BY id") == [3_000_000_000, 2_000_000_000])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM pricing WHERE model = 'gone'") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM cost_audit_log WHERE command = 'pricing-snapshot'") == 2)
        }
    }

    @Test func snapshotTableIsWellFormed() {
        #expect(PriceSnapshot.records.count == PriceSnapshot.count)
        #expect(PriceSnapshot.count > 3000)
        #expect(!PriceSnapshot.records.contains { $0.model == "sample_spec" })
        #expect(Set(PriceSnapshot.records.map { "\($0.model)|\($0.provider ?? "")" }).count == PriceSnapshot.count)
        #expect(PriceSnapshot.source.contains("LiteLLM") && PriceSnapshot.date.count == 10)
        // Embedding-only models are not in it.
        #expect(!PriceSnapshot.records.contains { $0.model == "text-embedding-3-small" })
    }
}
