import Foundation
import GRDB

/// How a session's rollup is computed from the records (SPEC §6: a session's rollup covers its
/// own calls and all its descendants'). One query shared by the indexer's derived rollups
/// (`Derivations`) and `backfill rollups`, so both always agree.
public enum Rollups {
    /// The stored columns, in the order of `computed(tree:)`'s value columns.
    public static let columns: [(column: String, value: String)] = [
        ("rollup_input_tokens", "input"), ("rollup_output_tokens", "output"),
        ("rollup_reasoning_tokens", "reasoning"), ("rollup_cache_read_tokens", "cache_read"),
        ("rollup_cache_write_tokens", "cache_write"), ("rollup_total_tokens", "total"),
        ("rollup_cost_nanos", "cost"), ("rollup_message_count", "messages"),
        ("rollup_tool_call_count", "tools"), ("rollup_duration_ms", "duration"),
    ]

    /// A `SELECT` of one row per root of `tree` (a table of `(root, id)`: each root with itself
    /// and every descendant), with the columns `root` and the values of `columns`.
    ///
    /// Token splits sum NULL as 0 (a total-only call adds to the total alone); the cost is NULL
    /// when no call in the tree has one (unpriced is never $0). Messages are the non-placeholder
    /// messages, the duration the sum of assistant messages' completion times, tool calls the
    /// parts with a `tool_calls` row.
    public static func computed(tree: String) -> String {
        """
        SELECT t.root,
          coalesce(sum(c.input), 0) AS input, coalesce(sum(c.output), 0) AS output,
          coalesce(sum(c.reasoning), 0) AS reasoning, coalesce(sum(c.cache_read), 0) AS cache_read,
          coalesce(sum(c.cache_write), 0) AS cache_write, coalesce(sum(c.total), 0) AS total,
          sum(c.cost) AS cost, coalesce(sum(m.messages), 0) AS messages, coalesce(sum(x.tools), 0) AS tools,
          coalesce(sum(m.duration), 0) AS duration
        FROM \(tree) t
        LEFT JOIN (
          SELECT session_id, sum(input_tokens) AS input, sum(output_tokens) AS output,
            sum(reasoning_tokens) AS reasoning, sum(cache_read_tokens) AS cache_read,
            sum(cache_write_tokens) AS cache_write, sum(total_tokens) AS total, sum(cost_nanos) AS cost
          FROM calls WHERE session_id IN (SELECT id FROM \(tree)) GROUP BY session_id
        ) c ON c.session_id = t.id
        LEFT JOIN (
          SELECT session_id, count(*) AS messages,
            sum(CASE WHEN role = 'assistant' AND completed_at IS NOT NULL
                THEN max(0, CAST(round((julianday(completed_at) - julianday(created_at)) * 86400000) AS INTEGER))
                ELSE 0 END) AS duration
          FROM messages WHERE session_id IN (SELECT id FROM \(tree))
            AND (attributes IS NULL OR json_extract(attributes, '$.placeholder') IS NULL)
          GROUP BY session_id
        ) m ON m.session_id = t.id
        LEFT JOIN (
          SELECT p.session_id, count(*) AS tools FROM parts p JOIN tool_calls tc ON tc.part_id = p.id
          WHERE p.session_id IN (SELECT id FROM \(tree)) GROUP BY p.session_id
        ) x ON x.session_id = t.id
        GROUP BY t.root
        """
    }

    /// SQL creating `temp.NAME(root, id)`: each session `s` where `roots` holds, with itself and
    /// all its descendants, indexed by id.
    static func createTree(_ name: String, roots: String) -> String {
        """
        CREATE TEMP TABLE \(name) AS
        WITH RECURSIVE down(root, id) AS (
          SELECT s.id, s.id FROM sessions s WHERE \(roots)
          UNION
          SELECT down.root, s.id FROM sessions s JOIN down ON s.parent_id = down.id
        )
        SELECT root, id FROM down;
        CREATE INDEX temp.\(name)_by_id ON \(name)(id);
        """
    }
}
