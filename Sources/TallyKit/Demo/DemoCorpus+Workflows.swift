import Foundation
import GRDB

/// Workflow runs in both shapes of FORMATS.md: source records (`runs/<run_id>/run.json`,
/// pretty-printed, and `costs.jsonl`, one call per line with an explicit list-price `cost_usd`)
/// and stored summaries (`workflow_history.db`, columns as tac-webbuilder fills them:
/// `cached_tokens` = Σ cache writes, `cache_hit_tokens` = Σ reads, `cache_miss_tokens` = Σ input,
/// `cost_breakdown` as Python's `json.dumps`).
enum WorkflowsWriter {
    static let schema = """
        CREATE TABLE workflow_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            adw_id TEXT NOT NULL UNIQUE,
            issue_number INTEGER,
            status TEXT NOT NULL CHECK(status IN ('pending', 'running', 'completed', 'failed')),
            cost_breakdown TEXT,
            actual_cost_total REAL DEFAULT 0.0,
            input_tokens INTEGER DEFAULT 0,
            cached_tokens INTEGER DEFAULT 0,
            cache_hit_tokens INTEGER DEFAULT 0,
            cache_miss_tokens INTEGER DEFAULT 0,
            output_tokens INTEGER DEFAULT 0,
            total_tokens INTEGER DEFAULT 0,
            cache_efficiency_percent REAL DEFAULT 0.0,
            updated_at TEXT
        );
        """

    struct Line {
        var at: Int64
        var agent: String
        var model: String
        var input: Int
        var output: Int
        var cacheRead = 0
        var cacheWrite = 0

        var cost: Int64 { DemoUsage(input: input, output: output, cacheRead: cacheRead, cacheWrite: cacheWrite).cost(model) }

        var json: DemoJSON {
            .obj([
                "at": .string(DemoCalendar.isoSeconds(at)), "agent": .string(agent), "model": .string(model),
                "input_tokens": .int(input), "output_tokens": .int(output),
                "cache_read_tokens": cacheRead > 0 ? .int(cacheRead) : nil, "cache_write_tokens": cacheWrite > 0 ? .int(cacheWrite) : nil,
                "cost_usd": .usd(cost),
            ])
        }
    }

    struct Run {
        var id: String
        var issue: Int
        var workflow: String
        var status: String
        var started: Int64
        var updated: Int64
        var lines: [Line]

        var runJSON: DemoJSON {
            .obj([
                "run_id": .string(id), "issue_number": .int(issue), "workflow": .string(workflow), "status": .string(status),
                "started_at": .string(DemoCalendar.isoSeconds(started)), "updated_at": .string(DemoCalendar.isoSeconds(updated)),
            ])
        }
    }

    /// The stale run's calls, fixed: the first two (captured at the first sync) cost exactly
    /// $0.09, all ten exactly $2.37 at list price.
    static func staleLines(start: Int64) -> [Line] {
        let spec: [(Int, String, String, Int, Int, Int, Int)] = [
            (29, "issue_classifier", "claude-haiku-4-5", 1850, 230, 0, 0),
            (190, "sdlc_planner", "claude-sonnet-4-5", 7400, 3600, 20000, 1280),
            (862, "sdlc_implementor", "claude-sonnet-4-5", 5800, 12400, 46000, 9200),
            (1571, "sdlc_implementor", "claude-sonnet-4-5", 4200, 15600, 92000, 11600),
            (2345, "sdlc_implementor", "claude-sonnet-4-5", 3600, 19800, 138000, 8400),
            (2869, "tester", "claude-sonnet-4-5", 5100, 9200, 84000, 6000),
            (3690, "reviewer", "claude-opus-4-5", 7200, 13600, 116000, 16800),
            (4418, "review_patcher", "claude-sonnet-4-5", 2800, 17400, 104000, 4000),
            (5031, "documenter", "claude-sonnet-4-5", 3200, 15000, 60000, 4800),
            (5457, "pr_creator", "claude-haiku-4-5", 900, 320, 12000, 0),
        ]
        return spec.map { Line(at: start + Int64($0.0) * 1000, agent: $0.1, model: $0.2, input: $0.3, output: $0.4, cacheRead: $0.5, cacheWrite: $0.6) }
    }

    /// Calls of an ordinary run through `agents`, at list price.
    static func lines(_ rng: inout DemoRandom, start: Int64, agents: [String]) -> [Line] {
        var t = start
        return agents.map { agent in
            t += Int64(rng.int(25...900)) * 1000
            switch agent {
            case "issue_classifier", "branch_generator", "pr_creator", "kpi_tracker":
                return Line(at: t, agent: agent, model: "claude-haiku-4-5", input: rng.int(600...2_000, step: 10), output: rng.int(50...350, step: 10),
                            cacheRead: agent == "pr_creator" ? rng.int(5_000...14_000, step: 1000) : 0)
            default:
                return Line(at: t, agent: agent, model: agent == "reviewer" ? "claude-opus-4-5" : "claude-sonnet-4-5",
                            input: rng.int(2_000...9_000, step: 100), output: rng.int(3_000...22_000, step: 100),
                            cacheRead: rng.int(18_000...150_000, step: 1000), cacheWrite: rng.int(1_000...16_000, step: 100))
            }
        }
    }

    /// The stored summary of `lines` (what a sync wrote), as a `workflow_history` row.
    static func store(_ db: Database, id: String, issue: Int, status: String, lines: [Line], estimate: String, updatedAt: Int64) throws {
        let input = lines.reduce(0) { $0 + $1.input }
        let writes = lines.reduce(0) { $0 + $1.cacheWrite }
        let reads = lines.reduce(0) { $0 + $1.cacheRead }
        let output = lines.reduce(0) { $0 + $1.output }
        let cost = lines.reduce(Int64(0)) { $0 + $1.cost }
        var byPhase: [(String, Int64)] = []
        for line in lines {
            if let i = byPhase.firstIndex(where: { $0.0 == line.agent }) { byPhase[i].1 += line.cost } else { byPhase.append((line.agent, line.cost)) }
        }
        let breakdown = DemoJSON.obj([
            "estimated_total": .number(estimate), "actual_total": .number(pythonFloat(cost)),
            "by_phase": .object(byPhase.map { ($0.0, .number(pythonFloat($0.1))) }),
        ])
        let efficiency = reads + writes == 0 ? 0 : Double((reads * 10_000 + (reads + writes) / 2) / (reads + writes)) / 100
        try db.execute(
            sql: """
                INSERT INTO workflow_history (adw_id, issue_number, status, cost_breakdown, actual_cost_total, input_tokens, cached_tokens,
                  cache_hit_tokens, cache_miss_tokens, output_tokens, total_tokens, cache_efficiency_percent, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [id, issue, status, breakdown.text(.python), Double(cost) / 1e9, input, writes, reads, input, output,
                        input + writes + reads + output, efficiency, DemoCalendar.naive(updatedAt)])
    }

    /// Python's repr of the float equal to a USD amount (`0.09`, `2.0`, `0.0`).
    static func pythonFloat(_ nanos: Int64) -> String {
        let text = DemoJSON.usdText(nanos)
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }
}

extension DemoCorpus {
    /// Four run folders and five stored summaries: the stale run ($2.37 source, $0.09 stored), a
    /// running run stored above its source, two up-to-date runs, and a summary without a folder.
    static func writeWorkflows(seed: UInt64, out: inout DemoOutput, manifest: inout Manifest) throws {
        var rng = DemoRandom(seed: seed, stream: 70)
        let staleStart = DemoCalendar.ms(2026, 3, 9) + 9 * 3_600_000 + 131_000
        let stale = WorkflowsWriter.Run(
            id: rng.hex(8), issue: 42, workflow: "adw_plan_build_test_review", status: "completed", started: staleStart,
            updated: staleStart + 5_470_000, lines: WorkflowsWriter.staleLines(start: staleStart))
        let doneStart = DemoCalendar.ms(2026, 3, 16) + 10 * 3_600_000 + Int64(rng.int(0...3_600)) * 1000
        var done = WorkflowsWriter.Run(
            id: rng.hex(8), issue: 38, workflow: "adw_sdlc", status: "completed", started: doneStart, updated: doneStart,
            lines: WorkflowsWriter.lines(&rng, start: doneStart, agents: [
                "issue_classifier", "branch_generator", "sdlc_planner", "sdlc_implementor", "sdlc_implementor", "sdlc_implementor",
                "tester", "test_resolver", "tester", "reviewer", "review_patcher", "documenter", "pr_creator", "kpi_tracker",
            ]))
        let failedStart = DemoCalendar.ms(2026, 3, 19) + 14 * 3_600_000 + Int64(rng.int(0...3_600)) * 1000
        var failed = WorkflowsWriter.Run(
            id: rng.hex(8), issue: 44, workflow: "adw_plan_build", status: "failed", started: failedStart, updated: failedStart,
            lines: WorkflowsWriter.lines(&rng, start: failedStart, agents: ["issue_classifier", "sdlc_planner", "sdlc_implementor", "sdlc_implementor"]))
        let runningStart = DemoCalendar.ms(2026, 3, 26) + 14 * 3_600_000 + Int64(rng.int(0...3_600)) * 1000
        var running = WorkflowsWriter.Run(
            id: rng.hex(8), issue: 47, workflow: "adw_plan_build_test", status: "running", started: runningStart, updated: runningStart,
            lines: WorkflowsWriter.lines(&rng, start: runningStart, agents: ["issue_classifier", "sdlc_planner", "sdlc_implementor", "sdlc_implementor"]))
        done.updated = done.lines.last!.at
        failed.updated = failed.lines.last!.at
        running.updated = running.lines.last!.at
        // The running run's implementor phase was restarted after the last sync: the runner
        // dropped the abandoned attempt from costs.jsonl, the stored total still counts it.
        var abandoned = running.lines[2]
        abandoned.output += 6_000
        abandoned.cacheRead += 40_000
        let runningStored = Array(running.lines.prefix(2)) + [abandoned] + running.lines.dropFirst(2)
        let storedOnlyID = rng.hex(8)
        let storedOnlyLines = WorkflowsWriter.lines(&rng, start: DemoCalendar.ms(2026, 3, 4) + 9 * 3_600_000, agents: ["issue_classifier", "sdlc_planner", "sdlc_implementor", "reviewer"])

        for run in [stale, done, failed, running] {
            try out.write(run.runJSON.bytes(.pretty) + [0x0A], to: "workflows/runs/\(run.id)/run.json")
            var bytes: [UInt8] = []
            for line in run.lines {
                line.json.write(into: &bytes, style: .compact)
                bytes.append(0x0A)
            }
            try out.write(bytes, to: "workflows/runs/\(run.id)/costs.jsonl")
        }
        let queue = try DemoDatabase.create(path: out.root.path + "/workflows/workflow_history.db", schema: WorkflowsWriter.schema)
        try queue.write { db in
            try WorkflowsWriter.store(db, id: storedOnlyID, issue: 35, status: "completed", lines: storedOnlyLines, estimate: "1.6", updatedAt: storedOnlyLines.last!.at + 40_000)
            try WorkflowsWriter.store(db, id: stale.id, issue: stale.issue, status: "completed", lines: Array(stale.lines.prefix(2)), estimate: "2.4", updatedAt: stale.updated)
            try WorkflowsWriter.store(db, id: done.id, issue: done.issue, status: "completed", lines: done.lines, estimate: "4.2", updatedAt: done.updated + 61_000)
            try WorkflowsWriter.store(db, id: failed.id, issue: failed.issue, status: "failed", lines: failed.lines, estimate: "1.1", updatedAt: failed.updated + 22_000)
            try WorkflowsWriter.store(db, id: running.id, issue: running.issue, status: "running", lines: runningStored, estimate: "1.8", updatedAt: running.updated + 30_000)
        }
        out.count("workflows/workflow_history.db")

        func facts(_ run: WorkflowsWriter.Run, stored: [WorkflowsWriter.Line]) -> Manifest.Run {
            var r = Manifest.Run()
            r.id = run.id
            r.status = run.status
            r.costLines = run.lines.count
            r.sourceCostNanos = run.lines.reduce(0) { $0 + $1.cost }
            r.storedCostNanos = stored.reduce(0) { $0 + $1.cost }
            return r
        }
        manifest.workflows.staleRun = facts(stale, stored: Array(stale.lines.prefix(2)))
        manifest.workflows.runningRun = facts(running, stored: runningStored)
        manifest.workflows.upToDateRuns = [facts(done, stored: done.lines), facts(failed, stored: failed.lines)]
        manifest.workflows.storedOnlyRunID = storedOnlyID
    }
}
