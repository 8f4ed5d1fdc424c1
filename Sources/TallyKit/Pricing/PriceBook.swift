import Foundation
import GRDB

/// Every price Tally knows, loaded from the `pricing` and `model_aliases` tables: which model a
/// name matches, and which price row applies at which time.
public final class PriceBook {
    /// Price rows by model name.
    public let records: [String: [PriceRecord]]
    public let matcher: ModelMatcher

    public init(records: [PriceRecord], aliases: [String: String] = [:]) {
        self.records = Dictionary(grouping: records, by: \.model)
        self.matcher = ModelMatcher(models: records.map { ($0.model, $0.provider) }, aliases: aliases)
    }

    /// The price book of a database.
    public static func load(_ db: Database) throws -> PriceBook {
        let records = try PriceRecord.fetchAll(db, sql: "SELECT * FROM pricing ORDER BY id")
        let aliases = try Row.fetchAll(db, sql: "SELECT alias, model FROM model_aliases")
        return PriceBook(
            records: records,
            aliases: Dictionary(aliases.map { ($0["alias"] as String, $0["model"] as String) }, uniquingKeysWith: { a, _ in a }))
    }

    /// A stretch of time with one price: `[from, to)`, nil ends unbounded.
    public struct Segment: Hashable, Sendable {
        public var from: String?
        public var to: String?
        public var record: PriceRecord
    }

    /// The prices of a model over time, as served by `provider`: dated periods where they apply,
    /// the undated price everywhere else (SPEC §6: snapshot and imported prices apply to calls of
    /// any date until a dated price supersedes them).
    public func segments(for model: String, provider: String?) -> [Segment] {
        let rows = records[model] ?? []
        let undated = preferred(rows.filter { $0.effectiveFrom == nil }, provider: provider)
        let starts = Set(rows.compactMap(\.effectiveFrom)).sorted()
        let dated = starts.compactMap { start in preferred(rows.filter { $0.effectiveFrom == start }, provider: provider) }
        var segments: [Segment] = []
        var cursor: String? = nil  // nil: from the beginning of time
        for (i, period) in dated.enumerated() {
            let start = period.effectiveFrom!
            if let undated, cursor.map({ $0 < start }) ?? true {
                segments.append(Segment(from: cursor, to: start, record: undated))
            }
            let next = i + 1 < dated.count ? dated[i + 1].effectiveFrom : nil
            let end = [period.effectiveTo, next].compactMap { $0 }.min()
            segments.append(Segment(from: start, to: end, record: period))
            guard let end else { return segments }
            cursor = end
        }
        if let undated { segments.append(Segment(from: cursor, to: nil, record: undated)) }
        return segments
    }

    /// The price row of `model` at `timestamp` (nil: the latest price).
    public func record(for model: String, provider: String?, at timestamp: String?) -> PriceRecord? {
        let segments = segments(for: model, provider: provider)
        guard let timestamp else { return segments.last?.record }
        return segments.first { s in
            s.from.map { timestamp >= $0 } ?? true && s.to.map { timestamp < $0 } ?? true
        }?.record
    }

    /// Among rows of one model and start: by source (a price set by hand over an imported one
    /// over the snapshot's), then the call's provider's, then the oldest row.
    private func preferred(_ rows: [PriceRecord], provider: String?) -> PriceRecord? {
        func rank(_ r: PriceRecord) -> (Int, Int, Int64) {
            let sameProvider = provider != nil && r.provider?.lowercased() == provider?.lowercased()
            let source = ["user": 0, "litellm": 1, "snapshot": 2][r.source ?? ""] ?? 1
            return (source, sameProvider ? 0 : 1, r.id ?? 0)
        }
        return rows.min { rank($0) < rank($1) }
    }
}
