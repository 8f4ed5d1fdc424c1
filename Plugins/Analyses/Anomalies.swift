import Foundation
import GRDB
import TallyKit

/// `anomalies`: periods (or sessions) whose spend stands out against the ones just before them.
public enum Anomalies: Analysis {
    public static let name = "anomalies"
    public static let summary = "Days, weeks, months or sessions whose spend stands out against a trailing baseline."
    public static let discussion = """
        Each period's cost is compared with the --window periods before it (empty periods count as \
        0): flagged when it exceeds mean + --sigma × sd AND --ratio × mean, sd being the sample \
        standard deviation (n − 1), with at least --min-history earlier periods (counted from the \
        first call). --since/--until choose the periods reported; their baselines reach back before \
        --since. --by session judges root sessions (with their sub-agents) in start order against \
        the sessions before them. --per-model judges each model's own series and adds the column \
        `model` after `period`. zscore is (cost − baseline) / sd (empty when sd is 0), ratio is \
        cost / baseline (empty when the baseline is 0); top_model and top_session are the model and \
        the session (sub-agents apart) that spent most in the flagged period.
        """
    public static let parameters = [
        Parameter("by", .choice(Periods.Unit.allCases.map(\.rawValue) + ["session"]), default: "day",
                  help: "The unit judged: a day, week or month, or a root session."),
        Parameter("window", .int, default: "14", help: "How many earlier periods form the baseline."),
        Parameter("sigma", .decimal, default: "2", help: "Standard deviations above the baseline mean to flag."),
        Parameter("ratio", .decimal, default: "2", help: "Times the baseline mean to flag."),
        Parameter("min-history", .int, default: "7", help: "Earlier periods needed before a period is judged."),
        Parameter("per-model", .bool, default: "false", help: "Judge each model's spend apart (adds the column model)."),
    ] + CallFilter.parameters
    public static let examples = [
        // Daily cost 1, 2, 3, 10, 0, 2, 2, 1. On 03-04 the window is [1, 2, 3]: mean 2, sd 1;
        // 10 > 2 + 2 × 1 and 10 > 2 × 2: zscore (10 − 2) / 1 = 8, ratio 10 / 2 = 5. gpt-5 spent 9 of
        // the 10 (a total-only call, ses-c1); acme-internal-7b is unpriced and adds nothing.
        // 03-06: window [3, 10, 0], mean 4.33, sd 5.13: 2 is below; no later day comes near.
        Example("anomalies --window 3 --min-history 3", "A spike against the three days before it.",
                fixture: "spend", expected: """
            period,cost_usd,baseline_usd,zscore,ratio,top_model,top_session
            2026-03-04,10,2,8,5,gpt-5,ses-c1
            """),
        Example("anomalies --since 2026-03-04 --until 2026-03-05 --window 3 --min-history 3",
                "One period reported; its baseline reaches back before --since.", fixture: "spend", expected: """
            period,cost_usd,baseline_usd,zscore,ratio,top_model,top_session
            2026-03-04,10,2,8,5,gpt-5,ses-c1
            """),
        // gpt-5 per day: 0, 0.5, 1, 9, 0, 0, 0.5, 0. On 03-04 the window [0, 0.5, 1] has mean 0.5,
        // sd 0.5: zscore (9 − 0.5) / 0.5 = 17, ratio 9 / 0.5 = 18. claude-sonnet-4-5 (1, 1.5, 2, 1,
        // 0, 2, 1.5, 1) never clears mean + 2 sd; acme-internal-7b has no cost at all.
        Example("anomalies --per-model --window 3 --min-history 3", "Each model against its own baseline.",
                fixture: "spend", expected: """
            period,model,cost_usd,baseline_usd,zscore,ratio,top_model,top_session
            2026-03-04,gpt-5,9,0.5,17,18,gpt-5,ses-c1
            """),
        // Root sessions in start order: ses-a 2.5 (with ses-a1), ses-b 3.5, ses-c 10 (with ses-c1),
        // ses-d 4, ses-e 1. ses-c: window [2.5, 3.5], mean 3, sd √0.5 = 0.7071: zscore 7 / 0.7071 =
        // 9.899 → 9.9, ratio 10 / 3 = 3.33.
        Example("anomalies --by session --window 3 --min-history 2", "Sessions against the sessions before them.",
                fixture: "spend", expected: """
            period,cost_usd,baseline_usd,zscore,ratio,top_model,top_session
            ses-c,10,3,9.9,3.33,gpt-5,ses-c1
            """),
        // Defaults (window 14, min-history 7): only 03-08 has seven earlier days, mean 20 / 7 = 2.86.
        Example("anomalies", "Eight days: only the last has seven earlier ones to judge it by, and it is ordinary.",
                fixture: "spend", expected: """
            period,cost_usd,baseline_usd,zscore,ratio,top_model,top_session
            """),
        Example("anomalies --since 2026-04-01", "No calls in range: an empty result and a note.", fixture: "spend",
                expected: """
            period,cost_usd,baseline_usd,zscore,ratio,top_model,top_session
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let filter = CallFilter(arguments)
        let perModel = arguments.bool("per-model")
        let baseline = try Self.baseline(arguments)
        let unit = Periods.Unit(rawValue: arguments.string("by") ?? "day")
        let series = try unit.map { try Series.periods(context, filter: filter, unit: $0, window: baseline.window) }
            ?? Series.sessions(context.db, filter: filter)

        var columns = [Column("period", unit == nil ? .text : .date), Column("cost_usd", .money),
                       Column("baseline_usd", .money), Column("zscore", .real), Column("ratio", .real),
                       Column("top_model", .text), Column("top_session", .text)]
        if perModel { columns.insert(Column("model", .text), at: 1) }
        var notes = ModelUsage.notes(series.usage, mode: filter.costMode)
        if series.sessionless > 0 {
            notes.append("\(series.sessionless) call(s) without a session are left out of --by session")
        }
        guard series.hasCallsInRange else {
            notes.insert("no calls in range: nothing to judge", at: 0)
            return ResultSet(columns: columns, notes: notes)
        }

        let judgedSeries = perModel ? series.byModel.sorted { $0.key < $1.key } : [(key: "", value: series.total)]
        var flagged: [(point: TrailingBaseline.Point, model: String?)] = []
        var judged = 0
        for (model, costs) in judgedSeries {
            for point in baseline.evaluate(costs.map(Double.init)) where series.reported[point.index] {
                judged += 1
                if point.isAnomalous { flagged.append((point, perModel ? model : nil)) }
            }
        }
        flagged.sort { ($0.point.index, $0.model ?? "") < ($1.point.index, $1.model ?? "") }
        let rows: [[Value]] = try flagged.map { point, model in
            let top = try series.top(point.index, model: model, db: context.db)
            var row: [Value] = [
                .text(series.labels[point.index]), .usd(Int64(point.value)), .usd(Int64(point.mean.rounded())),
                decimal(point.zscore), decimal(point.ratio), .string(top.model), .string(top.session),
            ]
            if perModel { row.insert(.string(model), at: 1) }
            return row
        }
        if judged == 0 {
            notes.insert("no \(unit?.rawValue ?? "session") in range has \(baseline.minHistory) earlier ones to compare with: "
                + "nothing judged (lower --min-history, or widen the range)", at: 0)
        } else if rows.isEmpty {
            notes.insert("no anomalies among \(judged) judged (mean + \(arguments.decimal("sigma") ?? 2) sd and "
                + "\(arguments.decimal("ratio") ?? 2) × mean of up to \(baseline.window) earlier)", at: 0)
        }
        return ResultSet(columns: columns, rows: rows, notes: notes, chart: Chart(kind: .bar, label: "period", value: "cost_usd"))
    }

    private static func decimal(_ x: Double?) -> Value {
        x.flatMap { Statistics.rounded($0, places: 2) }.map(Value.decimal) ?? .null
    }

    private static func baseline(_ arguments: Arguments) throws -> TrailingBaseline {
        let b = TrailingBaseline(
            window: arguments.int("window") ?? 14, sigma: NSDecimalNumber(decimal: arguments.decimal("sigma") ?? 2).doubleValue,
            ratio: NSDecimalNumber(decimal: arguments.decimal("ratio") ?? 2).doubleValue,
            minHistory: arguments.int("min-history") ?? 7)
        guard b.window >= 2, (2...b.window).contains(b.minHistory), b.sigma >= 0, b.ratio >= 0 else {
            throw UsageError("anomalies: need --window ≥ 2, 2 ≤ --min-history ≤ --window, --sigma ≥ 0 and --ratio ≥ 0 "
                + "(got window \(b.window), min-history \(b.minHistory))")
        }
        return b
    }
}

/// The spend series `anomalies` judges: one label per period (or root session), the cost of
/// each in nano-dollars (0 when empty or unpriced), the same per model, and which labels are in
/// the reported range (the others only feed baselines).
private struct Series {
    var labels: [String] = []
    var total: [Int64] = []
    var byModel: [String: [Int64]] = [:]
    var reported: [Bool] = []
    var hasCallsInRange = false
    /// The usage of the reported range, for the notes.
    var usage: [ModelUsage] = []
    var sessionless: Int64 = 0
    /// Periods: the filter the series was read with and each label's instants, to find the top
    /// model and session of a flagged one. Sessions: those found while reading, by label and
    /// label + model.
    var filter: CallFilter?
    var intervals: [DateInterval] = []
    var tops: [String: (model: String?, session: String?)] = [:]

    /// Days, weeks or months from the first call (at most `window` periods before --since) to
    /// --until or the last call, read by one `SpendScan`.
    static func periods(_ context: AnalysisContext, filter: CallFilter, unit: Periods.Unit, window: Int) throws -> Series {
        let zone = context.environment.timeZone
        var fetch = filter
        fetch.since = filter.since.map { Periods.start(window, periodsBefore: $0, by: unit, timeZone: zone) }
        let firstReported = filter.since.flatMap {
            Periods.labels(from: Timestamps.iso($0), through: Timestamps.iso($0), by: unit, timeZone: zone).first
        } ?? ""
        let scan = try SpendScan.run(
            context.db, filter: fetch, notesFrom: Periods.interval(of: firstReported, by: unit, timeZone: zone)?.start)
        var s = Series()
        s.filter = fetch
        s.usage = scan.usage
        guard let first = scan.firstQuarter.map(SpendScan.timestamp), let last = scan.lastQuarter.map(SpendScan.timestamp)
        else { return s }
        let end = filter.until.map { Timestamps.iso($0.addingTimeInterval(-0.001)) } ?? last
        s.labels = Periods.labels(from: first, through: max(end, first), by: unit, timeZone: zone)
        s.intervals = s.labels.compactMap { Periods.interval(of: $0, by: unit, timeZone: zone) }
        s.reported = s.labels.map { $0 >= firstReported }
        let index = Dictionary(uniqueKeysWithValues: s.labels.enumerated().map { ($1, $0) })
        s.total = Array(repeating: 0, count: s.labels.count)
        for (label, models) in scan.costByPeriod(unit, timeZone: zone) {
            guard let i = index[label] else { continue }
            s.hasCallsInRange = s.hasCallsInRange || s.reported[i]
            for (model, cost) in models {
                s.total[i] += cost
                s.byModel[scan.models[model] ?? "(no model)", default: Array(repeating: 0, count: s.labels.count)][i] += cost
            }
        }
        return s
    }

    /// Root sessions (each with all its descendants) in the order of their first call; sessions
    /// that start before --since only feed baselines.
    static func sessions(_ db: Database, filter: CallFilter) throws -> Series {
        var unbounded = filter
        unbounded.since = nil
        let rows = try Row.fetchAll(db, SQLRequest<Row>(literal: """
            WITH RECURSIVE tree(root, id) AS (
                SELECT id, id FROM sessions WHERE parent_id IS NULL
                UNION
                SELECT tree.root, s.id FROM sessions s JOIN tree ON s.parent_id = tree.id
            )
            SELECT t.root, c.session_id, c.model, sum(\(filter.costColumn)), min(c.started_at)
            FROM calls c JOIN tree t ON t.id = c.session_id
            WHERE \(unbounded.condition)
            GROUP BY t.root, c.session_id, c.model
            """))
        // root → model → session → cost
        var costs: [String: [String: [String: Int64]]] = [:]
        var first: [String: String] = [:]
        for row in rows {
            let root: String = row[0], session: String = row[1], model: String = row[2] ?? "(no model)"
            let start: String = row[4]
            first[root] = min(first[root] ?? start, start)
            costs[root, default: [:]][model, default: [:]][session, default: 0] += row[3] ?? 0
        }
        var s = Series()
        s.labels = first.keys.sorted { (first[$0]!, $0) < (first[$1]!, $1) }
        let since = filter.since.map(Timestamps.iso) ?? ""
        s.reported = s.labels.map { first[$0]! >= since }
        s.hasCallsInRange = s.reported.contains(true)
        for (i, label) in s.labels.enumerated() {
            var models: [String: Int64] = [:], sessions: [String: Int64] = [:]
            for (model, bySession) in costs[label]! {
                models[model] = bySession.values.reduce(0, +)
                s.byModel[model, default: Array(repeating: 0, count: s.labels.count)][i] = models[model]!
                s.tops[label + "\u{1F}" + model] = (model, top(bySession))
                for (session, cost) in bySession { sessions[session, default: 0] += cost }
            }
            s.total.append(models.values.reduce(0, +))
            s.tops[label] = (top(models), top(sessions))
        }
        s.usage = try ModelUsage.fetch(db, filter: filter, per: .none)
        s.sessionless = try Int64.fetchOne(db, SQLRequest<Int64>(literal: """
            SELECT count(*) FROM calls c WHERE \(filter.condition) AND c.session_id IS NULL
            """)) ?? 0
        return s
    }

    /// The key with the largest value (ties: the first name).
    private static func top(_ costs: [String: Int64]) -> String? {
        costs.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    /// The model and the session (sub-agents apart) that spent most in label `index`, among the
    /// calls of `model` when given.
    func top(_ index: Int, model: String?, db: Database) throws -> (model: String?, session: String?) {
        let label = labels[index]
        guard let filter, index < intervals.count else { return tops[model.map { label + "\u{1F}" + $0 } ?? label] ?? (nil, nil) }
        let interval = intervals[index]
        let ofModel: SQL = model.map { $0 == "(no model)" ? "c.model IS NULL" : "c.model = \($0)" } ?? "1"
        func top(_ column: SQL) throws -> String? {
            try String.fetchOne(db, SQLRequest<String>(literal: """
                SELECT \(column) FROM calls c
                WHERE \(filter.condition) AND \(ofModel) AND \(column) IS NOT NULL
                  AND c.started_at >= \(Timestamps.iso(interval.start)) AND c.started_at < \(Timestamps.iso(interval.end))
                GROUP BY \(column) ORDER BY coalesce(sum(\(filter.costColumn)), 0) DESC, \(column) LIMIT 1
                """))
        }
        return (try top("c.model"), try top("c.session_id"))
    }
}
