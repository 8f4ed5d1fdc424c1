import Foundation
import TallyKit

/// `resync [--run ID] [--force]`: repairs stored workflow summaries from their source records.
public enum Resync: Command {
    public static let name = "resync"
    public static let summary = "Repair stored workflow run costs from their source cost records."
    public static let discussion = """
        A run's source cost is the sum of its indexed cost records (costs.jsonl); its status is
        the source run's (run.json). Completed and failed runs always take the source's final
        cost; a running run takes it only when higher — a lower one is skipped-lower, never
        applied — and --force takes it whatever the status. Each change is in cost_audit_log.
        Actions: updated, unchanged, skipped-lower, missing-source (no source records: the stored
        cost is kept), would-update under --dry-run. new_cost_usd is the source's cost. Lines
        added to a running run's costs.jsonl since it was indexed count after `index workflows`.
        """
    public static let parameters = [
        Parameter("run", .string, help: "Only this run id (default: every stored summary)."),
        Parameter("force", .bool, help: "Take the source's cost whatever the run's status."),
    ]
    public static let examples = [
        Example("resync --dry-run", "Every stored summary against its source records.", fixture: "repair", expected: """
            run_id,status,old_cost_usd,new_cost_usd,action
            run-failed,failed,1.5,1.5,unchanged
            run-orphan,completed,1.2,,missing-source
            run-running,running,0.8,0.5,skipped-lower
            run-stale,completed,0.09,2.37,would-update
            """),
        Example("resync --run run-running --force", "--force recomputes a running run even downwards.", fixture: "repair", expected: """
            run_id,status,old_cost_usd,new_cost_usd,action
            run-running,running,0.8,0.5,updated
            """),
        Example("resync --run run-stal", "An unknown run id suggests the closest one.", fixture: "repair", expected: """
            error: no workflow summary with run id 'run-stal'; did you mean 'run-stale'? (`SELECT run_id, status FROM workflow_summaries;` lists them)
            """),
    ]

    public static func run(_ arguments: Arguments, context: CommandContext) throws -> ResultSet {
        let force = arguments.bool("force")
        let outcomes = try WorkflowResync.run(
            context.db!, runID: arguments.string("run"), force: force, dryRun: context.dryRun,
            audit: context.costAudit(reason: "resync"))
        var notes: [String] = []
        for o in outcomes where o.uncostedRecords > 0 {
            notes.append("run \(o.runID): \(o.uncostedRecords) source record(s) have no cost (unpriced): its source cost is partial")
        }
        if context.dryRun { notes.append("dry run: nothing was changed") }
        var counts: [String: Int] = [:]
        for o in outcomes { counts[o.action.rawValue, default: 0] += 1 }
        let order = ["updated", "would-update", "unchanged", "skipped-lower", "missing-source"]
        return ResultSet(
            columns: [
                Column("run_id", .text), Column("status", .text), Column("old_cost_usd", .money), Column("new_cost_usd", .money),
                Column("action", .text),
            ],
            rows: outcomes.map { [.text($0.runID), .text($0.status), .usd($0.oldCostNanos), .usd($0.newCostNanos), .text($0.action.rawValue)] },
            notes: notes + [order.compactMap { action in counts[action].map { "\($0) \(action)" } }.joined(separator: ", ")]
                .filter { !$0.isEmpty })
    }
}
