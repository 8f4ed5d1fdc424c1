import Foundation
import GRDB
import GRDBSQLite

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

    private var index: [Key: Int] = [:]
    private(set) var results: [ModelUsage] = []
    private var sums: [Sums] = []
    private var key = Key()
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
        index.reserveCapacity(expectedGroups)
        results.reserveCapacity(expectedGroups)
        sums.reserveCapacity(expectedGroups)
    }

    /// Group key bytes, hashed in one call rather than byte by byte.
    private struct Key: Hashable {
        var bytes: [UInt8] = []
        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    mutating func scan(_ statement: Statement, db: Database, rows: Rows) throws {
        let s = statement.sqliteStatement
        defer { sqlite3_reset(s) }
        key.bytes.reserveCapacity(256)
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                let message = db.sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message, sql: statement.sql)
            }
            switch rows {
            case .calls: sums[groupIndex(s)].add(s)
            case .rollup: sums[groupIndex(s)].addRollup(s)
            }
        }
        for (i, sum) in sums.enumerated() {
            results[i].calls = sum.calls
            results[i].inputTokens = sum.input
            results[i].outputTokens = sum.output
            results[i].reasoningTokens = sum.reasoning
            results[i].cacheReadTokens = sum.cacheRead
            results[i].cacheWriteTokens = sum.cacheWrite
            results[i].totalTokens = sum.total
            results[i].costNanos = sum.costed > 0 ? sum.cost : nil
            results[i].reportedCostNanos = sum.reportedCount > 0 ? sum.reported : nil
            results[i].unpricedCalls = sum.calls - sum.costed
            results[i].unpricedTokens = sum.unpricedTokens
            results[i].totalOnlyCalls = sum.totalOnly
            results[i].unpricedTotalOnlyCalls = sum.unpricedTotalOnly
            results[i].unpricedTotalOnlyTokens = sum.unpricedTotalOnlyTokens
            results[i].fallbackCalls = sum.fallback
            results[i].cacheReadAboveTierTokens = sum.cacheReadAbove
        }
    }

    /// The running sums of one group: integers only, updated in place.
    private struct Sums {
        var calls: Int64 = 0, input: Int64 = 0, output: Int64 = 0, reasoning: Int64 = 0, cacheRead: Int64 = 0
        var cacheWrite: Int64 = 0, total: Int64 = 0, cost: Int64 = 0, costed: Int64 = 0, reported: Int64 = 0
        var reportedCount: Int64 = 0, unpricedTokens: Int64 = 0, totalOnly: Int64 = 0, unpricedTotalOnly: Int64 = 0
        var unpricedTotalOnlyTokens: Int64 = 0, fallback: Int64 = 0, cacheReadAbove: Int64 = 0

        /// Adds one row; NULL counts and costs arrive as -1 (all are non-negative).
        mutating func add(_ s: SQLiteStatement) {
            calls += 1
            var splits = 0
            func split(_ column: Int32) -> Int64 {
                let value = sqlite3_column_int64(s, column)
                guard value >= 0 else { return 0 }
                splits += 1
                return value
            }
            input += split(3)
            output += split(4)
            reasoning += split(5)
            cacheRead += split(6)
            cacheWrite += split(7)
            let rowTotal = sqlite3_column_int64(s, 8)
            total += rowTotal
            if splits == 0 { totalOnly += 1 }
            let rowCost = sqlite3_column_int64(s, 9)
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
            let rowReported = sqlite3_column_int64(s, 10)
            if rowReported >= 0 {
                reported += rowReported
                reportedCount += 1
            }
            fallback += sqlite3_column_int64(s, 11)
            cacheReadAbove += sqlite3_column_int64(s, 12)
        }

        /// Adds one rollup row (`Rows.rollup`): sums of calls, none NULL.
        mutating func addRollup(_ s: SQLiteStatement) {
            func int(_ column: Int32) -> Int64 { sqlite3_column_int64(s, column) }
            calls += int(3)
            input += int(4)
            output += int(5)
            reasoning += int(6)
            cacheRead += int(7)
            cacheWrite += int(8)
            total += int(9)
            totalOnly += int(10)
            cost += int(11)
            costed += int(12)
            unpricedTokens += int(13)
            unpricedTotalOnly += int(14)
            unpricedTotalOnlyTokens += int(15)
            reported += int(16)
            reportedCount += int(17)
            fallback += int(18)
            cacheReadAbove += int(19)
        }
    }

    /// The index of the row's (group, provider, model) in `results`, added when new.
    private mutating func groupIndex(_ s: SQLiteStatement) -> Int {
        key.bytes.removeAll(keepingCapacity: true)
        var label: [UInt8]?
        if let relabel {
            let quarter = sqlite3_column_int64(s, 0)
            if let known = labels[quarter] {
                label = known
            } else {
                label = Array(relabel(quarter).utf8)
                labels[quarter] = label
            }
            key.bytes.append(contentsOf: label!)
            key.bytes.append(0x1F)
        }
        for column: Int32 in (relabel == nil ? 0 : 1)...2 {
            if sqlite3_column_type(s, column) != SQLITE_BLOB, let text = sqlite3_column_text(s, column) {
                key.bytes.append(contentsOf: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(s, column))))
                key.bytes.append(0x1F)
            } else {
                key.bytes.append(0xFF)  // NULL: never a byte of UTF-8 text
            }
        }
        // Rows of one group often come one after another (a session's calls, one model's quarters).
        if let last = lastGroup, key.bytes == lastKey { return last }
        if let i = index[key] {
            remember(i)
            return i
        }
        defer { remember(results.count - 1) }
        func text(_ column: Int32) -> String? {
            guard sqlite3_column_type(s, column) != SQLITE_BLOB else { return nil }  // call_rollup's NULL
            return sqlite3_column_text(s, column).map { Self.string($0, Int(sqlite3_column_bytes(s, column))) }
        }
        results.append(ModelUsage(
            group: label.map { String(decoding: $0, as: UTF8.self) } ?? text(0), provider: text(1), model: text(2), calls: 0, inputTokens: 0, outputTokens: 0,
            reasoningTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, totalTokens: 0, costNanos: nil,
            reportedCostNanos: nil, unpricedCalls: 0, unpricedTokens: 0, totalOnlyCalls: 0, fallbackCalls: 0))
        sums.append(Sums())
        index[key] = results.count - 1
        return results.count - 1
    }

    private mutating func remember(_ group: Int) {
        lastKey.removeAll(keepingCapacity: true)
        lastKey.append(contentsOf: key.bytes)
        lastGroup = group
    }

    private static func string(_ text: UnsafePointer<UInt8>, _ count: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

}
