import Foundation
import GRDB
import TallyKit

/// `top-sessions`: the most expensive root sessions, sub-agents rolled up, with their share.
public enum TopSessions: Analysis {
    public static let name = "top-sessions"
    public static let summary = "The most expensive root sessions (sub-agents rolled up), with their share of the cost."
    public static let discussion = """
        The rollup of cost-by-session (a root's own calls and all its descendants', from the calls in \
        range), most expensive first, --limit rows. share_pct is the session's share of the cost of \
        every root session in range, not only of those shown.

        Columns: session_id, title, project, started_at, calls, total_tokens, cost_usd, share_pct.
        """
    public static let parameters =
        [Parameter("limit", .int, default: "10", help: "How many sessions to show.")] + CallFilter.parameters
    public static let examples = [
        Example("top-sessions --limit 2", "The two most expensive sessions.", fixture: "sessions", expected: """
            session_id,title,project,started_at,calls,total_tokens,cost_usd,share_pct
            ses-ci,Fix CI,lib,2026-03-03T14:00:00.000Z,2,360000,0.39,54.89
            ses-login,Add login,app,2026-03-02T09:00:00.000Z,4,503500,0.3205,45.11
            """),
        Example("top-sessions --provider acme --since 2026-03-03", "One provider's calls from a date.",
                fixture: "sessions", expected: """
            session_id,title,project,started_at,calls,total_tokens,cost_usd,share_pct
            ses-ci,Fix CI,lib,2026-03-03T14:00:00.000Z,2,360000,0.39,100
            """),
        Example("top-sessions --until 2026-03-01", "No calls in range: no rows, and a note saying so.",
                fixture: "sessions", expected: """
            session_id,title,project,started_at,calls,total_tokens,cost_usd,share_pct
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let filter = CallFilter(arguments)
        let limit = arguments.int("limit") ?? 10
        guard limit >= 0 else { throw UsageError("top-sessions: --limit must be 0 or more, got \(limit)") }
        let result = try SessionRollup.fetch(context.db, filter: filter, limit: limit)
        let all = result.rollups.reduce(Int64(0)) { $0 + ($1.total.costNanos ?? 0) }
        let rows: [[Value]] = result.rollups.prefix(limit).map { r in
            let total = r.total
            return [.text(r.sessionID), .string(r.title), .string(r.project), .string(r.startedAt), .integer(total.calls),
                    .integer(total.totalTokens), .usd(total.costNanos), .share(total.costNanos, of: all)]
        }
        let columns = [
            Column("session_id", .text), Column("title", .text), Column("project", .text), Column("started_at", .timestamp),
            Column("calls", .integer), Column("total_tokens", .tokens), Column("cost_usd", .money),
            Column("share_pct", .percent),
        ]
        var notes = rows.isEmpty ? [filter.emptyNote()] : ModelUsage.notes(result.usage, mode: filter.costMode)
        if let note = SessionRollup.unrootedNote(result.unrooted) { notes.append(note) }
        if result.rollups.count > limit {
            let more = result.rollups.count - limit
            notes.append("\(NumberFormat.grouped(Int64(more))) more root session\(more == 1 ? "" : "s") in range: `cost-by-session` lists them all.")
        }
        return ResultSet(columns: columns, rows: rows, notes: notes)
    }
}
