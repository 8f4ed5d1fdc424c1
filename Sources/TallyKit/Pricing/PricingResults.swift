import Foundation
import GRDB

/// The results the `pricing` command shows (its queries and summaries, kept out of the plugin
/// file so that it reads as its declaration).
public enum PricingResults {
    /// `pricing list [PATTERN]`: a glob when the pattern has `*`, `?` or `[`, else a substring;
    /// case-insensitive either way.
    public static func list(_ db: Database, pattern: String?) throws -> ResultSet {
        let condition: SQL
        if let pattern, pattern.contains(where: { "*?[".contains($0) }) {
            condition = "lower(model) GLOB lower(\(pattern))"
        } else if let pattern {
            condition = "instr(lower(model), lower(\(pattern))) > 0"
        } else {
            condition = "1"
        }
        let records = try PriceRecord.fetchAll(db, SQLRequest<PriceRecord>(literal: """
            SELECT * FROM pricing WHERE \(condition)
            ORDER BY model, effective_from IS NOT NULL, effective_from, provider IS NOT NULL, provider
            """))
        let columns = [Column("model", .text), Column("provider", .text)] + priceColumns(["input", "output", "cache_read", "cache_write", "cache_write_1h", "reasoning"])
            + [Column("tier_threshold_tokens", .tokens), Column("effective_from", .timestamp), Column("effective_to", .timestamp), Column("source", .text)]
        let rows: [[Value]] = records.map { r in
            [.string(r.model), .string(r.provider), price(r.input), price(r.output), price(r.cacheRead), price(r.cacheWrite),
             price(r.cacheWrite1h), price(r.reasoning), r.tierThreshold.map(Value.integer) ?? .null,
             .string(r.effectiveFrom), .string(r.effectiveTo), .string(r.source)]
        }
        var notes: [String] = []
        if records.isEmpty, let pattern { notes.append("no price matches `\(pattern)`: `pricing missing` lists models seen without one") }
        return ResultSet(columns: columns, rows: rows, notes: notes)
    }

    /// `pricing show MODEL`: every row of the priced model MODEL matches, the one that applies now marked.
    public static func show(_ db: Database, model: String, now: String) throws -> ResultSet {
        let book = try PriceBook.load(db)
        guard let match = book.matcher.match(model) else { throw PricingError.unpriced(model) }
        let current = book.record(for: match.key, provider: nil, at: now)?.id
        let records = (book.records[match.key] ?? []).sorted { ($0.effectiveFrom ?? "", $0.id ?? 0) < ($1.effectiveFrom ?? "", $1.id ?? 0) }
        let columns = [Column("model", .text), Column("provider", .text), Column("effective_from", .timestamp),
                       Column("effective_to", .timestamp), Column("applies_now", .bool)]
            + priceColumns(["input", "output", "cache_read", "cache_write", "cache_write_1h", "reasoning"])
            + [Column("tier_threshold_tokens", .tokens)] + priceColumns(["input_above", "output_above", "cache_read_above", "cache_write_above"])
            + [Column("max_input_tokens", .tokens), Column("max_output_tokens", .tokens), Column("source", .text)]
        let rows: [[Value]] = records.map { r in
            [.string(r.model), .string(r.provider), .string(r.effectiveFrom), .string(r.effectiveTo),
             .integer(r.id == current ? 1 : 0), price(r.input), price(r.output), price(r.cacheRead), price(r.cacheWrite),
             price(r.cacheWrite1h), price(r.reasoning), r.tierThreshold.map(Value.integer) ?? .null,
             price(r.inputAbove), price(r.outputAbove), price(r.cacheReadAbove), price(r.cacheWriteAbove),
             r.maxInputTokens.map(Value.integer) ?? .null, r.maxOutputTokens.map(Value.integer) ?? .null, .string(r.source)]
        }
        var notes: [String] = []
        if match.rule != .exact { notes.append("`\(model)` matches the priced model `\(match.key)` (\(match.rule.rawValue) match)") }
        if let r = records.first(where: { $0.id == current }), RateCard(r).base.fallbacks.count > 0 {
            let kinds = RateCard(r).base.fallbacks.map(\.rawValue).sorted().joined(separator: ", ")
            notes.append("no \(kinds) price: calls with those tokens use the fallback (0.1 ×, 1.25 ×, 2 × input)")
        }
        return ResultSet(columns: columns, rows: rows, notes: notes)
    }

    /// The prices of `pricing set` from its arguments.
    public static func prices(_ arguments: Arguments) throws -> PriceRecord {
        func perMillion(_ name: String) throws -> Int64? {
            guard let value = arguments.decimal(name) else { return nil }
            guard value >= 0, let nanos = PriceRecord.perMillion(value.description) else {
                throw PricingError.priceOutOfRange(name, value.description)
            }
            return nanos
        }
        guard let input = try perMillion("input"), let output = try perMillion("output") else {
            throw UsageError("pricing set: --input and --output are required (USD per million tokens)")
        }
        return PriceRecord(
            model: "", input: input, output: output, reasoning: try perMillion("reasoning"),
            cacheRead: try perMillion("cache-read"), cacheWrite: try perMillion("cache-write"),
            cacheWrite1h: try perMillion("cache-write-1h"))
    }

    /// `model, effective_from, action, examined, updated`; action `added`, `replaced` or
    /// `unchanged`, under `--dry-run` `would-add` or `would-replace`.
    public static func setSummary(_ result: PriceEditing.SetResult, prices: PriceRecord, dryRun: Bool) -> ResultSet {
        let action: String
        switch (result.action, dryRun) {
        case (.added, true): action = "would-add"
        case (.replaced, true): action = "would-replace"
        default: action = result.action.rawValue
        }
        var notes: [String] = []
        let fallbacks = RateCard(prices).base.fallbacks
        if !fallbacks.isEmpty {
            notes.append("no \(fallbacks.map(\.rawValue).sorted().joined(separator: ", ")) price given: calls with those tokens use the fallback (0.1 ×, 1.25 ×, 2 × input)")
        }
        if let from = result.effectiveFrom { notes.append("calls before \(from) keep their price") }
        return ResultSet(
            columns: [Column("model", .text), Column("effective_from", .timestamp), Column("action", .text),
                      Column("examined", .integer), Column("updated", .integer)],
            rows: [[.string(result.model), .string(result.effectiveFrom), .text(action),
                    .integer(Int64(result.repriced.examined)), .integer(Int64(result.repriced.updated))]],
            notes: notes)
    }

    /// `file, added, changed, unchanged, kept, skipped, examined, updated`.
    public static func importSummary(_ result: PriceEditing.ImportResult, file: String) -> ResultSet {
        ResultSet(
            columns: [Column("file", .text)] + ["added", "changed", "unchanged", "kept", "skipped", "examined", "updated"].map { Column($0, .integer) },
            rows: [[.text(file)] + [result.added, result.changed, result.unchanged, result.kept, result.skipped,
                                    result.repriced.examined, result.repriced.updated].map { .integer(Int64($0)) }],
            notes: result.kept > 0 ? ["\(result.kept) prices set by hand were kept (`pricing list` shows them with source user)"] : [])
    }

    /// `pricing missing`: `model, provider, calls, total_tokens, first_seen, last_seen` (SPEC §8).
    public static func missing(_ db: Database) throws -> ResultSet {
        let rows: [[Value]] = try PriceEditing.missing(db).map { m in
            [.string(m.model), .string(m.provider), .integer(m.calls), .integer(m.totalTokens), .string(m.firstSeen), .string(m.lastSeen)]
        }
        return ResultSet(
            columns: [Column("model", .text), Column("provider", .text), Column("calls", .integer), Column("total_tokens", .tokens),
                      Column("first_seen", .timestamp), Column("last_seen", .timestamp)],
            rows: rows,
            notes: rows.isEmpty ? [] : ["set a price with `pricing set MODEL --input X --output Y` (USD per million tokens), or add an alias to model_aliases"])
    }

    private static func priceColumns(_ kinds: [String]) -> [Column] {
        kinds.map { Column($0 + "_per_mtok", .real) }
    }

    private static func price(_ perMillion: Int64?) -> Value {
        perMillion.map { .decimal(PriceRecord.usd($0)) } ?? .null
    }
}
