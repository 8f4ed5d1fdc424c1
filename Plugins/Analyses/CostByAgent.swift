import Foundation
import GRDB
import TallyKit

/// `cost-by-agent`: tokens and cost per agent (build, plan, explore, a sub-agent type), with each
/// agent's share of the cost.
public enum CostByAgent: Analysis {
    public static let name = "cost-by-agent"
    public static let summary = "Tokens and cost per agent, with each agent's share of the cost."
    public static let discussion = """
        The agent is the one recorded on each call (OpenCode's agent or mode, Claude's sub-agent type, \
        an events row's agent); calls without one form the row with agent empty. Costs as in \
        cost-by-model: an agent whose calls have no cost shows cost_usd empty, never $0, and the notes \
        name unpriced models, total-only calls and fallback prices.

        Columns: agent, calls, input_tokens, output_tokens, reasoning_tokens, cache_read_tokens, \
        cache_write_tokens, total_tokens, cost_usd, reported_cost_usd, share_pct.
        """
    public static let parameters = CallFilter.parameters
    public static let examples = [
        Example("cost-by-agent", "Every agent, most expensive first; unpriced agents last.", fixture: "sessions", expected: """
            agent,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,reported_cost_usd,share_pct
            build,3,450000,35000,1000,300000,0,786000,0.624,,86.37
            test,1,0,0,0,0,0,40000,0.05,0.05,6.92
            explore,1,20000,2000,0,0,10000,32000,0.0365,,5.05
            ,1,10000,1000,0,0,0,11000,0.012,,1.66
            plan,1,0,0,0,0,0,7000,,,
            general,1,5000,500,0,0,0,5500,,,
            """),
        Example("cost-by-agent --since 2026-03-04", "One day: a call without agent, and a total-only unpriced one.",
                fixture: "sessions", expected: """
            agent,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,reported_cost_usd,share_pct
            ,1,10000,1000,0,0,0,11000,0.012,,100
            plan,1,0,0,0,0,0,7000,,,
            """),
        Example("cost-by-agent --since 2026-04-01", "No calls in range: no rows, and a note saying so.",
                fixture: "sessions", expected: """
            agent,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,reported_cost_usd,share_pct
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let filter = CallFilter(arguments)
        let usage = try ModelUsage.fetch(context.db, filter: filter, per: .agent)
        let agents = ModelUsage.byGroup(usage).sorted { a, b in
            ModelUsage.costOrder(a, b) ?? ((a.group ?? "") < (b.group ?? ""))
        }
        let total = agents.reduce(Int64(0)) { $0 + ($1.costNanos ?? 0) }
        let rows: [[Value]] = agents.map { u in
            [.string(u.group)] + u.breakdownCells + [.share(u.costNanos, of: total)]
        }
        let columns = [Column("agent", .text)] + ModelUsage.breakdownColumns + [Column("share_pct", .percent)]
        let notes = rows.isEmpty ? [filter.emptyNote()] : ModelUsage.notes(usage, mode: filter.costMode)
        return ResultSet(columns: columns, rows: rows, notes: notes)
    }
}
