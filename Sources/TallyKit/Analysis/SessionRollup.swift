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
        /// Per provider and model, of the calls in some root's tree (for `ModelUsage.notes`).
        public var usage: [ModelUsage]
        /// Calls in no tree: without a session, or in sessions whose parents never reach a root.
        public var unrooted: ModelUsage
    }

    /// One scan of the filtered calls summed per session (`ModelUsage.fetch`, from the rollup),
    /// then each session summed into its root. Roots are indexed by position, not by name, and
    /// only the first `limit` rollups (all when nil) get their title, project and start: with
    /// 70,000 roots the time went to dictionaries and a recursive CTE.
    public static func fetch(_ db: Database, filter: CallFilter, limit: Int? = nil) throws -> Result {
        let (roots, rootOf) = try sessionRoots(db)
        // Summed in place (an array of optionals copied a whole ModelUsage on every check).
        var own = [ModelUsage](repeating: .zero(), count: roots.count)
        var subagents = [ModelUsage](repeating: .zero(), count: roots.count)
        var rooted: [ModelKey: ModelUsage] = [:]
        var unrooted = ModelUsage.zero()
        for u in try ModelUsage.fetch(db, filter: filter, per: .session, expectedGroups: rootOf.count) {
            guard let session = u.group, let r = rootOf[session], r >= 0 else {
                unrooted.add(u)
                continue
            }
            rooted[ModelKey(provider: u.provider, model: u.model), default: .zero()].add(u)
            if session == roots[r] {
                own[r].add(u)
            } else {
                subagents[r].add(u)
            }
        }
        // ModelUsage.costOrder on the totals (cost, rows without one last; then tokens), then id.
        var keys = [(cost: Int64, tokens: Int64)](repeating: (0, 0), count: roots.count)
        var present: [Int] = []
        for r in roots.indices where own[r].calls > 0 || subagents[r].calls > 0 {
            var total = own[r]
            total.add(subagents[r])
            keys[r] = (total.costNanos ?? -1, total.totalTokens)
            present.append(r)
        }
        let order = present.sorted { a, b in
            keys[a] != keys[b] ? keys[a] > keys[b] : roots[a] < roots[b]
        }
        var rollups: [SessionRollup] = []
        rollups.reserveCapacity(order.count)
        for r in order {
            own[r].group = roots[r]
            subagents[r].group = roots[r]
            rollups.append(SessionRollup(
                sessionID: roots[r], title: nil, project: nil, startedAt: nil, own: own[r], subagents: subagents[r]))
        }
        try addDetails(db, to: &rollups[..<min(limit ?? rollups.count, rollups.count)], all: limit == nil)
        let usage = rooted.map { key, u in
            var u = u
            (u.provider, u.model) = (key.provider, key.model)
            return u
        }.sorted { ($0.provider ?? "", $0.model ?? "") < ($1.provider ?? "", $1.model ?? "") }
        return Result(rollups: rollups, usage: usage, unrooted: unrooted)
    }

    /// The root sessions, and each session's root as a position in them, following
    /// `sessions.parent_id` (what a recursive CTE from the roots finds, in one pass over
    /// `sessions`). A session whose ancestors end at a missing session or loop has no root.
    /// `rootOf` is -1 for a session without a root.
    static func sessionRoots(_ db: Database) throws -> (roots: [String], rootOf: [String: Int]) {
        // Roots first (their own root, no walk), then the sub-agents' parents.
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions") ?? 0
        var roots: [String] = []
        var rootOf: [String: Int] = [:]
        rootOf.reserveCapacity(count)
        for id in try String.fetchAll(db, sql: "SELECT id FROM sessions WHERE parent_id IS NULL") {
            rootOf[id] = roots.count
            roots.append(id)
        }
        var parentOf: [String: String] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT id, parent_id FROM sessions WHERE parent_id IS NOT NULL")
        while let row = try rows.next() { parentOf[row[0]] = row[1] }
        var path: [String] = []
        for start in parentOf.keys where rootOf[start] == nil {
            var current = start
            var root = -1
            path.removeAll(keepingCapacity: true)
            while true {
                if let known = rootOf[current] {
                    root = known
                    break
                }
                guard let parent = parentOf[current], path.count <= parentOf.count else { break }  // missing, or a loop
                path.append(current)
                current = parent
            }
            for id in path { rootOf[id] = root }
        }
        return (roots, rootOf)
    }

    /// Title, project (the root's, else its first call's) and start (the root's, else its first
    /// own call's) of each rollup.
    /// With `all`, every root is read rather than those listed (no 70,000-id list to encode and
    /// search).
    private static func addDetails(_ db: Database, to rollups: inout ArraySlice<SessionRollup>, all: Bool) throws {
        guard !rollups.isEmpty else { return }
        let ids = all ? "" : String(decoding: try JSONEncoder().encode(rollups.map(\.sessionID)), as: UTF8.self)
        let details = try Row.fetchCursor(
            db,
            sql: """
                SELECT s.id, s.title, coalesce(p.name, p.id),
                  coalesce(s.started_at, (SELECT min(k.started_at) FROM calls k WHERE k.session_id = s.id))
                FROM sessions s
                LEFT JOIN projects p ON p.id = coalesce(s.project_id,
                  (SELECT k.project_id FROM calls k WHERE k.session_id = s.id AND k.project_id IS NOT NULL LIMIT 1))
                WHERE \(all ? "s.parent_id IS NULL" : "s.id IN (SELECT value FROM json_each(?))")
                """, arguments: all ? [] : [ids])
        var position: [String: Int] = [:]
        for i in rollups.indices { position[rollups[i].sessionID] = i }
        while let row = try details.next() {
            guard let i = position[row[0]] else { continue }
            rollups[i].title = row[1]
            rollups[i].project = row[2]
            rollups[i].startedAt = row[3]
        }
    }

    private struct ModelKey: Hashable {
        var provider: String?
        var model: String?
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
