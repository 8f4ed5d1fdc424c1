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
        let zone = context.environment.timeZone
        // By period: each quarter and price summed under "period pricing_id" ("period " when
        // unpriced); by model: the pricing id.
        let relabel = unit.map { unit in
            { (group: Int64) -> String in
                let (quarter, price) = ModelUsage.Dimension.split(quarterAndPrice: group)
                return Periods.label(ofQuarter: quarter, by: unit, timeZone: zone) + " " + (price.map(String.init) ?? "")
            }
        }
        let usage = try ModelUsage.fetch(
            context.db, filter: filter, per: unit == nil ? .price : .quarterAndPrice, relabel: relabel)
        let pieces = usage.map { u in
            let parts = (u.group ?? "").split(separator: " ", omittingEmptySubsequences: false)
            return Piece(period: unit == nil ? nil : String(parts[0]), pricingID: Int64(parts.last ?? ""), usage: u)
        }
        let used = Set(pieces.compactMap(\.pricingID))
        let cards = try Dictionary(
            PriceRecord.fetchAll(context.db, keys: used).map { ($0.id ?? 0, RateCard($0)) }, uniquingKeysWith: { a, _ in a })

        var sums: [String: Sums] = [:]
        var unpriced: [String: Int64] = [:]
        var fallback: Set<String> = []
        for piece in pieces {
            let u = piece.usage
            let row = piece.period ?? "\(u.provider ?? "")\u{1F}\(u.model ?? "")"
            var sum = sums[row] ?? Sums(provider: u.provider, model: u.model)
            sum.usage.add(u)
            if let card = piece.pricingID.flatMap({ cards[$0] }) {
                let above = u.cacheReadAboveTierTokens
                for (tokens, rates) in [(u.cacheReadTokens - above, card.base), (above, card.above ?? card.base)]
                where tokens > 0 {
                    sum.savings.add(cacheReadTokens: tokens, rates: rates)
                    if rates.fallbacks.contains(.cacheRead) { fallback.insert(u.model ?? "(no model)") }
                }
                sum.priced = true
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
    /// The calls of one provider and model at one price (and in one period).
    struct Piece {
        var period: String?
        var pricingID: Int64?
        var usage: ModelUsage
    }

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

