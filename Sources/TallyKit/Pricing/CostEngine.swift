import Foundation
import GRDB

/// Which cost a call uses (SPEC §6, `--cost-mode`).
public enum CostMode: String, CaseIterable, Sendable {
    /// The computed cost when a price is known, else the source's reported cost.
    case auto
    /// Only costs computed from tokens and prices.
    case computed
    /// Only the costs the sources reported.
    case reported

    /// The column of `calls` (and `workflow_cost_records`) that holds this mode's cost: `auto` is
    /// the stored `cost_nanos` (written by `CostEngine` in auto mode).
    public var column: String {
        switch self {
        case .auto: return "cost_nanos"
        case .computed: return "computed_cost_nanos"
        case .reported: return "reported_cost_nanos"
        }
    }
}

/// Who changes costs, and why: one `cost_audit_log` row per changed value carries these.
public struct CostAudit: Hashable, Sendable {
    public var command: String
    public var reason: String
    /// Canonical timestamp of the change.
    public var at: String

    public init(command: String, reason: String, at: String) {
        self.command = command
        self.reason = reason
        self.at = at
    }
}

/// The rows `CostEngine.reprice` recomputes.
public indirect enum RepriceScope: Hashable, Sendable {
    case all
    /// By id (`calls.id`; `workflow_cost_records.id` as text).
    case ids([String])
    /// By model name as stored on the row.
    case models([String])
    /// Rows at or after a canonical timestamp or date (`2026-03-01`).
    case startedAtOrAfter(String)
    /// Rows read from these source files.
    case sourcePaths([String])
    /// Calls whose id is in this temporary table's `id` column (`temp.NAME`): sets too large to
    /// pass as a list.
    case idsInTemporaryTable(String)
    /// Rows in every one of the scopes.
    case allOf([RepriceScope])
}

/// What a reprice did.
public struct RepriceSummary: Hashable, Sendable {
    /// Rows in scope.
    public var examined: Int = 0
    /// Rows whose computed cost, pricing, fallback flag or used cost changed.
    public var updated: Int = 0
    /// `cost_audit_log` rows written.
    public var audited: Int = 0

    public init(examined: Int = 0, updated: Int = 0, audited: Int = 0) {
        self.examined = examined
        self.updated = updated
        self.audited = audited
    }

    public static func + (a: RepriceSummary, b: RepriceSummary) -> RepriceSummary {
        RepriceSummary(examined: a.examined + b.examined, updated: a.updated + b.updated, audited: a.audited + b.audited)
    }
}

/// Stores computed costs: the set-based entry point run after each ingest batch and whenever
/// prices change.
///
/// The price book and model matching run once per distinct (model, provider) pair in scope;
/// each pair's price periods and tiers become rows of a temporary rate table (`RateCard`, the
/// Pricer's own rates, fallbacks applied); then one SQL statement joins the rows in scope to
/// their rate by model, provider, time and prompt size and computes every cost with the
/// Pricer's exact integer arithmetic. Only rows whose values change are written (and audited).
public enum CostEngine {
    /// Recomputes `computed_cost_nanos`, `pricing_id`, `cost_fallback`, and `cost_nanos` /
    /// `cost_source` per `mode`, of the calls in scope.
    ///
    /// - Parameters:
    ///   - audit: when given, one `cost_audit_log` row per changed `computed_cost_nanos` or
    ///     `cost_nanos`; nil for newly indexed rows, which have nothing to audit.
    ///   - book: the price book to use (loaded from the database when nil).
    @discardableResult
    public static func reprice(
        _ db: Database, calls scope: RepriceScope, mode: CostMode = .auto, audit: CostAudit? = nil,
        book: PriceBook? = nil
    ) throws -> RepriceSummary {
        try reprice(db, table: .calls, scope: scope, mode: mode, audit: audit, book: book)
    }

    /// The same for `workflow_cost_records` (no provider; a record without time takes the
    /// latest price).
    @discardableResult
    public static func reprice(
        _ db: Database, workflowCosts scope: RepriceScope, mode: CostMode = .auto, audit: CostAudit? = nil,
        book: PriceBook? = nil
    ) throws -> RepriceSummary {
        try reprice(db, table: .workflowCostRecords, scope: scope, mode: mode, audit: audit, book: book)
    }

    // MARK: - Implementation

    /// The table-specific names.
    struct Table {
        var name: String
        /// SQL for the provider, the time and the 1-hour cache writes of row `c`.
        var provider: String
        var time: String
        var cacheWrite1h: String
        var idText: String

        static let calls = Table(
            name: "calls", provider: "c.provider", time: "c.started_at", cacheWrite1h: "c.cache_write_1h_tokens",
            idText: "c.id")
        static let workflowCostRecords = Table(
            name: "workflow_cost_records", provider: "NULL", time: "coalesce(c.at, '9999-12-31T23:59:59.999Z')",
            cacheWrite1h: "0", idText: "CAST(c.id AS TEXT)")
    }

    static func reprice(
        _ db: Database, table: Table, scope: RepriceScope, mode: CostMode, audit: CostAudit?, book: PriceBook?
    ) throws -> RepriceSummary {
        let predicate = try condition(scope, table)
        var summary = RepriceSummary()
        summary.examined = try Int.fetchOne(
            db, SQLRequest(literal: SQL("SELECT count(*) FROM \(sql: table.name) c WHERE ") + predicate)) ?? 0
        guard summary.examined > 0 else { return summary }
        let book = try book ?? PriceBook.load(db)
        try fillRates(db, table: table, predicate: predicate, book: book)
        defer { try? db.execute(sql: "DROP TABLE IF EXISTS temp.tally_repriced; DELETE FROM temp.tally_rates") }

        try db.execute(sql: "DROP TABLE IF EXISTS temp.tally_repriced")
        try db.execute(literal: SQL("CREATE TEMP TABLE tally_repriced AS ") + changedRows(table, predicate: predicate, mode: mode))
        if let audit {
            summary.audited = try audit.record(
                db, entity: table.name, changes: "temp.tally_repriced", id: "entity_id",
                fields: [.init("computed_cost_nanos", old: "old_computed", new: "computed"), .init("cost_nanos", old: "old_cost", new: "cost")])
        }
        try db.execute(sql: """
            UPDATE \(table.name) SET computed_cost_nanos = t.computed, pricing_id = t.pricing_id,
                cost_fallback = t.fallback, cost_nanos = t.cost, cost_source = t.cost_source
            FROM temp.tally_repriced t WHERE \(table.name).rowid = t.rid
            """)
        summary.updated = db.changesCount
        return summary
    }

    /// The rows in scope whose stored cost columns differ from the recomputed ones, with both.
    private static func changedRows(_ table: Table, predicate: SQL, mode: CostMode) -> SQL {
        let t = table
        let tokens = ["c.input_tokens", "c.output_tokens", "c.reasoning_tokens", "c.cache_read_tokens", "c.cache_write_tokens"]
        let i = "coalesce(c.input_tokens, 0)", o = "coalesce(c.output_tokens, 0)", rs = "coalesce(c.reasoning_tokens, 0)"
        let cr = "coalesce(c.cache_read_tokens, 0)", cw1h = "coalesce(\(t.cacheWrite1h), 0)"
        let cw = "(coalesce(c.cache_write_tokens, 0) - \(cw1h))"
        let terms = [(i, "r.p_in"), (o, "r.p_out"), (rs, "r.p_rsn"), (cr, "r.p_cr"), (cw, "r.p_cw"), (cw1h, "r.p_cw1h")]
        let whole = terms.map { "(\($0.0) / 1000000) * \($0.1)" }.joined(separator: " + ")
        let remainder = terms.map { "(\($0.0) % 1000000) * \($0.1)" }.joined(separator: " + ")
        let cost: String
        let source: String
        switch mode {
        case .auto:
            cost = "coalesce(computed, reported)"
            source = "CASE WHEN computed IS NOT NULL THEN 'computed' WHEN reported IS NOT NULL THEN 'reported' END"
        case .computed:
            cost = "computed"
            source = "CASE WHEN computed IS NOT NULL THEN 'computed' END"
        case .reported:
            cost = "reported"
            source = "CASE WHEN reported IS NOT NULL THEN 'reported' END"
        }
        return SQL(sql: """
            SELECT rid, entity_id, old_computed, old_cost, computed, pricing_id, fallback, cost, cost_source
            FROM (
                SELECT *, \(cost) AS cost, \(source) AS cost_source
                FROM (
                    SELECT c.rowid AS rid, \(t.idText) AS entity_id, c.reported_cost_nanos AS reported,
                        c.computed_cost_nanos AS old_computed, c.cost_nanos AS old_cost,
                        c.pricing_id AS old_pricing, c.cost_fallback AS old_fallback, c.cost_source AS old_source,
                        CASE WHEN r.pricing_id IS NOT NULL
                            THEN \(whole) + (\(remainder) + 500000) / 1000000 END AS computed,
                        r.pricing_id AS pricing_id,
                        CASE WHEN r.pricing_id IS NOT NULL AND ((\(cr) > 0 AND r.fb_cr) OR (\(cw) > 0 AND r.fb_cw)
                            OR (\(cw1h) > 0 AND r.fb_cw1h)) THEN 1 ELSE 0 END AS fallback
                    FROM \(t.name) c
                    LEFT JOIN temp.tally_rates r
                        ON r.model = c.model AND r.provider = coalesce(\(t.provider), '')
                        AND \(t.time) >= r.valid_from AND \(t.time) < r.valid_to
                        AND \(i) + \(cr) + coalesce(c.cache_write_tokens, 0) > r.prompt_min
                        AND \(i) + \(cr) + coalesce(c.cache_write_tokens, 0) <= r.prompt_max
                        AND (\(tokens.map { "\($0) IS NOT NULL" }.joined(separator: " OR ")))
                        AND max(\(i), \(o), \(rs), \(cr), coalesce(c.cache_write_tokens, 0)) < \(Pricer.tokenLimit)
                    WHERE 
            """) + predicate + SQL(sql: """
                )
            )
            WHERE old_computed IS NOT computed OR old_pricing IS NOT pricing_id OR old_fallback IS NOT fallback
                OR old_cost IS NOT cost OR old_source IS NOT cost_source
            """)
    }

    /// Fills `temp.tally_rates`: for each (model, provider) in scope with a price, one row per
    /// price period and tier with the rate card's prices.
    private static func fillRates(_ db: Database, table: Table, predicate: SQL, book: PriceBook) throws {
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS tally_rates (
                model TEXT NOT NULL, provider TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL,
                prompt_min INTEGER NOT NULL, prompt_max INTEGER NOT NULL, pricing_id INTEGER NOT NULL,
                p_in INTEGER, p_out INTEGER, p_rsn INTEGER, p_cr INTEGER, p_cw INTEGER, p_cw1h INTEGER,
                fb_cr INTEGER, fb_cw INTEGER, fb_cw1h INTEGER);
            CREATE INDEX IF NOT EXISTS temp.tally_rates_by_model ON tally_rates(model, provider, valid_from);
            DELETE FROM temp.tally_rates;
            """)
        let pairs = try Row.fetchAll(
            db, SQLRequest(literal:
            SQL("SELECT DISTINCT c.model, \(sql: table.provider) FROM \(sql: table.name) c WHERE c.model IS NOT NULL AND ")
                + predicate))
        let insert = try db.makeStatement(sql: """
            INSERT INTO temp.tally_rates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let unbounded: Int64 = 1 << 62
        for pair in pairs {
            let model: String = pair[0]
            let provider: String? = pair[1]
            guard let match = book.matcher.match(model, provider: provider) else { continue }
            for segment in book.segments(for: match.key, provider: provider) {
                let card = RateCard(segment.record)
                var tiers: [(Int64, Int64, Rates)] = [(-1, card.threshold ?? unbounded, card.base)]
                if let threshold = card.threshold, let above = card.above { tiers.append((threshold, unbounded, above)) }
                for (low, high, rates) in tiers {
                    try insert.execute(arguments: [
                        model, provider ?? "", segment.from ?? "", segment.to ?? "~", low, high, card.pricingID,
                        rates.input, rates.output, rates.reasoning, rates.cacheRead, rates.cacheWrite, rates.cacheWrite1h,
                        rates.fallbacks.contains(.cacheRead), rates.fallbacks.contains(.cacheWrite),
                        rates.fallbacks.contains(.cacheWrite1h),
                    ])
                }
            }
        }
    }

    /// The scope as a condition on row `c`.
    static func condition(_ scope: RepriceScope, _ table: Table) throws -> SQL {
        func list(_ values: [String]) throws -> String {
            String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
        }
        let isCalls = table.name == "calls"
        switch scope {
        case .all:
            return "1"
        case .ids(let ids):
            let json = try list(ids)
            return isCalls
                ? "c.id IN (SELECT value FROM json_each(\(json)))"
                : "c.id IN (SELECT CAST(value AS INTEGER) FROM json_each(\(json)))"
        case .models(let models):
            let json = try list(models)
            return "c.model IN (SELECT value FROM json_each(\(json)))"
        case .startedAtOrAfter(let start):
            return isCalls ? "c.started_at >= \(start)" : "c.at >= \(start)"
        case .sourcePaths(let paths):
            let json = try list(paths)
            return "c.source_path IN (SELECT value FROM json_each(\(json)))"
        case .idsInTemporaryTable(let name):
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw DatabaseError(message: "not a temporary table name: \(name)")
            }
            return isCalls
                ? SQL(sql: "c.id IN (SELECT id FROM temp.\(name))")
                : SQL(sql: "CAST(c.id AS TEXT) IN (SELECT id FROM temp.\(name))")
        case .allOf(let scopes):
            guard !scopes.isEmpty else { return "1" }
            return try scopes.map { SQL("(") + (try condition($0, table)) + SQL(")") }.joined(separator: " AND ")
        }
    }
}
