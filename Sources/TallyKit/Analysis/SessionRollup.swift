import Foundation
import GRDB

/// A root session with the usage of its own calls and of all its descendants' (sub-agents),
/// computed from the calls that pass a filter (SPEC §6: a root's rollup covers its own calls and
/// all descendants'). Never read from `sessions.rollup_*`: those are stored totals that may be
/// stale (`token-audit` and `backfill` deal with them).
public struct SessionRollup: Sendable {
    public var sessionID: String
    public var title: String?
    /// The project's name, else its id: the root's project, else the one most of its own calls
    /// have (ties: the smallest id).
    public var project: String?
    /// The root's start, else its first own call's.
    public var startedAt: String?
    /// The root's own calls. Like every usage here it sums calls, total tokens, cost and what
    /// `ModelUsage.notes` needs; split tokens, reported cost and cache reads above the tier are
    /// 0 (not read from the rollup: a third of a 100,000-session scan).
    public var own: ModelUsage
    /// Calls of all its descendants.
    public var subagents: ModelUsage

    public var total: ModelUsage {
        var sum = own
        sum.add(subagents)
        return sum
    }

    /// The rollups, most expensive first, with what their notes need.
    public struct Result: Sendable {
        public var rollups: [SessionRollup]
        /// Per provider and model, of the calls in some root's tree (for `ModelUsage.notes`).
        public var usage: [ModelUsage]
        /// Calls in no tree: without a session, or in sessions whose parents never reach a root.
        public var unrooted: ModelUsage
    }

    /// One scan of the filtered calls (`ModelUsage.statement`, from the rollup) summed straight
    /// into each root's own or sub-agent sums (`SessionScan`, by the session's bytes); only the first
    /// `limit` rollups (all when nil) get their title, project and start. With 100,000 sessions
    /// the time went to a group (three Strings) per session, then to summing those per root.
    public static func fetch(_ db: Database, filter: CallFilter, limit: Int? = nil) throws -> Result {
        let sessions = try SessionTree.Sessions(db)
        let (statement, rows) = try ModelUsage.statement(db, filter: filter, per: .session, totalsOnly: true)
        let (scan, tree) = try SessionScan.run(db, sessions: sessions, statement: statement, rows: rows)
        let roots = tree.roots
        let slots = scan.slots
        // ModelUsage.costOrder on the totals (cost, rows without one last; then tokens), then id.
        var order: [(cost: Int64, tokens: Int64, root: Int)] = []
        for r in roots.indices where slots[2 * r].calls > 0 || slots[2 * r + 1].calls > 0 {
            var total = slots[2 * r]
            total.add(slots[2 * r + 1])
            order.append((total.costed > 0 ? total.cost : -1, total.total, r))
        }
        order.sort { a, b in
            (a.cost, a.tokens) != (b.cost, b.tokens) ? (a.cost, a.tokens) > (b.cost, b.tokens) : roots[a.root] < roots[b.root]
        }
        var rollups: [SessionRollup] = []
        rollups.reserveCapacity(order.count)
        for (_, _, r) in order {
            var rollup = SessionRollup(
                sessionID: roots[r], title: nil, project: nil, startedAt: nil,
                own: .zero(group: roots[r]), subagents: .zero(group: roots[r]))
            slots[2 * r].store(in: &rollup.own)
            slots[2 * r + 1].store(in: &rollup.subagents)
            rollups.append(rollup)
        }
        try addDetails(db, to: &rollups, roots: order.prefix(limit ?? order.count).map(\.root), tree: tree)
        let usage = scan.usage.sorted { ($0.provider ?? "", $0.model ?? "") < ($1.provider ?? "", $1.model ?? "") }
        var unrootedUsage = ModelUsage.zero()
        scan.unrooted.store(in: &unrootedUsage)
        return Result(rollups: rollups, usage: usage, unrooted: unrootedUsage)
    }

    /// Title, project (the root's, else the one most of its own calls have) and start (the
    /// root's, else its first own call's) of the first rollups, whose roots are `roots`: from
    /// what the tree read, and from the rollup or the calls only for roots without a project or
    /// a start.
    private static func addDetails(
        _ db: Database, to rollups: inout [SessionRollup], roots: [Int], tree: SessionTree
    ) throws {
        guard !roots.isEmpty else { return }
        var projects: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, coalesce(name, id) FROM projects") { projects[row[0]] = row[1] }
        var fallback: [Int64: Int] = [:]
        for (i, r) in roots.enumerated() {
            let details = tree.details(ofRoot: r)
            rollups[i].title = details.title
            rollups[i].project = details.projectID.flatMap { projects[$0] }
            rollups[i].startedAt = details.startedAt
            if details.projectID == nil || details.startedAt == nil { fallback[tree.rootRowIDs[r]] = i }
        }
        guard !fallback.isEmpty else { return }
        let rowIDs = "[" + fallback.keys.map(String.init).joined(separator: ",") + "]"
        // The project most of its calls have: from session_rollup (v4), a few rows per session,
        // rather than every call of a session whose calls have none.
        let project: SQL = try db.tableExists("session_rollup")
            ? """
                (SELECT r.project_id FROM session_rollup r WHERE r.session_id = s.id AND typeof(r.project_id) = 'text'
                 GROUP BY r.project_id ORDER BY sum(r.calls) DESC, r.project_id LIMIT 1)
                """
            : """
                (SELECT k.project_id FROM calls k WHERE k.session_id = s.id AND k.project_id IS NOT NULL
                 GROUP BY k.project_id ORDER BY count(*) DESC, k.project_id LIMIT 1)
                """
        try db.scan("""
            SELECT s.rowid, iif(s.project_id IS NULL, \(project), NULL),
              iif(s.started_at IS NULL, (SELECT min(k.started_at) FROM calls k WHERE k.session_id = s.id), NULL)
            FROM sessions s
            WHERE s.rowid IN (SELECT value FROM json_each(\(rowIDs)))
            """) { row in
            guard let i = fallback[row.int64(0)] else { return }
            if rollups[i].project == nil, tree.details(ofRoot: roots[i]).projectID == nil {
                rollups[i].project = row.text(1).flatMap { projects[$0] }
            }
            if rollups[i].startedAt == nil { rollups[i].startedAt = row.text(2) }
        }
    }

    /// The note for calls left out because they belong to no root session; nil when none is.
    public static func unrootedNote(_ unrooted: ModelUsage) -> String? {
        guard unrooted.calls > 0 else { return nil }
        let cost = unrooted.costNanos.map { ", \(NumberFormat.money(Money.usd(nanos: $0)))" } ?? ""
        return "\(NumberFormat.grouped(unrooted.calls)) call\(unrooted.calls == 1 ? "" : "s") "
            + "(\(NumberFormat.grouped(unrooted.totalTokens)) tokens\(cost)) \(unrooted.calls == 1 ? "belongs" : "belong") to no session, "
            + "left out here;"
            + " `cost-by-model` counts \(unrooted.calls == 1 ? "it" : "them")."
    }
}
