#!/bin/sh
# Times `backfill rollups` over 100,000 sessions (70,000 roots, 30,000 sub-agents), 1,000,000
# calls, 400,000 messages and 100,000 tool calls, every stored rollup planted as a stale zero:
# a dry run, the repairing run (every row changed and audited), and the idempotent second run.
#
#   make release && sh Benchmarks/backfill-rollups.sh .build/release/tally /tmp/backfill-bench.db
set -eu
TALLY=${1:?usage: backfill-rollups.sh TALLY_BINARY DATABASE}
DB=${2:?usage: backfill-rollups.sh TALLY_BINARY DATABASE}
rm -f "$DB" "$DB-wal" "$DB-shm"
"$TALLY" --db "$DB" tables > /dev/null  # creates the schema
sqlite3 "$DB" <<'SQL'
PRAGMA foreign_keys = OFF;
BEGIN;
INSERT INTO projects (id, source) VALUES ('p', 'bench');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO sessions (id, source, project_id, parent_id, started_at, rollup_input_tokens, rollup_output_tokens,
  rollup_reasoning_tokens, rollup_cache_read_tokens, rollup_cache_write_tokens, rollup_total_tokens, rollup_cost_nanos,
  rollup_origin)
SELECT printf('s%06d', i), 'bench', 'p', CASE WHEN i > 70000 THEN printf('s%06d', i - 70000) END,
  '2026-03-01T00:00:00.000Z', 0, 0, 0, 0, 0, 0, 0, 'source' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000)
INSERT INTO messages (id, session_id, role, created_at, completed_at)
SELECT printf('m%07d', i), printf('s%06d', (i % 100000) + 1), CASE WHEN i % 2 THEN 'assistant' ELSE 'user' END,
  '2026-03-01T00:00:00.000Z', '2026-03-01T00:00:02.500Z' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO parts (id, message_id, session_id, ordinal, type)
SELECT printf('p%07d', i), printf('m%07d', i), printf('s%06d', (i % 100000) + 1), 0, 'tool' FROM n;
INSERT INTO tool_calls (part_id, tool) SELECT id, 'grep' FROM parts;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO calls (id, source, session_id, model, started_at, input_tokens, output_tokens, reasoning_tokens,
  cache_read_tokens, cache_write_tokens, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
SELECT printf('c%07d', i), 'bench', printf('s%06d', (i % 100000) + 1), 'm', '2026-03-01T00:00:00.000Z', i % 1000,
  i % 500, 0, i % 3000, 0, (i % 1000) + (i % 500) + (i % 3000), i * 10, i * 10, 'reported' FROM n;
COMMIT;
SQL
for run in "--dry-run" "" ""; do
  /usr/bin/time -f "backfill rollups $run: %e s wall, %U s user, %S s sys" "$TALLY" --db "$DB" --format csv backfill rollups $run
done
