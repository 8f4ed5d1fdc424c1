import Foundation
import GRDB
import TallyKit

/// `cache-efficiency`: how much of the prompt came from the cache, and what that saved against
/// uncached prices, per model or per day, week or month.
public enum CacheEfficiency: Analysis {
    public static let name = "cache-efficiency"
    public static let summary = "Cache read share of prompt tokens and money saved against uncached prices, by model or period."
    public static let discussion = """
        prompt_tokens = input + cache_read + cache_write (input is uncached input, SPEC §6); \
        cache_read_share_pct = cache_read / prompt_tokens. saved_usd = cache_read tokens × (input price \
        − cache read price), at the price row and long-context tier that priced each call (a missing \
        cache read price falls back to 0.1 × input, noted); exact, rounded once per row. Calls without \
        a price have no saving (noted as unpriced); total-only calls count in calls only. \
        --by model (default) gives one row per provider and model, most saved first; --by day, week or \
        month one row per period (days in --tz), empty periods included, with a bar chart.

        Columns: provider, model (or period), calls, input_tokens, cache_read_tokens, cache_write_tokens, \
        prompt_tokens, cache_read_share_pct, saved_usd.
        """
    public static let parameters =
        [Parameter("by", .choice(["model"] + Periods.Unit.allCases.map(\.rawValue)), default: "model",
                   help: "One row per model, or per day, week or month.")]
        + CallFilter.parameters.filter { $0.name != "cost-mode" }
    public static let examples = [
        Example("cache-efficiency", "Per model: a fallback price, a long-context tier, an unpriced model.",
                fixture: "cache", expected: """
            provider,model,calls,input_tokens,cache_read_tokens,cache_write_tokens,prompt_tokens,cache_read_share_pct,saved_usd
            acme,model-a,3,101000,900000,3000,1004000,89.64,2.43
            acme,model-b,1,200000,800000,0,1000000,80,0.72
            acme,model-t,2,150000,400000,0,550000,72.73,0.525
            other,model-x,1,10000,90000,0,100000,90,
            """),
        Example("cache-efficiency --by day", "Per day; 2026-03-02's saving leaves out the unpriced model.",
                fixture: "cache", expected: """
            period,calls,input_tokens,cache_read_tokens,cache_write_tokens,prompt_tokens,cache_read_share_pct,saved_usd
            2026-03-01,2,300000,1700000,0,2000000,85,3.15
            2026-03-02,4,160000,490000,0,650000,75.38,0.525
            2026-03-03,1,1000,0,3000,4000,0,0
            """),
        Example("cache-efficiency --by day --since 2026-03-03 --until 2026-03-05", "A day without calls has no share.",
                fixture: "cache", expected: """
            period,calls,input_tokens,cache_read_tokens,cache_write_tokens,prompt_tokens,cache_read_share_pct,saved_usd
            2026-03-03,1,1000,0,3000,4000,0,0
            2026-03-04,0,0,0,0,0,,0
            """),
        Example("cache-efficiency --by month", "A single period.", fixture: "cache", expected: """
            period,calls,input_tokens,cache_read_tokens,cache_write_tokens,prompt_tokens,cache_read_share_pct,saved_usd
            2026-03,7,461000,2190000,3000,2654000,82.52,3.675
            """),
        Example("cache-efficiency --since 2026-04-01", "No calls in range: no rows, and a note saying so.",
                fixture: "cache", expected: """
            provider,model,calls,input_tokens,cache_read_tokens,cache_write_tokens,prompt_tokens,cache_read_share_pct,saved_usd
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        var filter = CallFilter(arguments)
        filter.costMode = .computed  // a call is priced when it has a computed cost (and so a pricing_id)
        let unit = arguments.string("by").flatMap(Periods.Unit.init(rawValue:))
        var group = try priceKey(context.db)
        if let unit {
            group = "tz_period(c.started_at, \(unit.rawValue), \(context.environment.timeZoneName)) || ' ' || \(group)"
        }
        let usage = try ModelUsage.fetch(context.db, filter: filter, groupBy: group)
        let used = Set(usage.compactMap { u in u.group.flatMap { Int64($0.split(separator: " ").last?.filter(\.isNumber) ?? "") } })
        let cards = try Dictionary(
            PriceRecord.fetchAll(context.db, keys: used).map { ($0.id ?? 0, RateCard($0)) }, uniquingKeysWith: { a, _ in a })

        var sums: [String: Sums] = [:]
        var unpriced: [String: Int64] = [:]
        var fallback: Set<String> = []
        for u in usage {
            var key = u.group ?? ""
            var period = ""
            if unit != nil, let space = key.firstIndex(of: " ") {
                period = String(key[..<space])
                key = String(key[key.index(after: space)...])
            }
            let row = unit == nil ? "\(u.provider ?? "")\u{1F}\(u.model ?? "")" : period
            var sum = sums[row] ?? Sums(provider: u.provider, model: u.model)
            sum.usage.add(u)
            if let card = Int64(key.hasSuffix("+") ? String(key.dropLast()) : key).flatMap({ cards[$0] }) {
                let rates = key.hasSuffix("+") ? card.above ?? card.base : card.base
                sum.savings.add(cacheReadTokens: u.cacheReadTokens, rates: rates)
                sum.priced = true
                if rates.fallbacks.contains(.cacheRead), u.cacheReadTokens > 0 { fallback.insert(u.model ?? "(no model)") }
            } else if u.cacheReadTokens > 0 {
                unpriced[u.model ?? "(no model)", default: 0] += u.cacheReadTokens
            }
            sums[row] = sum
        }

        var keyColumns = [Column("provider", .text), Column("model", .text)]
        var rows: [[Value]]
        var chart: Chart?
        if let unit {
            keyColumns = [Column("period", .date)]
            let labels = try Periods.labels(
                covering: filter, by: unit, db: context.db, environment: context.environment, present: sums.keys)
            rows = labels.map { [.text($0)] + (sums[$0] ?? Sums(provider: nil, model: nil)).cells }
            chart = Chart(kind: .bar, label: "period", value: "cache_read_share_pct")
        } else {
            let sorted = sums.values.sorted { a, b in
                let (sa, sb) = (a.saved ?? Int64.min, b.saved ?? Int64.min)
                if sa != sb { return sa > sb }
                if a.prompt != b.prompt { return a.prompt > b.prompt }
                return (a.provider ?? "", a.model ?? "") < (b.provider ?? "", b.model ?? "")
            }
            rows = sorted.map { [.string($0.provider), .string($0.model)] + $0.cells }
        }
        let columns = keyColumns + [
            Column("calls", .integer), Column("input_tokens", .tokens), Column("cache_read_tokens", .tokens),
            Column("cache_write_tokens", .tokens), Column("prompt_tokens", .tokens),
            Column("cache_read_share_pct", .percent), Column("saved_usd", .money),
        ]
        let notes = sums.isEmpty
            ? [filter.emptyNote()] : Self.notes(usage, unpriced: unpriced, fallback: fallback)
        return ResultSet(columns: columns, rows: rows, notes: notes, chart: chart)
    }
}

private extension CacheEfficiency {
    /// One output row's sums.
    struct Sums {
        var provider: String?
        var model: String?
        var usage = ModelUsage.zero()
        var savings = CacheSavings()
        /// Some call had a price: the saving is known (possibly partial).
        var priced = false

        var prompt: Int64 { usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens }
        /// nil when no call had a price; 0 for a period without calls.
        var saved: Int64? { priced || usage.calls == 0 ? savings.nanos : nil }

        var cells: [Value] {
            [.integer(usage.calls), .integer(usage.inputTokens), .integer(usage.cacheReadTokens),
             .integer(usage.cacheWriteTokens), .integer(prompt), .share(usage.cacheReadTokens, of: prompt), .usd(saved)]
        }
    }

    /// The group key of a call's price: its pricing id, `+` when its prompt is above that price's
    /// long-context threshold (as `RateCard.tier` decides); empty for an unpriced call. Only the
    /// tiered prices that calls use go into the CASE.
    static func priceKey(_ db: Database) throws -> SQL {
        let tiers = try Row.fetchAll(
            db,
            sql: """
                SELECT id, tier_threshold_tokens FROM pricing
                WHERE tier_threshold_tokens IS NOT NULL AND id IN (SELECT pricing_id FROM calls)
                ORDER BY id
                """)
        let threshold: SQL = tiers.isEmpty
            ? "NULL" : "CASE c.pricing_id " + tiers.map { "WHEN \($0[0] as Int64) THEN \($0[1] as Int64) " as SQL }.joined() + "END"
        return """
            (coalesce(c.pricing_id, '') || CASE WHEN coalesce(c.input_tokens, 0) + coalesce(c.cache_read_tokens, 0)
              + coalesce(c.cache_write_tokens, 0) > \(threshold) THEN '+' ELSE '' END)
            """
    }

    static func notes(_ usage: [ModelUsage], unpriced: [String: Int64], fallback: Set<String>) -> [String] {
        var notes: [String] = []
        let totalOnly = usage.reduce(0) { $0 + $1.totalOnlyCalls }
        if totalOnly > 0 {
            notes.append("\(NumberFormat.grouped(totalOnly)) total-only call\(totalOnly == 1 ? "" : "s") (the source gave "
                + "only total_tokens): counted in calls, not in the token columns.")
        }
        if !unpriced.isEmpty {
            let list = unpriced.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { "\($0.key) (\(NumberFormat.grouped($0.value)) cache read tokens)" }
            notes.append("\(unpriced.count) unpriced model\(unpriced.count == 1 ? "" : "s") (no price): "
                + "\(list.joined(separator: ", ")); saved_usd leaves \(unpriced.count == 1 ? "it" : "them") out. `pricing missing` lists models without a price.")
        }
        if !fallback.isEmpty {
            notes.append("saved_usd of \(fallback.sorted().joined(separator: ", ")) uses a fallback cache read price "
                + "(0.1 × the input price): no cache read price is known.")
        }
        return notes
    }
}
