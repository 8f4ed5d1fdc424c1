import Foundation
import GRDB
import TallyKit

/// `cost-trend`: calls, tokens and cost per day, week or month, empty periods included.
public enum CostTrend: Analysis {
    public static let name = "cost-trend"
    public static let summary = "Calls, tokens and cost per day, week or month, with a bar chart."
    public static let discussion = """
        Periods are days in the session time zone (--tz, .set tz), ISO weeks (2026-W10) or months, \
        from --since (else the first call) to --until (else the last call, or today when only --since \
        is given). A period without calls shows zeros; one whose calls have no cost shows cost_usd empty.
        """
    public static let parameters =
        [Parameter("by", .choice(Periods.Unit.allCases.map(\.rawValue)), default: "day", help: "The period length.")]
        + CallFilter.parameters
    public static let examples = [
        Example("cost-trend", "Cost per day; 2026-03-03 had no calls.", fixture: "priced", expected: """
            period,calls,total_tokens,cost_usd
            2026-03-01,2,24300,0.060375
            2026-03-02,3,225500,0.3635
            2026-03-03,0,0,0
            2026-03-04,2,16500,0.0735
            2026-03-05,3,315000,0.9075
            """),
        Example("cost-trend --by week --since 2026-02-23 --until 2026-03-16", "ISO weeks, the last one empty.",
                fixture: "priced", expected: """
            period,calls,total_tokens,cost_usd
            2026-W09,2,24300,0.060375
            2026-W10,8,557000,1.3445
            2026-W11,0,0,0
            """),
        Example("cost-trend --by month --source codex", "One source's calls per month.", fixture: "priced", expected: """
            period,calls,total_tokens,cost_usd
            2026-03,2,6300,0.016875
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let filter = CallFilter(arguments)
        let unit = arguments.string("by").flatMap(Periods.Unit.init(rawValue:)) ?? .day
        let usage = try ModelUsage.fetch(context.db, filter: filter, by: unit, timeZone: context.environment.timeZone)

        var byPeriod: [String: (calls: Int64, tokens: Int64, cost: Int64?)] = [:]
        for u in usage {
            let sum = byPeriod[u.group ?? ""] ?? (0, 0, nil)
            let cost = u.costNanos.map { ($0 + (sum.cost ?? 0)) } ?? sum.cost
            byPeriod[u.group ?? ""] = (sum.calls + u.calls, sum.tokens + u.totalTokens, cost)
        }
        let labels = try Periods.labels(
            covering: filter, by: unit, db: context.db, environment: context.environment, present: byPeriod.keys)

        let rows: [[Value]] = labels.map { label in
            let p = byPeriod[label] ?? (0, 0, 0)
            return [.text(label), .integer(p.calls), .integer(p.tokens), .usd(p.cost)]
        }
        return ResultSet(
            columns: [Column("period", .date), Column("calls", .integer), Column("total_tokens", .tokens), Column("cost_usd", .money)],
            rows: rows, notes: ModelUsage.notes(usage, mode: filter.costMode),
            chart: Chart(kind: .bar, label: "period", value: "cost_usd"))
    }
}
