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
    /// Of the unpriced calls, those that gave only a total (a price cannot apply to them).
    public var unpricedTotalOnlyCalls: Int64 = 0
    public var unpricedTotalOnlyTokens: Int64 = 0
    /// Calls whose cost used a fallback cache price.
    public var fallbackCalls: Int64
    /// Of `cacheReadTokens`, those of calls whose prompt is above their price's long-context
    /// tier (priced at the above-tier rates).
    public var cacheReadAboveTierTokens: Int64 = 0

    /// Every model's usage over the calls that pass `filter`, in one pass over `calls`.
    ///
    /// The grouping is a hash aggregate over one scan, done here rather than by `GROUP BY`:
    /// SQLite has no hash aggregate, so `GROUP BY provider, model` sorts every row first, which
    /// costs several times the scan itself (about 2 s against 0.4 s for a million calls on a
    /// small machine; 0.4 s is SQLite's own scan). The rows, filter and cost column are plain SQL.
    ///
    /// - Parameters:
    ///   - group: an SQL expression on `c` to group by as well (a period label).
    ///   - extra: a condition on `c` besides the filter's (one session's calls).
    ///   - relabel: when set, `group` is an integer (a quarter hour) summed under this label of it.
    public static func fetch(
        _ db: Database, filter: CallFilter, groupBy group: SQL? = nil, where extra: SQL? = nil,
        relabel: ((Int64) -> String)? = nil
    ) throws -> [ModelUsage] {
        // Not `group ?? "NULL"` in the literal: GRDB overloads `??` on SQL as `IFNULL(group, 'NULL')`,
        // which turned a NULL group into the text NULL (and would let NULL pass an extra condition).
        var aggregator = UsageAggregator(relabel: relabel)
        try aggregator.scan(try callsStatement(db, filter: filter, groupBy: group, where: extra), db: db, rows: .calls)
        return aggregator.results
    }

    /// The statement `fetch(_:filter:groupBy:where:relabel:)` scans: group, provider, model, then
    /// one call's columns as `UsageAggregator.Rows.calls` reads them.
    static func callsStatement(_ db: Database, filter: CallFilter, groupBy group: SQL?, where extra: SQL? = nil) throws -> Statement {
        var groupColumn: SQL = "NULL", extraCondition: SQL = "1"
        if let group { groupColumn = group }
        if let extra { extraCondition = extra }
        return try db.makeStatement(literal: """
            SELECT \(groupColumn), c.provider, c.model, coalesce(c.input_tokens, -1), coalesce(c.output_tokens, -1),
                coalesce(c.reasoning_tokens, -1), coalesce(c.cache_read_tokens, -1), coalesce(c.cache_write_tokens, -1),
                c.total_tokens, coalesce(\(filter.costColumn), -1), coalesce(c.reported_cost_nanos, -1),
                \(filter.fallbackColumn), \(sql: Schema.cacheReadAboveTier("c"))
            FROM calls c
            WHERE \(filter.condition) AND \(extraCondition)
            """)
    }

    /// What `fetch(_:filter:per:)` groups by besides provider and model.
    public enum Dimension: Hashable, Sendable {
        case none, agent, project, session
        /// The UTC quarter hour, as seconds since 1970 / 900 (`group` is its decimal text).
        case quarter
        /// The price row (`pricing_id`; NULL for an unpriced call).
        case price
        /// The quarter hour and the price as one integer: quarter × 2^32 + pricing_id + 1 (0
        /// without a price), for `relabel` to take apart with ``split(quarterAndPrice:)``.
        case quarterAndPrice

        /// `.quarterAndPrice`'s packing: the price takes the low 32 bits.
        private static let priceBits = "4294967296"

        /// A `.quarterAndPrice` group's quarter hour and price (nil without one).
        public static func split(quarterAndPrice value: Int64) -> (quarter: Int64, pricingID: Int64?) {
            let price = value & 0xFFFF_FFFF
            return (value >> 32, price == 0 ? nil : price - 1)
        }

        /// The column of `call_rollup` (aliased `c`); `x''` is its NULL (the aggregator reads a
        /// BLOB as NULL).
        var rollupColumn: SQL {
            switch self {
            case .none: return "NULL"
            case .agent: return "c.agent"
            case .project: return "c.project_id"
            case .session: return "c.session_id"
            case .quarter: return "c.quarter"
            case .price: return "c.pricing_id"
            case .quarterAndPrice:
                return "c.quarter * \(sql: Self.priceBits) + iif(typeof(c.pricing_id) = 'integer', c.pricing_id + 1, 0)"
            }
        }

        /// The same on `calls` (aliased `c`).
        public var callsColumn: SQL? {
            switch self {
            case .none: return nil
            case .agent: return "c.agent"
            case .project: return "c.project_id"
            case .session: return "c.session_id"
            case .quarter: return SQL(sql: Schema.rollupQuarter("c"))
            case .price: return "c.pricing_id"
            case .quarterAndPrice:
                return "\(sql: Schema.rollupQuarter("c")) * \(sql: Self.priceBits) + coalesce(c.pricing_id + 1, 0)"
            }
        }
    }

    /// Every model's usage per `dimension` over the calls that pass `filter`: read from a rollup
    /// (`rollupTable`) when the filter's dates fall on quarter hours, else from `calls`.
    /// Both give the same figures (`CallRollupTests` checks it).
    ///
    /// - Parameters:
    ///   - relabel: for `.quarter` and `.quarterAndPrice`, the label each group is summed under.
    ///   - expectedGroups: how many groups to make room for (rehashing 100,000 session groups
    ///     as they come is a tenth of the scan).
    public static func fetch(
        _ db: Database, filter: CallFilter, per dimension: Dimension, relabel: ((Int64) -> String)? = nil,
        expectedGroups: Int = 0
    ) throws -> [ModelUsage] {
        let (statement, rows) = try statement(db, filter: filter, per: dimension)
        var aggregator = UsageAggregator(relabel: relabel, expectedGroups: expectedGroups)
        try aggregator.scan(statement, db: db, rows: rows)
        return aggregator.results
    }

    /// The statement `fetch(_:filter:per:)` scans, over `call_rollup` or `calls`, and what its
    /// rows are: the dimension's column, provider and model, then the sums.
    ///
    /// - Parameter totalsOnly: from the rollup, read 0 for the split tokens, the reported cost
    ///   and the cache reads above the tier (calls, total tokens, cost and what the notes need
    ///   remain): a third fewer columns to decode, for scans of 100,000 sessions.
    static func statement(
        _ db: Database, filter: CallFilter, per dimension: Dimension, totalsOnly: Bool = false
    ) throws -> (Statement, UsageAggregator.Rows) {
        guard let condition = filter.rollupCondition, let table = try rollupTable(db, filter: filter, per: dimension) else {
            return (try callsStatement(db, filter: filter, groupBy: dimension.callsColumn), .calls)
        }
        let splits = totalsOnly
            ? "0, 0, 0, 0, 0" : "c.input_tokens, c.output_tokens, c.reasoning_tokens, c.cache_read_tokens, c.cache_write_tokens"
        let reported = totalsOnly ? "0, 0" : "c.reported_nanos, c.reported_calls"
        let statement = try db.makeStatement(literal: """
            SELECT \(dimension.rollupColumn), c.provider, c.model, c.calls, \(sql: splits),
                c.total_tokens, c.total_only_calls, \(sql: filter.rollupCostColumns), \(sql: reported),
                \(sql: filter.rollupFallbackColumn), \(sql: totalsOnly ? "0" : "c.cache_read_above_tier_tokens")
            FROM \(sql: table) c
            WHERE \(condition)
            """)
        return (statement, .rollup)
    }

    /// The smallest rollup that has the dimension and the filter's columns, or nil before
    /// schema v2. v4: `session_rollup` (no time) without dates; `quarter_rollup` (quarter,
    /// provider, model, price) for the rest when no project, source or agent is involved;
    /// `call_rollup` (every column) otherwise.
    static func rollupTable(_ db: Database, filter: CallFilter, per dimension: Dimension) throws -> String? {
        let timed = [.quarter, .quarterAndPrice].contains(dimension) || filter.since != nil || filter.until != nil
        if !timed, try db.tableExists("session_rollup") { return "session_rollup" }
        if [.none, .price, .quarter, .quarterAndPrice].contains(dimension), filter.project == nil, filter.source == nil,
            try db.tableExists("quarter_rollup") {
            return "quarter_rollup"
        }
        return try db.tableExists("call_rollup") ? "call_rollup" : nil
    }

    /// `fetch` grouped by local period (`group` is the period label): summed per UTC quarter
    /// hour (`call_rollup`'s key) and each quarter's sums added to its period's as they are read
    /// — `tz_period` called on every call cost three times the scan.
    public static func fetch(
        _ db: Database, filter: CallFilter, by unit: Periods.Unit, timeZone: TimeZone
    ) throws -> [ModelUsage] {
        try fetch(db, filter: filter, per: .quarter) { Periods.label(ofQuarter: $0, by: unit, timeZone: timeZone) }
    }

    /// The notes of a cost result (SPEC §4, §6): unpriced models named with their token volume,
    /// total-only calls, fallback prices. Each uses its keyword ("unpriced", "total-only",
    /// "fallback") so that scripts can grep for it.
    public static func notes(_ usage: [ModelUsage], mode: CostMode) -> [String] {
        var notes: [String] = []
        var unpriced: [String: (calls: Int64, tokens: Int64)] = [:]
        for u in usage where u.unpricedCalls > u.unpricedTotalOnlyCalls {
            let name = u.model ?? "(no model)"
            let sum = unpriced[name] ?? (0, 0)
            unpriced[name] = (sum.calls + u.unpricedCalls - u.unpricedTotalOnlyCalls,
                              sum.tokens + u.unpricedTokens - u.unpricedTotalOnlyTokens)
        }
        if !unpriced.isEmpty {
            let list = unpriced.sorted { ($0.value.tokens, $1.key) > ($1.value.tokens, $0.key) }.map { name, n in
                "\(name) (\(NumberFormat.grouped(n.tokens)) tokens in \(count(n.calls, "call")))"
            }
            let without: String
            switch mode {
            case .auto: without = "no price and no reported cost"
            case .computed: without = "no price"
            case .reported: without = "no reported cost"
            }
            notes.append(
                "\(count(Int64(unpriced.count), "unpriced model")) (\(without)): \(list.joined(separator: ", ")); "
                    + "cost shown is partial. `pricing missing` lists models without a price.")
        }
        let totalOnly = usage.reduce(0) { $0 + $1.totalOnlyCalls }
        if totalOnly > 0 {
            var note = "\(count(totalOnly, "total-only call")) (the source gave only total_tokens): split token columns count them as 0"
            let costless = usage.reduce(0) { $0 + $1.unpricedTotalOnlyCalls }
            if costless > 0 {
                let tokens = usage.reduce(0) { $0 + $1.unpricedTotalOnlyTokens }
                note += "; \(NumberFormat.grouped(costless)) of them (\(NumberFormat.grouped(tokens)) tokens) have no "
                    + (mode == .reported ? "reported cost" : "cost (no split to price, no reported cost)")
                    + ", so cost shown is partial"
            }
            notes.append(note + ".")
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
