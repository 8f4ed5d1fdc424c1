import Foundation
import GRDB

/// The Tally database schema: every table, constraint and index, created by named migrations.
///
/// Conventions every writer and analysis relies on:
///
/// - **Money** is `INTEGER` nano-dollars (`*_nanos`, 1 USD = 1_000_000_000), so sums are exact.
///   Virtual `*_usd` columns (`nanos / 1e9`) exist for plain SQL; `usd()` and `nanos()` convert.
/// - **Timestamps** are canonical ISO-8601 UTC text with milliseconds, fixed width
///   (`2026-03-05T10:02:11.123Z`, made by ``timestamp(_:)``), so text order is time order and
///   `started_at >= '2026-03-01'` works. A `CHECK` rejects anything else.
/// - **Tokens** use the canonical kinds of SPEC §6. A split column is NULL when the source gave
///   only a total; `total_tokens` is never NULL, equals the sum of the splits when all five are
///   known, and is never below the sum of those that are.
/// - **JSON** columns are `TEXT` checked with `json_valid`; NULL means absent (spelled out as
///   `x IS NULL OR json_valid(x)`: `json_valid(NULL)` is 0 in SQLite 3.40).
/// - **Keys** are the sources' own ids (`TEXT`). Writers prefix ids that are not globally unique
///   (an `llm_usage_events` row id, a hashed event) with the source.
/// - **Foreign keys** are all `DEFERRABLE INITIALLY DEFERRED`: a transaction may insert children
///   before their parents, and a violation fails its `COMMIT`. Only pure ownership cascades on
///   delete (a part's detail rows, derived exchanges and traces, a run's cost records); deleting
///   a session, message or project that still has children fails, so upsert (`ON CONFLICT DO
///   UPDATE`), never `INSERT OR REPLACE`.
/// - Constraints use built-in SQL only: the file opens in a plain `sqlite3` (3.37+, `STRICT`).
public enum Schema {
    /// `PRAGMA application_id` of a Tally database: "TALY" in ASCII.
    public static let applicationID: Int32 = 0x54414C59

    /// The name of the newest migration.
    public static let currentVersion = "v4"

    /// The append-only list of migrations. Never edit a released migration: add the next one.
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in try v1(db) }
        migrator.registerMigration("v2") { db in try v2(db) }
        migrator.registerMigration("v3") { db in try v3(db) }
        migrator.registerMigration("v4") { db in try v4(db) }
        return migrator
    }

    /// `GLOB` pattern of a canonical timestamp: `YYYY-MM-DDTHH:MM:SS.sssZ`.
    /// Migration v1 writes it into its `CHECK`s: changing it needs a new migration.
    public static let timestampPattern =
        "[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9]Z"

    /// `CHECK` clause for a timestamp column (NULL passes: add `NOT NULL` where required).
    private static func isTimestamp(_ column: String) -> String {
        "CHECK (\(column) GLOB '\(timestampPattern)')"
    }

    /// SQL that reverts a migration, by its name, for `migrate down` (`SchemaMigrations`). A
    /// migration without an entry here cannot be reverted. v1, the first release, has none:
    /// reverting it would drop every table.
    public static var downSteps: [String: String] { ["v2": v2Down, "v3": v3Down, "v4": v4Down] }
}

// MARK: - v1

extension Schema {
    private static func v1(_ db: Database) throws {
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        try createSources(db)
        try createCalls(db)
        try createParts(db)
        try createExchanges(db)
        try createWorkflows(db)
        try createPricing(db)
        try createBookkeeping(db)
    }

    private static func createSources(_ db: Database) throws {
        try db.execute(sql: """
            -- A project (working directory, repository) that sessions belong to.
            CREATE TABLE projects (
                id          TEXT NOT NULL PRIMARY KEY,   -- the source's id: OpenCode projectID, Claude slug, Gemini hash
                source      TEXT,
                name        TEXT,
                directory   TEXT,
                created_at  TEXT \(isTimestamp("created_at")),
                attributes  TEXT CHECK (attributes IS NULL OR json_valid(attributes))
            ) STRICT;

            -- One agent conversation; sub-agent sessions point to their parent (a tree).
            -- The rollup_* columns are stored totals over the session and all its descendants.
            -- They may go stale; `backfill rollups` recomputes them from calls. NULL = not computed.
            CREATE TABLE sessions (
                id           TEXT NOT NULL PRIMARY KEY,  -- the source's own session id
                source       TEXT NOT NULL,
                project_id   TEXT REFERENCES projects(id) DEFERRABLE INITIALLY DEFERRED,
                parent_id    TEXT REFERENCES sessions(id) DEFERRABLE INITIALLY DEFERRED,
                title        TEXT,
                agent        TEXT,
                directory    TEXT,
                version      TEXT,
                started_at   TEXT \(isTimestamp("started_at")),
                updated_at   TEXT \(isTimestamp("updated_at")),
                archived_at  TEXT \(isTimestamp("archived_at")),
                source_path  TEXT,
                rollup_input_tokens        INTEGER CHECK (rollup_input_tokens >= 0),
                rollup_output_tokens       INTEGER CHECK (rollup_output_tokens >= 0),
                rollup_reasoning_tokens    INTEGER CHECK (rollup_reasoning_tokens >= 0),
                rollup_cache_read_tokens   INTEGER CHECK (rollup_cache_read_tokens >= 0),
                rollup_cache_write_tokens  INTEGER CHECK (rollup_cache_write_tokens >= 0),
                rollup_total_tokens        INTEGER CHECK (rollup_total_tokens >= 0),
                rollup_cost_nanos          INTEGER CHECK (rollup_cost_nanos >= 0),
                rollup_cost_usd            REAL GENERATED ALWAYS AS (rollup_cost_nanos / 1e9) VIRTUAL,
                rollup_message_count       INTEGER CHECK (rollup_message_count >= 0),
                rollup_tool_call_count     INTEGER CHECK (rollup_tool_call_count >= 0),
                rollup_duration_ms         INTEGER CHECK (rollup_duration_ms >= 0),
                -- 'source': the rollup_* values are the source's own stored totals (kept as given,
                -- possibly stale); 'derived': computed by Tally from the calls; NULL: none yet.
                rollup_origin              TEXT CHECK (rollup_origin IN ('source', 'derived')),
                attributes   TEXT CHECK (attributes IS NULL OR json_valid(attributes)),
                CHECK (parent_id <> id)
            ) STRICT;
            CREATE INDEX sessions_by_parent ON sessions(parent_id);
            CREATE INDEX sessions_by_project ON sessions(project_id);
            CREATE INDEX sessions_by_started_at ON sessions(started_at);
            CREATE INDEX sessions_by_source_path ON sessions(source_path);

            -- One message of a session. Usage lives in calls, not here.
            CREATE TABLE messages (
                id            TEXT NOT NULL PRIMARY KEY,  -- OpenCode msg_ id, Claude line uuid, ...
                session_id    TEXT NOT NULL REFERENCES sessions(id) DEFERRABLE INITIALLY DEFERRED,
                role          TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
                parent_id     TEXT,                       -- the message answered; may point outside the index
                created_at    TEXT NOT NULL \(isTimestamp("created_at")),
                completed_at  TEXT \(isTimestamp("completed_at")),
                provider      TEXT,
                model         TEXT,
                agent         TEXT,
                mode          TEXT,
                finish        TEXT,
                error         TEXT CHECK (error IS NULL OR json_valid(error)),
                source_path   TEXT,
                source_line   INTEGER CHECK (source_line >= 1),
                attributes    TEXT CHECK (attributes IS NULL OR json_valid(attributes))
            ) STRICT;
            CREATE INDEX messages_by_session ON messages(session_id, created_at);
            CREATE INDEX messages_by_source_path ON messages(source_path);
            """)
    }

    private static func createCalls(_ db: Database) throws {
        try db.execute(sql: """
            -- One LLM API request: an OpenCode step-finish, a Claude message.id + requestId, a Codex
            -- token_count event, a Gemini message, an event row. Split tokens are NULL when the
            -- source gave only a total ("total-only"); total_tokens never is.
            CREATE TABLE calls (
                id                     TEXT NOT NULL PRIMARY KEY,  -- the source key, de-duplicated
                source                 TEXT NOT NULL,
                session_id             TEXT REFERENCES sessions(id) DEFERRABLE INITIALLY DEFERRED,
                message_id             TEXT REFERENCES messages(id) DEFERRABLE INITIALLY DEFERRED,
                project_id             TEXT REFERENCES projects(id) DEFERRABLE INITIALLY DEFERRED,
                provider               TEXT,
                model                  TEXT,
                agent                  TEXT,
                started_at             TEXT NOT NULL \(isTimestamp("started_at")),
                completed_at           TEXT \(isTimestamp("completed_at")),
                input_tokens           INTEGER CHECK (input_tokens >= 0),        -- uncached input
                output_tokens          INTEGER CHECK (output_tokens >= 0),       -- excluding reasoning
                reasoning_tokens       INTEGER CHECK (reasoning_tokens >= 0),
                cache_read_tokens      INTEGER CHECK (cache_read_tokens >= 0),
                cache_write_tokens     INTEGER CHECK (cache_write_tokens >= 0),  -- all cache writes
                cache_write_1h_tokens  INTEGER CHECK (cache_write_1h_tokens >= 0), -- of which 1-hour
                total_tokens           INTEGER NOT NULL CHECK (total_tokens >= 0),
                reported_cost_nanos    INTEGER CHECK (reported_cost_nanos >= 0),  -- the source's own cost
                computed_cost_nanos    INTEGER CHECK (computed_cost_nanos >= 0),  -- tokens x pricing_id
                cost_nanos             INTEGER CHECK (cost_nanos >= 0),           -- the one used; NULL = unpriced
                cost_source            TEXT CHECK (cost_source IN ('computed', 'reported')),
                pricing_id             INTEGER REFERENCES pricing(id) DEFERRABLE INITIALLY DEFERRED,
                cost_fallback          INTEGER NOT NULL DEFAULT 0 CHECK (cost_fallback IN (0, 1)), -- a cache price fell back
                -- 1: an OpenCode message's own (last-step) tokens, kept only while the message has no
                -- step-finish calls (the indexer removes it once they exist).
                message_fallback       INTEGER NOT NULL DEFAULT 0 CHECK (message_fallback IN (0, 1)),
                reported_cost_usd      REAL GENERATED ALWAYS AS (reported_cost_nanos / 1e9) VIRTUAL,
                computed_cost_usd      REAL GENERATED ALWAYS AS (computed_cost_nanos / 1e9) VIRTUAL,
                cost_usd               REAL GENERATED ALWAYS AS (cost_nanos / 1e9) VIRTUAL,
                source_path            TEXT,
                source_line            INTEGER CHECK (source_line >= 1),
                attributes             TEXT CHECK (attributes IS NULL OR json_valid(attributes)),
                CONSTRAINT cache_write_1h_within_cache_write CHECK (
                    cache_write_1h_tokens IS NULL
                    OR (cache_write_tokens IS NOT NULL AND cache_write_1h_tokens <= cache_write_tokens)),
                -- No CHECK ties total_tokens to the splits: a source whose total disagrees with
                -- its splits is kept as given, for token-audit and suspicious-tokens to report.
                CONSTRAINT cost_matches_source CHECK (CASE cost_source
                    WHEN 'computed' THEN computed_cost_nanos IS NOT NULL AND cost_nanos IS computed_cost_nanos
                    WHEN 'reported' THEN reported_cost_nanos IS NOT NULL AND cost_nanos IS reported_cost_nanos
                    ELSE cost_nanos IS NULL END),
                CHECK (computed_cost_nanos IS NULL OR pricing_id IS NOT NULL)
            ) STRICT;
            CREATE INDEX calls_by_session ON calls(session_id);
            CREATE INDEX calls_by_model ON calls(model);
            CREATE INDEX calls_by_started_at ON calls(started_at);
            CREATE INDEX calls_by_message ON calls(message_id);
            CREATE INDEX calls_by_project ON calls(project_id);
            CREATE INDEX calls_by_pricing ON calls(pricing_id);
            CREATE INDEX calls_by_source_path ON calls(source_path);
            """)
    }

    private static func createParts(_ db: Database) throws {
        try db.execute(sql: """
            -- One part of a message (text, reasoning, file, tool, step-start, step-finish, snapshot,
            -- patch, agent, subtask, retry, compaction, ...). data keeps the source object; the
            -- tables below hold what analyses query, keyed by the part.
            CREATE TABLE parts (
                id          TEXT NOT NULL PRIMARY KEY,
                message_id  TEXT NOT NULL REFERENCES messages(id) DEFERRABLE INITIALLY DEFERRED,
                session_id  TEXT NOT NULL REFERENCES sessions(id) DEFERRABLE INITIALLY DEFERRED,
                ordinal     INTEGER NOT NULL CHECK (ordinal >= 0),  -- position within the message
                type        TEXT NOT NULL,
                created_at  TEXT \(isTimestamp("created_at")),
                data        TEXT CHECK (data IS NULL OR json_valid(data)),
                source_path TEXT  -- the file it was read from: a changed file's rows are replaced
            ) STRICT;
            CREATE INDEX parts_by_message ON parts(message_id, ordinal);
            CREATE INDEX parts_by_session ON parts(session_id);
            CREATE INDEX parts_by_source_path ON parts(source_path);

            -- A tool invocation (a part of type tool). child_session_id names the sub-agent session a
            -- delegation (task tool) started; it may not be indexed (yet), so it is no foreign key.
            CREATE TABLE tool_calls (
                part_id           TEXT NOT NULL PRIMARY KEY
                                  REFERENCES parts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                call_id           TEXT,  -- the provider's tool-call id
                tool              TEXT NOT NULL,
                status            TEXT CHECK (status IN ('pending', 'running', 'completed', 'error')),
                input             TEXT CHECK (input IS NULL OR json_valid(input)),
                output            TEXT,
                title             TEXT,
                metadata          TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
                started_at        TEXT \(isTimestamp("started_at")),
                ended_at          TEXT \(isTimestamp("ended_at")),
                duration_ms       INTEGER CHECK (duration_ms >= 0),
                child_session_id  TEXT
            ) STRICT;
            CREATE INDEX tool_calls_by_tool ON tool_calls(tool);
            CREATE INDEX tool_calls_by_child_session ON tool_calls(child_session_id);

            -- A file a part touched (patch files, edit/write tool targets).
            CREATE TABLE file_operations (
                id         INTEGER PRIMARY KEY,
                part_id    TEXT NOT NULL REFERENCES parts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                path       TEXT NOT NULL,
                operation  TEXT,  -- edit, write, patch, read, ...
                additions  INTEGER CHECK (additions >= 0),
                deletions  INTEGER CHECK (deletions >= 0)
            ) STRICT;
            CREATE INDEX file_operations_by_part ON file_operations(part_id);

            -- An error of a part, message or session. payload is always valid JSON: a payload
            -- that was not JSON is kept as {"raw": "..."}.
            CREATE TABLE errors (
                id          INTEGER PRIMARY KEY,
                part_id     TEXT REFERENCES parts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                message_id  TEXT REFERENCES messages(id) DEFERRABLE INITIALLY DEFERRED,
                session_id  TEXT REFERENCES sessions(id) DEFERRABLE INITIALLY DEFERRED,
                name        TEXT,
                payload     TEXT NOT NULL CHECK (json_valid(payload))
            ) STRICT;
            CREATE INDEX errors_by_part ON errors(part_id);
            CREATE INDEX errors_by_message ON errors(message_id);
            CREATE INDEX errors_by_session ON errors(session_id);

            -- Reasoning text (a part of type reasoning, a Claude thinking block, Gemini thoughts).
            CREATE TABLE thinking_blocks (
                part_id     TEXT NOT NULL PRIMARY KEY
                            REFERENCES parts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                text        TEXT,
                started_at  TEXT \(isTimestamp("started_at")),
                ended_at    TEXT \(isTimestamp("ended_at"))
            ) STRICT;

            -- Text of a part of type text; synthetic = inserted by the agent, not typed or generated.
            CREATE TABLE text_parts (
                part_id    TEXT NOT NULL PRIMARY KEY
                           REFERENCES parts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                text       TEXT,
                synthetic  INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1))
            ) STRICT;
            """)
    }

    private static func createExchanges(_ db: Database) throws {
        try db.execute(sql: """
            -- Derived: one user prompt and all assistant work until the next prompt. Rebuilt from
            -- messages, parts and calls after each ingest batch; token sums count NULL splits as 0.
            CREATE TABLE exchanges (
                id                  TEXT NOT NULL PRIMARY KEY,
                session_id          TEXT NOT NULL
                                    REFERENCES sessions(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                ordinal             INTEGER NOT NULL CHECK (ordinal >= 0),
                user_message_id     TEXT,
                prompt              TEXT,
                started_at          TEXT \(isTimestamp("started_at")),
                ended_at            TEXT \(isTimestamp("ended_at")),
                call_count          INTEGER NOT NULL DEFAULT 0 CHECK (call_count >= 0),
                input_tokens        INTEGER NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
                output_tokens       INTEGER NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
                reasoning_tokens    INTEGER NOT NULL DEFAULT 0 CHECK (reasoning_tokens >= 0),
                cache_read_tokens   INTEGER NOT NULL DEFAULT 0 CHECK (cache_read_tokens >= 0),
                cache_write_tokens  INTEGER NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0),
                total_tokens        INTEGER NOT NULL DEFAULT 0 CHECK (total_tokens >= 0),
                cost_nanos          INTEGER CHECK (cost_nanos >= 0),
                cost_usd            REAL GENERATED ALWAYS AS (cost_nanos / 1e9) VIRTUAL,
                tool_call_count     INTEGER NOT NULL DEFAULT 0 CHECK (tool_call_count >= 0),
                delegation_count    INTEGER NOT NULL DEFAULT 0 CHECK (delegation_count >= 0),
                UNIQUE (session_id, ordinal)
            ) STRICT;

            -- Derived: the ordered events inside an exchange. call_id is a calls.id (step_finish);
            -- part_id the part behind the event; child_session_id the delegated session.
            CREATE TABLE exchange_traces (
                id                INTEGER PRIMARY KEY,
                exchange_id       TEXT NOT NULL
                                  REFERENCES exchanges(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                ordinal           INTEGER NOT NULL CHECK (ordinal >= 0),
                kind              TEXT NOT NULL
                                  CHECK (kind IN ('reasoning', 'tool_call', 'step_finish', 'delegation', 'text', 'error')),
                part_id           TEXT,
                call_id           TEXT,
                child_session_id  TEXT,
                at                TEXT \(isTimestamp("at")),
                detail            TEXT CHECK (detail IS NULL OR json_valid(detail)),
                UNIQUE (exchange_id, ordinal)
            ) STRICT;
            """)
    }

    private static func createWorkflows(_ db: Database) throws {
        try db.execute(sql: """
            -- A workflow run from its source folder (run.json): an issue worked by a chain of agents.
            CREATE TABLE workflow_runs (
                run_id        TEXT NOT NULL PRIMARY KEY,
                issue_number  INTEGER,
                workflow      TEXT,
                status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
                started_at    TEXT \(isTimestamp("started_at")),
                updated_at    TEXT \(isTimestamp("updated_at")),
                source_path   TEXT
            ) STRICT;

            -- One LLM call of a run (a costs.jsonl line): the source of truth for the run's cost.
            -- Costs as in calls.
            CREATE TABLE workflow_cost_records (
                id                   INTEGER PRIMARY KEY,
                run_id               TEXT NOT NULL
                                     REFERENCES workflow_runs(run_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                line                 INTEGER NOT NULL CHECK (line >= 1),
                at                   TEXT \(isTimestamp("at")),
                agent                TEXT,
                model                TEXT,
                input_tokens         INTEGER CHECK (input_tokens >= 0),
                output_tokens        INTEGER CHECK (output_tokens >= 0),
                reasoning_tokens     INTEGER CHECK (reasoning_tokens >= 0),
                cache_read_tokens    INTEGER CHECK (cache_read_tokens >= 0),
                cache_write_tokens   INTEGER CHECK (cache_write_tokens >= 0),
                total_tokens         INTEGER NOT NULL CHECK (total_tokens >= 0),
                reported_cost_nanos  INTEGER CHECK (reported_cost_nanos >= 0),
                computed_cost_nanos  INTEGER CHECK (computed_cost_nanos >= 0),
                cost_nanos           INTEGER CHECK (cost_nanos >= 0),
                cost_source          TEXT CHECK (cost_source IN ('computed', 'reported')),
                pricing_id           INTEGER REFERENCES pricing(id) DEFERRABLE INITIALLY DEFERRED,
                cost_fallback        INTEGER NOT NULL DEFAULT 0 CHECK (cost_fallback IN (0, 1)),
                reported_cost_usd    REAL GENERATED ALWAYS AS (reported_cost_nanos / 1e9) VIRTUAL,
                computed_cost_usd    REAL GENERATED ALWAYS AS (computed_cost_nanos / 1e9) VIRTUAL,
                cost_usd             REAL GENERATED ALWAYS AS (cost_nanos / 1e9) VIRTUAL,
                attributes           TEXT CHECK (attributes IS NULL OR json_valid(attributes)),
                source_path          TEXT,
                UNIQUE (run_id, line),
                -- Totals are kept as the source gave them (see calls).
                CONSTRAINT cost_matches_source CHECK (CASE cost_source
                    WHEN 'computed' THEN computed_cost_nanos IS NOT NULL AND cost_nanos IS computed_cost_nanos
                    WHEN 'reported' THEN reported_cost_nanos IS NOT NULL AND cost_nanos IS reported_cost_nanos
                    ELSE cost_nanos IS NULL END),
                CHECK (computed_cost_nanos IS NULL OR pricing_id IS NOT NULL)
            ) STRICT;

            -- The stored, possibly stale summary of a run (a workflow_history row), kept as found so
            -- stale-costs can compare it with the source records. No foreign key: a summary may
            -- have no run folder. cached_tokens = cache writes, cache_hit_tokens = cache reads.
            CREATE TABLE workflow_summaries (
                run_id                    TEXT NOT NULL PRIMARY KEY,  -- workflow_history.adw_id
                issue_number              INTEGER,
                status                    TEXT NOT NULL
                                          CHECK (status IN ('pending', 'running', 'completed', 'failed')),
                stored_cost_nanos         INTEGER CHECK (stored_cost_nanos >= 0),
                stored_cost_usd           REAL GENERATED ALWAYS AS (stored_cost_nanos / 1e9) VIRTUAL,
                input_tokens              INTEGER CHECK (input_tokens >= 0),
                cached_tokens             INTEGER CHECK (cached_tokens >= 0),
                cache_hit_tokens          INTEGER CHECK (cache_hit_tokens >= 0),
                cache_miss_tokens         INTEGER CHECK (cache_miss_tokens >= 0),
                output_tokens             INTEGER CHECK (output_tokens >= 0),
                total_tokens              INTEGER CHECK (total_tokens >= 0),
                cache_efficiency_percent  REAL,
                cost_breakdown            TEXT CHECK (cost_breakdown IS NULL OR json_valid(cost_breakdown)),
                updated_at                TEXT \(isTimestamp("updated_at")),
                source_path               TEXT
            ) STRICT;
            """)
    }

    private static func createPricing(_ db: Database) throws {
        try db.execute(sql: """
            -- A model's price per million tokens (USD) over [effective_from, effective_to).
            -- NULL effective_from: undated (snapshot, import), valid until a dated price supersedes it.
            -- NULL cache prices: unknown (the Pricer falls back and flags cost_fallback).
            -- Above a tier threshold (prompt = input + cache_read + cache_write), the *_above prices
            -- apply to the whole call.
            CREATE TABLE pricing (
                id                          INTEGER PRIMARY KEY,
                model                       TEXT NOT NULL,
                provider                    TEXT,
                input_per_mtok              REAL NOT NULL CHECK (input_per_mtok >= 0),
                output_per_mtok             REAL NOT NULL CHECK (output_per_mtok >= 0),
                reasoning_per_mtok          REAL CHECK (reasoning_per_mtok >= 0),  -- NULL: output price
                cache_read_per_mtok         REAL CHECK (cache_read_per_mtok >= 0),
                cache_write_per_mtok        REAL CHECK (cache_write_per_mtok >= 0),
                cache_write_1h_per_mtok     REAL CHECK (cache_write_1h_per_mtok >= 0),
                tier_threshold_tokens       INTEGER CHECK (tier_threshold_tokens > 0),
                input_above_per_mtok        REAL CHECK (input_above_per_mtok >= 0),
                output_above_per_mtok       REAL CHECK (output_above_per_mtok >= 0),
                cache_read_above_per_mtok   REAL CHECK (cache_read_above_per_mtok >= 0),
                cache_write_above_per_mtok  REAL CHECK (cache_write_above_per_mtok >= 0),
                max_input_tokens            INTEGER CHECK (max_input_tokens > 0),
                max_output_tokens           INTEGER CHECK (max_output_tokens > 0),
                effective_from              TEXT \(isTimestamp("effective_from")),
                effective_to                TEXT \(isTimestamp("effective_to")),
                source                      TEXT,  -- snapshot, litellm, user
                created_at                  TEXT NOT NULL \(isTimestamp("created_at")),
                CHECK (effective_to > effective_from),
                CHECK (tier_threshold_tokens IS NOT NULL
                       OR coalesce(input_above_per_mtok, output_above_per_mtok,
                                   cache_read_above_per_mtok, cache_write_above_per_mtok) IS NULL)
            ) STRICT;
            -- One price per model, provider and start (NULLs compare equal here).
            CREATE UNIQUE INDEX pricing_by_model
                ON pricing(model, coalesce(provider, ''), coalesce(effective_from, ''));

            -- Another name for a priced model (matched after name normalisation).
            CREATE TABLE model_aliases (
                alias     TEXT NOT NULL PRIMARY KEY,
                model     TEXT NOT NULL,
                provider  TEXT,
                source    TEXT
            ) STRICT;
            """)
    }

    private static func createBookkeeping(_ db: Database) throws {
        try db.execute(sql: """
            -- Every cost or token value a command changed (SPEC §5).
            CREATE TABLE cost_audit_log (
                id         INTEGER PRIMARY KEY,
                entity     TEXT NOT NULL,  -- table name: calls, workflow_summaries, sessions, ...
                entity_id  TEXT NOT NULL,
                field      TEXT NOT NULL,
                old_value  ANY,
                new_value  ANY,
                reason     TEXT,
                command    TEXT NOT NULL,
                at         TEXT NOT NULL \(isTimestamp("at"))
            ) STRICT;
            CREATE INDEX cost_audit_log_by_entity ON cost_audit_log(entity, entity_id);

            -- The ingest ledger: one row per source file (or database) read.
            CREATE TABLE ingest_files (
                path          TEXT NOT NULL PRIMARY KEY,
                source        TEXT,
                size          INTEGER CHECK (size >= 0),
                mtime_ns      INTEGER,
                content_hash  TEXT,
                records       INTEGER NOT NULL DEFAULT 0 CHECK (records >= 0),
                rejected      INTEGER NOT NULL DEFAULT 0 CHECK (rejected >= 0),
                status        TEXT NOT NULL CHECK (status IN ('indexed', 'partial', 'failed')),
                indexed_at    TEXT NOT NULL \(isTimestamp("indexed_at"))
            ) STRICT;

            -- Quarantine: records that could not be indexed, with the raw text (a blob when it
            -- was not valid UTF-8).
            CREATE TABLE rejected_records (
                id      INTEGER PRIMARY KEY,
                source  TEXT,
                path    TEXT NOT NULL,
                line    INTEGER CHECK (line >= 1),
                key     TEXT,
                reason  TEXT NOT NULL,
                raw     ANY CHECK (typeof(raw) IN ('text', 'blob', 'null')),
                at      TEXT NOT NULL \(isTimestamp("at"))
            ) STRICT;
            CREATE INDEX rejected_records_by_path ON rejected_records(path);

            -- Sessions whose derived data (exchanges, traces, derived rollups) must be rebuilt: filled
            -- in the same transaction as the records, emptied when the rebuild commits, so a crash
            -- between the two leaves the work for the next run.
            CREATE TABLE derive_queue (
                session_id  TEXT NOT NULL PRIMARY KEY
            ) STRICT, WITHOUT ROWID;

            -- The indexer lock (one row at most): a second indexer waits, a stale heartbeat is taken over.
            CREATE TABLE ingest_lock (
                id            INTEGER PRIMARY KEY CHECK (id = 1),
                pid           INTEGER NOT NULL,
                host          TEXT NOT NULL,
                started_at    TEXT NOT NULL \(isTimestamp("started_at")),
                heartbeat_at  TEXT NOT NULL \(isTimestamp("heartbeat_at"))
            ) STRICT;
            """)
    }
}
