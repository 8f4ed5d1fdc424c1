import Foundation
import GRDB

/// The hash aggregate behind `ModelUsage.fetch`: reads the rows of its statement straight from
/// SQLite and sums them per (group, provider, model) without making a Swift value per cell. A
/// BLOB in those three columns is NULL (`call_rollup` stores NULL as `x''`; read as is, without
/// `nullif`, which copies every text).
struct UsageAggregator {
    /// What one row of the statement is, after its group, provider and model columns.
    enum Rows {
        /// One call: five splits, total, cost, reported cost, fallback flag (NULL numbers as -1),
        /// cache reads above the price's tier.
        case calls
        /// One `call_rollup` row in one cost mode: calls, five splits, total, total-only calls,
        /// cost, costed calls, unpriced tokens, unpriced total-only calls and tokens, reported
        /// cost, reported calls, fallback calls, cache reads above the tier.
        case rollup
    }

    private var index: [ByteKey: Int] = [:]
    /// Each group's label (group, provider and model; no counts yet) and sums.
    private var groups: [ModelUsage] = []
    private var sums: [UsageSums] = []
    private var key = ByteKey()
    /// The previous row's key and group: rows of one group often come one after another.
    private var lastKey: [UInt8] = []
    private var lastGroup: Int?

    /// When set, the group column is an integer (a quarter hour) summed under this label of it.
    private let relabel: ((Int64) -> String)?
    private var labels: [Int64: [UInt8]] = [:]
    /// - Parameter expectedGroups: room to reserve (growing a dictionary of 100,000 groups
    ///   rehashes it and copies every group several times).
    init(relabel: ((Int64) -> String)? = nil, expectedGroups: Int = 0) {
        self.relabel = relabel
        key.bytes.reserveCapacity(256)
        index.reserveCapacity(expectedGroups)
        groups.reserveCapacity(expectedGroups)
        sums.reserveCapacity(expectedGroups)
    }

    /// Each group with its sums, in the order groups first appeared.
    var results: [ModelUsage] {
        var results = groups
        for i in results.indices { sums[i].store(in: &results[i]) }
        return results
    }

    mutating func scan(_ statement: Statement, db: Database, rows: Rows) throws {
        try db.scan(statement) { row in
            sums[groupIndex(row)].add(row, rows)
        }
    }

    /// The index of the row's (group, provider, model) in `results`, added when new.
    private mutating func groupIndex(_ row: ScanRow) -> Int {
        key.bytes.removeAll(keepingCapacity: true)
        var label: [UInt8]?
        if let relabel {
            let quarter = row.int64(0)
            if let known = labels[quarter] {
                label = known
            } else {
                label = Array(relabel(quarter).utf8)
                labels[quarter] = label
            }
            key.bytes.append(contentsOf: label!)
            key.bytes.append(0x1F)
        }
        for column: Int32 in (relabel == nil ? 0 : 1)...2 { key.append(row, column) }
        // Rows of one group often come one after another (a session's calls, one model's quarters).
        if let last = lastGroup, key.bytes == lastKey { return last }
        if let i = index[key] {
            remember(i)
            return i
        }
        defer { remember(groups.count - 1) }
        groups.append(ModelUsage.zero(
            group: label.map { String(decoding: $0, as: UTF8.self) } ?? row.dimension(0),
            provider: row.dimension(1), model: row.dimension(2)))
        sums.append(UsageSums())
        index[key] = groups.count - 1
        return groups.count - 1
    }

    private mutating func remember(_ group: Int) {
        lastKey.removeAll(keepingCapacity: true)
        lastKey.append(contentsOf: key.bytes)
        lastGroup = group
    }
}

/// Group key bytes, hashed in one call rather than byte by byte.
struct ByteKey: Hashable, Sendable {
    var bytes: [UInt8] = []

    init(bytes: [UInt8] = []) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// Appends a text column and a separator, or 0xFF for NULL (never a byte of UTF-8 text); a
    /// BLOB is NULL (`call_rollup`'s `x''`).
    mutating func append(_ row: ScanRow, _ column: Int32) {
        Self.append(row, column, to: &bytes)
    }

    /// Appends three columns' keys one after another onto `bytes`, and returns where each ends
    /// (a row's cells in a batch of keys).
    static func append(
        _ row: ScanRow, _ columns: (Int32, Int32, Int32), to bytes: inout [UInt8]
    ) -> (Int32, Int32, Int32) {
        append(row, columns.0, to: &bytes)
        let first = Int32(bytes.count)
        append(row, columns.1, to: &bytes)
        let second = Int32(bytes.count)
        append(row, columns.2, to: &bytes)
        return (first, second, Int32(bytes.count))
    }

    /// The same, onto any bytes (a batch of keys).
    static func append(_ row: ScanRow, _ column: Int32, to bytes: inout [UInt8]) {
        if !row.isBlob(column), let text = row.bytes(column) {
            bytes.append(contentsOf: text)
            bytes.append(0x1F)
        } else {
            bytes.append(0xFF)
        }
    }
}

extension ScanRow {
    /// A group, provider or model column: text, or nil for NULL and for `call_rollup`'s `x''`.
    func dimension(_ column: Int32) -> String? {
        isBlob(column) ? nil : text(column)
    }
}

/// The running sums of one group: integers only, updated in place.
struct UsageSums {
    var calls: Int64 = 0, input: Int64 = 0, output: Int64 = 0, reasoning: Int64 = 0, cacheRead: Int64 = 0
    var cacheWrite: Int64 = 0, total: Int64 = 0, cost: Int64 = 0, costed: Int64 = 0, reported: Int64 = 0
    var reportedCount: Int64 = 0, unpricedTokens: Int64 = 0, totalOnly: Int64 = 0, unpricedTotalOnly: Int64 = 0
    var unpricedTotalOnlyTokens: Int64 = 0, fallback: Int64 = 0, cacheReadAbove: Int64 = 0

    /// Adds one row of `UsageAggregator.Rows`, whose sums start at column 3.
    mutating func add(_ row: ScanRow, _ rows: UsageAggregator.Rows) {
        switch rows {
        case .calls: addCall(row)
        case .rollup: addRollup(row)
        }
    }

    /// Adds one call; NULL counts and costs arrive as -1 (all are non-negative).
    private mutating func addCall(_ row: ScanRow) {
        calls += 1
        var splits = 0
        func split(_ column: Int32) -> Int64 {
            let value = row.int64(column)
            guard value >= 0 else { return 0 }
            splits += 1
            return value
        }
        input += split(3)
        output += split(4)
        reasoning += split(5)
        cacheRead += split(6)
        cacheWrite += split(7)
        let rowTotal = row.int64(8)
        total += rowTotal
        if splits == 0 { totalOnly += 1 }
        let rowCost = row.int64(9)
        if rowCost < 0 {
            unpricedTokens += rowTotal
            if splits == 0 {
                unpricedTotalOnly += 1
                unpricedTotalOnlyTokens += rowTotal
            }
        } else {
            cost += rowCost
            costed += 1
        }
        let rowReported = row.int64(10)
        if rowReported >= 0 {
            reported += rowReported
            reportedCount += 1
        }
        fallback += row.int64(11)
        cacheReadAbove += row.int64(12)
    }

    /// Adds one rollup row: sums of calls, none NULL.
    private mutating func addRollup(_ row: ScanRow) {
        calls += row.int64(3)
        input += row.int64(4)
        output += row.int64(5)
        reasoning += row.int64(6)
        cacheRead += row.int64(7)
        cacheWrite += row.int64(8)
        total += row.int64(9)
        totalOnly += row.int64(10)
        cost += row.int64(11)
        costed += row.int64(12)
        unpricedTokens += row.int64(13)
        unpricedTotalOnly += row.int64(14)
        unpricedTotalOnlyTokens += row.int64(15)
        reported += row.int64(16)
        reportedCount += row.int64(17)
        fallback += row.int64(18)
        cacheReadAbove += row.int64(19)
    }

    /// Zeroes what `ModelUsage.statement(totalsOnly:)` does not read: split tokens, reported
    /// cost and cache reads above the tier.
    mutating func keepTotalsOnly() {
        (input, output, reasoning, cacheRead, cacheWrite) = (0, 0, 0, 0, 0)
        (reported, reportedCount, cacheReadAbove) = (0, 0, 0)
    }

    mutating func add(_ other: UsageSums) {
        calls += other.calls
        input += other.input
        output += other.output
        reasoning += other.reasoning
        cacheRead += other.cacheRead
        cacheWrite += other.cacheWrite
        total += other.total
        cost += other.cost
        costed += other.costed
        reported += other.reported
        reportedCount += other.reportedCount
        unpricedTokens += other.unpricedTokens
        totalOnly += other.totalOnly
        unpricedTotalOnly += other.unpricedTotalOnly
        unpricedTotalOnlyTokens += other.unpricedTotalOnlyTokens
        fallback += other.fallback
        cacheReadAbove += other.cacheReadAbove
    }

    /// Writes the sums into `usage`'s measures (its group, provider and model stay).
    func store(in usage: inout ModelUsage) {
        usage.calls = calls
        usage.inputTokens = input
        usage.outputTokens = output
        usage.reasoningTokens = reasoning
        usage.cacheReadTokens = cacheRead
        usage.cacheWriteTokens = cacheWrite
        usage.totalTokens = total
        usage.costNanos = costed > 0 ? cost : nil
        usage.reportedCostNanos = reportedCount > 0 ? reported : nil
        usage.unpricedCalls = calls - costed
        usage.unpricedTokens = unpricedTokens
        usage.totalOnlyCalls = totalOnly
        usage.unpricedTotalOnlyCalls = unpricedTotalOnly
        usage.unpricedTotalOnlyTokens = unpricedTotalOnlyTokens
        usage.fallbackCalls = fallback
        usage.cacheReadAboveTierTokens = cacheReadAbove
    }
}
