#!/usr/bin/env python3
"""cost-by-model over a million calls: Tally against the sqlite3 shell on the same file.

Usage:
    python3 Benchmarks/cost-by-model.py TALLY_BINARY DATABASE LITELLM_JSON [--calls N] [--runs R]

Builds DATABASE when it does not exist: `tally` creates the schema, N calls (default 1,000,000)
of twelve real model names over 90 days are inserted with one recursive CTE, and
`tally pricing import LITELLM_JSON` prices them all (timed: that is the CostEngine repricing
every call). Then runs `cost-by-model` R times (default 7) with `.timer on`, and the same
aggregate R times in the `sqlite3` shell, over `calls` and over `call_rollup` (what
`ModelUsage.fetch` reads since schema v2), and prints the minimum and median of each and the
ratios. Python 3 standard library and the sqlite3 shell.
"""

import argparse
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time

MODELS = [
    ("claude-sonnet-4-5", "anthropic"), ("claude-sonnet-4-5-20250929", "anthropic"),
    ("claude-opus-4-5@20251101", "google-vertex-anthropic"), ("claude-haiku-4-5", "anthropic"),
    ("gpt-5", "openai"), ("gpt-5-codex", "openai"), ("gpt-5.1-codex-max", "openai"),
    ("gemini-2.5-pro", "google"), ("gemini-2.5-flash", "google"), ("anthropic/claude-sonnet-4.5", "openrouter"),
    ("acme-internal-7b", None), ("grok-code", "opencode"),
]

# The aggregate cost-by-model runs (ModelUsage.fetch, --cost-mode auto, no filter).
AGGREGATE = """
SELECT NULL AS grp, c.provider, c.model, count(*),
    coalesce(sum(c.input_tokens), 0), coalesce(sum(c.output_tokens), 0),
    coalesce(sum(c.reasoning_tokens), 0), coalesce(sum(c.cache_read_tokens), 0),
    coalesce(sum(c.cache_write_tokens), 0), sum(c.total_tokens),
    sum(c.cost_nanos), sum(c.reported_cost_nanos),
    sum(c.cost_nanos IS NULL), coalesce(sum(CASE WHEN c.cost_nanos IS NULL THEN c.total_tokens END), 0),
    sum(c.input_tokens IS NULL AND c.output_tokens IS NULL AND c.reasoning_tokens IS NULL
        AND c.cache_read_tokens IS NULL AND c.cache_write_tokens IS NULL),
    sum((c.cost_fallback AND c.cost_source = 'computed')), min(c.started_at), max(c.started_at)
FROM calls c
WHERE 1
GROUP BY grp, c.provider, c.model;
"""

# The same aggregate over call_rollup (schema v2), which cost-by-model reads since v2.
ROLLUP_AGGREGATE = """
SELECT NULL AS grp, c.provider, c.model, sum(c.calls), sum(c.input_tokens), sum(c.output_tokens),
    sum(c.reasoning_tokens), sum(c.cache_read_tokens), sum(c.cache_write_tokens), sum(c.total_tokens),
    sum(c.cost_nanos), sum(c.reported_nanos), sum(c.calls) - sum(c.cost_calls), sum(c.cost_unpriced_tokens),
    sum(c.total_only_calls), sum(c.cost_fallback_calls)
FROM call_rollup c
WHERE 1
GROUP BY grp, c.provider, c.model;
"""


def build(tally, db, litellm, calls):
    subprocess.run([tally, "--db", db, "-c", "tables"], check=True, stdout=subprocess.DEVNULL)
    values = ", ".join(f"({i}, '{m}', {('NULL' if p is None else repr(p))})" for i, (m, p) in enumerate(MODELS))
    con = sqlite3.connect(db)
    con.executescript(f"""
        CREATE TEMP TABLE models (k INTEGER PRIMARY KEY, model TEXT, provider TEXT);
        INSERT INTO models VALUES {values};
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {calls})
        INSERT INTO calls (id, source, provider, model, started_at, input_tokens, output_tokens,
                           reasoning_tokens, cache_read_tokens, cache_write_tokens, total_tokens,
                           reported_cost_nanos)
        SELECT 'bench-' || i, 'bench', m.provider, m.model,
               strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || (i * 7919 % 7776000) || ' seconds'),
               CASE WHEN i % 25 = 0 THEN NULL ELSE i * 37 % 250000 END,
               CASE WHEN i % 25 = 0 THEN NULL ELSE i * 13 % 8000 END,
               CASE WHEN i % 25 = 0 THEN NULL ELSE i % 3 * 500 END,
               CASE WHEN i % 25 = 0 THEN NULL ELSE i * 101 % 150000 END,
               CASE WHEN i % 25 = 0 THEN NULL ELSE i * 17 % 40000 END,
               CASE WHEN i % 25 = 0 THEN 10000
                    ELSE i * 37 % 250000 + i * 13 % 8000 + i % 3 * 500 + i * 101 % 150000 + i * 17 % 40000 END,
               CASE WHEN i % 4 = 0 THEN i * 1000 % 900000000 END
        FROM n JOIN models m ON m.k = i % {len(MODELS)};
    """)
    con.commit()
    con.close()
    started = time.perf_counter()
    subprocess.run([tally, "--db", db, "pricing", "import", litellm], check=True)
    print(f"pricing import + repricing {calls:,} calls: {time.perf_counter() - started:.2f} s (end to end)")


def timed(command, runs, stdin=None):
    times = []
    for _ in range(runs):
        out = subprocess.run(command, check=True, capture_output=True, text=True, input=stdin)
        found = re.findall(r"Run Time: real ([0-9.]+)", out.stdout + out.stderr)
        times.append(float(found[-1]))
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tally")
    parser.add_argument("database")
    parser.add_argument("litellm_json")
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not os.path.exists(args.database):
        build(args.tally, args.database, args.litellm_json, args.calls)
    tally = timed([args.tally, "--db", args.database, "-c", ".timer on", "-c", "cost-by-model --format csv"], args.runs)
    shell = timed(["sqlite3", args.database], args.runs, stdin=".timer on\n" + AGGREGATE)
    rollup = timed(["sqlite3", args.database], args.runs, stdin=".timer on\n" + ROLLUP_AGGREGATE)
    for name, t in (("tally cost-by-model       ", tally), ("sqlite3 aggregate (calls) ", shell),
                    ("sqlite3 aggregate (rollup)", rollup)):
        print(f"{name}: min {min(t) * 1000:.0f} ms, median {statistics.median(t) * 1000:.0f} ms")
    for name, t in (("calls", shell), ("rollup", rollup)):
        print(f"ratio to sqlite3 over {name} (median): {statistics.median(tally) / statistics.median(t):.2f}")


if __name__ == "__main__":
    sys.exit(main())
