import Foundation
import GRDB

/// Token and cost totals of one model's calls (optionally within one group, such as a period),
/// with what the notes of a cost result need: unpriced, total-only and fallback counts.
public struct ModelUsage: Hashable, Sendable {
    public var group: String?
    public var provider: String?
    public var model: String?
    public var calls: Int64
    /// Split subtotals count a NULL split as 0 (SPEC §6).
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var reasoningTokens: Int64
    public var cacheReadTokens: Int64
    public var cacheWriteTokens: Int64
    public var totalTokens: Int64
    /// The sum of the costs known in the chosen mode; nil when none is.
    public var costNanos: Int64?
    public var reportedCostNanos: Int64?
    /// Calls without a cost in the chosen mode, and their tokens.
    public var unpricedCalls: Int64
    public var unpricedTokens: Int64
    /// Calls that gave only a total.
    public var totalOnlyCalls: Int64
    /// Calls whose cost used a fallback cache price.
    public var fallbackCalls: Int64
    /// `started_at` of the first and last call.
    public var firstSeen: String?
    public var lastSeen: String?

    /// Every model's usage over the calls that pass `filter`, in one pass over `calls`.
    ///
    /// - Parameter group: an SQL expression on `c` to group by as well (a period label).
    public static func fetch(_ db: Database, filter: CallFilter, groupBy group: SQL? = nil) throws -> [ModelUsage] {
        let cost = filter.costColumn
        let groupColumn: SQL = group ?? "NULL"
        let request = SQLRequest<Row>(literal: """
            SELECT \(groupColumn) AS grp, c.provider, c.model, count(*),
                coalesce(sum(c.input_tokens), 0), coalesce(sum(c.output_tokens), 0),
                coalesce(sum(c.reasoning_tokens), 0), coalesce(sum(c.cache_read_tokens), 0),
                coalesce(sum(c.cache_write_tokens), 0), sum(c.total_tokens),
                sum(\(cost)), sum(c.reported_cost_nanos),
                sum(\(cost) IS NULL), coalesce(sum(CASE WHEN \(cost) IS NULL THEN c.total_tokens END), 0),
                sum(c.input_tokens IS NULL AND c.output_tokens IS NULL AND c.reasoning_tokens IS NULL
                    AND c.cache_read_tokens IS NULL AND c.cache_write_tokens IS NULL),
                sum(\(filter.fallbackColumn)), min(c.started_at), max(c.started_at)
            FROM calls c
            WHERE \(filter.condition)
            GROUP BY grp, c.provider, c.model
            """)
        return try Row.fetchAll(db, request).map { row in
            ModelUsage(
                group: row[0], provider: row[1], model: row[2], calls: row[3], inputTokens: row[4], outputTokens: row[5],
                reasoningTokens: row[6], cacheReadTokens: row[7], cacheWriteTokens: row[8], totalTokens: row[9],
                costNanos: row[10], reportedCostNanos: row[11], unpricedCalls: row[12], unpricedTokens: row[13],
                totalOnlyCalls: row[14], fallbackCalls: row[15], firstSeen: row[16], lastSeen: row[17])
        }
    }

    /// The notes of a cost result (SPEC §4, §6): unpriced models named with their token volume,
    /// total-only calls, fallback prices. Each uses its keyword ("unpriced", "total-only",
    /// "fallback") so that scripts can grep for it.
    public static func notes(_ usage: [ModelUsage], mode: CostMode) -> [String] {
        var notes: [String] = []
        var unpriced: [String: (calls: Int64, tokens: Int64)] = [:]
        for u in usage where u.unpricedCalls > 0 {
            let name = u.model ?? "(no model)"
            let sum = unpriced[name] ?? (0, 0)
            unpriced[name] = (sum.calls + u.unpricedCalls, sum.tokens + u.unpricedTokens)
        }
        if !unpriced.isEmpty {
            let list = unpriced.sorted { ($0.value.tokens, $1.key) > ($1.value.tokens, $0.key) }.map { name, n in
                "\(name) (\(NumberFormat.grouped(n.tokens)) tokens in \(count(n.calls, "call")))"
            }
            let without: String
            switch mode {
            case .auto: without = "no price and no reported cost"
            case .computed: without = "no price, or only a total"
            case .reported: without = "no reported cost"
            }
            notes.append(
                "\(count(Int64(unpriced.count), "model")) with unpriced calls (\(without)): \(list.joined(separator: ", ")); "
                    + "cost shown is partial. `pricing missing` lists models without a price.")
        }
        let totalOnly = usage.reduce(0) { $0 + $1.totalOnlyCalls }
        if totalOnly > 0 {
            notes.append("\(count(totalOnly, "total-only call")) (the source gave only total_tokens): split token columns count them as 0.")
        }
        let fallback = usage.reduce(0) { $0 + $1.fallbackCalls }
        if fallback > 0 {
            let models = Set(usage.filter { $0.fallbackCalls > 0 }.map { $0.model ?? "(no model)" }).sorted()
            notes.append(
                "\(count(fallback, "call")) priced with a fallback cache price (no cache price known for "
                    + "\(models.joined(separator: ", "))): cache read 0.1 ×, write 1.25 ×, 1-hour write 2 × the input price.")
        }
        return notes
    }

    private static func count(_ n: Int64, _ noun: String) -> String {
        "\(NumberFormat.grouped(n)) \(noun)\(n == 1 ? "" : "s")"
    }
}
