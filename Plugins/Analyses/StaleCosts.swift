import Foundation
import GRDB
import TallyKit

/// `stale-costs`: stored cost summaries that disagree with a recomputation from their facts.
public enum StaleCosts: Analysis {
    public static let name = "stale-costs"
    public static let summary = "Stored costs that disagree with their facts: workflow runs, session rollups, reported call costs."
    public static let discussion = """
        Three kinds, worst (largest |delta_usd|) first. run: a workflow run's stored summary \
        (workflow_summaries) against the sum of its cost records; status is the run's own \
        (run.json), and the reason applies SPEC §6's sync rule: completed and failed runs take the \
        source's final cost, a running run only a higher one, so a running run stored above its \
        records is listed with the reason that the rule keeps it. session: a stored rollup \
        (sessions.rollup_cost_nanos, status = its origin, source or derived) against the cost of \
        the session's calls and all its descendants'. call: the source's reported cost (stored) \
        against the computed one (actual) when they differ by more than --tolerance percent of the \
        computed cost; status is the cost the call uses. Runs and sessions are listed when they \
        differ by a micro-dollar or more (less is float noise of sources that store dollars as \
        REAL). delta_usd = actual − stored, ratio = actual / stored (empty when stored is 0). \
        --cost-mode chooses the calls' and records' cost that actual sums; --since/--until select \
        runs, sessions and calls by start time.
        """
    public static let parameters = [
        Parameter("kind", .choice(["all", "run", "session", "call"]), default: "all", help: "Which stored costs to check."),
        Parameter("tolerance", .decimal, default: "5", help: "Percent a call's reported cost may differ from its computed cost."),
    ] + CallFilter.parameters.filter { ["since", "until", "cost-mode"].contains($0.name) }
    public static let examples = [
        // run-done: stored 0.09, records 0.05 + 0.04 + 2.28 = 2.37: delta 2.28, ratio 2.37 / 0.09 = 26.3333.
        // ses-naive: stored 0.40 = its own call; with its sub-agent's 0.35 the tree costs 0.75:
        // delta 0.35, ratio 1.875. ses-root: stored 0 (tokens too), calls 0.20 + 0.10 (sub-agent):
        // delta 0.30, no ratio. run-live (running): stored 1.00, records 0.50 + 0.25 = 0.75: delta
        // −0.25, ratio 0.75, kept. run-new has no stored cost: delta 0.20. run-grow (running): stored 0.50, record 0.60: delta 0.10, ratio
        // 1.2. ses-derived: stored 0.50, its call now 0.45: delta −0.05, ratio 0.9. c-zero: reported
        // 0, computed 1000 × 1.25 + 500 × 10 per million = 0.00625. c-over: reported 0.01 against
        // 0.00625: delta −0.00375, ratio 0.625, 0.01 / 0.00625 − 1 = 60 % above. c-near (0.0064,
        // 2.4 % above) is within 5 %; run-ok (0.30 = 0.30) and ses-fine (0.25 = 0.25) agree; run-lost
        // has no records (a note says so).
        Example("stale-costs", "Every kind, worst first.", fixture: "stale", expected: """
            kind,id,status,stored_cost_usd,actual_cost_usd,delta_usd,ratio,reason
            run,run-done,completed,0.09,2.37,2.28,26.3333,completed run: stored below its 3 cost records; the sync rule takes the source's final cost (resync repairs it)
            session,ses-naive,source,0.4,0.75,0.35,1.875,stored rollup counts only the session's own calls and leaves out its 1 sub-agent session (backfill rollups recomputes it)
            session,ses-root,source,0,0.3,0.3,,stored rollup is 0 though the session and its 1 sub-agent session have calls with 4500 tokens (backfill rollups recomputes it)
            run,run-live,running,1,0.75,-0.25,0.75,running run: stored above its 2 cost records; the sync rule keeps the higher stored value (resync skips it; resync --force recomputes)
            run,run-new,running,,0.2,0.2,,no stored cost; the sync rule takes the cost of its 1 cost record (resync fills it)
            run,run-grow,running,0.5,0.6,0.1,1.2,running run: stored below its 1 cost record; the sync rule takes a higher cost (resync repairs it)
            session,ses-derived,derived,0.5,0.45,-0.05,0.9,derived rollup is out of date: its calls changed or were repriced since (backfill rollups recomputes it)
            call,c-zero,computed,0,0.00625,0.00625,,reported cost is 0 though gpt-5 has a price: a free or subscription plan?
            call,c-over,computed,0.01,0.00625,-0.00375,0.625,reported cost is 60% above the computed cost (tolerance 5%)
            """),
        // c-near: reported 0.0064 against 0.00625: 0.0064 / 0.00625 − 1 = 2.4 % above, over 2 %.
        Example("stale-costs --kind call --tolerance 2", "Calls only, with a tighter tolerance.", fixture: "stale",
                expected: """
            kind,id,status,stored_cost_usd,actual_cost_usd,delta_usd,ratio,reason
            call,c-zero,computed,0,0.00625,0.00625,,reported cost is 0 though gpt-5 has a price: a free or subscription plan?
            call,c-over,computed,0.01,0.00625,-0.00375,0.625,reported cost is 60% above the computed cost (tolerance 2%)
            call,c-near,computed,0.0064,0.00625,-0.00015,0.9766,reported cost is 2.4% above the computed cost (tolerance 2%)
            """),
        Example("stale-costs --since 2026-03-10 --until 2026-03-11", "A single day: run-grow started on it.",
                fixture: "stale", expected: """
            kind,id,status,stored_cost_usd,actual_cost_usd,delta_usd,ratio,reason
            run,run-grow,running,0.5,0.6,0.1,1.2,running run: stored below its 1 cost record; the sync rule takes a higher cost (resync repairs it)
            """),
        Example("stale-costs --since 2026-04-01", "Nothing in range: an empty result and a note.", fixture: "stale",
                expected: """
            kind,id,status,stored_cost_usd,actual_cost_usd,delta_usd,ratio,reason
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let filter = CallFilter(arguments)
        let kind = arguments.string("kind") ?? "all"
        let tolerance = arguments.decimal("tolerance") ?? 5
        guard tolerance >= 0 else { throw UsageError("stale-costs: --tolerance must be 0 or more (a percentage)") }
        var findings: [Finding] = []
        var notes: [String] = []
        var examined = 0
        if kind == "all" || kind == "run" {
            let (runs, unchecked) = try Finding.runs(context.db, filter: filter)
            findings += runs.filter(\.isStale)
            examined += runs.count
            if !unchecked.isEmpty {
                notes.append("\(unchecked.count) stored run summar\(unchecked.count == 1 ? "y has" : "ies have") no priced "
                    + "source records, so \(unchecked.count == 1 ? "it was" : "they were") not checked: "
                    + unchecked.prefix(5).joined(separator: ", ") + (unchecked.count > 5 ? ", …" : ""))
            }
        }
        if kind == "all" || kind == "session" {
            let sessions = try Finding.sessions(context.db, filter: filter)
            findings += sessions.filter(\.isStale)
            examined += sessions.count
        }
        if kind == "all" || kind == "call" {
            let (calls, compared) = try Finding.calls(context.db, filter: filter, tolerance: tolerance)
            findings += calls
            examined += compared
        }
        findings.sort { (abs($0.delta), $1.kind, $1.id) > (abs($1.delta), $0.kind, $0.id) }
        if examined == 0 {
            notes.insert("nothing to check in range: no stored run summaries, session rollups or calls with both costs", at: 0)
        } else if findings.isEmpty {
            notes.insert("all \(examined) stored costs checked agree with their facts", at: 0)
        }
        return ResultSet(
            columns: [Column("kind", .text), Column("id", .text), Column("status", .text), Column("stored_cost_usd", .money),
                      Column("actual_cost_usd", .money), Column("delta_usd", .money), Column("ratio", .real),
                      Column("reason", .text)],
            rows: findings.map(\.row), notes: notes)
    }
}

/// One stored cost against its recomputation, with why they differ.
private struct Finding {
    var kind: String
    var id: String
    var status: String?
    var stored: Int64?
    var actual: Int64
    var reason: String
    var delta: Int64 { actual - (stored ?? 0) }
    /// A micro-dollar or more apart.
    var isStale: Bool { abs(delta) >= 1000 }

    var row: [Value] {
        let ratio = stored.flatMap { $0 == 0 ? nil : Statistics.rounded(Double(actual) / Double($0), places: 4) }
        return [.text(kind), .text(id), .string(status), .usd(stored), .usd(actual), .usd(delta),
                ratio.map(Value.decimal) ?? .null, .text(reason)]
    }

    static func plural(_ n: Int64, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// Every stored run summary with priced source records; and the ids of those without.
    static func runs(_ db: Database, filter: CallFilter) throws -> (runs: [Finding], unchecked: [String]) {
        let rows = try Row.fetchAll(db, SQLRequest<Row>(literal: """
            SELECT s.run_id, coalesce(r.status, s.status) AS status, s.status AS stored_status, s.stored_cost_nanos,
                   a.cost, a.records
            FROM workflow_summaries s
            LEFT JOIN workflow_runs r ON r.run_id = s.run_id
            LEFT JOIN (SELECT run_id, sum(\(filter.costColumn)) AS cost, count(*) AS records
                       FROM workflow_cost_records c GROUP BY run_id) a ON a.run_id = s.run_id
            WHERE \(timeCondition("coalesce(r.started_at, s.updated_at)", filter))
            ORDER BY s.run_id
            """))
        var runs: [Finding] = [], unchecked: [String] = []
        for row in rows {
            let id: String = row["run_id"], status: String = row["status"], storedStatus: String = row["stored_status"]
            guard let actual: Int64 = row["cost"] else {
                unchecked.append(id)
                continue
            }
            let records = plural(row["records"], "cost record")
            let stored: Int64? = row["stored_cost_nanos"]
            var reason: String
            if stored == nil {
                reason = "no stored cost; the sync rule takes the cost of its \(records) (resync fills it)"
            } else if status == "running" {
                reason = actual < stored!
                    ? "running run: stored above its \(records); the sync rule keeps the higher stored value "
                        + "(resync skips it; resync --force recomputes)"
                    : "running run: stored below its \(records); the sync rule takes a higher cost (resync repairs it)"
            } else {
                reason = "\(status) run: stored \(actual > stored! ? "below" : "above") its \(records); "
                    + "the sync rule takes the source's final cost (resync repairs it)"
            }
            if storedStatus != status { reason += "; the summary says \(storedStatus)" }
            runs.append(Finding(kind: "run", id: id, status: status, stored: stored, actual: actual, reason: reason))
        }
        return (runs, unchecked)
    }

    /// Every session with a stored rollup cost, against its calls' and all descendants' calls' cost.
    static func sessions(_ db: Database, filter: CallFilter) throws -> [Finding] {
        let rows = try Row.fetchAll(db, SQLRequest<Row>(literal: """
            WITH RECURSIVE tree(root, id) AS (
                SELECT id, id FROM sessions s
                WHERE s.rollup_origin IS NOT NULL AND \(timeCondition("s.started_at", filter))
                UNION
                SELECT tree.root, s.id FROM sessions s JOIN tree ON s.parent_id = tree.id
            )
            SELECT s.id, s.rollup_origin, s.rollup_cost_nanos, coalesce(s.rollup_total_tokens, 0) AS stored_tokens,
                   coalesce(sum(\(filter.costColumn)), 0) AS cost, coalesce(sum(c.total_tokens), 0) AS tokens,
                   coalesce(sum(CASE WHEN c.session_id = s.id THEN \(filter.costColumn) END), 0) AS own,
                   sum(c.reported_cost_nanos) AS reported, count(DISTINCT t.id) - 1 AS descendants
            FROM tree t JOIN sessions s ON s.id = t.root LEFT JOIN calls c ON c.session_id = t.id
            GROUP BY s.id
            ORDER BY s.id
            """))
        return rows.map { row in
            let stored: Int64? = row["rollup_cost_nanos"], actual: Int64 = row["cost"], tokens: Int64 = row["tokens"]
            let own: Int64 = row["own"], descendants: Int64 = row["descendants"], reported: Int64? = row["reported"]
            let origin: String = row["rollup_origin"]
            let subagents = plural(descendants, "sub-agent session")
            let reason: String
            if (stored ?? 0) == 0, row["stored_tokens"] as Int64 == 0, tokens > 0 {
                reason = (descendants > 0 ? "stored rollup is 0 though the session and its \(subagents) have" : "stored rollup is 0 though the session has")
                    + " calls with \(tokens) tokens (backfill rollups recomputes it)"
            } else if origin == "derived" {
                reason = "derived rollup is out of date: its calls changed or were repriced since (backfill rollups recomputes it)"
            } else if descendants > 0, let stored, abs(stored - own) < 1000 {
                reason = "stored rollup counts only the session's own calls and leaves out its \(subagents) (backfill rollups recomputes it)"
            } else if let stored, let reported, abs(stored - reported) < 1000 {
                reason = "stored rollup matches its calls' reported costs; the costs used differ from them (see the calls)"
            } else {
                reason = "stored rollup differs from its calls' cost (backfill rollups recomputes it)"
            }
            return Finding(kind: "session", id: row["id"], status: origin, stored: stored, actual: actual, reason: reason)
        }
    }

    /// Calls whose reported cost is more than `tolerance` percent away from the computed one, and
    /// how many calls have both.
    static func calls(_ db: Database, filter: CallFilter, tolerance: Decimal) throws -> (calls: [Finding], compared: Int) {
        let both: SQL = "c.reported_cost_nanos IS NOT NULL AND c.computed_cost_nanos IS NOT NULL"
        let compared = try Int.fetchOne(db, SQLRequest<Int>(literal: """
            SELECT count(*) FROM calls c WHERE \(filter.condition) AND \(both)
            """)) ?? 0
        let percent = NSDecimalNumber(decimal: tolerance).doubleValue
        let rows = try Row.fetchAll(db, SQLRequest<Row>(literal: """
            SELECT c.id, c.model, c.cost_source, c.reported_cost_nanos, c.computed_cost_nanos FROM calls c
            WHERE \(filter.condition) AND \(both)
              AND abs(c.computed_cost_nanos - c.reported_cost_nanos) * 100.0 > \(percent) * c.computed_cost_nanos
            """))
        let calls = rows.map { row -> Finding in
            let reported: Int64 = row["reported_cost_nanos"], computed: Int64 = row["computed_cost_nanos"]
            let reason: String
            if reported == 0 {
                reason = "reported cost is 0 though \(row["model"] as String? ?? "its model") has a price: a free or subscription plan?"
            } else if computed == 0 {
                reason = "computed cost is 0 but the source reported a cost: its tokens may be missing"
            } else {
                let off = Double(reported) / Double(computed) - 1
                reason = "reported cost is \(Statistics.rounded(abs(off) * 100, places: 1)!)% \(off > 0 ? "above" : "below") "
                    + "the computed cost (tolerance \(tolerance)%)"
            }
            return Finding(kind: "call", id: row["id"], status: row["cost_source"], stored: reported, actual: computed, reason: reason)
        }
        return (calls, compared)
    }

    /// `--since/--until` on a start-time column.
    static func timeCondition(_ column: String, _ filter: CallFilter) -> SQL {
        var parts: [SQL] = []
        if let since = filter.since { parts.append(SQL(sql: column) + " >= \(Timestamps.iso(since))") }
        if let until = filter.until { parts.append(SQL(sql: column) + " < \(Timestamps.iso(until))") }
        return parts.isEmpty ? "1" : parts.joined(separator: " AND ")
    }
}
