import Foundation
import TallyKit

/// `backfill rollups|totals|costs`: recomputes stored values from the records they summarise.
public enum Backfill: Command {
    public static let name = "backfill"
    public static let summary = "Recompute session rollups, missing totals or stale costs from the records."
    public static let discussion = """
        backfill rollups   every session's rollup_* (tokens by kind, cost, messages, tool calls,
                           duration) from its own and all its descendants' calls; a changed row
                           gets rollup_origin = 'derived'
        backfill totals    total_tokens from the splits where it is missing (NULL, or 0 beside
                           non-zero splits), never the reverse: calls, session rollups, workflow
                           cost records
        backfill costs     computed costs of calls and workflow cost records priced under an
                           older price (or before their model had one)
        Only rows that differ are written, one cost_audit_log row per changed value; a second
        run updates 0. One row per table: target (TARGET:TABLE), examined, updated, unchanged,
        and the token and cost totals of the examined rows before and after (sessions: root
        sessions only). --limit N examines the first N rows of each table by id; --verbose lists
        each changed row on stderr.
        """
    public static let parameters = [
        Parameter("target", .choice(Backfiller.Target.allCases.map(\.rawValue)), help: "What to recompute.", positional: true, required: true),
        Parameter("limit", .int, help: "Examine at most N rows per table (in id order)."),
        Parameter("verbose", .bool, help: "One line per changed row on stderr, with old and new values."),
    ]
    public static let examples = [
        Example("backfill rollups --dry-run", "The planted zero root rollup and the sessions never rolled up.", fixture: "repair", expected: """
            target,examined,updated,unchanged,total_tokens_before,total_tokens_after,cost_usd_before,cost_usd_after
            rollups:sessions,4,3,1,0,5800,0,0.02935
            """),
        Example("backfill totals", "A call stored with total 0 beside its splits, a rollup without a total.", fixture: "repair", expected: """
            target,examined,updated,unchanged,total_tokens_before,total_tokens_after,cost_usd_before,cost_usd_after
            totals:calls,3,1,2,5800,7450,0.02935,0.02935
            totals:sessions,4,1,3,0,150,0,0
            totals:workflow_cost_records,5,0,5,62000,62000,4.37,4.37
            """),
        Example("backfill costs --limit 2", "Calls priced before their price changed (the first two by id).", fixture: "repair", expected: """
            target,examined,updated,unchanged,total_tokens_before,total_tokens_after,cost_usd_before,cost_usd_after
            costs:calls,2,2,0,5800,5800,0.0216,0.0246
            costs:workflow_cost_records,2,0,2,22000,22000,2.37,2.37
            """),
    ]

    public static func run(_ arguments: Arguments, context: CommandContext) throws -> ResultSet {
        let db = context.db!
        let target = Backfiller.Target(rawValue: arguments.string("target")!)!
        if let limit = arguments.int("limit"), limit < 0 { throw UsageError("backfill: --limit takes a count of 0 or more, not \(limit)") }
        let mark = try CostAudit.mark(db)
        let summaries = try Backfiller.run(
            target, db, limit: arguments.int("limit"), audit: context.costAudit(reason: "backfill \(target.rawValue)"))
        if arguments.bool("verbose") {
            for line in try CostAudit.lines(db, after: mark) { context.log((context.dryRun ? "would change " : "changed ") + line) }
        }
        return ResultSet(
            columns: [
                Column("target", .text), Column("examined", .integer), Column("updated", .integer), Column("unchanged", .integer),
                Column("total_tokens_before", .tokens), Column("total_tokens_after", .tokens),
                Column("cost_usd_before", .money), Column("cost_usd_after", .money),
            ],
            rows: summaries.map { s in
                [.text(s.target), .integer(Int64(s.examined)), .integer(Int64(s.updated)), .integer(Int64(s.unchanged)),
                 s.tokensBefore.map(Value.integer) ?? .null, s.tokensAfter.map(Value.integer) ?? .null,
                 .usd(s.costBefore), .usd(s.costAfter)]
            },
            notes: context.dryRun ? ["dry run: nothing was changed (updated counts what would be)"] : [])
    }
}
