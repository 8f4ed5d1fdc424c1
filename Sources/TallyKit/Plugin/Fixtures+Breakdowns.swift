import Foundation
import GRDB

/// Fixtures of the breakdown analyses (issue 5): agents, projects and session trees; tool calls
/// and exchanges in each source's shape; cache reads at several prices.
extension Fixtures {
    /// Two root sessions with sub-agents (one two levels deep), a root with a total-only unpriced
    /// call, an empty root, and a call without session or project. Costs by `CostEngine`:
    ///
    /// model-a (acme) $1 input, $2 output, $0.10 cache read, $1.25 cache write per Mtok; model-b
    /// (acme) $2 input, $4 output, no cache prices (cache read falls back to 0.1 × $2 = $0.20);
    /// model-x (other) has no price.
    ///
    /// | call | session (agent)         | tokens in/out/reas/read/write = total | cost |
    /// |------|-------------------------|------------------------------------------|------|
    /// | k1 | ses-login (build)  | model-a 100000/10000/0/200000/0 = 310000 | .1 + .02 + .02 = $0.14 |
    /// | k2 | ses-login (build)  | model-b 50000/5000/1000/100000/0 = 156000 | .1 + .02 + .004 + .02 = $0.144, fallback |
    /// | k3 | ses-explore (explore), child of ses-login | model-a 20000/2000/0/0/10000 = 32000 | .02 + .004 + .0125 = $0.0365 |
    /// | k4 | ses-docs (general), child of ses-explore | model-x 5000/500/0/0/0 = 5500 | unpriced |
    /// | k5 | ses-ci (build)     | model-a 300000/20000/0/0/0 = 320000 | .3 + .04 = $0.34 |
    /// | k6 | ses-tests (test), child of ses-ci | model-a total-only 40000, reported $0.05 | $0.05 (reported) |
    /// | k7 | ses-spike (plan)   | model-x total-only 7000 | unpriced |
    /// | k8 | none (no agent, no project) | model-a 10000/1000/0/0/0 = 11000 | .01 + .002 = $0.012 |
    ///
    /// All calls cost $0.7225. Per agent: build (k1 k2 k5) $0.624 = 86.37 %, test $0.05 = 6.92 %,
    /// explore $0.0365 = 5.05 %, none $0.012 = 1.66 %. Per project: lib (k5 k6) $0.39 = 53.98 %,
    /// app (k1–k4, k7) $0.3205 = 44.36 %. Per root: ses-ci own 320000 tokens $0.34, sub-agents
    /// 40000 $0.05; ses-login own 466000 $0.284, sub-agents 37500 $0.0365; ses-spike own 7000,
    /// unpriced. Of the roots' $0.7105: ses-ci 54.89 %, ses-login 45.11 %. ses-login's stored
    /// rollup ($0.09) is stale on purpose: analyses must not read it.
    public static let sessions = Fixture(
        "sessions", "6 sessions in 3 trees, 8 calls: agents, projects, total-only, unpriced, a fallback, no session."
    ) { db in
        try db.execute(
            sql: """
                INSERT INTO projects (id, source, name) VALUES ('prj-app', 'opencode', 'app'), ('prj-lib', 'opencode', 'lib');
                INSERT INTO pricing (model, provider, input_per_mtok, output_per_mtok, cache_read_per_mtok,
                                     cache_write_per_mtok, source, created_at)
                VALUES ('model-a', 'acme', 1, 2, 0.1, 1.25, 'user', '2026-01-01T00:00:00.000Z'),
                       ('model-b', 'acme', 2, 4, NULL, NULL, 'user', '2026-01-01T00:00:00.000Z');
                INSERT INTO sessions (id, source, project_id, parent_id, title, agent, started_at,
                                      rollup_total_tokens, rollup_cost_nanos, rollup_origin)
                VALUES ('ses-login', 'opencode', 'prj-app', NULL, 'Add login', 'build', '2026-03-02T09:00:00.000Z',
                        1, 90000000, 'source'),
                       ('ses-explore', 'opencode', 'prj-app', 'ses-login', 'Explore auth', 'explore',
                        '2026-03-02T09:10:00.000Z', NULL, NULL, NULL),
                       ('ses-docs', 'opencode', 'prj-app', 'ses-explore', 'Read docs', 'general',
                        '2026-03-02T09:15:00.000Z', NULL, NULL, NULL),
                       ('ses-ci', 'opencode', 'prj-lib', NULL, 'Fix CI', 'build', '2026-03-03T14:00:00.000Z', NULL, NULL, NULL),
                       ('ses-tests', 'opencode', 'prj-lib', 'ses-ci', 'Run tests', 'test', '2026-03-03T14:20:00.000Z',
                        NULL, NULL, NULL),
                       ('ses-spike', 'claude', 'prj-app', NULL, 'Spike', 'plan', '2026-03-04T10:00:00.000Z', NULL, NULL, NULL),
                       ('ses-empty', 'claude', 'prj-app', NULL, 'Empty', NULL, '2026-03-05T10:00:00.000Z', NULL, NULL, NULL);
                INSERT INTO calls (id, source, session_id, project_id, provider, model, agent, started_at, input_tokens,
                                   output_tokens, reasoning_tokens, cache_read_tokens, cache_write_tokens, total_tokens,
                                   reported_cost_nanos)
                VALUES ('k1', 'opencode', 'ses-login', 'prj-app', 'acme', 'model-a', 'build', '2026-03-02T09:01:00.000Z',
                        100000, 10000, 0, 200000, 0, 310000, NULL),
                       ('k2', 'opencode', 'ses-login', 'prj-app', 'acme', 'model-b', 'build', '2026-03-02T09:05:00.000Z',
                        50000, 5000, 1000, 100000, 0, 156000, NULL),
                       ('k3', 'opencode', 'ses-explore', 'prj-app', 'acme', 'model-a', 'explore', '2026-03-02T09:11:00.000Z',
                        20000, 2000, 0, 0, 10000, 32000, NULL),
                       ('k4', 'opencode', 'ses-docs', 'prj-app', 'other', 'model-x', 'general', '2026-03-02T09:20:00.000Z',
                        5000, 500, 0, 0, 0, 5500, NULL),
                       ('k5', 'opencode', 'ses-ci', 'prj-lib', 'acme', 'model-a', 'build', '2026-03-03T14:01:00.000Z',
                        300000, 20000, 0, 0, 0, 320000, NULL),
                       ('k6', 'opencode', 'ses-tests', 'prj-lib', 'acme', 'model-a', 'test', '2026-03-03T14:30:00.000Z',
                        NULL, NULL, NULL, NULL, NULL, 40000, 50000000),
                       ('k7', 'claude', 'ses-spike', 'prj-app', 'other', 'model-x', 'plan', '2026-03-04T10:00:00.000Z',
                        NULL, NULL, NULL, NULL, NULL, 7000, NULL),
                       ('k8', 'events', NULL, NULL, 'acme', 'model-a', NULL, '2026-03-04T12:00:00.000Z',
                        10000, 1000, 0, 0, 0, 11000, NULL);
                """)
        try CostEngine.reprice(db, calls: .all)
    }

    /// Tool calls in each source's shape, exchanges and traces derived by `Derivations`, costs as
    /// reported (no prices: model-x's step has none, so it is unpriced).
    ///
    /// - ses-oc (OpenCode): prompt 1 at 10:00:00, message msg-a1 with steps [read p-a1-1 (100 ms),
    ///   grep p-a1-2 (300 ms), read p-a1-3 (200 ms) → step p-a1-4 $0.10 = 100,000,000 nanos / 3 =
    ///   33,333,334 for p-a1-1 (first by part id: the remainder nano) and 33,333,333 each for the
    ///   others], [task p-a1-6 (5000 ms, delegates to ses-oc-task) → step p-a1-7 $0.02], [bash p-a1-9
    ///   (error, 1000 ms), no step-finish after it: no step]; prompt 2 at 10:05:00, msg-a2 with
    ///   [bash (error, 2000 ms), bash (4000 ms) → step p-a2-3, model-x, total-only 5000 tokens,
    ///   unpriced]. ses-oc-task (its sub-agent): [read (50 ms) → step $0.05].
    /// - ses-cl (Claude): one response over three lines: msg-cl-1 carries the call ($0.03), Read
    ///   (20 ms) on msg-cl-2 and Grep (error, 40 ms) on msg-cl-3 take the latest call at or before
    ///   them: $0.015 each.
    /// - ses-cx (Codex): exec_command (120 ms) in the message of its call ($0.006).
    ///
    /// Per tool: read 3 calls, durations 50/100/200 → median 100, 33,333,334 + 33,333,333 +
    /// 50,000,000 = $0.116666667; grep $0.033333333; task $0.02; Grep and Read $0.015; exec_command
    /// $0.006; bash 3 calls, 2 failed (66.67 %), median 2000, no cost. Of $0.206: read 56.63 %,
    /// grep 16.18 %, task 9.71 %, Grep and Read 7.28 %, exec_command 2.91 %.
    ///
    /// Exchanges of ses-oc: 1) calls p-a1-4 (2000/500/0/10000/0 = 12500) and p-a1-7
    /// (1000/100/0/12000/0 = 13100): 3000/600/0/22000/0 = 25600 tokens, $0.12, 10:00:00 → msg-a1
    /// completed 10:00:30 = 30000 ms, 5 tool calls, 1 delegation whose session cost $0.05;
    /// 2) p-a2-3: 5000 tokens total-only, no cost, 10:05:00 → 10:06:00 = 60000 ms, 2 tool calls.
    /// ses-cl: 4400 tokens, $0.03, 11:00:00 → last line 11:00:07 = 7000 ms, 2 tool calls.
    public static let tools = Fixture(
        "tools", "Tool calls shaped as OpenCode, Claude and Codex write them, with derived exchanges."
    ) { db in
        try db.execute(
            sql: """
                INSERT INTO projects (id, source, name) VALUES ('prj-app', 'opencode', 'app');
                INSERT INTO sessions (id, source, project_id, parent_id, title, started_at)
                VALUES ('ses-oc', 'opencode', 'prj-app', NULL, 'Add a cache', '2026-03-10T10:00:00.000Z'),
                       ('ses-oc-task', 'opencode', 'prj-app', 'ses-oc', 'Find the call sites', '2026-03-10T10:00:03.000Z'),
                       ('ses-cl', 'claude', 'prj-app', NULL, 'Explain the parser', '2026-03-10T11:00:00.000Z'),
                       ('ses-cx', 'codex', 'prj-app', NULL, 'Bump the version', '2026-03-10T12:00:00.000Z');
                INSERT INTO messages (id, session_id, role, created_at, completed_at, provider, model)
                VALUES ('msg-u1', 'ses-oc', 'user', '2026-03-10T10:00:00.000Z', NULL, NULL, NULL),
                       ('msg-a1', 'ses-oc', 'assistant', '2026-03-10T10:00:01.000Z', '2026-03-10T10:00:30.000Z', 'acme', 'model-a'),
                       ('msg-u2', 'ses-oc', 'user', '2026-03-10T10:05:00.000Z', NULL, NULL, NULL),
                       ('msg-a2', 'ses-oc', 'assistant', '2026-03-10T10:05:01.000Z', '2026-03-10T10:06:00.000Z', 'other', 'model-x'),
                       ('msg-t-u', 'ses-oc-task', 'user', '2026-03-10T10:00:03.000Z', NULL, NULL, NULL),
                       ('msg-t-a', 'ses-oc-task', 'assistant', '2026-03-10T10:00:04.000Z', '2026-03-10T10:00:09.000Z', 'acme', 'model-a'),
                       ('msg-cl-u', 'ses-cl', 'user', '2026-03-10T11:00:00.000Z', NULL, NULL, NULL),
                       ('msg-cl-1', 'ses-cl', 'assistant', '2026-03-10T11:00:05.000Z', NULL, 'anthropic', 'claude-sonnet-4-5'),
                       ('msg-cl-2', 'ses-cl', 'assistant', '2026-03-10T11:00:06.000Z', NULL, 'anthropic', 'claude-sonnet-4-5'),
                       ('msg-cl-3', 'ses-cl', 'assistant', '2026-03-10T11:00:07.000Z', NULL, 'anthropic', 'claude-sonnet-4-5'),
                       ('msg-cx-u', 'ses-cx', 'user', '2026-03-10T12:00:00.000Z', NULL, NULL, NULL),
                       ('msg-cx-a', 'ses-cx', 'assistant', '2026-03-10T12:00:01.000Z', '2026-03-10T12:00:05.000Z', 'openai', 'gpt-5');
                INSERT INTO parts (id, message_id, session_id, ordinal, type, created_at)
                VALUES ('p-u1', 'msg-u1', 'ses-oc', 0, 'text', '2026-03-10T10:00:00.000Z'),
                       ('p-a1-0', 'msg-a1', 'ses-oc', 0, 'step-start', '2026-03-10T10:00:01.100Z'),
                       ('p-a1-1', 'msg-a1', 'ses-oc', 1, 'tool', '2026-03-10T10:00:01.200Z'),
                       ('p-a1-2', 'msg-a1', 'ses-oc', 2, 'tool', '2026-03-10T10:00:01.300Z'),
                       ('p-a1-3', 'msg-a1', 'ses-oc', 3, 'tool', '2026-03-10T10:00:01.400Z'),
                       ('p-a1-4', 'msg-a1', 'ses-oc', 4, 'step-finish', '2026-03-10T10:00:10.000Z'),
                       ('p-a1-5', 'msg-a1', 'ses-oc', 5, 'step-start', '2026-03-10T10:00:10.050Z'),
                       ('p-a1-6', 'msg-a1', 'ses-oc', 6, 'tool', '2026-03-10T10:00:10.100Z'),
                       ('p-a1-7', 'msg-a1', 'ses-oc', 7, 'step-finish', '2026-03-10T10:00:20.000Z'),
                       ('p-a1-8', 'msg-a1', 'ses-oc', 8, 'step-start', '2026-03-10T10:00:20.050Z'),
                       ('p-a1-9', 'msg-a1', 'ses-oc', 9, 'tool', '2026-03-10T10:00:21.000Z'),
                       ('p-u2', 'msg-u2', 'ses-oc', 0, 'text', '2026-03-10T10:05:00.000Z'),
                       ('p-a2-0', 'msg-a2', 'ses-oc', 0, 'step-start', '2026-03-10T10:05:01.100Z'),
                       ('p-a2-1', 'msg-a2', 'ses-oc', 1, 'tool', '2026-03-10T10:05:02.000Z'),
                       ('p-a2-2', 'msg-a2', 'ses-oc', 2, 'tool', '2026-03-10T10:05:05.000Z'),
                       ('p-a2-3', 'msg-a2', 'ses-oc', 3, 'step-finish', '2026-03-10T10:05:30.000Z'),
                       ('p-t-u', 'msg-t-u', 'ses-oc-task', 0, 'text', '2026-03-10T10:00:03.000Z'),
                       ('p-t-a-0', 'msg-t-a', 'ses-oc-task', 0, 'step-start', '2026-03-10T10:00:04.100Z'),
                       ('p-t-a-1', 'msg-t-a', 'ses-oc-task', 1, 'tool', '2026-03-10T10:00:05.000Z'),
                       ('p-t-a-2', 'msg-t-a', 'ses-oc-task', 2, 'step-finish', '2026-03-10T10:00:08.000Z'),
                       ('p-cl-u', 'msg-cl-u', 'ses-cl', 0, 'text', '2026-03-10T11:00:00.000Z'),
                       ('msg-cl-1:0', 'msg-cl-1', 'ses-cl', 0, 'text', '2026-03-10T11:00:05.000Z'),
                       ('msg-cl-2:0', 'msg-cl-2', 'ses-cl', 0, 'tool_use', '2026-03-10T11:00:06.000Z'),
                       ('msg-cl-3:0', 'msg-cl-3', 'ses-cl', 0, 'tool_use', '2026-03-10T11:00:07.000Z'),
                       ('p-cx-u', 'msg-cx-u', 'ses-cx', 0, 'text', '2026-03-10T12:00:00.000Z'),
                       ('p-cx-a-0', 'msg-cx-a', 'ses-cx', 0, 'function_call', '2026-03-10T12:00:02.000Z');
                INSERT INTO text_parts (part_id, text)
                VALUES ('p-u1', 'Add a cache
                to the parser'), ('p-u2', 'Run the tests'), ('p-t-u', 'Find the call sites'),
                       ('p-cl-u', 'Explain the parser'), ('msg-cl-1:0', 'Looking.'), ('p-cx-u', 'Bump the version');
                INSERT INTO tool_calls (part_id, tool, status, started_at, duration_ms, child_session_id)
                VALUES ('p-a1-1', 'read', 'completed', '2026-03-10T10:00:01.200Z', 100, NULL),
                       ('p-a1-2', 'grep', 'completed', '2026-03-10T10:00:01.300Z', 300, NULL),
                       ('p-a1-3', 'read', 'completed', '2026-03-10T10:00:01.400Z', 200, NULL),
                       ('p-a1-6', 'task', 'completed', '2026-03-10T10:00:10.100Z', 5000, 'ses-oc-task'),
                       ('p-a1-9', 'bash', 'error', '2026-03-10T10:00:21.000Z', 1000, NULL),
                       ('p-a2-1', 'bash', 'error', '2026-03-10T10:05:02.000Z', 2000, NULL),
                       ('p-a2-2', 'bash', 'completed', '2026-03-10T10:05:05.000Z', 4000, NULL),
                       ('p-t-a-1', 'read', 'completed', '2026-03-10T10:00:05.000Z', 50, NULL),
                       ('msg-cl-2:0', 'Read', 'completed', '2026-03-10T11:00:06.000Z', 20, NULL),
                       ('msg-cl-3:0', 'Grep', 'error', '2026-03-10T11:00:07.000Z', 40, NULL),
                       ('p-cx-a-0', 'exec_command', 'completed', '2026-03-10T12:00:02.000Z', 120, NULL);
                INSERT INTO calls (id, source, session_id, message_id, project_id, provider, model, started_at,
                                   input_tokens, output_tokens, reasoning_tokens, cache_read_tokens, cache_write_tokens,
                                   total_tokens, reported_cost_nanos)
                VALUES ('p-a1-4', 'opencode', 'ses-oc', 'msg-a1', 'prj-app', 'acme', 'model-a', '2026-03-10T10:00:10.000Z',
                        2000, 500, 0, 10000, 0, 12500, 100000000),
                       ('p-a1-7', 'opencode', 'ses-oc', 'msg-a1', 'prj-app', 'acme', 'model-a', '2026-03-10T10:00:20.000Z',
                        1000, 100, 0, 12000, 0, 13100, 20000000),
                       ('p-a2-3', 'opencode', 'ses-oc', 'msg-a2', 'prj-app', 'other', 'model-x', '2026-03-10T10:05:30.000Z',
                        NULL, NULL, NULL, NULL, NULL, 5000, NULL),
                       ('p-t-a-2', 'opencode', 'ses-oc-task', 'msg-t-a', 'prj-app', 'acme', 'model-a',
                        '2026-03-10T10:00:08.000Z', 3000, 300, 0, 0, 0, 3300, 50000000),
                       ('cl-call-1', 'claude', 'ses-cl', 'msg-cl-1', 'prj-app', 'anthropic', 'claude-sonnet-4-5',
                        '2026-03-10T11:00:05.000Z', 4000, 400, 0, 0, 0, 4400, 30000000),
                       ('cx-call-1', 'codex', 'ses-cx', 'msg-cx-a', 'prj-app', 'openai', 'gpt-5', '2026-03-10T12:00:01.000Z',
                        1000, 200, 100, 500, 0, 1800, 6000000);
                """)
        try CostEngine.reprice(db, calls: .all)
        try Derivations.enqueue(["ses-oc", "ses-oc-task", "ses-cl", "ses-cx"], in: db)
        try Derivations.rebuildQueued(in: db)
    }

    /// Cache reads at three kinds of price. Savings = cache read × (input − cache read price):
    ///
    /// - model-a ($3 input, $0.30 cache read): a1 on 03-01, 100000 input + 900000 read → 900000 ×
    ///   $2.70/M = $2.43; a2 on 03-02 total-only 50000; a3 on 03-03, 1000 input + 3000 write, no read.
    ///   Prompt 1,004,000, share 900000 / 1004000 = 89.64 %.
    /// - model-b ($1 input, no cache read price: fallback 0.1 × $1): b1 on 03-01, 200000 + 800000 read
    ///   → 800000 × $0.90/M = $0.72 (fallback). Share 80 %.
    /// - model-t ($1 input, $0.25 read; above 200,000 prompt tokens $2 input, $0.50 read): t1 on 03-02
    ///   50000 + 100000 read (150,000: base) → 100000 × $0.75/M = $0.075; t2 on 03-02 100000 + 300000
    ///   read (400,000: above) → 300000 × $1.50/M = $0.45. Total $0.525, share 400000 / 550000 = 72.73 %.
    /// - model-x (unpriced): x1 on 03-02, 10000 + 90000 read: share 90 %, no saving.
    ///
    /// Per day: 03-01 a1 b1 = 1,700,000 / 2,000,000 = 85 %, $3.15; 03-02 t1 t2 x1 a2 = 490,000 /
    /// 650,000 = 75.38 %, $0.525; 03-03 a3 0 %, $0. March: 2,190,000 / 2,654,000 = 82.52 %, $3.675.
    public static let cache = Fixture(
        "cache", "7 calls with cache reads at a plain, a fallback and a tiered price, one unpriced, one total-only."
    ) { db in
        try db.execute(
            sql: """
                INSERT INTO pricing (model, provider, input_per_mtok, output_per_mtok, cache_read_per_mtok,
                                     cache_write_per_mtok, tier_threshold_tokens, input_above_per_mtok,
                                     output_above_per_mtok, cache_read_above_per_mtok, source, created_at)
                VALUES ('model-a', 'acme', 3, 15, 0.3, 3.75, NULL, NULL, NULL, NULL, 'user', '2026-01-01T00:00:00.000Z'),
                       ('model-b', 'acme', 1, 5, NULL, NULL, NULL, NULL, NULL, NULL, 'user', '2026-01-01T00:00:00.000Z'),
                       ('model-t', 'acme', 1, 4, 0.25, NULL, 200000, 2, 8, 0.5, 'user', '2026-01-01T00:00:00.000Z');
                INSERT INTO calls (id, source, provider, model, started_at, input_tokens, output_tokens, reasoning_tokens,
                                   cache_read_tokens, cache_write_tokens, total_tokens)
                VALUES ('a1', 'claude', 'acme', 'model-a', '2026-03-01T10:00:00.000Z', 100000, 1000, 0, 900000, 0, 1001000),
                       ('b1', 'claude', 'acme', 'model-b', '2026-03-01T11:00:00.000Z', 200000, 1000, 0, 800000, 0, 1001000),
                       ('t1', 'gemini', 'acme', 'model-t', '2026-03-02T09:00:00.000Z', 50000, 1000, 0, 100000, 0, 151000),
                       ('t2', 'gemini', 'acme', 'model-t', '2026-03-02T10:00:00.000Z', 100000, 1000, 0, 300000, 0, 401000),
                       ('x1', 'events', 'other', 'model-x', '2026-03-02T11:00:00.000Z', 10000, 100, 0, 90000, 0, 100100),
                       ('a2', 'events', 'acme', 'model-a', '2026-03-02T12:00:00.000Z', NULL, NULL, NULL, NULL, NULL, 50000),
                       ('a3', 'claude', 'acme', 'model-a', '2026-03-03T09:00:00.000Z', 1000, 100, 0, 0, 3000, 4100);
                """)
        try CostEngine.reprice(db, calls: .all)
    }
}
