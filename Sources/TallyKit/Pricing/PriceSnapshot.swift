import Foundation
import GRDB

/// The dated snapshot of real list prices Tally ships (SPEC §6), generated from LiteLLM's table by
/// `scripts/generate-price-snapshot.py` into `PriceSnapshot+Data.swift`.
///
/// Snapshot rows are `pricing` rows with source `snapshot`, undated, and `created_at` set to the
/// snapshot's date: that date is how a database remembers which snapshot it holds.
public enum PriceSnapshot {
    /// The snapshot's rows, parsed once.
    public static let records: [PriceRecord] = parse(table)

    /// `created_at` of snapshot rows: the snapshot's date at midnight UTC.
    public static var createdAt: String { date + "T00:00:00.000Z" }

    /// Loads the snapshot into `pricing` unless this snapshot is already there; cheap when it is
    /// (one query). Call it whenever a database is opened for writing.
    ///
    /// Only rows whose source is `snapshot` are written: a price imported or set by hand for the
    /// same model and provider stays as it is. Rows of an older snapshot that this one no longer
    /// has are removed. When anything changed and calls exist, every cost is recomputed (with
    /// `cost_audit_log` rows, as the prices of existing calls changed). A snapshot row the user
    /// deleted comes back only with the next snapshot.
    ///
    /// - Returns: the number of snapshot rows written or removed (0 when already loaded).
    @discardableResult
    public static func ensureLoaded(_ db: Database, now: Date = Date()) throws -> Int {
        if try isLoaded(db) { return 0 }
        var changed = 0
        try db.inSavepoint {
            changed = try load(db)
            if changed > 0, try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM calls) OR EXISTS (SELECT 1 FROM workflow_cost_records)") == true {
                let audit = CostAudit(command: "pricing-snapshot", reason: "price snapshot \(date) (\(source))", at: Timestamps.iso(now))
                try CostEngine.reprice(db, calls: .all, audit: audit)
                try CostEngine.reprice(db, workflowCosts: .all, audit: audit)
            }
            return .commit
        }
        return changed
    }

    /// True when `pricing` holds this snapshot (and no older one).
    public static func isLoaded(_ db: Database) throws -> Bool {
        let row = try Row.fetchOne(
            db, sql: "SELECT min(created_at), max(created_at) FROM pricing WHERE source = 'snapshot'")
        let oldest: String? = row?[0]
        let newest: String? = row?[1]
        return oldest == createdAt && newest == createdAt
    }

    /// Upserts the snapshot rows and removes older snapshot rows; returns how many changed.
    private static func load(_ db: Database) throws -> Int {
        var existing: [String: PriceRecord] = [:]
        for record in try PriceRecord.fetchAll(db, sql: "SELECT * FROM pricing WHERE effective_from IS NULL") {
            existing[key(record.model, record.provider)] = record
        }
        var changed = 0
        for var record in records {
            if var old = existing[key(record.model, record.provider)] {
                guard old.source == "snapshot" else { continue }
                if old.prices == record.prices, old.maxInputTokens == record.maxInputTokens,
                    old.maxOutputTokens == record.maxOutputTokens, old.createdAt == createdAt
                {
                    continue
                }
                old.takePrices(of: record)
                old.maxInputTokens = record.maxInputTokens
                old.maxOutputTokens = record.maxOutputTokens
                old.createdAt = createdAt
                try old.update(db)
            } else {
                record.createdAt = createdAt
                try record.insert(db)
            }
            changed += 1
        }
        try db.execute(literal: "DELETE FROM pricing WHERE source = 'snapshot' AND created_at <> \(createdAt)")
        return changed + db.changesCount
    }

    private static func key(_ model: String, _ provider: String?) -> String {
        model + "\u{1F}" + (provider ?? "")
    }

    /// Rows of the generated table (see the script's `COLUMNS`).
    static func parse(_ text: String) -> [PriceRecord] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 15, let input = PriceRecord.perMillion(f[2]), let output = PriceRecord.perMillion(f[3])
            else { return nil }
            func price(_ i: Int) -> Int64? { f[i].isEmpty ? nil : PriceRecord.perMillion(f[i]) }
            func int(_ i: Int) -> Int64? { Int64(f[i]) }
            return PriceRecord(
                model: f[0], provider: f[1].isEmpty ? nil : f[1], input: input, output: output,
                reasoning: price(4), cacheRead: price(5), cacheWrite: price(6), cacheWrite1h: price(7),
                tierThreshold: int(8), inputAbove: price(9), outputAbove: price(10), cacheReadAbove: price(11),
                cacheWriteAbove: price(12), maxInputTokens: int(13), maxOutputTokens: int(14), source: "snapshot",
                createdAt: createdAt)
        }
    }
}
