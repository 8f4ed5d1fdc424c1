import Foundation
import GRDB

/// Spend per quarter hour and model over the calls a filter selects, read in one scan: the
/// input of analyses over local periods (`anomalies`), fast at a million calls.
///
/// Why not `GROUP BY tz_period(c.started_at, 'day', :tz)`: the Swift SQL function costs a few
/// microseconds a row and SQLite sorts every row to group them (3.5 s for a million calls on
/// the development machine, against 0.3 s for a plain scan). Quarter hours are fine enough for
/// every time zone (all UTC offsets are whole quarter hours), so each bucket maps to one local
/// day, week or month afterwards, a few thousand conversions instead of a million.
public struct SpendScan {
    /// Model names by index, in order of first appearance; nil is "no model".
    public var models: [String?] { keys.texts }
    private var keys = TextKeys()
    /// Per model (provider left out), the usage the notes of a cost result need, over the calls
    /// at or after `notesFrom`.
    public private(set) var usage: [ModelUsage] = []
    /// Cost in nano-dollars per quarter hour (minutes since 1970 / 15, UTC) from `base` and model
    /// index, at `cells[(quarter − base) × stride + model]`; calls without a cost in the chosen
    /// mode add 0. One flat array rather than a dictionary: a million calls fall in a few
    /// thousand quarter hours.
    private var cells: [Int64] = []
    private var stride = 16
    /// Calls per quarter hour from `base` (a period with calls is not empty even at no cost).
    private var calls: [Int32] = []
    private var base: Int64 = 0

    /// The quarter hours of the first and the last call; nil without calls.
    public var firstQuarter: Int64? { calls.firstIndex { $0 > 0 }.map { base + Int64($0) } }
    public var lastQuarter: Int64? { calls.lastIndex { $0 > 0 }.map { base + Int64($0) } }

    /// The total cost scanned, in nano-dollars.
    public var totalCost: Int64 { cells.reduce(0, +) }

    /// Scans the calls `filter` selects; the notes' usage counts only calls at or after
    /// `notesFrom` (the reported range, when earlier calls only feed a baseline).
    public static func run(_ db: Database, filter: CallFilter, notesFrom: Date? = nil) throws -> SpendScan {
        // The rollup path counts notes from a quarter hour: from any other instant, read the calls.
        let notesOnQuarter = notesFrom.map { $0.timeIntervalSince1970.truncatingRemainder(dividingBy: 900) == 0 } ?? true
        if notesOnQuarter, let condition = filter.rollupCondition,
            let table = try ModelUsage.rollupTable(db, filter: filter, per: .quarter) {
            return try run(db, filter: filter, rollup: condition, table: table, notesFrom: notesFrom)
        }
        return try runOverCalls(db, filter: filter, notesFrom: notesFrom)
    }

    /// `run` over every call (dates inside a quarter hour).
    static func runOverCalls(_ db: Database, filter: CallFilter, notesFrom: Date?) throws -> SpendScan {
        var scan = SpendScan()
        let from = Array((notesFrom.map(Timestamps.iso) ?? "").utf8)
        try db.scan("""
            SELECT c.started_at, c.model, \(filter.costColumn), c.total_tokens,
                coalesce(c.input_tokens, c.output_tokens, c.reasoning_tokens, c.cache_read_tokens, c.cache_write_tokens),
                \(filter.fallbackColumn)
            FROM calls c
            WHERE \(filter.condition)
            """
        ) { row in
            guard let at = row.bytes(0), at.count >= 16 else { return }
            let model = scan.modelIndex(row.bytes(1))
            let cost = row.optionalInt64(2)
            scan.add(quarter: Self.quarter(at), model: model, cost: cost ?? 0)
            guard from.isEmpty || !at.lexicographicallyPrecedes(from) else { return }
            let total = row.int64(3), totalOnly = row.isNull(4)
            scan.usage[model].calls += 1
            scan.usage[model].totalTokens += total
            if let cost {
                scan.usage[model].costNanos = (scan.usage[model].costNanos ?? 0) + cost
            } else {
                scan.usage[model].unpricedCalls += 1
                scan.usage[model].unpricedTokens += total
                if totalOnly {
                    scan.usage[model].unpricedTotalOnlyCalls += 1
                    scan.usage[model].unpricedTotalOnlyTokens += total
                }
            }
            if totalOnly { scan.usage[model].totalOnlyCalls += 1 }
            scan.usage[model].fallbackCalls += row.int64(5)
        }
        scan.usage.removeAll { $0.calls == 0 }
        return scan
    }

    /// The same from a rollup with quarter hours (`quarter_rollup`, else `call_rollup`: a fraction
    /// of the calls' rows, and no timestamps to parse), when the filter's dates fall on quarter hours.
    /// `notesFrom` is a local period's start, which is a quarter hour in every zone.
    static func run(
        _ db: Database, filter: CallFilter, rollup condition: SQL, table: String, notesFrom: Date?
    ) throws -> SpendScan {
        var scan = SpendScan()
        let from = notesFrom.map { Int64(($0.timeIntervalSince1970 / 900).rounded(.down)) } ?? .min
        try db.scan("""
            SELECT c.quarter, c.model, c.calls, c.total_tokens, c.total_only_calls,
                \(sql: filter.rollupCostColumns), \(sql: filter.rollupFallbackColumn)
            FROM \(sql: table) c
            WHERE \(condition)
            """
        ) { row in
            let quarter = row.int64(0)
            let model = scan.modelIndex(row.isBlob(1) ? nil : row.bytes(1))  // x'': no model
            let calls = row.int64(2)
            scan.add(quarter: quarter, model: model, cost: row.int64(5), calls: Int32(calls))
            guard quarter >= from else { return }
            let costed = row.int64(6)
            scan.usage[model].calls += calls
            scan.usage[model].totalTokens += row.int64(3)
            scan.usage[model].totalOnlyCalls += row.int64(4)
            if costed > 0 { scan.usage[model].costNanos = (scan.usage[model].costNanos ?? 0) + row.int64(5) }
            scan.usage[model].unpricedCalls += calls - costed
            scan.usage[model].unpricedTokens += row.int64(7)
            scan.usage[model].unpricedTotalOnlyCalls += row.int64(8)
            scan.usage[model].unpricedTotalOnlyTokens += row.int64(9)
            scan.usage[model].fallbackCalls += row.int64(10)
        }
        scan.usage.removeAll { $0.calls == 0 }
        return scan
    }

    /// The cost per local period label (as `tz_period` writes them) and model index, for every
    /// period with calls.
    public func costByPeriod(_ unit: Periods.Unit, timeZone: TimeZone) -> [String: [Int: Int64]] {
        var result: [String: [Int: Int64]] = [:]
        for (offset, count) in calls.enumerated() where count > 0 {
            let label = Periods.label(ofQuarter: base + Int64(offset), by: unit, timeZone: timeZone)
            for model in models.indices {
                result[label, default: [:]][model, default: 0] += cells[offset * stride + model]
            }
        }
        return result
    }

    /// The canonical timestamp of a quarter hour's start.
    public static func timestamp(ofQuarter quarter: Int64) -> String {
        CivilTime.canonical(epochMilliseconds: quarter * 900_000)
    }

    // MARK: - Per row

    /// Adds a call's cost to its quarter hour, growing the grid (by at least its size, so that
    /// calls in any order cost amortised constant time).
    private mutating func add(quarter: Int64, model: Int, cost: Int64, calls count: Int32 = 1) {
        if model >= stride {
            let wider = max(stride * 2, model + 1)
            var relaid = [Int64](repeating: 0, count: calls.count * wider)
            for offset in calls.indices {
                for m in 0..<stride { relaid[offset * wider + m] = cells[offset * stride + m] }
            }
            (cells, stride) = (relaid, wider)
        }
        if calls.isEmpty { base = quarter }
        if quarter < base {
            let shift = max(Int(base - quarter), calls.count)
            calls.insert(contentsOf: repeatElement(0, count: shift), at: 0)
            cells.insert(contentsOf: repeatElement(0, count: shift * stride), at: 0)
            base -= Int64(shift)
        } else if quarter - base >= Int64(calls.count) {
            let grow = max(Int(quarter - base) + 1 - calls.count, calls.count)
            calls.append(contentsOf: repeatElement(0, count: grow))
            cells.append(contentsOf: repeatElement(0, count: grow * stride))
        }
        let offset = Int(quarter - base)
        calls[offset] += count
        cells[offset * stride + model] += cost
    }

    /// Minutes since 1970 / 15 of a canonical timestamp's first 16 bytes (`YYYY-MM-DDTHH:MM`).
    private static func quarter(_ at: UnsafeBufferPointer<UInt8>) -> Int64 {
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(at[$1] &- 48) } }
        let day = CivilTime.days(year: number(0..<4), month: number(5..<7), day: number(8..<10))
        let minute = Int64(day) * 1440 + Int64(number(11..<13) * 60 + number(14..<16))
        return minute >= 0 ? minute / 15 : (minute - 14) / 15
    }

    /// The index of a model name's bytes, added (with an empty usage) when new.
    private mutating func modelIndex(_ bytes: UnsafeBufferPointer<UInt8>?) -> Int {
        let index = keys.index(bytes)
        if index == usage.count {
            usage.append(ModelUsage(
                group: nil, provider: nil, model: keys.texts[index], calls: 0, inputTokens: 0, outputTokens: 0,
                reasoningTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, totalTokens: 0, costNanos: nil,
                reportedCostNanos: nil, unpricedCalls: 0, unpricedTokens: 0, totalOnlyCalls: 0, fallbackCalls: 0))
        }
        return index
    }

}
