import Foundation
import GRDB
import TallyKit

/// `pricing-coverage`: how much of the usage a known price covers, per source and model.
public enum PricingCoverage: Analysis {
    public static let name = "pricing-coverage"
    public static let summary = "Share of calls, tokens and reported cost covered by a known price, per source and model."
    public static let discussion = """
        A call is covered when a price gave it a computed cost: its model matches a price and it has \
        token splits to price (a total-only call of a priced model is not covered). priced_as is the \
        price a model name matches (after normalisation and aliases), empty when none does. The \
        *_pct columns are the covered share of calls, of total_tokens and of the reported cost of the \
        calls that have one (empty without any). A note gives the overall coverage and names the \
        unpriced models.
        """
    public static let parameters = CallFilter.parameters.filter { $0.name != "cost-mode" }
    public static let examples = [
        // Covered = has a computed cost. events/gpt-5: o3 (4000) and o4 (5000, reported 0.003) are
        // total-only, so 0 %; acme-internal-7b matches no price. Everything else is covered.
        Example("pricing-coverage", "Per source and model, the largest first within a source.", fixture: "priced", expected: """
            source,model,priced_as,calls,priced_calls,calls_pct,total_tokens,priced_tokens,tokens_pct,reported_cost_usd,priced_reported_cost_usd,reported_cost_pct
            claude,claude-sonnet-4-5,claude-sonnet-4-5,1,1,100,21500,21500,100,,,
            codex,gpt-5,gpt-5,2,2,100,6300,6300,100,0.002,0.002,100
            events,gpt-5,gpt-5,2,0,0,9000,0,0,0.003,0,0
            events,acme-internal-7b,,1,0,0,1500,0,0,,,
            gemini,gemini-2.5-pro,gemini-2.5-pro,2,2,100,520000,520000,100,,,
            opencode,claude-sonnet-4-5,claude-sonnet-4-5,2,2,100,23000,23000,100,0.2,0.2,100
            """),
        // 2026-03-05: g2 (310000), o2 (3500), a1 (1500, unpriced).
        Example("pricing-coverage --since 2026-03-05 --until 2026-03-06", "A single day.", fixture: "priced", expected: """
            source,model,priced_as,calls,priced_calls,calls_pct,total_tokens,priced_tokens,tokens_pct,reported_cost_usd,priced_reported_cost_usd,reported_cost_pct
            codex,gpt-5,gpt-5,1,1,100,3500,3500,100,,,
            events,acme-internal-7b,,1,0,0,1500,0,0,,,
            gemini,gemini-2.5-pro,gemini-2.5-pro,1,1,100,310000,310000,100,,,
            """),
        Example("pricing-coverage --source events", "One source: total-only calls are not covered.", fixture: "priced", expected: """
            source,model,priced_as,calls,priced_calls,calls_pct,total_tokens,priced_tokens,tokens_pct,reported_cost_usd,priced_reported_cost_usd,reported_cost_pct
            events,gpt-5,gpt-5,2,0,0,9000,0,0,0.003,0,0
            events,acme-internal-7b,,1,0,0,1500,0,0,,,
            """),
        Example("pricing-coverage --since 2026-04-01", "No calls in range: an empty result and a note.", fixture: "priced",
                expected: """
            source,model,priced_as,calls,priced_calls,calls_pct,total_tokens,priced_tokens,tokens_pct,reported_cost_usd,priced_reported_cost_usd,reported_cost_pct
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let filter = CallFilter(arguments)
        let groups = try Row.fetchAll(context.db, SQLRequest<Row>(literal: """
            SELECT c.source, c.model, count(*) AS calls, count(c.computed_cost_nanos) AS priced_calls,
                   sum(c.total_tokens) AS tokens,
                   coalesce(sum(CASE WHEN c.computed_cost_nanos IS NOT NULL THEN c.total_tokens END), 0) AS priced_tokens,
                   sum(c.reported_cost_nanos) AS reported,
                   sum(CASE WHEN c.computed_cost_nanos IS NOT NULL THEN c.reported_cost_nanos END) AS priced_reported,
                   count(c.reported_cost_nanos) AS with_reported,
                   sum(c.computed_cost_nanos IS NULL AND c.input_tokens IS NULL AND c.output_tokens IS NULL
                       AND c.reasoning_tokens IS NULL AND c.cache_read_tokens IS NULL AND c.cache_write_tokens IS NULL) AS total_only
            FROM calls c WHERE \(filter.condition)
            GROUP BY c.source, c.model
            ORDER BY c.source, tokens DESC, c.model
            """))
        let book = try PriceBook.load(context.db)
        var totals = (calls: Int64(0), priced: Int64(0), tokens: Int64(0), pricedTokens: Int64(0), reported: Int64(0),
                      pricedReported: Int64(0), totalOnlyKnown: Int64(0))
        var unpriced: [String: Int64] = [:]
        let rows: [[Value]] = groups.map { g in
            let model: String? = g["model"]
            let match = model.flatMap { book.matcher.match($0)?.key }
            let calls: Int64 = g["calls"], priced: Int64 = g["priced_calls"], tokens: Int64 = g["tokens"]
            let pricedTokens: Int64 = g["priced_tokens"], reported: Int64? = g["reported"]
            let pricedReportedSum: Int64 = g["priced_reported"] ?? 0
            let pricedReported: Int64? = g["with_reported"] as Int64 > 0 ? pricedReportedSum : nil
            totals.calls += calls
            totals.priced += priced
            totals.tokens += tokens
            totals.pricedTokens += pricedTokens
            totals.reported += reported ?? 0
            totals.pricedReported += pricedReported ?? 0
            if match == nil { unpriced[model ?? "(no model)", default: 0] += tokens } else { totals.totalOnlyKnown += g["total_only"] }
            return [.string(g["source"]), .string(model), .string(match), .integer(calls), .integer(priced), .share(priced, of: calls),
                    .integer(tokens), .integer(pricedTokens), .share(pricedTokens, of: tokens), .usd(reported), .usd(pricedReported),
                    pricedReported.map { Value.share($0, of: reported ?? 0) } ?? .null]
        }

        var notes: [String] = []
        if rows.isEmpty {
            notes.append("no calls in range")
        } else {
            var overall = "covered by a price: \(NumberFormat.grouped(totals.priced)) of \(NumberFormat.grouped(totals.calls)) calls "
                + "(\(percent(totals.priced, totals.calls))), \(NumberFormat.grouped(totals.pricedTokens)) of "
                + "\(NumberFormat.grouped(totals.tokens)) tokens (\(percent(totals.pricedTokens, totals.tokens)))"
            if totals.reported > 0 {
                overall += ", \(NumberFormat.money(Money.usd(nanos: totals.pricedReported))) of "
                    + "\(NumberFormat.money(Money.usd(nanos: totals.reported))) reported cost (\(percent(totals.pricedReported, totals.reported)))"
            }
            notes.append(overall)
        }
        if !unpriced.isEmpty {
            let list = unpriced.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { "\($0.key) (\(NumberFormat.grouped($0.value)) tokens)" }
            notes.append("\(unpriced.count) unpriced model\(unpriced.count == 1 ? "" : "s") (no price matches): "
                + list.joined(separator: ", ") + ". `pricing set MODEL --input X --output Y` adds a price.")
        }
        if totals.totalOnlyKnown > 0 {
            notes.append("\(NumberFormat.grouped(totals.totalOnlyKnown)) total-only calls of priced models are not covered: "
                + "no split to price.")
        }
        return ResultSet(
            columns: [Column("source", .text), Column("model", .text), Column("priced_as", .text), Column("calls", .integer),
                      Column("priced_calls", .integer), Column("calls_pct", .percent), Column("total_tokens", .tokens),
                      Column("priced_tokens", .tokens), Column("tokens_pct", .percent), Column("reported_cost_usd", .money),
                      Column("priced_reported_cost_usd", .money), Column("reported_cost_pct", .percent)],
            rows: rows, notes: notes)
    }

    private static func percent(_ part: Int64, _ whole: Int64) -> String {
        guard case .decimal(let d) = Value.share(part, of: whole) else { return "n/a" }
        return NumberFormat.percent(d)
    }
}
