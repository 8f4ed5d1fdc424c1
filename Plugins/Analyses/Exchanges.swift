import Foundation
import GRDB
import TallyKit

/// `exchanges --session ID`: each user prompt of a session with the work it caused: tokens, cost,
/// duration, tool calls and delegations to sub-agents.
public enum Exchanges: Analysis {
    public static let name = "exchanges"
    public static let summary = "Each user prompt of a session with its tokens, cost, duration, tools and delegations."
    public static let discussion = """
        An exchange is one user prompt and all assistant work until the next prompt (the derived \
        exchanges and exchange_traces tables). Tokens and cost are summed from the session's calls in \
        that window in the chosen --cost-mode (not read from stored sums); duration_ms runs from the \
        prompt to the exchange's last message; tool_calls counts its tool calls, delegations those \
        that started a sub-agent session, and subagent_cost_usd is the cost of those sub-agent sessions \
        and all their descendants. exchange numbers the prompts from 1; prompt is the first line of the \
        prompt, at most 80 characters. --since/--until select prompts by their time.

        Columns: exchange, started_at, prompt, calls, input_tokens, output_tokens, reasoning_tokens, \
        cache_read_tokens, cache_write_tokens, total_tokens, cost_usd, duration_ms, tool_calls, \
        delegations, subagent_cost_usd.
        """
    public static let parameters = [
        Parameter("session", .string, help: "The session whose prompts to list (its id).", required: true),
        Parameter("since", .date, help: "Only prompts at or after this date (inclusive)."),
        Parameter("until", .date, help: "Only prompts before this date (exclusive)."),
    ] + CallFilter.parameters.filter { $0.name == "cost-mode" }
    public static let examples = [
        Example("exchanges --session ses-oc", "Two prompts; the first delegated to a sub-agent.", fixture: "tools", expected: """
            exchange,started_at,prompt,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,duration_ms,tool_calls,delegations,subagent_cost_usd
            1,2026-03-10T10:00:00.000Z,Add a cache,2,3000,600,0,22000,0,25600,0.12,30000,5,1,0.05
            2,2026-03-10T10:05:00.000Z,Run the tests,1,0,0,0,0,0,5000,,60000,2,0,0
            """),
        Example("exchanges --session ses-oc --since 2026-03-10T10:01:00Z", "Prompts from a time on.",
                fixture: "tools", expected: """
            exchange,started_at,prompt,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,duration_ms,tool_calls,delegations,subagent_cost_usd
            2,2026-03-10T10:05:00.000Z,Run the tests,1,0,0,0,0,0,5000,,60000,2,0,0
            """),
        Example("exchanges --session ses-cl", "A Claude response written over three lines.", fixture: "tools", expected: """
            exchange,started_at,prompt,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,duration_ms,tool_calls,delegations,subagent_cost_usd
            1,2026-03-10T11:00:00.000Z,Explain the parser,1,4000,400,0,0,0,4400,0.03,7000,2,0,0
            """),
        Example("exchanges --session ses-oc --since 2026-03-11", "No prompts in range: no rows, and a note.",
                fixture: "tools", expected: """
            exchange,started_at,prompt,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,duration_ms,tool_calls,delegations,subagent_cost_usd
            """),
        Example("exchanges --session ses-nope", "An unknown session is an error.", fixture: "tools", expected: """
            error: exchanges: no session 'ses-nope' (`top-sessions` and `cost-by-session` list session ids)
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let db = context.db
        let session = arguments.string("session") ?? ""
        guard try Bool.fetchOne(db, SQLRequest(literal: "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = \(session))")) == true else {
            throw UsageError("exchanges: no session '\(session)' (`top-sessions` and `cost-by-session` list session ids)")
        }
        let filter = CallFilter(arguments)
        var calls = filter
        (calls.since, calls.until) = (nil, nil)
        let usage = try ModelUsage.fetch(db, filter: calls, groupBy: exchangeOfCall, where: "c.session_id = \(session)")
        let own = Dictionary(uniqueKeysWithValues: ModelUsage.byGroup(usage).map { ($0.group ?? "", $0) })
        var delegated: [Int64: Int64?] = [:]  // no row: no call behind the delegations; NULL: all unpriced
        for row in try Row.fetchAll(db, delegatedCost(session, cost: calls.costColumn)) { delegated[row[0]] = .some(row[1]) }
        var inRange: [SQL] = ["e.session_id = \(session)"]
        if let since = filter.since { inRange.append("e.started_at >= \(Timestamps.iso(since))") }
        if let until = filter.until { inRange.append("e.started_at < \(Timestamps.iso(until))") }
        let exchanges = try Row.fetchAll(
            db,
            SQLRequest(literal: """
                SELECT e.ordinal, e.started_at, e.prompt, e.tool_call_count, e.delegation_count,
                  CAST(round((julianday(e.ended_at) - julianday(e.started_at)) * 86400000) AS INTEGER)
                FROM exchanges e WHERE \(inRange.joined(separator: " AND ")) ORDER BY e.ordinal
                """))
        let rows: [[Value]] = exchanges.map { e in
            let ordinal: Int64 = e[0]
            let u = own[String(ordinal)] ?? .zero()
            let splits = [u.inputTokens, u.outputTokens, u.reasoningTokens, u.cacheReadTokens, u.cacheWriteTokens, u.totalTokens]
            return [.integer(ordinal + 1), .string(e[1]), .string((e[2] as String?).map(headline))] + [.integer(u.calls)]
                + splits.map(Value.integer)
                + [.usd(u.shownCostNanos), (e[5] as Int64?).map(Value.integer) ?? .null, .integer(e[3]), .integer(e[4]),
                   .usd(delegated[ordinal] ?? 0)]
        }
        let columns = [Column("exchange", .integer), Column("started_at", .timestamp), Column("prompt", .text)]
            + ModelUsage.breakdownColumns.prefix(7)
            + [Column("cost_usd", .money), Column("duration_ms", .integer), Column("tool_calls", .integer),
               Column("delegations", .integer), Column("subagent_cost_usd", .money)]
        var notes: [String] = []
        if rows.isEmpty {
            notes.append("No prompts of session \(session)" + (filter.given.isEmpty ? "." : " match \(filter.given)."))
        } else {
            notes = ModelUsage.notes(usage.filter { $0.group != nil }, mode: filter.costMode)
        }
        if let early = own[""], early.calls > 0 {
            notes.append("\(NumberFormat.grouped(early.calls)) call\(early.calls == 1 ? " of this session comes" : "s of this session come") "
                + "before its first prompt: in no exchange.")
        }
        return ResultSet(columns: columns, rows: rows, notes: notes, chart: Chart(kind: .bar, label: "exchange", value: "cost_usd"))
    }
}

private extension Exchanges {
    /// The ordinal of a call's exchange: the session's latest prompt at or before the call (the
    /// window rule of `Derivations.rebuildExchanges`); NULL before the first prompt.
    static let exchangeOfCall: SQL = """
        (SELECT e.ordinal FROM exchanges e WHERE e.session_id = c.session_id AND e.started_at <= c.started_at
         ORDER BY e.started_at DESC, e.ordinal DESC LIMIT 1)
        """

    /// Per exchange ordinal with a call behind its delegations: the summed cost of the sessions
    /// they started and all their descendants (NULL when every such call is unpriced).
    static func delegatedCost(_ session: String, cost: SQL) -> SQLRequest<Row> {
        """
        WITH RECURSIVE delegated(ordinal, id) AS (
          SELECT e.ordinal, t.child_session_id FROM exchanges e JOIN exchange_traces t ON t.exchange_id = e.id
          WHERE e.session_id = \(session) AND t.child_session_id IS NOT NULL
          UNION
          SELECT d.ordinal, s.id FROM sessions s JOIN delegated d ON s.parent_id = d.id
        )
        SELECT d.ordinal, sum(\(cost)) FROM delegated d JOIN calls c ON c.session_id = d.id GROUP BY d.ordinal
        """
    }

    /// The first line of a prompt, at most 80 characters (an ellipsis marks a cut).
    static func headline(_ prompt: String) -> String {
        let line = prompt.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 80 ? String(line.prefix(79)) + "…" : line
    }
}
