import Foundation
import GRDB

extension Fixtures {
    /// What the repair commands (`backfill`, `resync`) find to repair, one planted case each:
    ///
    /// - sessions: `ses-root` (with sub-agent `ses-child`) stores a zero source rollup;
    ///   `ses-child` was never rolled up; `ses-quiet` (no calls) holds its correct derived
    ///   rollup; `ses-solo` stores a source rollup with splits but no total.
    /// - calls: `k1` (ses-root), `k2` (ses-child) on claude-sonnet-4-5 were priced at $3 input,
    ///   then the price was edited to $4 behind the engine's back (`backfill costs` reprices
    ///   them); `k3` (ses-solo, gpt-5) has `total_tokens` 0 beside 1,650 split tokens.
    /// - workflows: `run-stale` completed, stored $0.09, source $2.37; `run-running` stored $0.80
    ///   above its source $0.50; `run-failed` up to date at $1.50; `run-orphan` a summary
    ///   without source records.
    public static let repair = Fixture(
        "repair", "Planted repairs: a zero root rollup, a missing total, stale prices, stale workflow summaries."
    ) { db in
        try db.execute(
            sql: """
                INSERT INTO projects (id, source, name) VALUES ('prj-repair', 'opencode', 'repair');
                INSERT INTO pricing (model, provider, input_per_mtok, output_per_mtok, cache_read_per_mtok,
                                     cache_write_per_mtok, cache_write_1h_per_mtok, source, created_at)
                VALUES ('claude-sonnet-4-5', 'anthropic', 3, 15, 0.3, 3.75, 6, 'snapshot', '2026-01-01T00:00:00.000Z'),
                       ('gpt-5', 'openai', 1.25, 10, 0.125, NULL, NULL, 'snapshot', '2026-01-01T00:00:00.000Z');
                INSERT INTO sessions (id, source, project_id, parent_id, title, started_at,
                  rollup_input_tokens, rollup_output_tokens, rollup_reasoning_tokens, rollup_cache_read_tokens,
                  rollup_cache_write_tokens, rollup_total_tokens, rollup_cost_nanos, rollup_message_count,
                  rollup_tool_call_count, rollup_duration_ms, rollup_origin)
                VALUES ('ses-root', 'opencode', 'prj-repair', NULL, 'Fix the parser', '2026-03-05T10:00:00.000Z',
                        0, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL, 'source'),
                       ('ses-child', 'opencode', 'prj-repair', 'ses-root', 'Search the code', '2026-03-05T10:05:00.000Z',
                        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                       ('ses-quiet', 'claude', 'prj-repair', NULL, 'Nothing happened', '2026-03-06T08:00:00.000Z',
                        0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 'derived'),
                       ('ses-solo', 'codex', 'prj-repair', NULL, 'Rename things', '2026-03-06T09:00:00.000Z',
                        100, 50, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'source');
                INSERT INTO messages (id, session_id, role, created_at, completed_at)
                VALUES ('m1', 'ses-root', 'user', '2026-03-05T10:00:00.000Z', NULL),
                       ('m2', 'ses-root', 'assistant', '2026-03-05T10:00:01.000Z', '2026-03-05T10:00:04.000Z'),
                       ('m3', 'ses-child', 'assistant', '2026-03-05T10:05:00.000Z', '2026-03-05T10:05:01.500Z');
                INSERT INTO parts (id, message_id, session_id, ordinal, type) VALUES ('p1', 'm3', 'ses-child', 0, 'tool');
                INSERT INTO tool_calls (part_id, tool, status) VALUES ('p1', 'grep', 'completed');
                INSERT INTO calls (id, source, session_id, project_id, provider, model, started_at, input_tokens,
                                   output_tokens, reasoning_tokens, cache_read_tokens, cache_write_tokens, total_tokens)
                VALUES ('k1', 'opencode', 'ses-root', 'prj-repair', 'anthropic', 'claude-sonnet-4-5',
                        '2026-03-05T10:00:02.000Z', 1000, 500, 0, 2000, 0, 3500),
                       ('k2', 'opencode', 'ses-child', 'prj-repair', 'anthropic', 'claude-sonnet-4-5',
                        '2026-03-05T10:05:00.500Z', 2000, 300, 0, 0, 0, 2300),
                       ('k3', 'codex', 'ses-solo', 'prj-repair', 'openai', 'gpt-5',
                        '2026-03-06T09:00:05.000Z', 1000, 650, 0, 0, 0, 0);
                INSERT INTO workflow_runs (run_id, issue_number, workflow, status, started_at)
                VALUES ('run-stale', 42, 'adw_plan_build', 'completed', '2026-03-09T09:00:00.000Z'),
                       ('run-running', 47, 'adw_plan_build', 'running', '2026-03-12T14:00:00.000Z'),
                       ('run-failed', 44, 'adw_plan_build', 'failed', '2026-03-10T14:00:00.000Z');
                INSERT INTO workflow_cost_records (run_id, line, at, agent, input_tokens, output_tokens, total_tokens,
                                                   reported_cost_nanos, cost_nanos, cost_source)
                VALUES ('run-stale', 1, '2026-03-09T09:00:30.000Z', 'classifier', 1500, 500, 2000, 90000000, 90000000, 'reported'),
                       ('run-stale', 2, '2026-03-09T09:30:00.000Z', 'implementor', 15000, 5000, 20000, 2280000000, 2280000000, 'reported'),
                       ('run-running', 1, '2026-03-12T14:10:00.000Z', 'planner', 8000, 2000, 10000, 500000000, 500000000, 'reported'),
                       ('run-failed', 1, '2026-03-10T14:10:00.000Z', 'planner', 15000, 5000, 20000, 1000000000, 1000000000, 'reported'),
                       ('run-failed', 2, '2026-03-10T14:40:00.000Z', 'implementor', 8000, 2000, 10000, 500000000, 500000000, 'reported');
                INSERT INTO workflow_summaries (run_id, issue_number, status, stored_cost_nanos)
                VALUES ('run-stale', 42, 'completed', 90000000),
                       ('run-running', 47, 'running', 800000000),
                       ('run-failed', 44, 'failed', 1500000000),
                       ('run-orphan', 35, 'completed', 1200000000);
                """)
        try CostEngine.reprice(db, calls: .all)
        // The price changes without the engine: k1 and k2 keep costs of the older price.
        try db.execute(sql: "UPDATE pricing SET input_per_mtok = 4 WHERE model = 'claude-sonnet-4-5'")
    }
}
