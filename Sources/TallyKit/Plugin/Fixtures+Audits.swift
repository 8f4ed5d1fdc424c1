import Foundation
import GRDB

// The fixtures of the audit analyses (issue 5): `anomalies`, `stale-costs`, `suspicious-tokens`,
// `token-audit`, `integrity`, `pricing-coverage`. Every figure their examples expect is worked
// out by hand in the example's comment.

extension Fixtures {
    /// The audit analyses' fixtures, in `Fixtures.all`.
    static var audits: [Fixture] { [spend, stale, tokens, audit, broken] }

    /// Eight days of spend (2026-03-01 … 08, none on 03-05) with a spike on 03-04, in five root
    /// sessions (two with a sub-agent); costs stored as reported, so each day's total is exact:
    /// 1, 2, 3, 10, 0, 2, 2, 1 USD. The spike is mostly a total-only gpt-5 call ($9); an
    /// unpriced acme-internal-7b call the same day adds tokens and no cost.
    public static let spend = Fixture(
        "spend", "8 days of spend with a spike on 03-04: 5 root sessions, a total-only call, an unpriced model."
    ) { db in
        try db.execute(
            sql: """
                INSERT INTO projects (id, source, name) VALUES ('prj-tally', 'opencode', 'tally');
                INSERT INTO sessions (id, source, project_id, parent_id, title, started_at)
                VALUES ('ses-a', 'opencode', 'prj-tally', NULL, 'Parser', '2026-03-01T09:00:00.000Z'),
                       ('ses-a1', 'opencode', 'prj-tally', 'ses-a', 'Search', '2026-03-02T09:00:00.000Z'),
                       ('ses-b', 'opencode', 'prj-tally', NULL, 'Lexer', '2026-03-02T10:30:00.000Z'),
                       ('ses-c', 'opencode', 'prj-tally', NULL, 'Release', '2026-03-04T09:00:00.000Z'),
                       ('ses-c1', 'opencode', 'prj-tally', 'ses-c', 'Changelog', '2026-03-04T10:30:00.000Z'),
                       ('ses-d', 'opencode', 'prj-tally', NULL, 'Docs', '2026-03-06T09:00:00.000Z'),
                       ('ses-e', 'opencode', 'prj-tally', NULL, 'Tests', '2026-03-08T09:00:00.000Z');
                INSERT INTO calls (id, source, session_id, project_id, provider, model, started_at,
                                   input_tokens, output_tokens, reasoning_tokens, cache_read_tokens,
                                   cache_write_tokens, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
                VALUES ('s1', 'opencode', 'ses-a', 'prj-tally', 'anthropic', 'claude-sonnet-4-5', '2026-03-01T10:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 1000000000, 1000000000, 'reported'),
                       ('s2', 'opencode', 'ses-a1', 'prj-tally', 'anthropic', 'claude-sonnet-4-5', '2026-03-02T10:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 1500000000, 1500000000, 'reported'),
                       ('o1', 'opencode', 'ses-b', 'prj-tally', 'openai', 'gpt-5', '2026-03-02T11:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 500000000, 500000000, 'reported'),
                       ('s3', 'opencode', 'ses-b', 'prj-tally', 'anthropic', 'claude-sonnet-4-5', '2026-03-03T10:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 2000000000, 2000000000, 'reported'),
                       ('o2', 'opencode', 'ses-b', 'prj-tally', 'openai', 'gpt-5', '2026-03-03T11:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 1000000000, 1000000000, 'reported'),
                       ('s4', 'opencode', 'ses-c', 'prj-tally', 'anthropic', 'claude-sonnet-4-5', '2026-03-04T10:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 1000000000, 1000000000, 'reported'),
                       ('o3', 'opencode', 'ses-c1', 'prj-tally', 'openai', 'gpt-5', '2026-03-04T11:00:00.000Z',
                        NULL, NULL, NULL, NULL, NULL, 400000, 9000000000, 9000000000, 'reported'),
                       ('a1', 'opencode', 'ses-c', 'prj-tally', 'acme', 'acme-internal-7b', '2026-03-04T12:00:00.000Z',
                        1000, 500, NULL, NULL, NULL, 1500, NULL, NULL, NULL),
                       ('s5', 'opencode', 'ses-d', 'prj-tally', 'anthropic', 'claude-sonnet-4-5', '2026-03-06T10:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 2000000000, 2000000000, 'reported'),
                       ('s6', 'opencode', 'ses-d', 'prj-tally', 'anthropic', 'claude-sonnet-4-5', '2026-03-07T10:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 1500000000, 1500000000, 'reported'),
                       ('o4', 'opencode', 'ses-d', 'prj-tally', 'openai', 'gpt-5', '2026-03-07T11:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 500000000, 500000000, 'reported'),
                       ('s7', 'opencode', 'ses-e', 'prj-tally', 'anthropic', 'claude-sonnet-4-5', '2026-03-08T10:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 1000000000, 1000000000, 'reported');
                """)
    }

    /// Stored costs against their facts: six workflow run summaries (completed and stale,
    /// failed and right, running above and below its records, one without a stored cost, one
    /// without records), four
    /// sessions with stored rollups (a zero root rollup, a source rollup without its sub-agent,
    /// a stale and a right derived one) and three calls whose reported cost is 0, 60 % and 2.4 %
    /// away from the computed one (gpt-5 at 1.25 / 10 USD per million: 1,000 in + 500 out =
    /// $0.00625). A total-only call and an unpriced one sit in the sessions.
    public static let stale = Fixture(
        "stale", "6 run summaries, 6 sessions with stored or derived rollups, calls with reported and computed costs."
    ) { db in
        try db.execute(
            sql: """
                INSERT INTO pricing (id, model, provider, input_per_mtok, output_per_mtok, source, created_at)
                VALUES (1, 'gpt-5', 'openai', 1.25, 10, 'snapshot', '2026-01-01T00:00:00.000Z');
                INSERT INTO workflow_runs (run_id, issue_number, status, started_at)
                VALUES ('run-done', 42, 'completed', '2026-03-02T09:00:00.000Z'),
                       ('run-ok', 43, 'failed', '2026-03-03T09:00:00.000Z'),
                       ('run-live', 44, 'running', '2026-03-05T09:00:00.000Z'),
                       ('run-grow', 45, 'running', '2026-03-10T09:00:00.000Z'),
                       ('run-new', 46, 'running', '2026-03-07T09:00:00.000Z');
                INSERT INTO workflow_cost_records (run_id, line, at, model, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
                VALUES ('run-done', 1, '2026-03-02T09:01:00.000Z', 'claude-haiku-4-5', 2000, 50000000, 50000000, 'reported'),
                       ('run-done', 2, '2026-03-02T09:05:00.000Z', 'claude-sonnet-4-5', 9000, 40000000, 40000000, 'reported'),
                       ('run-done', 3, '2026-03-02T10:00:00.000Z', 'claude-sonnet-4-5', 400000, 2280000000, 2280000000, 'reported'),
                       ('run-ok', 1, '2026-03-03T09:01:00.000Z', 'claude-sonnet-4-5', 50000, 300000000, 300000000, 'reported'),
                       ('run-live', 1, '2026-03-05T09:01:00.000Z', 'claude-sonnet-4-5', 80000, 500000000, 500000000, 'reported'),
                       ('run-live', 2, '2026-03-05T09:30:00.000Z', 'claude-sonnet-4-5', 40000, 250000000, 250000000, 'reported'),
                       ('run-grow', 1, '2026-03-10T09:01:00.000Z', 'claude-sonnet-4-5', 90000, 600000000, 600000000, 'reported'),
                       ('run-new', 1, '2026-03-07T09:01:00.000Z', 'claude-sonnet-4-5', 30000, 200000000, 200000000, 'reported');
                INSERT INTO workflow_summaries (run_id, issue_number, status, stored_cost_nanos, updated_at)
                VALUES ('run-done', 42, 'completed', 90000000, '2026-03-02T09:06:00.000Z'),
                       ('run-ok', 43, 'failed', 300000000, '2026-03-03T09:02:00.000Z'),
                       ('run-live', 44, 'running', 1000000000, '2026-03-05T09:40:00.000Z'),
                       ('run-grow', 45, 'running', 500000000, '2026-03-10T09:02:00.000Z'),
                       ('run-lost', 41, 'completed', 1100000000, '2026-03-01T18:00:00.000Z'),
                       ('run-new', 46, 'running', NULL, '2026-03-07T09:00:00.000Z');
                INSERT INTO sessions (id, source, parent_id, started_at, rollup_cost_nanos, rollup_total_tokens, rollup_origin)
                VALUES ('ses-root', 'opencode', NULL, '2026-03-01T09:00:00.000Z', 0, 0, 'source'),
                       ('ses-kid', 'opencode', 'ses-root', '2026-03-01T09:10:00.000Z', NULL, NULL, NULL),
                       ('ses-naive', 'opencode', NULL, '2026-03-02T09:00:00.000Z', 400000000, 1500, 'source'),
                       ('ses-naive-kid', 'opencode', 'ses-naive', '2026-03-02T09:10:00.000Z', NULL, NULL, NULL),
                       ('ses-derived', 'claude', NULL, '2026-03-03T09:00:00.000Z', 500000000, 1500, 'derived'),
                       ('ses-fine', 'claude', NULL, '2026-03-04T09:00:00.000Z', 250000000, 2500, 'derived');
                INSERT INTO calls (id, source, session_id, provider, model, started_at, input_tokens, output_tokens,
                                   reasoning_tokens, cache_read_tokens, cache_write_tokens, total_tokens,
                                   reported_cost_nanos, computed_cost_nanos, pricing_id, cost_nanos, cost_source)
                VALUES ('r1', 'opencode', 'ses-root', 'anthropic', 'claude-sonnet-4-5', '2026-03-01T09:01:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 200000000, NULL, NULL, 200000000, 'reported'),
                       ('r2', 'opencode', 'ses-kid', 'anthropic', 'claude-sonnet-4-5', '2026-03-01T09:11:00.000Z',
                        2000, 1000, 0, 0, 0, 3000, 100000000, NULL, NULL, 100000000, 'reported'),
                       ('n1', 'opencode', 'ses-naive', 'anthropic', 'claude-sonnet-4-5', '2026-03-02T09:01:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 400000000, NULL, NULL, 400000000, 'reported'),
                       ('n2', 'opencode', 'ses-naive-kid', 'anthropic', 'claude-sonnet-4-5', '2026-03-02T09:11:00.000Z',
                        NULL, NULL, NULL, NULL, NULL, 2000, 350000000, NULL, NULL, 350000000, 'reported'),
                       ('d1', 'claude', 'ses-derived', 'anthropic', 'claude-sonnet-4-5', '2026-03-03T09:01:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 450000000, NULL, NULL, 450000000, 'reported'),
                       ('f1', 'claude', 'ses-fine', 'anthropic', 'claude-sonnet-4-5', '2026-03-04T09:01:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 250000000, NULL, NULL, 250000000, 'reported'),
                       ('a1', 'claude', 'ses-fine', 'acme', 'acme-internal-7b', '2026-03-04T09:02:00.000Z',
                        600, 400, NULL, NULL, NULL, 1000, NULL, NULL, NULL, NULL, NULL),
                       ('c-zero', 'opencode', NULL, 'openai', 'gpt-5', '2026-03-06T09:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 0, 6250000, 1, 6250000, 'computed'),
                       ('c-over', 'events', NULL, 'openai', 'gpt-5', '2026-03-06T10:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 10000000, 6250000, 1, 6250000, 'computed'),
                       ('c-near', 'events', NULL, 'openai', 'gpt-5', '2026-03-06T11:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 6400000, 6250000, 1, 6250000, 'computed');
                """)
    }

    /// Calls to judge for plausibility: claude-sonnet-4-5 (context window 200,000, max output
    /// 64,000) with a prompt, an output and a reasoning count over their bounds, a zero cost and
    /// a total that is not the sum of its splits; ten gpt-5 calls (272,000 / 128,000) whose
    /// totals run 1,000 … 1,800 and one of 100,000; acme-internal-7b without a price (fallback
    /// bounds), one of them total-only; grok-code, free, with cost 0.
    public static let tokens = Fixture(
        "tokens", "Calls over their bounds, a per-model outlier, a total mismatch, a zero-cost paid call, an unpriced model."
    ) { db in
        try db.execute(
            sql: """
                INSERT INTO pricing (id, model, provider, input_per_mtok, output_per_mtok, max_input_tokens, max_output_tokens,
                                     source, created_at)
                VALUES (1, 'claude-sonnet-4-5', 'anthropic', 3, 15, 200000, 64000, 'snapshot', '2026-01-01T00:00:00.000Z'),
                       (2, 'gpt-5', 'openai', 1.25, 10, 272000, 128000, 'snapshot', '2026-01-01T00:00:00.000Z'),
                       (3, 'grok-code', 'opencode', 0, 0, NULL, NULL, 'snapshot', '2026-01-01T00:00:00.000Z');
                INSERT INTO sessions (id, source, started_at)
                VALUES ('ses-1', 'opencode', '2026-03-03T09:00:00.000Z'), ('ses-2', 'codex', '2026-03-01T09:00:00.000Z');
                INSERT INTO calls (id, source, session_id, provider, model, started_at, input_tokens, output_tokens,
                                   reasoning_tokens, cache_read_tokens, cache_write_tokens, total_tokens,
                                   reported_cost_nanos, cost_nanos, cost_source)
                VALUES ('g1', 'codex', 'ses-2', 'openai', 'gpt-5', '2026-03-01T10:00:00.000Z', 500, 500, 0, 0, 0, 1000, 5000000, 5000000, 'reported'),
                       ('g2', 'codex', 'ses-2', 'openai', 'gpt-5', '2026-03-01T10:01:00.000Z', 600, 500, 0, 0, 0, 1100, 5000000, 5000000, 'reported'),
                       ('g3', 'codex', 'ses-2', 'openai', 'gpt-5', '2026-03-01T10:02:00.000Z', 700, 500, 0, 0, 0, 1200, 5000000, 5000000, 'reported'),
                       ('g4', 'codex', 'ses-2', 'openai', 'gpt-5', '2026-03-01T10:03:00.000Z', 800, 500, 0, 0, 0, 1300, 5000000, 5000000, 'reported'),
                       ('g5', 'codex', 'ses-2', 'openai', 'gpt-5', '2026-03-01T10:04:00.000Z', 900, 500, 0, 0, 0, 1400, 5000000, 5000000, 'reported'),
                       ('g6', 'codex', 'ses-2', 'openai', 'gpt-5', '2026-03-02T10:00:00.000Z', 1000, 500, 0, 0, 0, 1500, 5000000, 5000000, 'reported'),
                       ('g7', 'codex', 'ses-2', 'openai', 'gpt-5', '2026-03-02T10:01:00.000Z', 1100, 500, 0, 0, 0, 1600, 5000000, 5000000, 'reported'),
                       ('g8', 'codex', 'ses-2', 'openai', 'gpt-5', '2026-03-02T10:02:00.000Z', 1200, 500, 0, 0, 0, 1700, 5000000, 5000000, 'reported'),
                       ('g9', 'codex', 'ses-2', 'openai', 'gpt-5', '2026-03-02T10:03:00.000Z', 1300, 500, 0, 0, 0, 1800, 5000000, 5000000, 'reported'),
                       ('g10', 'codex', 'ses-2', 'openai', 'gpt-5', '2026-03-02T10:04:00.000Z', 99500, 500, 0, 0, 0, 100000, 130000000, 130000000, 'reported'),
                       ('s1', 'opencode', 'ses-1', 'anthropic', 'claude-sonnet-4-5', '2026-03-03T10:00:00.000Z',
                        150000, 2000, 0, 60000, 0, 212000, 498000000, 498000000, 'reported'),
                       ('s2', 'opencode', 'ses-1', 'anthropic', 'claude-sonnet-4-5', '2026-03-03T10:01:00.000Z',
                        1000, 70000, 0, 0, 0, 71000, 1053000000, 1053000000, 'reported'),
                       ('s3', 'opencode', 'ses-1', 'anthropic', 'claude-sonnet-4-5', '2026-03-03T10:02:00.000Z',
                        1000, 1000, 120000, 0, 0, 122000, 1818000000, 1818000000, 'reported'),
                       ('s4', 'opencode', 'ses-1', 'anthropic', 'claude-sonnet-4-5', '2026-03-03T10:03:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 0, 0, 'reported'),
                       ('s5', 'opencode', 'ses-1', 'anthropic', 'claude-sonnet-4-5', '2026-03-03T10:04:00.000Z',
                        1000, 500, 0, 0, 0, 1700, 10500000, 10500000, 'reported'),
                       ('s6', 'opencode', 'ses-1', 'anthropic', 'claude-sonnet-4-5', '2026-03-03T10:05:00.000Z',
                        2000, 800, 0, 30000, 5000, 37800, 45000000, 45000000, 'reported'),
                       ('a1', 'events', NULL, 'acme', 'acme-internal-7b', '2026-03-04T10:00:00.000Z',
                        120000, 1000, NULL, NULL, NULL, 121000, NULL, NULL, NULL),
                       ('a2', 'events', NULL, 'acme', 'acme-internal-7b', '2026-03-04T10:01:00.000Z',
                        NULL, NULL, NULL, NULL, NULL, 200000, NULL, NULL, NULL),
                       ('a3', 'events', NULL, 'acme', 'acme-internal-7b', '2026-03-04T10:02:00.000Z',
                        1000, 500, NULL, NULL, NULL, 1500, NULL, NULL, NULL),
                       ('k1', 'opencode', NULL, 'opencode', 'grok-code', '2026-03-05T10:00:00.000Z',
                        90000, 2000, 0, 0, 0, 92000, 0, 0, 'reported');
                """)
    }

    /// One of each token-data problem: a root session whose stored rollup is 0 (its calls and
    /// its sub-agent's have 4,500 tokens), two total-only calls, a zero total with splits (and one the ingest took from the splits), a total
    /// that is not the sum of its splits, a call without a model, an unpriced model, a part and a
    /// message whose parents are placeholders, a duplicated call under two ids, and three
    /// rejected records.
    public static let audit = Fixture(
        "audit", "Token-data problems: a zero root rollup, total-only and inconsistent totals, orphans, a duplicate, rejections."
    ) { db in
        try db.execute(
            sql: """
                INSERT INTO pricing (id, model, provider, input_per_mtok, output_per_mtok, source, created_at)
                VALUES (1, 'claude-sonnet-4-5', 'anthropic', 3, 15, 'snapshot', '2026-01-01T00:00:00.000Z'),
                       (2, 'gpt-5', 'openai', 1.25, 10, 'snapshot', '2026-01-01T00:00:00.000Z');
                INSERT INTO sessions (id, source, parent_id, started_at, rollup_total_tokens, rollup_cost_nanos, rollup_origin, attributes)
                VALUES ('ses-zero', 'opencode', NULL, '2026-03-01T09:00:00.000Z', 0, 0, 'source', NULL),
                       ('ses-zero-kid', 'opencode', 'ses-zero', '2026-03-01T10:30:00.000Z', NULL, NULL, NULL, NULL),
                       ('ses-ok', 'claude', NULL, '2026-03-03T09:00:00.000Z', 3000, 20000000, 'derived', NULL),
                       ('ses-ghost', 'opencode', NULL, NULL, NULL, NULL, NULL, '{"placeholder":true}');
                INSERT INTO messages (id, session_id, role, created_at, attributes)
                VALUES ('msg-ghost', 'ses-ok', 'assistant', '2026-03-03T09:00:00.000Z', '{"placeholder":true}'),
                       ('msg-lost', 'ses-ghost', 'user', '2026-03-03T09:00:00.000Z', NULL);
                INSERT INTO parts (id, message_id, session_id, ordinal, type) VALUES ('prt-1', 'msg-ghost', 'ses-ok', 0, 'text');
                INSERT INTO calls (id, source, session_id, provider, model, started_at, input_tokens, output_tokens,
                                   reasoning_tokens, cache_read_tokens, cache_write_tokens, total_tokens,
                                   reported_cost_nanos, cost_nanos, cost_source)
                VALUES ('z1', 'opencode', 'ses-zero', 'anthropic', 'claude-sonnet-4-5', '2026-03-01T10:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 10500000, 10500000, 'reported'),
                       ('z2', 'opencode', 'ses-zero-kid', 'anthropic', 'claude-sonnet-4-5', '2026-03-01T11:00:00.000Z',
                        2000, 1000, 0, 0, 0, 3000, 21000000, 21000000, 'reported'),
                       ('t1', 'events', NULL, 'openai', 'gpt-5', '2026-03-02T10:00:00.000Z',
                        NULL, NULL, NULL, NULL, NULL, 5000, NULL, NULL, NULL),
                       ('t2', 'events', NULL, 'openai', 'gpt-5', '2026-03-02T11:00:00.000Z',
                        NULL, NULL, NULL, NULL, NULL, 4000, 30000000, 30000000, 'reported'),
                       ('zt', 'autopack', NULL, 'openai', 'gpt-5', '2026-03-02T12:00:00.000Z',
                        100, 50, NULL, NULL, NULL, 0, NULL, NULL, NULL),
                       ('zs', 'autopack', NULL, 'openai', 'gpt-5', '2026-03-02T12:30:00.000Z',
                        300, 200, NULL, NULL, NULL, 500, NULL, NULL, NULL),
                       ('mm', 'events', NULL, 'openai', 'gpt-5', '2026-03-02T13:00:00.000Z',
                        1000, 500, 0, 0, 0, 1600, NULL, NULL, NULL),
                       ('nm', 'events', NULL, NULL, NULL, '2026-03-02T14:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, NULL, NULL, NULL),
                       ('dup1', 'claude', 'ses-ok', 'anthropic', 'claude-sonnet-4-5', '2026-03-03T10:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 10000000, 10000000, 'reported'),
                       ('dup2', 'claude', 'ses-ok', 'anthropic', 'claude-sonnet-4-5', '2026-03-03T10:00:00.000Z',
                        1000, 500, 0, 0, 0, 1500, 10000000, 10000000, 'reported'),
                       ('a1', 'events', NULL, 'acme', 'acme-internal-7b', '2026-03-03T11:00:00.000Z',
                        1000, 500, NULL, NULL, NULL, 1500, NULL, NULL, NULL);
                UPDATE calls SET attributes = '{"run_id":"r1","total_from_splits":true}' WHERE id = 'zs';
                INSERT INTO rejected_records (source, path, line, key, reason, raw, at)
                VALUES ('claude', '/logs/a.jsonl', 7, NULL, 'not valid JSON: Unexpected end of file', '{"type":', '2026-03-04T00:00:00.000Z'),
                       ('opencode', '/s/msg.json', NULL, 'msg_1', 'not valid JSON: Unexpected end of file', '{', '2026-03-04T00:00:00.000Z'),
                       ('events', '/logs/e.jsonl', 3, NULL, 'invalid token count output_tokens: negative (-350)', '{}', '2026-03-04T00:00:00.000Z');
                """)
    }

    /// Broken references no foreign key guards: exchange traces pointing at a missing call and a
    /// missing part, a derive-queue entry for a missing session, a ledger that counts two
    /// rejections of a file with one in `rejected_records`; and two allowed ones (a delegation to
    /// a session not indexed, a run summary without its run folder).
    public static let broken = Fixture(
        "broken", "Orphan traces, a stale derive queue and a wrong ledger count; a delegation and a summary without parents."
    ) { db in
        try db.execute(
            sql: """
                INSERT INTO sessions (id, source, started_at) VALUES ('s1', 'opencode', '2026-03-01T09:00:00.000Z');
                INSERT INTO messages (id, session_id, role, created_at) VALUES ('m1', 's1', 'assistant', '2026-03-01T09:00:00.000Z');
                INSERT INTO parts (id, message_id, session_id, ordinal, type) VALUES ('p1', 'm1', 's1', 0, 'tool');
                INSERT INTO tool_calls (part_id, tool, status, child_session_id) VALUES ('p1', 'task', 'completed', 'ses-sub');
                INSERT INTO exchanges (id, session_id, ordinal, user_message_id) VALUES ('e1', 's1', 0, NULL);
                INSERT INTO exchange_traces (exchange_id, ordinal, kind, part_id, call_id)
                VALUES ('e1', 0, 'step_finish', NULL, 'call-gone'), ('e1', 1, 'tool_call', 'prt-gone', NULL),
                       ('e1', 2, 'tool_call', 'p1', NULL);
                INSERT INTO derive_queue (session_id) VALUES ('ses-gone');
                INSERT INTO ingest_files (path, source, records, rejected, status, indexed_at)
                VALUES ('/logs/a.jsonl', 'claude', 10, 2, 'partial', '2026-03-02T00:00:00.000Z'),
                       ('/logs/b.jsonl', 'claude', 5, 0, 'indexed', '2026-03-02T00:00:00.000Z');
                INSERT INTO rejected_records (source, path, line, reason, raw, at)
                VALUES ('claude', '/logs/a.jsonl', 3, 'not valid JSON', '{', '2026-03-02T00:00:00.000Z');
                INSERT INTO workflow_summaries (run_id, status, stored_cost_nanos) VALUES ('run-x', 'completed', 1000000);
                """)
    }
}
