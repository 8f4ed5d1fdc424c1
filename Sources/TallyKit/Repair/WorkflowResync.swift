import Foundation
import GRDB

/// `resync`'s engine: brings stored workflow summaries (`workflow_summaries.stored_cost_nanos`)
/// in line with their source records (`workflow_cost_records`, indexed from the runs' cost
/// files) by SPEC §6's sync rule, one `cost_audit_log` row per changed cost.
///
/// A run's source cost is the sum of its records' used cost (`cost_nanos`: computed when a price
/// is known, else the reported one); its status is the source run's (`workflow_runs.status`,
/// from run.json), which is what the rule looks at. A summary whose run has no source records is
/// `missing-source` and keeps its cost.
public enum WorkflowResync {
    public enum Action: String, Sendable {
        case updated, unchanged
        case skippedLower = "skipped-lower"
        case missingSource = "missing-source"
        case wouldUpdate = "would-update"
    }

    /// SPEC §6: completed or failed runs always take the source's final cost; running runs take
    /// it only when higher (never lower); `force` takes it whatever the status.
    public static func rule(status: String, stored: Int64?, source: Int64, force: Bool) -> Action {
        if stored == source { return .unchanged }
        if force || status != "running" { return .updated }
        guard let stored else { return .updated }
        return source > stored ? .updated : .skippedLower
    }

    public struct Outcome: Hashable, Sendable {
        public var runID: String
        /// The source run's status, or the summary's own when the source is missing.
        public var status: String
        public var oldCostNanos: Int64?
        /// The source's cost (what the rule compared); NULL when the source is missing.
        public var newCostNanos: Int64?
        public var action: Action
        /// Source records without any cost (their run's cost is partial).
        public var uncostedRecords: Int
    }

    /// Applies the rule to every stored summary, or to `runID`'s; under `dryRun` nothing is
    /// written and changes are reported as `would-update`.
    public static func run(_ db: Database, runID: String? = nil, force: Bool, dryRun: Bool, audit: CostAudit) throws -> [Outcome] {
        if let runID { try requireSummary(db, runID) }
        let rows = try Row.fetchAll(db, SQLRequest<Row>(literal: """
            SELECT s.run_id, s.status AS stored_status, s.stored_cost_nanos, r.status AS run_status,
              (SELECT count(*) FROM workflow_cost_records c WHERE c.run_id = s.run_id) AS records,
              (SELECT count(*) FROM workflow_cost_records c WHERE c.run_id = s.run_id AND c.cost_nanos IS NULL) AS uncosted,
              (SELECT sum(c.cost_nanos) FROM workflow_cost_records c WHERE c.run_id = s.run_id) AS source_cost
            FROM workflow_summaries s LEFT JOIN workflow_runs r ON r.run_id = s.run_id
            WHERE \(runID) IS NULL OR s.run_id = \(runID)
            ORDER BY s.run_id
            """))
        var outcomes: [Outcome] = []
        for row in rows {
            let id: String = row["run_id"]
            let stored: Int64? = row["stored_cost_nanos"]
            let runStatus: String? = row["run_status"]
            let records: Int = row["records"]
            let sourceCost: Int64? = row["source_cost"]
            guard let status = runStatus, records > 0, let source = sourceCost else {
                outcomes.append(Outcome(
                    runID: id, status: runStatus ?? row["stored_status"], oldCostNanos: stored, newCostNanos: nil,
                    action: .missingSource, uncostedRecords: row["uncosted"]))
                continue
            }
            var action = rule(status: status, stored: stored, source: source, force: force)
            if action == .updated {
                if dryRun {
                    action = .wouldUpdate
                } else {
                    try db.execute(literal: "UPDATE workflow_summaries SET stored_cost_nanos = \(source) WHERE run_id = \(id)")
                    try audit.record(
                        db, entity: "workflow_summaries", id: id, field: "stored_cost_nanos",
                        old: stored.map(Value.integer) ?? .null, new: .integer(source),
                        reason: audit.reason + (force ? " (--force)" : status == "running" ? " (running: source cost is higher)" : " (\(status): the source's final cost)"))
                }
            }
            outcomes.append(Outcome(
                runID: id, status: status, oldCostNanos: stored, newCostNanos: source, action: action,
                uncostedRecords: row["uncosted"]))
        }
        return outcomes
    }

    /// `--run ID` must name a stored summary; the error says what exists instead.
    private static func requireSummary(_ db: Database, _ runID: String) throws {
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM workflow_summaries WHERE run_id = ?)", arguments: [runID]) == true {
            return
        }
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM workflow_runs WHERE run_id = ?)", arguments: [runID]) == true {
            throw UsageError("run \(runID) has source records but no stored summary to repair: index its workflow_history database first (`index workflows PATH`)")
        }
        var message = "no workflow summary with run id '\(runID)'"
        let ids = try String.fetchAll(db, sql: "SELECT run_id FROM workflow_summaries ORDER BY run_id")
        if let close = Suggestions.closest(to: runID, in: ids) { message += "; did you mean '\(close)'?" }
        throw UsageError(message + " (`SELECT run_id, status FROM workflow_summaries;` lists them)")
    }
}
