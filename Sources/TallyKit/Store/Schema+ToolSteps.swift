import Foundation
import GRDB

// MARK: - v3: tool_steps

/// `tool_steps`: one row per tool call with the step (LLM call) that made it, the step's cost and
/// dimensions, and the call's rank among the step's tool calls — what `cost-by-tool` reads, so
/// that it does not look up a step per tool call (correlated subqueries over `parts` and `calls`,
/// seconds on a million calls).
///
/// A step depends on other rows of the tool call's message and session (the next step-finish
/// part, the session's latest call before the tool), so a write cannot always say which rows it
/// changes. Triggers on every input table therefore only queue the sessions a write touches
/// (`tool_steps_queue`), and ``refreshToolSteps(_:)`` recomputes their rows; `Store.write` runs it
/// before each commit. Changes to a step's cost or dimensions (repricing every call, the indexer
/// filling in models) are copied by a trigger directly. Rows of queued sessions are stale until
/// the next refresh: readers check the queue is empty and otherwise compute the steps from the
/// tables (``toolStepRows(scope:)``).
extension Schema {
    /// The columns of `tool_steps` a row of ``toolStepRows(scope:)`` gives, in order (`n` and
    /// `r` are counted over them: ``countedToolStepRows(scope:)``).
    static let toolStepColumns = [
        "tool", "duration_key", "part_id", "session_id", "status", "duration_ms", "started_at", "step_id", "step",
        "model", "project_id", "source", "provider", "cost_nanos", "computed_cost_nanos", "reported_cost_nanos",
        "cost_source", "cost_fallback",
    ]

    /// The step of each tool call whose part matches `scope` (a condition on parts `p`), as
    /// `cost-by-tool` defines it: in a message with step-finish parts, the next step-finish part
    /// after the tool's; else the latest call of the tool's message; else the session's latest call
    /// at or before the tool. With the step's call (`step`, NULL when there is none) and its cost
    /// and dimensions, the session's project and source and the message's provider standing in.
    /// The steps are MATERIALIZED: SQLite otherwise evaluates the lookup once per use.
    public static func toolStepRows(scope: String = "1") -> String {
        """
        WITH steps AS MATERIALIZED (
          SELECT tc.part_id, tc.tool, tc.status, tc.duration_ms, p.session_id, m.provider AS message_provider,
            coalesce(tc.started_at, p.created_at, m.created_at) AS at,
            coalesce(
              (SELECT f.id FROM parts f WHERE f.message_id = p.message_id AND f.ordinal > p.ordinal
                 AND f.type = 'step-finish' ORDER BY f.ordinal LIMIT 1),
              CASE WHEN NOT EXISTS (SELECT 1 FROM parts f WHERE f.message_id = p.message_id AND f.type = 'step-finish')
                THEN coalesce(
                  (SELECT k.id FROM calls k WHERE k.message_id = p.message_id ORDER BY k.started_at DESC, k.id DESC LIMIT 1),
                  (SELECT k.id FROM calls k WHERE k.session_id = p.session_id
                     AND k.started_at <= coalesce(p.created_at, m.created_at)
                   ORDER BY k.started_at DESC, k.id DESC LIMIT 1))
              END) AS step_id
          FROM tool_calls tc
          JOIN parts p ON p.id = tc.part_id
          JOIN messages m ON m.id = p.message_id
          WHERE \(scope)
        )
        SELECT t.tool, coalesce(t.duration_ms, -1) AS duration_key, t.part_id, t.session_id, t.status, t.duration_ms,
          t.at AS started_at, t.step_id, k.id AS step, k.model, coalesce(k.project_id, s.project_id) AS project_id,
          coalesce(k.source, s.source) AS source, coalesce(k.provider, t.message_provider) AS provider,
          k.cost_nanos, k.computed_cost_nanos, k.reported_cost_nanos, k.cost_source, k.cost_fallback
        FROM steps t
        LEFT JOIN calls k ON k.id = t.step_id
        JOIN sessions s ON s.id = t.session_id
        """
    }

    /// The cost columns of a step, copied from `calls` by `calls_tool_steps_copy`.
    static let toolStepCostColumns = ["cost_nanos", "computed_cost_nanos", "reported_cost_nanos", "cost_source", "cost_fallback"]

    static func v3(_ db: Database) throws {
        try db.execute(sql: """
            -- One row per tool call (whose part, message and session exist) with its step: see
            -- Schema+ToolSteps.swift. Ordered by tool and duration (NULL: -1) for cost-by-tool's
            -- grouping and medians. step_id: the step's part or call id; step: its call, when that
            -- exists; n: the step's tool calls, r: this one's rank among them by part id (NULL
            -- without a step). project_id, source, provider: the step's, else the session's
            -- (provider: the message's).
            CREATE TABLE tool_steps (
                tool                 TEXT NOT NULL,
                duration_key         INTEGER NOT NULL,
                part_id              TEXT NOT NULL,
                session_id           TEXT NOT NULL,
                status               TEXT,
                duration_ms          INTEGER,
                started_at           TEXT,
                step_id              TEXT,
                step                 TEXT,
                n                    INTEGER,
                r                    INTEGER,
                model                TEXT,
                project_id           TEXT,
                source               TEXT,
                provider             TEXT,
                cost_nanos           INTEGER,
                computed_cost_nanos  INTEGER,
                reported_cost_nanos  INTEGER,
                cost_source          TEXT,
                cost_fallback        INTEGER,
                PRIMARY KEY (tool, duration_key, part_id)
            ) STRICT, WITHOUT ROWID;
            CREATE UNIQUE INDEX tool_steps_by_part ON tool_steps(part_id);
            CREATE INDEX tool_steps_by_session ON tool_steps(session_id);
            CREATE INDEX tool_steps_by_step ON tool_steps(step_id);

            -- Sessions whose tool_steps rows a write may have changed: filled by the triggers below,
            -- emptied by Schema.refreshToolSteps (Store.write runs it before each commit). A session
            -- may be listed more than once: appending is cheaper than checking.
            CREATE TABLE tool_steps_queue (
                session_id  TEXT NOT NULL
            ) STRICT;
            \(toolStepTriggers())
            """)
        try rebuildToolSteps(db)
    }

    /// `INSERT` appending the sessions `select` gives to the queue. A plain append: an insert
    /// whose `SELECT` reads the queue (to skip sessions already there) or uses `DISTINCT` builds a
    /// temporary table on every row written, which made indexing ten times slower.
    private static func queue(_ select: String) -> String {
        "INSERT INTO tool_steps_queue (session_id) \(select);"
    }

    /// `WHEN` clause: any of `columns` changed.
    private static func changed(_ columns: [String]) -> String {
        columns.map { "old.\($0) IS NOT new.\($0)" }.joined(separator: " OR ")
    }

    /// The triggers: which sessions' steps a write to each input table may change.
    private static func toolStepTriggers() -> String {
        // A step-finish part changes the steps of its message's tool calls; any part its own.
        func part(_ r: String) -> String {
            """
            \(queue("SELECT \(r).session_id"))
            \(queue("""
                SELECT session_id FROM parts
                WHERE \(r).type = 'step-finish' AND message_id = \(r).message_id AND session_id IS NOT \(r).session_id
                """))
            """
        }
        func toolCall(_ r: String) -> String {
            """
            \(queue("SELECT session_id FROM parts WHERE id = \(r).part_id"))
            \(queue("SELECT session_id FROM tool_steps WHERE part_id = \(r).part_id"))
            """
        }
        func message(_ r: String) -> String {
            queue("SELECT session_id FROM parts WHERE message_id = \(r).id")
        }
        // A new call may be the step of tool calls in its message or session, or of those whose
        // step-finish part has its id; a removed call changes only the rows it was the step of.
        func callAdded(_ r: String) -> String {
            """
            \(queue("SELECT \(r).session_id WHERE \(r).session_id IS NOT NULL"))
            \(queue("SELECT session_id FROM parts WHERE message_id = \(r).message_id AND session_id IS NOT \(r).session_id"))
            \(queue("SELECT session_id FROM tool_steps WHERE step_id = \(r).id AND session_id IS NOT \(r).session_id"))
            """
        }
        func callRemoved(_ r: String) -> String {
            queue("SELECT session_id FROM tool_steps WHERE step_id = \(r).id")
        }
        func session(_ r: String) -> String {
            queue("SELECT \(r).id")
        }
        let partInputs = ["id", "message_id", "session_id", "ordinal", "type", "created_at"]
        let toolCallInputs = ["part_id", "tool", "status", "duration_ms", "started_at"]
        let messageInputs = ["id", "created_at", "provider"]
        let callInputs = ["id", "session_id", "message_id", "started_at"]
        let sessionInputs = ["id", "project_id", "source"]
        let copied = ["model", "project_id", "source", "provider"] + toolStepCostColumns
        /// Insert, delete and update triggers on `table` (the update only when one of `inputs` changed).
        func triple(_ table: String, _ inputs: [String], added: (String) -> String, removed: (String) -> String) -> String {
            """
            CREATE TRIGGER \(table)_tool_steps_insert AFTER INSERT ON \(table) BEGIN
            \(added("new"))
            END;
            CREATE TRIGGER \(table)_tool_steps_delete AFTER DELETE ON \(table) BEGIN
            \(removed("old"))
            END;
            CREATE TRIGGER \(table)_tool_steps_update AFTER UPDATE OF \(inputs.joined(separator: ", ")) ON \(table)
            WHEN \(changed(inputs)) BEGIN
            \(removed("old"))
            \(added("new"))
            END;
            """
        }
        return triple("parts", partInputs, added: part, removed: part)
            + triple("tool_calls", toolCallInputs, added: toolCall, removed: toolCall)
            + triple("messages", messageInputs, added: message, removed: message)
            + triple("calls", callInputs, added: callAdded, removed: callRemoved)
            + triple("sessions", sessionInputs, added: session, removed: session)
            + """
            -- A cost or dimension change (repricing, the indexer filling in a step's model) is copied
            -- to the rows the call is the step of, without a refresh.
            CREATE TRIGGER calls_tool_steps_copy AFTER UPDATE OF \(copied.joined(separator: ", ")) ON calls
            WHEN \(changed(copied)) BEGIN
            UPDATE tool_steps SET model = new.model,
              project_id = coalesce(new.project_id, (SELECT s.project_id FROM sessions s WHERE s.id = tool_steps.session_id)),
              source = coalesce(new.source, (SELECT s.source FROM sessions s WHERE s.id = tool_steps.session_id)),
              provider = coalesce(new.provider,
                (SELECT m.provider FROM parts p JOIN messages m ON m.id = p.message_id WHERE p.id = tool_steps.part_id)),
              \(toolStepCostColumns.map { "\($0) = new.\($0)" }.joined(separator: ", "))
              WHERE step_id = new.id AND step = new.id;
            END;
            """
    }

    /// ``toolStepRows(scope:)`` with `n` and `r` counted among the rows it gives (NULL without a
    /// step): all of a step's tool calls when the scope holds its session.
    static func countedToolStepRows(scope: String = "1") -> String {
        """
        SELECT \(toolStepColumns.joined(separator: ", ")),
          iif(step_id IS NULL, NULL, count(*) OVER (PARTITION BY step_id)) AS n,
          iif(step_id IS NULL, NULL, row_number() OVER (PARTITION BY step_id ORDER BY part_id) - 1) AS r
        FROM (\(toolStepRows(scope: scope)))
        """
    }

    /// Recomputes the `tool_steps` rows of the queued sessions and takes them off the queue
    /// (nothing to do when it is empty). `Store.write` runs it before each commit. Sessions also
    /// waiting in `derive_queue` stay queued: the indexer's derivation rewrites their parts'
    /// ordinals and calls' models in the next transaction, and recomputing them twice made
    /// `index` 20 % slower; they are refreshed when that transaction commits.
    public static func refreshToolSteps(_ db: Database) throws {
        guard try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM tool_steps_queue WHERE session_id NOT IN (SELECT session_id FROM derive_queue))
            """) == true
        else { return }
        let refreshed = "(SELECT session_id FROM temp.tool_steps_refreshed)"
        try db.execute(sql: """
            CREATE TEMP TABLE tool_steps_refreshed (session_id TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;
            INSERT OR IGNORE INTO temp.tool_steps_refreshed
              SELECT session_id FROM tool_steps_queue WHERE session_id NOT IN (SELECT session_id FROM derive_queue);
            CREATE TEMP TABLE tool_steps_touched (step_id TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;
            INSERT OR IGNORE INTO temp.tool_steps_touched
              SELECT step_id FROM tool_steps WHERE session_id IN \(refreshed) AND step_id IS NOT NULL;
            DELETE FROM tool_steps WHERE session_id IN \(refreshed);
            INSERT INTO tool_steps (\((toolStepColumns + ["n", "r"]).joined(separator: ", ")))
            \(countedToolStepRows(scope: "p.session_id IN \(refreshed)"));
            INSERT OR IGNORE INTO temp.tool_steps_touched
              SELECT step_id FROM tool_steps WHERE session_id IN \(refreshed) AND step_id IS NOT NULL;
            -- A step with tool calls in a session not refreshed (parts of one message in two
            -- sessions): counted again over all its rows.
            \(recount("""
                step_id IN (SELECT t.step_id FROM temp.tool_steps_touched t
                  WHERE EXISTS (SELECT 1 FROM tool_steps o WHERE o.step_id = t.step_id AND o.session_id NOT IN \(refreshed)))
                """))
            DELETE FROM tool_steps_queue WHERE session_id IN \(refreshed);
            DROP TABLE temp.tool_steps_touched;
            DROP TABLE temp.tool_steps_refreshed;
            """)
    }

    /// Sets `n` and `r` of the steps matching `condition` (on `tool_steps`).
    private static func recount(_ condition: String) -> String {
        """
        UPDATE tool_steps SET n = w.n, r = w.r
        FROM (
          SELECT part_id, count(*) OVER (PARTITION BY step_id) AS n,
            row_number() OVER (PARTITION BY step_id ORDER BY part_id) - 1 AS r
          FROM tool_steps WHERE \(condition)
        ) w
        WHERE tool_steps.part_id = w.part_id;
        """
    }

    /// Recomputes all of `tool_steps` from the tables (the migration fills it this way).
    public static func rebuildToolSteps(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM tool_steps;
            DELETE FROM tool_steps_queue;
            INSERT INTO tool_steps (\((toolStepColumns + ["n", "r"]).joined(separator: ", ")))
            \(countedToolStepRows());
            """)
    }

    /// The rows where `tool_steps` differs from a recomputation from the tables (0 when exact;
    /// refresh first: queued sessions' rows are stale by design).
    public static func toolStepsDifferences(_ db: Database) throws -> Int {
        let all = (toolStepColumns + ["n", "r"]).joined(separator: ", ")
        let fresh = countedToolStepRows()
        return try differences(db, table: "tool_steps", columns: all, fresh: fresh)
    }

    /// `migrate down` from v3: the table, its queue and triggers go; no input table changes.
    static let v3Down = """
        DROP TRIGGER parts_tool_steps_insert;
        DROP TRIGGER parts_tool_steps_delete;
        DROP TRIGGER parts_tool_steps_update;
        DROP TRIGGER tool_calls_tool_steps_insert;
        DROP TRIGGER tool_calls_tool_steps_delete;
        DROP TRIGGER tool_calls_tool_steps_update;
        DROP TRIGGER messages_tool_steps_insert;
        DROP TRIGGER messages_tool_steps_delete;
        DROP TRIGGER messages_tool_steps_update;
        DROP TRIGGER calls_tool_steps_insert;
        DROP TRIGGER calls_tool_steps_delete;
        DROP TRIGGER calls_tool_steps_update;
        DROP TRIGGER calls_tool_steps_copy;
        DROP TRIGGER sessions_tool_steps_insert;
        DROP TRIGGER sessions_tool_steps_delete;
        DROP TRIGGER sessions_tool_steps_update;
        DROP TABLE tool_steps_queue;
        DROP TABLE tool_steps;
        """
}

extension Schema {
    /// True when `tool_steps` holds every tool call's current step: no write waits in its queue.
    public static func toolStepsAreCurrent(_ db: Database) throws -> Bool {
        try db.tableExists("tool_steps_queue")
            && Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM tool_steps_queue)") == true
    }
}
