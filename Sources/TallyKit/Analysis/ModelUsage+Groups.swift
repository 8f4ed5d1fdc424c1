import Foundation

/// Usage summed over several models: what a breakdown by agent, project or session shows per row.
extension ModelUsage {
    /// No calls, in `group` (and of `provider` and `model`).
    public static func zero(group: String? = nil, provider: String? = nil, model: String? = nil) -> ModelUsage {
        ModelUsage(
            group: group, provider: provider, model: model, calls: 0, inputTokens: 0, outputTokens: 0, reasoningTokens: 0,
            cacheReadTokens: 0, cacheWriteTokens: 0, totalTokens: 0, costNanos: nil, reportedCostNanos: nil,
            unpricedCalls: 0, unpricedTokens: 0, totalOnlyCalls: 0, fallbackCalls: 0)
    }

    /// Adds another row's counts: tokens and calls summed, a cost summed over the rows that
    /// have one (nil only while none has: unpriced is never $0). Group, provider and model stay.
    public mutating func add(_ other: ModelUsage) {
        calls += other.calls
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        reasoningTokens += other.reasoningTokens
        cacheReadTokens += other.cacheReadTokens
        cacheWriteTokens += other.cacheWriteTokens
        totalTokens += other.totalTokens
        costNanos = Self.sum(costNanos, other.costNanos)
        reportedCostNanos = Self.sum(reportedCostNanos, other.reportedCostNanos)
        unpricedCalls += other.unpricedCalls
        unpricedTokens += other.unpricedTokens
        totalOnlyCalls += other.totalOnlyCalls
        unpricedTotalOnlyCalls += other.unpricedTotalOnlyCalls
        unpricedTotalOnlyTokens += other.unpricedTotalOnlyTokens
        fallbackCalls += other.fallbackCalls
        cacheReadAboveTierTokens += other.cacheReadAboveTierTokens
    }

    /// The rows of one `fetch` summed per group (its models merged), in the order groups first
    /// appear; provider and model are nil.
    public static func byGroup(_ usage: [ModelUsage]) -> [ModelUsage] {
        var index: [String?: Int] = [:]
        var groups: [ModelUsage] = []
        for u in usage {
            if let i = index[u.group] {
                groups[i].add(u)
            } else {
                index[u.group] = groups.count
                var first = zero(group: u.group)
                first.add(u)
                groups.append(first)
            }
        }
        return groups
    }

    /// The cost a row shows: nil when it has calls and none has a cost; 0 without calls (nothing
    /// was spent, which is not the same as unpriced).
    public var shownCostNanos: Int64? { calls == 0 ? 0 : costNanos }

    /// Orders rows the way the cost breakdowns list them: most expensive first, rows without a
    /// cost last, then by total tokens (most first).
    public static func costOrder(_ a: ModelUsage, _ b: ModelUsage) -> Bool? {
        if (a.costNanos ?? -1) != (b.costNanos ?? -1) { return (a.costNanos ?? -1) > (b.costNanos ?? -1) }
        if a.totalTokens != b.totalTokens { return a.totalTokens > b.totalTokens }
        return nil
    }

    /// The columns a cost breakdown shows after its key and before `share_pct`, as in
    /// `cost-by-model`: `calls, input_tokens, output_tokens, reasoning_tokens, cache_read_tokens,
    /// cache_write_tokens, total_tokens, cost_usd, reported_cost_usd`.
    public static let breakdownColumns = [
        Column("calls", .integer),
        Column("input_tokens", .tokens), Column("output_tokens", .tokens), Column("reasoning_tokens", .tokens),
        Column("cache_read_tokens", .tokens), Column("cache_write_tokens", .tokens), Column("total_tokens", .tokens),
        Column("cost_usd", .money), Column("reported_cost_usd", .money),
    ]

    /// This row's cells under `breakdownColumns`.
    public var breakdownCells: [Value] {
        [.integer(calls), .integer(inputTokens), .integer(outputTokens), .integer(reasoningTokens),
         .integer(cacheReadTokens), .integer(cacheWriteTokens), .integer(totalTokens), .usd(costNanos),
         .usd(reportedCostNanos)]
    }

    private static func sum(_ a: Int64?, _ b: Int64?) -> Int64? {
        switch (a, b) {
        case (nil, nil): return nil
        case let (a, b): return (a ?? 0) + (b ?? 0)
        }
    }
}
