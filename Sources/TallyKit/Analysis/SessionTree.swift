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
    /// Each session's position in `slots`, by its id's key (as `ByteKey.append` writes a text cell).
    private(set) var index: [ByteKey: Int] = [:]
    /// Per session: 2r for root r itself, 2r + 1 for a descendant of root r, -1 without a root.
    private(set) var slots: [Int] = []
    /// What the tree was built from (for the roots' details).
    private let sessions: Sessions

    /// The rows of `sessions` the tree is built from, read on the database's thread: each
    /// session's id and parent as `ByteKey` bytes one after the other, and its rowid.
    struct Sessions: Sendable {
        fileprivate var keys: [UInt8] = []
        /// Per session: where its id's bytes end, and where its parent's end.
        fileprivate var ends: [(id: Int32, parent: Int32)] = []
        fileprivate var rowIDs: [Int64] = []
        /// Per session: whether it is a root (no parent), decided once for the tree and the details.
        fileprivate var isRoot: [Bool] = []
        /// Per root, in the same order: title, project id and start, as `ByteKey` bytes.
        fileprivate var details: [UInt8] = []
        fileprivate var detailEnds: [(title: Int32, project: Int32, start: Int32)] = []

        init(_ db: Database) throws {
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions") ?? 0
            ends.reserveCapacity(count)
            rowIDs.reserveCapacity(count)
            keys.reserveCapacity(count * 32)
            try db.scan("SELECT id, parent_id, rowid, title, project_id, started_at FROM sessions") { row in
                ByteKey.append(row, 0, to: &keys)
                let id = Int32(keys.count)
                ByteKey.append(row, 1, to: &keys)
                ends.append((id, Int32(keys.count)))
                rowIDs.append(row.int64(2))
                isRoot.append(row.isNull(1))
                guard row.isNull(1) else { return }
                detailEnds.append(ByteKey.append(row, (3, 4, 5), to: &details))  // title, project, start
            }
        }
    }

    /// Root `r`'s title, project id and start as stored in `sessions`.
    func details(ofRoot r: Int) -> (title: String?, projectID: String?, startedAt: String?) {
        let start = r == 0 ? 0 : Int(sessions.detailEnds[r - 1].start)
        let ends = sessions.detailEnds[r]
        func text(_ range: Range<Int>) -> String? {
            let cell = sessions.details[range]
            return cell.last == 0x1F ? String(decoding: cell.dropLast(), as: UTF8.self) : nil  // 0xFF: NULL
        }
        return (text(start..<Int(ends.title)), text(Int(ends.title)..<Int(ends.project)),
                text(Int(ends.project)..<Int(ends.start)))
    }

    init(_ db: Database) throws {
        self.init(try Sessions(db))
    }

    /// The tree of sessions already read (off the database's thread: this is the part that
    /// hashes).
    init(_ sessions: Sessions) {
        self.sessions = sessions
        let count = sessions.ends.count
        index.reserveCapacity(count)
        var parentKeys: [ByteKey?] = []
        parentKeys.reserveCapacity(count)
        var rootOf: [Int] = []  // the root's position; -1 none; -2 not known yet; -3 being walked
        rootOf.reserveCapacity(count)
        var start = 0
        for (i, end) in sessions.ends.enumerated() {
            let id = sessions.keys[start..<Int(end.id)]
            let parent = sessions.keys[Int(end.id)..<Int(end.parent)]
            start = Int(end.parent)
            index[ByteKey(bytes: Array(id))] = i
            if sessions.isRoot[i] {
                rootOf.append(roots.count)
                roots.append(String(decoding: id.dropLast(), as: UTF8.self))
                rootRowIDs.append(sessions.rowIDs[i])
                parentKeys.append(nil)
            } else {
                rootOf.append(-2)
                parentKeys.append(ByteKey(bytes: Array(parent)))
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
