import Foundation
import GRDB
import GRDBSQLite

/// The hash aggregate behind `ModelUsage.fetch`: reads the rows of its statement straight from
/// SQLite (columns: group, provider, model, five splits, total, cost, reported, fallback,
/// started_at) and sums them per (group, provider, model) without making a Swift value per cell.
struct UsageAggregator {
    private var index: [[UInt8]: Int] = [:]
    private(set) var results: [ModelUsage] = []
    private var key: [UInt8] = []

    mutating func scan(_ statement: Statement, db: Database) throws {
        let s = statement.sqliteStatement
        defer { sqlite3_reset(s) }
        key.reserveCapacity(256)
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else {
                let message = db.sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message, sql: statement.sql)
            }
            let i = groupIndex(s)
            var u = results[i]
            u.calls += 1
            var splits = 0
            func split(_ column: Int32) -> Int64 {
                guard sqlite3_column_type(s, column) != SQLITE_NULL else { return 0 }
                splits += 1
                return sqlite3_column_int64(s, column)
            }
            u.inputTokens += split(3)
            u.outputTokens += split(4)
            u.reasoningTokens += split(5)
            u.cacheReadTokens += split(6)
            u.cacheWriteTokens += split(7)
            if splits == 0 { u.totalOnlyCalls += 1 }
            let total = sqlite3_column_int64(s, 8)
            u.totalTokens += total
            if sqlite3_column_type(s, 9) == SQLITE_NULL {
                u.unpricedCalls += 1
                u.unpricedTokens += total
                if splits == 0 {
                    u.unpricedTotalOnlyCalls += 1
                    u.unpricedTotalOnlyTokens += total
                }
            } else {
                u.costNanos = (u.costNanos ?? 0) + sqlite3_column_int64(s, 9)
            }
            if sqlite3_column_type(s, 10) != SQLITE_NULL {
                u.reportedCostNanos = (u.reportedCostNanos ?? 0) + sqlite3_column_int64(s, 10)
            }
            u.fallbackCalls += sqlite3_column_int64(s, 11)
            if let text = sqlite3_column_text(s, 12) {
                let count = Int(sqlite3_column_bytes(s, 12))
                if u.firstSeen.map({ Self.compare(text, count, $0) < 0 }) ?? true { u.firstSeen = Self.string(text, count) }
                if u.lastSeen.map({ Self.compare(text, count, $0) > 0 }) ?? true { u.lastSeen = Self.string(text, count) }
            }
            results[i] = u
        }
    }

    /// The index of the row's (group, provider, model) in `results`, added when new.
    private mutating func groupIndex(_ s: SQLiteStatement) -> Int {
        key.removeAll(keepingCapacity: true)
        for column: Int32 in 0...2 {
            if let text = sqlite3_column_text(s, column) {
                key.append(contentsOf: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(s, column))))
                key.append(0x1F)
            } else {
                key.append(0xFF)  // NULL: never a byte of UTF-8 text
            }
        }
        if let i = index[key] { return i }
        func text(_ column: Int32) -> String? {
            sqlite3_column_text(s, column).map { Self.string($0, Int(sqlite3_column_bytes(s, column))) }
        }
        results.append(ModelUsage(
            group: text(0), provider: text(1), model: text(2), calls: 0, inputTokens: 0, outputTokens: 0,
            reasoningTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, totalTokens: 0, costNanos: nil,
            reportedCostNanos: nil, unpricedCalls: 0, unpricedTokens: 0, totalOnlyCalls: 0, fallbackCalls: 0))
        index[key] = results.count - 1
        return results.count - 1
    }

    private static func string(_ text: UnsafePointer<UInt8>, _ count: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    private static func compare(_ text: UnsafePointer<UInt8>, _ count: Int, _ other: String) -> Int {
        var other = other
        return other.withUTF8 { o in
            guard let base = o.baseAddress else { return count }
            let c = memcmp(text, base, min(count, o.count))
            return c != 0 ? Int(c) : count - o.count
        }
    }
}
