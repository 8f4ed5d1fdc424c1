import Foundation
import GRDB
import Testing
import TallyAnalyses
import TallyCommands
@testable import TallyKit

/// The arithmetic behind the breakdown analyses of issue 5, and their agreement with direct
/// computations on random data.
@Suite struct BreakdownArithmeticTests {
    static let usage = ModelUsage(
        group: "g", provider: "p", model: "m", calls: 2, inputTokens: 10, outputTokens: 20, reasoningTokens: 3,
        cacheReadTokens: 40, cacheWriteTokens: 5, totalTokens: 78, costNanos: nil, reportedCostNanos: 7,
        unpricedCalls: 2, unpricedTokens: 78, totalOnlyCalls: 1, unpricedTotalOnlyCalls: 1, unpricedTotalOnlyTokens: 30,
        fallbackCalls: 0)

    @Test func addingUsageKeepsUnpricedApartFromZero() {
        var sum = ModelUsage.zero(group: "g")
        sum.add(Self.usage)
        #expect(sum.costNanos == nil && sum.reportedCostNanos == 7)
        #expect(sum.shownCostNanos == nil)
        #expect(ModelUsage.zero().shownCostNanos == 0)
        var priced = Self.usage
        priced.costNanos = 5
        priced.fallbackCalls = 1
        sum.add(priced)
        #expect(sum.costNanos == 5 && sum.reportedCostNanos == 14)
        #expect(sum.calls == 4 && sum.totalTokens == 156 && sum.cacheReadTokens == 80 && sum.reasoningTokens == 6)
        #expect(sum.unpricedCalls == 4 && sum.totalOnlyCalls == 2 && sum.unpricedTotalOnlyTokens == 60 && sum.fallbackCalls == 1)
    }

    @Test func byGroupMergesModelsInFirstSeenOrder() {
        var a = Self.usage, b = Self.usage, c = Self.usage
        (a.group, b.group, c.group) = ("x", nil, "x")
        c.costNanos = 9
        let groups = ModelUsage.byGroup([a, b, c])
        #expect(groups.map(\.group) == ["x", nil])
        #expect(groups[0].calls == 4 && groups[0].costNanos == 9 && groups[0].model == nil)
        #expect(groups[1].calls == 2 && groups[1].costNanos == nil)
    }

    static func rates(input: Int64, cacheRead: Int64?) -> Rates {
        RateCard(PriceRecord(id: 1, model: "m", input: input, output: 0, cacheRead: cacheRead)).base
    }

    @Test func cacheSavingsRoundOnceHalfUp() {
        // 0.6 nano-dollars per token: three tokens save 1.8 → 2 (rounding each would give 3).
        var savings = CacheSavings()
        for _ in 0..<3 { savings.add(cacheReadTokens: 1, rates: Self.rates(input: 700_000, cacheRead: 100_000)) }
        #expect(savings.nanos == 2)
        // 0.5 rounds up; a negative saving (cache read dearer than input) rounds towards +∞ at half.
        var half = CacheSavings()
        half.add(cacheReadTokens: 1, rates: Self.rates(input: 500_000, cacheRead: 0))
        #expect(half.nanos == 1)
        var negative = CacheSavings()
        negative.add(cacheReadTokens: 1, rates: Self.rates(input: 0, cacheRead: 500_000))
        #expect(negative.nanos == 0)
        negative.add(cacheReadTokens: 1, rates: Self.rates(input: 0, cacheRead: 600_000))
        #expect(negative.nanos == -1)  // -1.1
        // Sums of sums add remainders before rounding: 0.6 + 0.6 = 1.2 → 1, not 1 + 1.
        var x = CacheSavings(), y = CacheSavings()
        x.add(cacheReadTokens: 1, rates: Self.rates(input: 600_000, cacheRead: 0))
        y.add(cacheReadTokens: 1, rates: Self.rates(input: 600_000, cacheRead: 0))
        x.add(y)
        #expect(x.nanos == 1)
        // The missing cache read price falls back to 0.1 × input: $2/M input saves $1.80/M.
        var fallback = CacheSavings()
        fallback.add(cacheReadTokens: 1_000_000, rates: Self.rates(input: 2_000_000_000, cacheRead: nil))
        #expect(fallback.nanos == 1_800_000_000)
    }

    @Test func cacheSavingsStayExactNearTheLimits() {
        // Counts near Pricer.tokenLimit at a price near PriceRecord.priceLimit, many times: no overflow.
        let rates = Self.rates(input: PriceRecord.priceLimit - 1, cacheRead: 0)
        var savings = CacheSavings()
        let tokens: Int64 = 999_999_999_999
        for _ in 0..<8 { savings.add(cacheReadTokens: tokens, rates: rates) }
        var exact = Decimal(tokens) * Decimal(PriceRecord.priceLimit - 1) * 8 / 1_000_000 + Decimal(string: "0.5")!
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 0, .down)
        #expect(Decimal(savings.nanos) == rounded)
    }
}

@Suite struct BreakdownAnalysesTests {
    /// A step's cost divided among its tool calls: the first (cost mod n) by part id get one
    /// nano-dollar more; the shares add up to the step's cost.
    @Test func stepCostSplitsExactlyAmongItsToolCalls() throws {
        let store = try Store.inMemory()
        try store.write { db in
            try db.execute(sql: """
                INSERT INTO sessions (id, source) VALUES ('s', 'opencode');
                INSERT INTO messages (id, session_id, role, created_at) VALUES ('m', 's', 'assistant', '2026-03-01T10:00:00.000Z');
                INSERT INTO parts (id, message_id, session_id, ordinal, type) VALUES
                  ('p0', 'm', 's', 0, 'step-start'), ('p1', 'm', 's', 1, 'tool'), ('p2', 'm', 's', 2, 'tool'),
                  ('p3', 'm', 's', 3, 'tool'), ('p4', 'm', 's', 4, 'step-finish');
                INSERT INTO tool_calls (part_id, tool) VALUES ('p1', 'c'), ('p2', 'a'), ('p3', 'b');
                INSERT INTO calls (id, source, session_id, message_id, started_at, total_tokens, reported_cost_nanos,
                                   cost_nanos, cost_source)
                VALUES ('p4', 'opencode', 's', 'm', '2026-03-01T10:00:01.000Z', 10, 11, 11, 'reported');
                """)
        }
        let result = try run("cost-by-tool", on: store)
        let costs = Dictionary(uniqueKeysWithValues: result.records.map { ($0["tool"]!.stringValue!, $0["cost_usd"]!) })
        // 11 nano-dollars among 3: p1 (tool c) and p2 (tool a) get 4, p3 (tool b) 3.
        #expect(costs == ["c": .decimal(Decimal(string: "0.000000004")!), "a": .decimal(Decimal(string: "0.000000004")!),
                          "b": .decimal(Decimal(string: "0.000000003")!)])
    }

    /// Random OpenCode-shaped messages: tool costs add up to the cost of the steps that made tool
    /// calls, whatever the split, and the tool-call counts match.
    @Test func toolCostsAddUpToTheirStepsCosts() throws {
        var rng = SeededGenerator(seed: 5)
        let store = try Store.inMemory()
        var expected: Int64 = 0
        var toolCount = 0
        try store.write { db in
            try db.execute(sql: "INSERT INTO sessions (id, source) VALUES ('s', 'opencode')")
            for m in 0..<40 {
                try db.execute(literal: """
                    INSERT INTO messages (id, session_id, role, created_at) VALUES (\("m\(m)"), 's', 'assistant', '2026-03-01T10:00:00.000Z')
                    """)
                var ordinal = 0
                func part(_ type: String) throws -> String {
                    let id = "m\(m)-p\(ordinal)"
                    try db.execute(literal: "INSERT INTO parts (id, message_id, session_id, ordinal, type) VALUES (\(id), \("m\(m)"), 's', \(ordinal), \(type))")
                    ordinal += 1
                    return id
                }
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    _ = try part("step-start")
                    let tools = Int.random(in: 0...4, using: &rng)
                    for _ in 0..<tools {
                        let id = try part("tool")
                        try db.execute(literal: "INSERT INTO tool_calls (part_id, tool) VALUES (\(id), \(["read", "grep", "bash"].randomElement(using: &rng)!))")
                    }
                    let step = try part("step-finish")
                    let cost = Int64.random(in: 0...1_000_000_007, using: &rng)
                    try db.execute(literal: """
                        INSERT INTO calls (id, source, session_id, message_id, started_at, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
                        VALUES (\(step), 'opencode', 's', \("m\(m)"), '2026-03-01T10:00:01.000Z', 1, \(cost), \(cost), 'reported')
                        """)
                    if tools > 0 { expected += cost }
                    toolCount += tools
                }
            }
        }
        let result = try run("cost-by-tool", on: store)
        #expect(result.sum("cost_usd") == Money.usd(nanos: expected))
        #expect(result.sum("calls") == Decimal(toolCount))
    }

    /// Random session trees: each root's own and sub-agent totals equal a walk up the parents in
    /// Swift, and roots plus calls outside any tree give cost-by-model's total.
    @Test func sessionRollupsMatchAWalkUpTheTree() throws {
        var rng = SeededGenerator(seed: 11)
        let store = try Store.inMemory()
        var parent: [String: String] = [:]
        var calls: [(session: String?, tokens: Int64, cost: Int64?)] = []
        try store.write { db in
            for n in 0..<60 {
                let id = "s\(n)"
                let p: String? = n > 0 && Bool.random(using: &rng) ? "s\(Int.random(in: 0..<n, using: &rng))" : nil
                parent[id] = p
                try db.execute(literal: "INSERT INTO sessions (id, source, parent_id) VALUES (\(id), 'test', \(p))")
            }
            for n in 0..<400 {
                let session: String? = Int.random(in: 0..<20, using: &rng) == 0 ? nil : "s\(Int.random(in: 0..<60, using: &rng))"
                let tokens = Int64.random(in: 1...50_000, using: &rng)
                let cost: Int64? = Int.random(in: 0..<6, using: &rng) == 0 ? nil : .random(in: 0...90_000_000, using: &rng)
                calls.append((session, tokens, cost))
                try db.execute(literal: """
                    INSERT INTO calls (id, source, session_id, model, started_at, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
                    VALUES (\("c\(n)"), 'test', \(session), 'm', '2026-03-01T10:00:00.000Z', \(tokens), \(cost), \(cost),
                            \(cost == nil ? nil : "reported"))
                    """)
            }
        }
        func root(_ s: String) -> String { parent[s].map(root) ?? s }
        var own: [String: (tokens: Int64, cost: Int64?)] = [:], sub: [String: (tokens: Int64, cost: Int64?)] = [:]
        for call in calls {
            guard let s = call.session else { continue }
            let r = root(s)
            func add(_ sum: (tokens: Int64, cost: Int64?)?) -> (tokens: Int64, cost: Int64?) {
                let sum = sum ?? (0, nil)
                return (sum.tokens + call.tokens, call.cost.map { $0 + (sum.cost ?? 0) } ?? sum.cost)
            }
            if s == r { own[r] = add(own[r]) } else { sub[r] = add(sub[r]) }
        }
        let result = try run("cost-by-session", on: store)
        #expect(result.rows.count == Set(own.keys).union(sub.keys).count)
        for record in result.records {
            let id = record["session_id"]!.stringValue!
            #expect(record["own_total_tokens"] == .integer(own[id]?.tokens ?? 0), "\(id)")
            #expect(record["subagent_total_tokens"] == .integer(sub[id]?.tokens ?? 0), "\(id)")
            #expect(record["own_cost_usd"] == .usd(own[id] == nil ? 0 : own[id]!.cost), "\(id)")
            #expect(record["subagent_cost_usd"] == .usd(sub[id] == nil ? 0 : sub[id]!.cost), "\(id)")
        }
        let sessionless = calls.filter { $0.session == nil }.compactMap(\.cost).reduce(0, +)
        let byModel = try run("cost-by-model", on: store)
        #expect(result.sum("cost_usd") + Money.usd(nanos: sessionless) == byModel.sum("cost_usd"))
        #expect(result.notes.contains { $0.contains("to no session, left out here") })
        // Most expensive first.
        let costs = result.values("cost_usd").compactMap(\.decimalValue)
        #expect(costs == costs.sorted(by: >))
        let top = try run("top-sessions --limit 3", on: store)
        #expect(top.values("session_id") == Array(result.values("session_id").prefix(3)))
        #expect(top.notes.contains { $0.contains("more root sessions in range") })
    }

    /// Agents and projects partition the calls: their sums equal cost-by-model's under every filter.
    @Test(arguments: ["", "--cost-mode reported", "--since 2026-02-01 --until 2026-02-15", "--project web --source codex"])
    func agentAndProjectTotalsMatchCostByModel(_ filter: String) throws {
        let store = try demoLikeStore(calls: 1500)
        try store.write { db in
            try db.execute(sql: "UPDATE calls SET agent = CASE rowid % 3 WHEN 0 THEN 'build' WHEN 1 THEN 'plan' END")
        }
        let byModel = try run("cost-by-model \(filter)", on: store)
        for analysis in ["cost-by-agent", "cost-by-project"] {
            let result = try run("\(analysis) \(filter)", on: store)
            for column in ["calls", "total_tokens", "input_tokens", "cache_read_tokens", "cost_usd", "reported_cost_usd"] {
                #expect(result.sum(column) == byModel.sum(column), "\(analysis) \(filter): \(column)")
            }
            #expect(result.notes == byModel.notes, "\(analysis) \(filter)")
        }
        let agents = try run("cost-by-agent \(filter)", on: store)
        #expect(Set(agents.values("agent")) == [.text("build"), .text("plan"), .null])
    }

    /// saved_usd against the Pricer: per model, the cost with cache reads billed as uncached input
    /// minus the cost as billed, call by call (each rounded once, so within one nano-dollar a call).
    @Test func cacheSavingsAgreeWithThePricer() throws {
        let store = try demoLikeStore(calls: 1500)
        let result = try run("cache-efficiency", on: store)
        let pricer = try store.read { db -> [String: (saved: Int64, calls: Int64)] in
            let cards = try Dictionary(uniqueKeysWithValues: PriceRecord.fetchAll(db).map { ($0.id!, RateCard($0)) })
            var sums: [String: (saved: Int64, calls: Int64)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT provider, model, pricing_id, input_tokens, output_tokens, reasoning_tokens, cache_read_tokens,
                       cache_write_tokens, cache_write_1h_tokens FROM calls WHERE pricing_id IS NOT NULL
                """) {
                let card = cards[row["pricing_id"]]!
                let usage = TokenUsage(
                    input: row["input_tokens"], output: row["output_tokens"], reasoning: row["reasoning_tokens"],
                    cacheRead: row["cache_read_tokens"], cacheWrite: row["cache_write_tokens"], cacheWrite1h: row["cache_write_1h_tokens"])
                var uncached = usage
                uncached.input = (usage.input ?? 0) + (usage.cacheRead ?? 0)
                uncached.cacheRead = 0
                let key = "\(row["provider"] as String? ?? "") \(row["model"] as String)"
                let saved = Pricer.cost(of: uncached, at: card)!.nanos - Pricer.cost(of: usage, at: card)!.nanos
                sums[key] = ((sums[key]?.saved ?? 0) + saved, (sums[key]?.calls ?? 0) + 1)
            }
            return sums
        }
        #expect(!pricer.isEmpty)
        for record in result.records {
            let key = "\(record["provider"]!.stringValue ?? "") \(record["model"]!.stringValue!)"
            guard let expected = pricer[key] else {
                #expect(record["saved_usd"] == .null, "\(key)")
                continue
            }
            let saved = try #require(record["saved_usd"]?.decimalValue) * 1_000_000_000
            #expect(abs(saved - Decimal(expected.saved)) <= Decimal(expected.calls), "\(key)")
        }
        #expect(result.sum("calls") == 1500)
    }

    @Test func emptyRangesAreResultsWithANote() throws {
        for (line, fixture) in [("cost-by-agent", "sessions"), ("cost-by-project", "sessions"), ("cost-by-session", "sessions"),
                                ("top-sessions", "sessions"), ("cost-by-tool", "tools"), ("cache-efficiency", "cache"),
                                ("cache-efficiency --by day", "cache")] {
            let result = try run("\(line) --since 2026-04-01", on: try Fixtures.store(fixture))
            #expect(result.rows.isEmpty, "\(line)")
            #expect(!result.columns.isEmpty, "\(line)")
            let what = line == "cost-by-tool" ? "tool calls" : "calls"
            #expect(result.notes == ["No \(what) match --since 2026-04-01T00:00:00.000Z."], "\(line)")
        }
        let empty = try run("cost-by-session", on: try Fixtures.store("empty"))
        #expect(empty.notes == ["No calls in the database."])
        let prompts = try run("exchanges --session ses-oc --until 2026-03-10", on: try Fixtures.store("tools"))
        #expect(prompts.rows.isEmpty && prompts.notes == ["No prompts of session ses-oc match --until 2026-03-10T00:00:00.000Z."])
    }

    @Test func notesNameUnpricedTotalOnlyAndFallback() throws {
        let sessions = try Fixtures.store("sessions")
        let agents = try run("cost-by-agent", on: sessions)
        #expect(agents.notes.count == 3)
        #expect(agents.notes[0].hasPrefix("1 unpriced model (no price and no reported cost): model-x (5,500 tokens in 1 call)"))
        #expect(agents.notes[1].hasPrefix("2 total-only calls"))
        #expect(agents.notes[2].hasPrefix("1 call priced with a fallback cache price (no cache price known for model-b)"))
        let rollups = try run("cost-by-session", on: sessions)
        #expect(rollups.notes.last == "1 call (11,000 tokens, $0.01) belongs to no session, left out here; `cost-by-model` counts it.")

        let tools = try run("cost-by-tool", on: try Fixtures.store("tools"))
        #expect(tools.notes == [
            "2 tool calls come from unpriced steps (no cost in --cost-mode auto: model-x): cost shown is partial.",
            "1 tool call lacks a recorded step (an unfinished step, or no call in its message or before it in its "
                + "session): counted in calls and failures, not in cost.",
        ])

        let cache = try run("cache-efficiency", on: try Fixtures.store("cache"))
        #expect(cache.notes == [
            "1 total-only call (the source gave only total_tokens): counted in calls, not in the token columns.",
            "1 unpriced model (no price): model-x (90,000 cache read tokens); saved_usd leaves it out. "
                + "`pricing missing` lists models without a price.",
            "saved_usd of model-b uses a fallback cache read price (0.1 × the input price): no cache read price is known.",
        ])
    }

    /// Stored rollups may be stale (ses-login's says $0.09): cost-by-session reads the calls.
    @Test func storedRollupsAreNotRead() throws {
        let result = try run("cost-by-session --project app", on: try Fixtures.store("sessions"))
        let login = try #require(result.records.first { $0["session_id"] == "ses-login" })
        #expect(login["cost_usd"] == .decimal(Decimal(string: "0.3205")!))
    }

    @Test func exchangesFollowTheCostModeAndUnpricedDelegations() throws {
        let store = try Fixtures.store("tools")
        try store.write { db in
            try db.execute(sql: "UPDATE calls SET reported_cost_nanos = NULL, cost_nanos = NULL, cost_source = NULL WHERE id = 'p-t-a-2'")
        }
        let result = try run("exchanges --session ses-oc", on: store)
        #expect(result.values("subagent_cost_usd") == [.null, .decimal(0)])
        #expect(result.chart == Chart(kind: .bar, label: "exchange", value: "cost_usd"))
        let computed = try run("exchanges --session ses-oc --cost-mode computed", on: store)
        #expect(computed.values("cost_usd") == [.null, .null])  // no prices in this fixture
        #expect(computed.values("calls") == [.integer(2), .integer(1)])
    }

    @Test func chartsOnlyOverTime() throws {
        let store = try Fixtures.store("cache")
        #expect(try run("cache-efficiency --by week", on: store).chart == Chart(kind: .bar, label: "period", value: "cache_read_share_pct"))
        #expect(try run("cache-efficiency", on: store).chart == nil)
    }

    /// SPEC §4 and §8: JSON objects keyed by the stable column names, money as numbers.
    @Test func jsonUsesTheColumnNames() throws {
        let output = CapturedOutput()
        let interpreter = Interpreter(
            store: try Fixtures.store("sessions"), registry: builtinRegistry, environment: Fixtures.environment, output: output)
        #expect(interpreter.execute("cost-by-session --format json") == .success)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        #expect(objects.count == 3)
        #expect(Set(objects[0].keys) == [
            "session_id", "title", "project", "started_at", "calls", "own_total_tokens", "subagent_total_tokens",
            "total_tokens", "own_cost_usd", "subagent_cost_usd", "cost_usd",
        ])
        #expect((objects[0]["cost_usd"] as? NSNumber)?.doubleValue == 0.39)
        #expect(objects[2]["cost_usd"] is NSNull)
        #expect(output.stderr.contains("total-only"))
    }
}

