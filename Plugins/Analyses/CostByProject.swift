import Foundation
import GRDB
import TallyKit

/// `cost-by-project`: tokens and cost per project, with each project's share of the cost.
public enum CostByProject: Analysis {
    public static let name = "cost-by-project"
    public static let summary = "Tokens and cost per project, with each project's share of the cost."
    public static let discussion = """
        The project is the one recorded on each call (its session's, for OpenCode steps); project is \
        its name (its id when it has none), and calls without a project form the row with both empty. \
        Costs as in cost-by-model: a project whose calls have no cost shows cost_usd empty, never $0.

        Columns: project_id, project, calls, input_tokens, output_tokens, reasoning_tokens, \
        cache_read_tokens, cache_write_tokens, total_tokens, cost_usd, reported_cost_usd, share_pct.
        """
    public static let parameters = CallFilter.parameters
    public static let examples = [
        Example("cost-by-project", "Every project, most expensive first; calls without a project last but one.",
                fixture: "sessions", expected: """
            project_id,project,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,reported_cost_usd,share_pct
            prj-lib,lib,2,300000,20000,0,0,0,360000,0.39,0.05,53.98
            prj-app,app,5,175000,17500,1000,300000,10000,510500,0.3205,,44.36
            ,,1,10000,1000,0,0,0,11000,0.012,,1.66
            """),
        Example("cost-by-project --source opencode --cost-mode reported", "Only the costs the sources reported.",
                fixture: "sessions", expected: """
            project_id,project,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,reported_cost_usd,share_pct
            prj-lib,lib,2,300000,20000,0,0,0,360000,0.05,0.05,100
            prj-app,app,4,175000,17500,1000,300000,10000,503500,,,
            """),
        Example("cost-by-project --until 2026-03-01", "No calls in range: no rows, and a note saying so.",
                fixture: "sessions", expected: """
            project_id,project,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,reported_cost_usd,share_pct
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let filter = CallFilter(arguments)
        let usage = try ModelUsage.fetch(context.db, filter: filter, per: .project)
        let names = try Dictionary(
            Row.fetchAll(context.db, sql: "SELECT id, coalesce(name, id) FROM projects").map { ($0[0] as String, $0[1] as String) },
            uniquingKeysWith: { a, _ in a })
        let projects = ModelUsage.byGroup(usage).sorted { a, b in
            ModelUsage.costOrder(a, b) ?? ((a.group ?? "") < (b.group ?? ""))
        }
        let total = projects.reduce(Int64(0)) { $0 + ($1.costNanos ?? 0) }
        let rows: [[Value]] = projects.map { u in
            [.string(u.group), .string(u.group.flatMap { names[$0] })] + u.breakdownCells
                + [.share(u.costNanos, of: total)]
        }
        let columns = [Column("project_id", .text), Column("project", .text)] + ModelUsage.breakdownColumns
            + [Column("share_pct", .percent)]
        let notes = rows.isEmpty ? [filter.emptyNote()] : ModelUsage.notes(usage, mode: filter.costMode)
        return ResultSet(columns: columns, rows: rows, notes: notes)
    }
}
