import Foundation
import GRDB

/// Changes to the `pricing` table (`pricing set`, `pricing import`), each followed in the same
/// transaction by repricing every call and workflow cost record it affects, with audit rows.
public enum PriceEditing {
    public enum Action: String, Sendable {
        case added, replaced, unchanged
    }

    public struct SetResult: Hashable, Sendable {
        /// The priced model name written (an existing name, matched case-insensitively, or the given one).
        public var model: String
        public var effectiveFrom: String?
        public var action: Action
        public var repriced: RepriceSummary
    }

    /// Sets a model's price by hand (SPEC §6). Without `from` it replaces the undated price;
    /// with `from` it starts a new period there and ends the one running at that time.
    public static func set(_ db: Database, model: String, prices: PriceRecord, from: String?, audit: CostAudit) throws -> SetResult {
        let all = try PriceRecord.fetchAll(db, sql: "SELECT * FROM pricing ORDER BY id")
        let key = all.first { $0.model == model }?.model ?? all.first { $0.model.lowercased() == model.lowercased() }?.model ?? model
        let rows = all.filter { $0.model == key }
        var record = PriceRecord(model: key, input: prices.input, output: prices.output, source: "user", createdAt: audit.at)
        record.takePrices(of: prices)
        record.maxInputTokens = prices.maxInputTokens ?? rows.compactMap(\.maxInputTokens).last
        record.maxOutputTokens = prices.maxOutputTokens ?? rows.compactMap(\.maxOutputTokens).last
        record.effectiveFrom = from

        let replaced = rows.filter { $0.effectiveFrom == from }
        var action = Action.unchanged
        if replaced.isEmpty {
            record.effectiveTo = from.flatMap { f in rows.compactMap(\.effectiveFrom).filter { $0 > f }.min() }
            try record.insert(db)
            action = .added
        }
        for var old in replaced where old.prices != record.prices || old.source != "user" {
            let before = old
            old.takePrices(of: record)
            old.source = "user"
            old.createdAt = audit.at
            try old.update(db)
            try auditChange(db, from: before, to: old, audit: audit)
            action = .replaced
        }
        if let from {
            for var running in rows where running.effectiveFrom.map({ $0 < from }) == true
                && running.effectiveTo.map({ $0 > from }) ?? true
            {
                running.effectiveTo = from
                try running.update(db)
            }
        }
        let repriced = action == .unchanged
            ? RepriceSummary() : try repriceMatching(db, models: [key], from: from, audit: audit)
        return SetResult(model: key, effectiveFrom: from, action: action, repriced: repriced)
    }

    public struct ImportResult: Hashable, Sendable {
        public var added = 0
        public var changed = 0
        public var unchanged = 0
        /// Prices set by hand, which an import never overwrites.
        public var kept = 0
        /// Entries without token prices (other modes, `sample_spec`).
        public var skipped = 0
        public var repriced = RepriceSummary()
    }

    /// Imports LiteLLM price rows as undated prices with source `litellm`: a row for a model and
    /// provider replaces the undated imported or snapshot price it differs from.
    public static func importRecords(_ db: Database, _ records: [PriceRecord], skipped: Int, audit: CostAudit) throws -> ImportResult {
        var result = ImportResult(skipped: skipped)
        var existing: [String: PriceRecord] = [:]
        for row in try PriceRecord.fetchAll(db, sql: "SELECT * FROM pricing WHERE effective_from IS NULL") {
            existing[row.model + "\u{1F}" + (row.provider ?? "")] = row
        }
        var changedModels: Set<String> = []
        for var record in records {
            record.source = "litellm"
            record.createdAt = audit.at
            guard var old = existing[record.model + "\u{1F}" + (record.provider ?? "")] else {
                try record.insert(db)
                result.added += 1
                changedModels.insert(record.model)
                continue
            }
            if old.source == "user" {
                result.kept += 1
            } else if old.prices == record.prices {
                result.unchanged += 1
            } else {
                let before = old
                old.takePrices(of: record)
                old.source = "litellm"
                old.createdAt = audit.at
                try old.update(db)
                try auditChange(db, from: before, to: old, audit: audit)
                result.changed += 1
                changedModels.insert(record.model)
            }
        }
        if !changedModels.isEmpty {
            result.repriced = try repriceMatching(db, models: changedModels, from: nil, audit: audit)
        }
        return result
    }

    /// Reprices the calls and workflow cost records whose model now matches one of `models`
    /// (priced names), at or after `from` when given.
    public static func repriceMatching(
        _ db: Database, models: Set<String>, from: String?, audit: CostAudit
    ) throws -> RepriceSummary {
        let book = try PriceBook.load(db)
        var summary = RepriceSummary()
        for (table, sql) in [("calls", "SELECT DISTINCT model, provider FROM calls WHERE model IS NOT NULL"),
                             ("workflow_cost_records", "SELECT DISTINCT model, NULL FROM workflow_cost_records WHERE model IS NOT NULL")] {
            let affected = try Row.fetchAll(db, sql: sql).compactMap { row -> String? in
                let model: String = row[0]
                return book.matcher.match(model, provider: row[1]).map { models.contains($0.key) } == true ? model : nil
            }
            guard !affected.isEmpty else { continue }
            let scope: RepriceScope = from.map { .allOf([.models(affected), .startedAtOrAfter($0)]) } ?? .models(affected)
            summary = summary + (table == "calls"
                ? try CostEngine.reprice(db, calls: scope, audit: audit, book: book)
                : try CostEngine.reprice(db, workflowCosts: scope, audit: audit, book: book))
        }
        return summary
    }

    /// One `cost_audit_log` row per price of a `pricing` row that changed.
    static func auditChange(_ db: Database, from old: PriceRecord, to new: PriceRecord, audit: CostAudit) throws {
        let names = ["input_per_mtok", "output_per_mtok", "reasoning_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok",
                     "cache_write_1h_per_mtok", "tier_threshold_tokens", "input_above_per_mtok", "output_above_per_mtok",
                     "cache_read_above_per_mtok", "cache_write_above_per_mtok"]
        for (i, name) in names.enumerated() where old.prices[i] != new.prices[i] {
            let value: (Int64?) -> DatabaseValue = { v in
                name == "tier_threshold_tokens" ? v.databaseValue : PriceRecord.real(v).databaseValue
            }
            try db.execute(
                literal: """
                    INSERT INTO cost_audit_log (entity, entity_id, field, old_value, new_value, reason, command, at)
                    VALUES ('pricing', \(String(old.id ?? 0)), \(name), \(value(old.prices[i])), \(value(new.prices[i])),
                            \(audit.reason), \(audit.command), \(audit.at))
                    """)
        }
    }

    // MARK: - Missing prices

    /// A model seen in calls or workflow cost records that no price matches.
    public struct Missing: Hashable, Sendable {
        public var model: String?
        public var provider: String?
        public var calls: Int64
        public var totalTokens: Int64
        public var firstSeen: String?
        public var lastSeen: String?
    }

    /// Models seen in the data without a price, most tokens first (SPEC §6, `pricing missing`).
    public static func missing(_ db: Database) throws -> [Missing] {
        let book = try PriceBook.load(db)
        let rows = try Row.fetchAll(db, sql: """
            SELECT model, provider, count(*), sum(total_tokens), min(at), max(at)
            FROM (SELECT model, provider, total_tokens, started_at AS at FROM calls
                  UNION ALL
                  SELECT model, NULL, total_tokens, at FROM workflow_cost_records)
            GROUP BY model, provider
            """)
        return rows.compactMap { row -> Missing? in
            let model: String? = row[0]
            let provider: String? = row[1]
            if let model, book.matcher.match(model, provider: provider) != nil { return nil }
            return Missing(model: model, provider: provider, calls: row[2], totalTokens: row[3], firstSeen: row[4], lastSeen: row[5])
        }
        .sorted { ($0.totalTokens, $1.model ?? "", $1.provider ?? "") > ($1.totalTokens, $0.model ?? "", $0.provider ?? "") }
    }
}
