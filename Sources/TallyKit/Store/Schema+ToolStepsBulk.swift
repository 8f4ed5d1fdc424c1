import Foundation
import GRDB

// MARK: - tool_steps during a bulk load

/// Queues `tool_steps` sessions set-wise for the rows the indexer inserts, instead of the
/// `*_tool_steps_insert` triggers: each inserted part, message, call, tool call and session ran
/// two or three `INSERT … SELECT` into `tool_steps_queue` (5–16 % of an index run's CPU).
///
/// The insert triggers are dropped inside the caller's transaction and created again from their
/// stored SQL by ``finish()`` (the drop commits only with the re-creation). The update and delete
/// triggers stay: replacing a file still goes through them. For the rows it wrote, the writer
/// hands ``queue(sessions:messages:calls:parts:)`` their ids, and it queues what the insert triggers would have queued, or
/// more (a session too many is only recomputed; one too few would leave stale rows):
/// - the sessions of the records, their parents and the placeholders made for them;
/// - the sessions of every part of the records' messages (a new message, call or step-finish
///   part changes the steps of its message's tool calls, whatever their session);
/// - the sessions of `tool_steps` rows whose step is one of the calls or whose tool call is
///   one of the parts.
public final class ToolStepsBulk {
    let db: Database
    private let triggers: [String]

    /// Suspends the insert triggers; nil when the schema has none (a database before v3).
    public init?(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT name, sql FROM main.sqlite_master
            WHERE type = 'trigger' AND name GLOB '*_tool_steps_insert' ORDER BY name
            """)
        guard !rows.isEmpty else { return nil }
        self.db = db
        triggers = rows.map { $0["sql"] }
        for row in rows {
            try db.execute(sql: "DROP TRIGGER main.\((row["name"] as String).quotedDatabaseIdentifier)")
        }
    }

    /// Queues the sessions whose steps the rows just written may have changed, given the ids
    /// they hold: sessions (with parents and placeholders), messages (of messages, parts and
    /// calls), calls and parts. Call it after writing them, in the same transaction.
    public func queue(sessions: Set<String>, messages: Set<String>, calls: [String], parts: [String]) throws {
        guard !sessions.isEmpty || !messages.isEmpty || !calls.isEmpty else { return }
        // No tool_steps row yet (events have no tool calls): no step or tool call to look up.
        let steps = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM tool_steps)") ?? false
        func json(_ ids: some Sequence<String>) -> String { JSONValue.array(ids.map(JSONValue.string)).jsonText }
        try db.cachedStatement(sql: """
            INSERT INTO tool_steps_queue (session_id)
            SELECT value FROM json_each(?1)
            UNION SELECT p.session_id FROM parts p WHERE p.message_id IN (SELECT value FROM json_each(?2))
            UNION SELECT t.session_id FROM tool_steps t WHERE t.step_id IN (SELECT value FROM json_each(?3))
            UNION SELECT t.session_id FROM tool_steps t WHERE t.part_id IN (SELECT value FROM json_each(?4))
            """
        ).execute(arguments: [json(sessions.sorted()), json(messages.sorted()), steps ? json(calls) : "[]", steps ? json(parts) : "[]"])
    }

    /// Creates the insert triggers again.
    public func finish() throws {
        for sql in triggers { try db.execute(sql: sql) }
    }
}
