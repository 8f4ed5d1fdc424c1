import Foundation
import GRDB

/// Every session's root by `sessions.parent_id` (what a recursive CTE from the roots finds),
/// from one pass over `sessions`, keyed by the bytes of the session's id so that a scan can look
/// a row's session up without making a String of it. A session whose ancestors end at a missing
/// session or loop has no root.
struct SessionTree: Sendable {
    /// The root sessions' ids, and their rowids in `sessions`.
    private(set) var roots: [String] = []
    private(set) var rootRowIDs: [Int64] = []
    /// Each session's position in `slots`, by `ByteKey(text:)` of its id.
    private(set) var index: [ByteKey: Int] = [:]
    /// Per session: 2r for root r itself, 2r + 1 for a descendant of root r, -1 without a root.
    private(set) var slots: [Int] = []

    init(_ db: Database) throws {
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions") ?? 0
        index.reserveCapacity(count)
        var parentKeys: [ByteKey?] = []
        parentKeys.reserveCapacity(count)
        var rootOf: [Int] = []  // the root's position; -1 none; -2 not known yet; -3 being walked
        rootOf.reserveCapacity(count)
        try db.scan("SELECT id, parent_id, rowid FROM sessions") { row in
            var key = ByteKey()
            key.append(row, 0)
            index[key] = rootOf.count
            if row.isNull(1) {
                rootOf.append(roots.count)
                roots.append(row.text(0) ?? "")
                rootRowIDs.append(row.int64(2))
                parentKeys.append(nil)
            } else {
                var parent = ByteKey()
                parent.append(row, 1)
                rootOf.append(-2)
                parentKeys.append(parent)
            }
        }
        let parent = parentKeys.map { key in key.flatMap { index[$0] } ?? -1 }
        var path: [Int] = []
        for start in rootOf.indices where rootOf[start] == -2 {
            var current = start
            path.removeAll(keepingCapacity: true)
            while current >= 0, rootOf[current] == -2 {
                rootOf[current] = -3  // on this path: meeting it again is a loop
                path.append(current)
                current = parent[current]  // -1: a missing parent
            }
            let root = current >= 0 && rootOf[current] >= 0 ? rootOf[current] : -1
            for id in path { rootOf[id] = root }
        }
        slots = rootOf.indices.map { i in
            let r = rootOf[i]
            return r < 0 ? -1 : 2 * r + (parentKeys[i] == nil ? 0 : 1)
        }
    }

    /// The slot of the session whose `ByteKey` is `key`; -1 for an unknown session and for NULL.
    func slot(of key: ByteKey) -> Int {
        index[key].map { slots[$0] } ?? -1
    }
}
