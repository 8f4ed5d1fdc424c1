import Foundation
import GRDB
import Testing
@testable import TallyKit

/// `SessionTree`: each session's root by `parent_id`, as the recursive CTE from the roots finds
/// it, including sessions that never reach one (loops, missing parents).
@Suite struct SessionRootsTests {
    /// The tree as root ids and each session's root position (-1 without one).
    private func sessionRoots(_ db: Database) throws -> (roots: [String], rootOf: [String: Int]) {
        let tree = try SessionTree(db)
        var rootOf: [String: Int] = [:]
        for (key, i) in tree.index {
            let slot = tree.slots[i]
            rootOf[String(decoding: key.bytes.dropLast(), as: UTF8.self)] = slot < 0 ? -1 : slot / 2
            // A root's slot is even (its own calls); a descendant's odd.
            #expect((slot >= 0 && slot % 2 == 0) == tree.roots.contains(String(decoding: key.bytes.dropLast(), as: UTF8.self)))
        }
        return (tree.roots, rootOf)
    }

    @Test func rootsChainsLoopsAndMissingParents() throws {
        let store = try Store.inMemory()
        try store.writer.writeWithoutTransaction { db in
            try db.execute(sql: """
                PRAGMA foreign_keys = OFF;
                INSERT INTO sessions (id, source, parent_id) VALUES
                  ('c2', 'opencode', 'c1'), ('c1', 'opencode', 'r'), ('r', 'opencode', NULL),
                  ('x', 'opencode', 'y'), ('y', 'opencode', 'x'), ('z', 'opencode', 'x'),
                  ('orphan', 'opencode', 'gone'), ('orphan-child', 'opencode', 'orphan'), ('r2', 'opencode', NULL);
                PRAGMA foreign_keys = ON;
                """)
        }
        let (roots, rootOf) = try store.read { db in try sessionRoots(db) }
        #expect(Set(roots) == ["r", "r2"])
        let r = roots.firstIndex(of: "r")!
        #expect(rootOf["r"] == r && rootOf["c1"] == r && rootOf["c2"] == r)
        #expect(rootOf["r2"] == roots.firstIndex(of: "r2"))
        for id in ["x", "y", "z", "orphan", "orphan-child"] { #expect(rootOf[id] == -1, "\(id)") }
    }

    @Test(arguments: ["tiny", "sessions", "tools", "repair"])
    func agreesWithTheRecursiveCTE(fixture: String) throws {
        let store = try Fixtures.store(fixture)
        try store.read { db in
            let (roots, rootOf) = try sessionRoots(db)
            let expected = try Row.fetchAll(db, sql: """
                WITH RECURSIVE tree(root, id) AS (
                  SELECT id, id FROM sessions WHERE parent_id IS NULL
                  UNION SELECT tree.root, s.id FROM sessions s JOIN tree ON s.parent_id = tree.id)
                SELECT id, root FROM tree
                """)
            #expect(!expected.isEmpty)
            #expect(expected.count == rootOf.values.filter { $0 >= 0 }.count)
            for row in expected { #expect(rootOf[row[0] as String].map { roots[$0] } == row[1] as String) }
        }
    }
}
