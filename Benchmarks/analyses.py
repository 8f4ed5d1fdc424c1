#!/usr/bin/env python3
"""Every named analysis over a million calls, as agents make them (issues 4 and 5).

Usage:
    python3 Benchmarks/analyses.py TALLY_BINARY DATABASE LITELLM_JSON [--runs R] [--only NAME...] [--interleaved]

Builds DATABASE when it does not exist, shaped like agent sessions rather than independent rows:
20 projects; 100,000 sessions over 180 days (70,000 roots, 30,000 sub-agents of a root of the same
project), each with one model of twelve and one agent; 10 calls per session, 90 seconds apart
from the session's start; one assistant message per call with a step-finish part, and a tool part
(500,000 tool calls of six tools, 5 % failed) on every other message; 4 % of calls total-only, a
quarter with a reported cost. With --interleaved: 1,000,000 calls of 1,000 sessions that all share
every quarter hour (see build_interleaved). `tally pricing import LITELLM_JSON` then prices every call (the
CostEngine path). Then runs each analysis R times (default 5) in one `tally -c` process with
`.timer on` and prints the minimum and median of SQLite's "Run Time: real" per analysis.
Python 3 standard library only.
"""

import argparse
import importlib.util
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time

def _cost_by_model():
    """The twelve real model names (and the build) of cost-by-model.py, the sibling benchmark."""
    spec = importlib.util.spec_from_file_location("cost_by_model", os.path.join(os.path.dirname(__file__), "cost-by-model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MODELS = _cost_by_model().MODELS
AGENTS = ["build", "plan", "general", "explore"]
TOOLS = ["read", "edit", "bash", "grep", "glob", "task"]

# (label, invocation); the session for `exchanges` is filled in after the build.
ANALYSES = [
    ("cost-by-model", "cost-by-model"),
    ("cost-by-model --since --until", "cost-by-model --since 2026-02-01 --until 2026-03-01"),
    ("cost-trend --by day", "cost-trend --by day"),
    ("cost-trend --by week", "cost-trend --by week"),
    ("cost-by-agent", "cost-by-agent"),
    ("cost-by-project", "cost-by-project"),
    ("cost-by-session", "cost-by-session"),
    ("top-sessions --limit 20", "top-sessions --limit 20"),
    ("cost-by-tool", "cost-by-tool"),
    ("exchanges --session", "exchanges --session s050001"),
    ("cache-efficiency", "cache-efficiency"),
    ("cache-efficiency --by day", "cache-efficiency --by day"),
    ("anomalies", "anomalies"),
    ("suspicious-tokens", "suspicious-tokens"),
    ("stale-costs", "stale-costs"),
    ("token-audit", "token-audit"),
    ("pricing-coverage", "pricing-coverage"),
]


def prelude(source):
    """The start of both builds' script: a transaction without foreign keys, the temporary
    models, agents and tools tables the inserts join, and 20 projects of `source`."""
    models = ", ".join(f"({i}, '{m}', {('NULL' if p is None else repr(p))})" for i, (m, p) in enumerate(MODELS))
    agents = ", ".join(f"({i}, '{a}')" for i, a in enumerate(AGENTS))
    tools = ", ".join(f"({i}, '{t}')" for i, t in enumerate(TOOLS))
    return f"""
        PRAGMA foreign_keys = OFF;
        BEGIN;
        CREATE TEMP TABLE models (k INTEGER PRIMARY KEY, model TEXT, provider TEXT);
        INSERT INTO models VALUES {models};
        CREATE TEMP TABLE agents (k INTEGER PRIMARY KEY, agent TEXT);
        INSERT INTO agents VALUES {agents};
        CREATE TEMP TABLE tools (k INTEGER PRIMARY KEY, tool TEXT);
        INSERT INTO tools VALUES {tools};
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
        INSERT INTO projects (id, source, name) SELECT printf('prj%02d', i), '{source}', printf('project-%02d', i) FROM n;
        """


def build(tally, db, litellm):
    subprocess.run([tally, "--db", db, "-c", "tables"], check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    con = sqlite3.connect(db)
    con.executescript(prelude("opencode") + f"""
        -- Session i: roots 1..70000, sub-agents 70001..100000 (parent i - 70000, same project).
        CREATE TEMP TABLE s AS
          WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
          SELECT i, printf('s%06d', i) AS id, printf('prj%02d', (CASE WHEN i > 70000 THEN i - 70000 ELSE i END) % 20 + 1) AS project,
            CASE WHEN i > 70000 THEN printf('s%06d', i - 70000) END AS parent,
            -- start: spread over 180 days, sub-agents a minute after their parent
            (CASE WHEN i > 70000 THEN i - 70000 ELSE i END) * 7919 % 15552000 + (i > 70000) * 60 AS start,
            i * 31 % 12 AS model, i % 4 AS agent
          FROM n;
        INSERT INTO sessions (id, source, project_id, parent_id, title, started_at)
        SELECT id, 'opencode', project, parent, 'session ' || i,
          strftime('%Y-%m-%dT%H:%M:%S.000Z', '2026-01-01', '+' || start || ' seconds') FROM s;
        -- Call j of session i (j = 0..9): id c<i>-<j>, message m<i>-<j>.
        CREATE TEMP TABLE k AS
          WITH RECURSIVE j(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM j WHERE j < 9)
          SELECT s.*, j.j, s.i * 10 + j.j AS x,
            strftime('%Y-%m-%dT%H:%M:%S.000Z', '2026-01-01', '+' || (s.start + j.j * 90) || ' seconds') AS at
          FROM s, j;
        INSERT INTO messages (id, session_id, role, created_at, completed_at, provider, model, agent)
        SELECT 'm' || substr(k.id, 2) || '-' || k.j, k.id, 'assistant', k.at, k.at, m.provider, m.model, a.agent
        FROM k JOIN models m ON m.k = k.model JOIN agents a ON a.k = k.agent;
        INSERT INTO parts (id, message_id, session_id, ordinal, type, created_at)
        SELECT 'pt' || substr(k.id, 2) || '-' || k.j, 'm' || substr(k.id, 2) || '-' || k.j, k.id, 0, 'tool', k.at
        FROM k WHERE k.j % 2 = 0;
        INSERT INTO parts (id, message_id, session_id, ordinal, type, created_at)
        SELECT 'pf' || substr(k.id, 2) || '-' || k.j, 'm' || substr(k.id, 2) || '-' || k.j, k.id, 1, 'step-finish', k.at
        FROM k;
        INSERT INTO tool_calls (part_id, tool, status, started_at, ended_at, duration_ms)
        SELECT 'pt' || substr(k.id, 2) || '-' || k.j, t.tool, CASE WHEN k.x % 20 = 0 THEN 'error' ELSE 'completed' END,
          k.at, k.at, k.x * 37 % 5000
        FROM k JOIN tools t ON t.k = k.x % 6 WHERE k.j % 2 = 0;
        INSERT INTO calls (id, source, session_id, message_id, project_id, provider, model, agent, started_at,
                           input_tokens, output_tokens, reasoning_tokens, cache_read_tokens, cache_write_tokens,
                           total_tokens, reported_cost_nanos)
        SELECT 'pf' || substr(k.id, 2) || '-' || k.j, 'opencode', k.id, 'm' || substr(k.id, 2) || '-' || k.j, k.project,
          m.provider, m.model, a.agent, k.at,
          CASE WHEN k.x % 25 = 0 THEN NULL ELSE k.x * 37 % 25000 END,
          CASE WHEN k.x % 25 = 0 THEN NULL ELSE k.x * 13 % 8000 END,
          CASE WHEN k.x % 25 = 0 THEN NULL ELSE k.x % 3 * 500 END,
          CASE WHEN k.x % 25 = 0 THEN NULL ELSE k.x * 101 % 150000 END,
          CASE WHEN k.x % 25 = 0 THEN NULL ELSE k.x * 17 % 40000 END,
          CASE WHEN k.x % 25 = 0 THEN 10000
               ELSE k.x * 37 % 25000 + k.x * 13 % 8000 + k.x % 3 * 500 + k.x * 101 % 150000 + k.x * 17 % 40000 END,
          CASE WHEN k.x % 4 = 0 THEN k.x * 1000 % 900000000 END
        FROM k JOIN models m ON m.k = k.model JOIN agents a ON a.k = k.agent;
        COMMIT;
    """)
    con.close()
    print(f"built {db} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    subprocess.run([tally, "--db", db, "pricing", "import", litellm], check=True)
    print(f"pricing import + repricing 1,000,000 calls: {time.perf_counter() - started:.2f} s (end to end)")


def build_interleaved(tally, db, litellm):
    """1,000,000 calls over 90 days in 1,000 root sessions (20 projects) whose calls interleave:
    call i belongs to session i * 7919 % 1000, so every quarter hour holds calls of hundreds of
    sessions (as when a pipeline's workers share a clock). No messages or tool calls."""
    subprocess.run([tally, "--db", db, "-c", "tables"], check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    con = sqlite3.connect(db)
    con.executescript(prelude("events") + f"""
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)
        INSERT INTO sessions (id, source, project_id, title, started_at)
        SELECT printf('w%04d', i), 'events', printf('prj%02d', i % 20 + 1), 'worker ' || i, '2026-01-01T00:00:00.000Z' FROM n;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
        INSERT INTO calls (id, source, session_id, project_id, provider, model, agent, started_at,
                           input_tokens, output_tokens, reasoning_tokens, cache_read_tokens, cache_write_tokens,
                           total_tokens, reported_cost_nanos)
        SELECT 'e' || i, 'events', printf('w%04d', i * 7919 % 1000), printf('prj%02d', i * 7919 % 1000 % 20 + 1),
          m.provider, m.model, a.agent,
          strftime('%Y-%m-%dT%H:%M:%S.000Z', '2026-01-01', '+' || (i * 7776 / 1000) || ' seconds'),
          CASE WHEN i % 25 = 0 THEN NULL ELSE i * 37 % 25000 END,
          CASE WHEN i % 25 = 0 THEN NULL ELSE i * 13 % 8000 END,
          CASE WHEN i % 25 = 0 THEN NULL ELSE i % 3 * 500 END,
          CASE WHEN i % 25 = 0 THEN NULL ELSE i * 101 % 150000 END,
          CASE WHEN i % 25 = 0 THEN NULL ELSE i * 17 % 40000 END,
          CASE WHEN i % 25 = 0 THEN 10000
               ELSE i * 37 % 25000 + i * 13 % 8000 + i % 3 * 500 + i * 101 % 150000 + i * 17 % 40000 END,
          CASE WHEN i % 4 = 0 THEN i * 1000 % 900000000 END
        FROM n JOIN models m ON m.k = i * 31 % 12 JOIN agents a ON a.k = i % 4;
        COMMIT;
    """)
    con.close()
    print(f"built {db} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    subprocess.run([tally, "--db", db, "pricing", "import", litellm], check=True)
    print(f"pricing import + repricing 1,000,000 calls: {time.perf_counter() - started:.2f} s (end to end)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tally")
    parser.add_argument("database")
    parser.add_argument("litellm_json")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--interleaved", action="store_true",
                        help="build the interleaved shape (1,000 sessions sharing every quarter hour) instead")
    args = parser.parse_args()
    if not os.path.exists(args.database):
        (build_interleaved if args.interleaved else build)(args.tally, args.database, args.litellm_json)
    for label, invocation in ANALYSES:
        if args.only and label.split()[0] not in args.only:
            continue
        command = [args.tally, "--db", args.database, "-c", ".timer on"]
        for _ in range(args.runs):
            command += ["-c", invocation + " --format csv"]
        out = subprocess.run(command, capture_output=True, text=True)
        times = [float(t) for t in re.findall(r"Run Time: real ([0-9.]+)", out.stdout + out.stderr)]
        if len(times) < args.runs:
            print(f"{label:32} failed: {(out.stderr or out.stdout).strip()[:200]}")
            continue
        times = times[-args.runs:]
        print(f"{label:32} min {min(times) * 1000:6.0f} ms   median {statistics.median(times) * 1000:6.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
