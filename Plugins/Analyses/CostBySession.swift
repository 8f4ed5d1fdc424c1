import Foundation
import GRDB
import TallyKit

/// `cost-by-session`: root sessions with the rollup of all their descendants, own and sub-agent
/// usage shown apart (SPEC §8 fixes the columns).
public enum CostBySession: Analysis {
    public static let name = "cost-by-session"
    public static let summary = "Root sessions with their sub-agents' usage rolled up: own and sub-agent cost apart."
    public static let discussion = """
        A root session (one without a parent) counts its own calls and every descendant's (sub-agents \
        at any depth), computed from the calls that pass the filters, never from stored rollups \
        (which may be stale: token-audit reports them). A root appears when it or a descendant has a \
        call in range. started_at is the root's start; project its project's name. A cost is empty \
        when every call behind it is unpriced, and 0 when there are no calls behind it.

        Columns: session_id, title, project, started_at, calls, own_total_tokens, subagent_total_tokens, \
        total_tokens, own_cost_usd, subagent_cost_usd, cost_usd.
        """
    public static let parameters = CallFilter.parameters
    public static let examples = [
        Example("cost-by-session", "Every root session, most expensive first.", fixture: "sessions", expected: """
            session_id,title,project,started_at,calls,own_total_tokens,subagent_total_tokens,total_tokens,own_cost_usd,subagent_cost_usd,cost_usd
            ses-ci,Fix CI,lib,2026-03-03T14:00:00.000Z,2,320000,40000,360000,0.34,0.05,0.39
            ses-login,Add login,app,2026-03-02T09:00:00.000Z,4,466000,37500,503500,0.284,0.0365,0.3205
            ses-spike,Spike,app,2026-03-04T10:00:00.000Z,1,7000,0,7000,,0,
            """),
        Example("cost-by-session --since 2026-03-02 --until 2026-03-03", "One day: a tree two levels deep.",
                fixture: "sessions", expected: """
            session_id,title,project,started_at,calls,own_total_tokens,subagent_total_tokens,total_tokens,own_cost_usd,subagent_cost_usd,cost_usd
            ses-login,Add login,app,2026-03-02T09:00:00.000Z,4,466000,37500,503500,0.284,0.0365,0.3205
            """),
        Example("cost-by-session --since 2026-04-01", "No calls in range: no rows, and a note saying so.",
                fixture: "sessions", expected: """
            session_id,title,project,started_at,calls,own_total_tokens,subagent_total_tokens,total_tokens,own_cost_usd,subagent_cost_usd,cost_usd
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let filter = CallFilter(arguments)
        let result = try SessionRollup.fetch(context.db, filter: filter)
        let rows: [[Value]] = result.rollups.map { r in
            let total = r.total
            return [.text(r.sessionID), .string(r.title), .string(r.project), .string(r.startedAt), .integer(total.calls),
                    .integer(r.own.totalTokens), .integer(r.subagents.totalTokens), .integer(total.totalTokens),
                    .usd(r.own.shownCostNanos), .usd(r.subagents.shownCostNanos), .usd(total.costNanos)]
        }
        let columns = [
            Column("session_id", .text), Column("title", .text), Column("project", .text), Column("started_at", .timestamp),
            Column("calls", .integer), Column("own_total_tokens", .tokens), Column("subagent_total_tokens", .tokens),
            Column("total_tokens", .tokens), Column("own_cost_usd", .money), Column("subagent_cost_usd", .money),
            Column("cost_usd", .money),
        ]
        var notes = rows.isEmpty ? [filter.emptyNote()] : ModelUsage.notes(result.usage, mode: filter.costMode)
        if let note = SessionRollup.unrootedNote(result.unrooted) { notes.append(note) }
        return ResultSet(columns: columns, rows: rows, notes: notes)
    }
}
