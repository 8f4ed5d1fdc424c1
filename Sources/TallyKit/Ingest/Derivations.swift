import Foundation
import GRDB

/// Data derived from the indexed records, rebuilt set-wise for the sessions in `derive_queue`
/// (ARCHITECTURE.md: "after a batch it refreshes derived data for the sessions it touched").
/// Every step is a pure function of the records, so a rebuild after a crash, or a second run,
/// gives the same rows as one clean run.
public enum Derivations {
    /// Queues sessions for the next rebuild (in the caller's transaction).
    public static func enqueue(_ sessions: some Sequence<String>, in db: Database) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO derive_queue (session_id) VALUES (?) ON CONFLICT DO NOTHING")
        for id in sessions { try statement.execute(arguments: [id]) }
    }

    /// Rebuilds everything derived for the queued sessions, then empties the queue.
    /// Returns how many sessions were rebuilt.
    ///
    /// - Parameter reprice: prices the calls whose model was only now filled in from their
    ///   message (before exchanges and rollups sum their costs).
    @discardableResult
    public static func rebuildQueued(in db: Database, reprice: (RepriceScope) throws -> Void = { _ in }) throws -> Int {
        let queued = try Int.fetchOne(db, sql: "SELECT count(*) FROM derive_queue") ?? 0
        guard queued > 0 else { return 0 }
        try db.execute(
            sql: """
                DROP TABLE IF EXISTS temp.touched;
                CREATE TEMP TABLE touched (id TEXT PRIMARY KEY) WITHOUT ROWID;
                INSERT INTO temp.touched SELECT session_id FROM derive_queue;
                """)
        // The ids stay in SQLite: an OpenCode database of a million records has hundreds of
        // thousands of them.
        try db.execute(
            sql: """
                DROP TABLE IF EXISTS temp.unnamed;
                CREATE TEMP TABLE unnamed (id TEXT PRIMARY KEY) WITHOUT ROWID;
                INSERT INTO temp.unnamed SELECT id FROM calls
                WHERE session_id IN (SELECT id FROM temp.touched) AND model IS NULL AND message_id IS NOT NULL;
                """)
        try fillCallContext(db)
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM temp.unnamed)") == true {
            try reprice(.idsInTemporaryTable("unnamed"))
        }
        try db.execute(sql: "DROP TABLE temp.unnamed")
        try dropSupersededFallbacks(db)
        try rebuildExchanges(db)
        try rebuildRollups(db)
        try db.execute(sql: "DELETE FROM derive_queue; DROP TABLE temp.touched;")
        return queued
    }

    /// OpenCode step-finish parts know their message, not the model: take model, provider and
    /// agent from the message, the project from the session.
    static func fillCallContext(_ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE calls SET
                  model = coalesce(model, (SELECT m.model FROM messages m WHERE m.id = calls.message_id)),
                  provider = coalesce(provider, (SELECT m.provider FROM messages m WHERE m.id = calls.message_id)),
                  agent = coalesce(agent, (SELECT coalesce(m.agent, m.mode) FROM messages m WHERE m.id = calls.message_id)),
                  project_id = coalesce(project_id, (SELECT s.project_id FROM sessions s WHERE s.id = calls.session_id))
                WHERE session_id IN (SELECT id FROM temp.touched)
                  -- Only rows a value can come to: rewriting a row with its own values (an event
                  -- without agent or provider, and no message) cost a tenth of the derive step.
                  AND ((message_id IS NOT NULL AND (model IS NULL OR provider IS NULL OR agent IS NULL))
                       OR (project_id IS NULL
                           AND (SELECT s.project_id FROM sessions s WHERE s.id = calls.session_id) IS NOT NULL))
                """)
        // A part read from its own file does not know its position: number a message's parts
        // by id (OpenCode part ids sort oldest first).
        try db.execute(
            sql: """
                UPDATE parts SET ordinal = r.position
                FROM (
                  SELECT id, row_number() OVER (PARTITION BY message_id ORDER BY id) - 1 AS position
                  FROM parts
                  WHERE message_id IN (
                    SELECT message_id FROM parts WHERE session_id IN (SELECT id FROM temp.touched)
                    GROUP BY message_id HAVING count(*) > 1 AND max(ordinal) = 0)
                ) r
                WHERE parts.id = r.id AND parts.ordinal <> r.position
                """)
    }

    /// FORMATS.md OpenCode trap 1: a message's own tokens describe its last step only; they
    /// count only while the message has no step-finish calls.
    static func dropSupersededFallbacks(_ db: Database) throws {
        try db.execute(
            sql: """
                DELETE FROM calls
                WHERE message_fallback = 1 AND session_id IN (SELECT id FROM temp.touched)
                  AND EXISTS (SELECT 1 FROM calls s WHERE s.message_id = calls.message_id AND s.message_fallback = 0)
                """)
    }

    /// Exchanges: each user prompt and everything until the next prompt of its session (by
    /// time); traces: the ordered events inside (reasoning, tool calls, delegations, text, steps).
    static func rebuildExchanges(_ db: Database) throws {
        try db.execute(
            sql: """
                DELETE FROM exchanges WHERE session_id IN (SELECT id FROM temp.touched);

                -- A prompt is a user message that is not a placeholder.
                CREATE TEMP TABLE windows AS
                SELECT m.session_id, m.id AS user_message_id, m.created_at AS started_at,
                       row_number() OVER w - 1 AS ordinal,
                       lead(m.created_at) OVER w AS next_at
                FROM messages m
                WHERE m.session_id IN (SELECT id FROM temp.touched) AND m.role = 'user'
                  AND (m.attributes IS NULL OR json_extract(m.attributes, '$.placeholder') IS NULL)
                WINDOW w AS (PARTITION BY m.session_id ORDER BY m.created_at, m.id);
                CREATE INDEX temp.windows_by_session ON windows(session_id, started_at);

                INSERT INTO exchanges (id, session_id, ordinal, user_message_id, prompt, started_at, ended_at,
                  call_count, input_tokens, output_tokens, reasoning_tokens, cache_read_tokens, cache_write_tokens,
                  total_tokens, cost_nanos, tool_call_count, delegation_count)
                SELECT w.user_message_id, w.session_id, w.ordinal, w.user_message_id,
                  (SELECT tp.text FROM parts p JOIN text_parts tp ON tp.part_id = p.id
                    WHERE p.message_id = w.user_message_id ORDER BY tp.synthetic, p.ordinal LIMIT 1),
                  w.started_at,
                  (SELECT max(coalesce(m.completed_at, m.created_at)) FROM messages m
                    WHERE m.session_id = w.session_id AND m.created_at >= w.started_at
                      AND (w.next_at IS NULL OR m.created_at < w.next_at)),
                  coalesce(c.calls, 0), coalesce(c.input, 0), coalesce(c.output, 0), coalesce(c.reasoning, 0),
                  coalesce(c.cache_read, 0), coalesce(c.cache_write, 0), coalesce(c.total, 0), c.cost,
                  coalesce(t.tools, 0), coalesce(t.delegations, 0)
                FROM windows w
                LEFT JOIN (
                  SELECT w2.user_message_id AS id, count(*) AS calls, sum(k.input_tokens) AS input,
                    sum(k.output_tokens) AS output, sum(k.reasoning_tokens) AS reasoning,
                    sum(k.cache_read_tokens) AS cache_read, sum(k.cache_write_tokens) AS cache_write,
                    sum(k.total_tokens) AS total, sum(k.cost_nanos) AS cost
                  FROM windows w2 JOIN calls k ON k.session_id = w2.session_id AND k.started_at >= w2.started_at
                    AND (w2.next_at IS NULL OR k.started_at < w2.next_at)
                  GROUP BY w2.user_message_id
                ) c ON c.id = w.user_message_id
                LEFT JOIN (
                  SELECT w3.user_message_id AS id, count(*) AS tools, count(tc.child_session_id) AS delegations
                  FROM windows w3 JOIN messages m ON m.session_id = w3.session_id AND m.created_at >= w3.started_at
                    AND (w3.next_at IS NULL OR m.created_at < w3.next_at)
                  JOIN parts p ON p.message_id = m.id JOIN tool_calls tc ON tc.part_id = p.id
                  GROUP BY w3.user_message_id
                ) t ON t.id = w.user_message_id;

                -- Events: parts of the exchange's messages, and calls that are not step-finish parts.
                INSERT INTO exchange_traces (exchange_id, ordinal, kind, part_id, call_id, child_session_id, at, detail)
                SELECT exchange_id, row_number() OVER (PARTITION BY exchange_id ORDER BY at, seq, tie) - 1,
                       kind, part_id, call_id, child_session_id, at, detail
                FROM (
                  SELECT w.user_message_id AS exchange_id, coalesce(p.created_at, m.created_at) AS at,
                    m.created_at || m.id || printf('%08d', p.ordinal) AS seq, p.id AS tie,
                    CASE
                      WHEN tc.child_session_id IS NOT NULL THEN 'delegation'
                      WHEN tc.part_id IS NOT NULL THEN 'tool_call'
                      WHEN tb.part_id IS NOT NULL THEN 'reasoning'
                      WHEN p.type = 'step-finish' THEN 'step_finish'
                      WHEN tp.part_id IS NOT NULL THEN 'text'
                      ELSE 'error'
                    END AS kind,
                    p.id AS part_id,
                    CASE WHEN p.type = 'step-finish' THEN (SELECT k.id FROM calls k WHERE k.id = p.id) END AS call_id,
                    tc.child_session_id,
                    CASE
                      WHEN tc.part_id IS NOT NULL THEN json_object('tool', tc.tool, 'status', tc.status, 'duration_ms', tc.duration_ms)
                      WHEN p.type = 'step-finish' THEN (SELECT json_object('model', k.model, 'total_tokens', k.total_tokens, 'cost_nanos', k.cost_nanos) FROM calls k WHERE k.id = p.id)
                      WHEN tp.part_id IS NOT NULL AND tp.synthetic = 1 THEN json_object('synthetic', json('true'))
                      WHEN e.payload IS NOT NULL THEN json_object('error', json(e.payload))
                    END AS detail
                  FROM windows w
                  JOIN messages m ON m.session_id = w.session_id AND m.role <> 'user' AND m.created_at >= w.started_at
                    AND (w.next_at IS NULL OR m.created_at < w.next_at)
                  JOIN parts p ON p.message_id = m.id
                  LEFT JOIN tool_calls tc ON tc.part_id = p.id
                  LEFT JOIN thinking_blocks tb ON tb.part_id = p.id
                  LEFT JOIN text_parts tp ON tp.part_id = p.id
                  LEFT JOIN (SELECT part_id, min(payload) AS payload FROM errors WHERE part_id IS NOT NULL GROUP BY part_id) e
                    ON e.part_id = p.id
                  WHERE tc.part_id IS NOT NULL OR tb.part_id IS NOT NULL OR tp.part_id IS NOT NULL
                     OR p.type = 'step-finish' OR e.part_id IS NOT NULL
                  UNION ALL
                  SELECT w.user_message_id, k.started_at, k.started_at || k.id, k.id, 'step_finish', NULL, k.id, NULL,
                    json_object('model', k.model, 'total_tokens', k.total_tokens, 'cost_nanos', k.cost_nanos)
                  FROM windows w
                  JOIN calls k ON k.session_id = w.session_id AND k.started_at >= w.started_at
                    AND (w.next_at IS NULL OR k.started_at < w.next_at)
                  WHERE NOT EXISTS (SELECT 1 FROM parts p WHERE p.id = k.id)
                );

                DROP TABLE temp.windows;
                """)
    }

    /// Derived rollups (own calls plus all descendants'), for sessions whose source stores none;
    /// a source's own rollup is kept as given (it may be stale: `backfill rollups` repairs it).
    static func rebuildRollups(_ db: Database) throws {
        try db.execute(
            sql: """
                -- Touched sessions and all their ancestors: a child's calls count in every root above it.
                CREATE TEMP TABLE affected AS
                WITH RECURSIVE up(id) AS (
                  SELECT id FROM temp.touched
                  UNION
                  SELECT s.parent_id FROM sessions s JOIN up ON s.id = up.id WHERE s.parent_id IS NOT NULL
                )
                SELECT id FROM up;

                \(Rollups.createTree("tree", roots: """
                    s.id IN (SELECT id FROM temp.affected) AND (s.rollup_origin IS NULL OR s.rollup_origin = 'derived')
                    """))

                UPDATE sessions SET
                  \(Rollups.columns.map { "\($0.column) = r.\($0.value)" }.joined(separator: ", ")),
                  rollup_origin = 'derived'
                FROM (\(Rollups.computed(tree: "temp.tree"))) r
                WHERE sessions.id = r.root;

                DROP TABLE temp.tree;
                DROP TABLE temp.affected;
                """)
    }
}
