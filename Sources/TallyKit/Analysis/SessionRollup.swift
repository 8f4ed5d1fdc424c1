import Foundation
import GRDB

/// A root session with the usage of its own calls and of all its descendants' (sub-agents),
/// computed from the calls that pass a filter (SPEC §6: a root's rollup covers its own calls and
/// all descendants'). Never read from `sessions.rollup_*`: those are stored totals that may be
/// stale (`token-audit` and `backfill` deal with them).
public struct SessionRollup: Sendable {
    public var sessionID: String
    public var title: String?
    /// The project's name, else its id: the root's project, else its first call's.
    public var project: String?
    /// The root's start, else its first own call's.
    public var startedAt: String?
    /// The root's own calls.
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
        /// Per session and model, of the calls in some root's tree (for `ModelUsage.notes`).
        public var usage: [ModelUsage]
        /// Calls in no tree: without a session, or in sessions whose parents never reach a root.
        public var unrooted: ModelUsage
    }

    /// One scan of the filtered calls summed per session (`ModelUsage.fetch`), then each session
    /// summed into its root, found by a recursive CTE over `sessions.parent_id`.
    public static func fetch(_ db: Database, filter: CallFilter) throws -> Result {
        let usage = try ModelUsage.fetch(db, filter: filter, per: .session)
        var rootOf: [String: String] = [:]
        let tree = try Row.fetchCursor(
            db,
            sql: """
                WITH RECURSIVE tree(root, id) AS (
                  SELECT id, id FROM sessions WHERE parent_id IS NULL
                  UNION
                  SELECT tree.root, s.id FROM sessions s JOIN tree ON s.parent_id = tree.id
                )
                SELECT id, root FROM tree
                """)
        while let row = try tree.next() { rootOf[row[0]] = row[1] }

        var own: [String: ModelUsage] = [:]
        var subagents: [String: ModelUsage] = [:]
        var rooted: [ModelUsage] = []
        var unrooted = ModelUsage.zero()
        for u in usage {
            guard let session = u.group, let root = rootOf[session] else {
                unrooted.add(u)
                continue
            }
            rooted.append(u)
            if session == root {
                own[root, default: .zero(group: root)].add(u)
            } else {
                subagents[root, default: .zero(group: root)].add(u)
            }
        }
        let roots = Set(own.keys).union(subagents.keys)
        var rollups: [SessionRollup] = []
        let details = try Row.fetchCursor(
            db,
            sql: """
                SELECT s.id, s.title, coalesce(p.name, p.id),
                  coalesce(s.started_at, (SELECT min(k.started_at) FROM calls k WHERE k.session_id = s.id))
                FROM sessions s
                LEFT JOIN projects p ON p.id = coalesce(s.project_id,
                  (SELECT k.project_id FROM calls k WHERE k.session_id = s.id AND k.project_id IS NOT NULL LIMIT 1))
                WHERE s.parent_id IS NULL
                """)
        while let row = try details.next() {
            let id: String = row[0]
            guard roots.contains(id) else { continue }
            rollups.append(SessionRollup(
                sessionID: id, title: row[1], project: row[2], startedAt: row[3],
                own: own[id] ?? .zero(group: id), subagents: subagents[id] ?? .zero(group: id)))
        }
        rollups.sort { a, b in ModelUsage.costOrder(a.total, b.total) ?? (a.sessionID < b.sessionID) }
        return Result(rollups: rollups, usage: rooted, unrooted: unrooted)
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
