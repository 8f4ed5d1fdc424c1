import Foundation
import GRDB
import Testing
@testable import TallyKit

/// `SessionRollup.fetch` over more rows than one of `SessionScan`'s batches (4,096), from the
/// rollup and from the calls: each root's own and sub-agent sums, the rooted models and the
/// unrooted calls equal what SQL computes with a recursive CTE.
@Suite struct SessionRollupScanTests {
    /// 3,000 roots, 2,000 sub-agents (chains of two under roots), 100 sessions under a missing
    /// parent, and 9 calls per session over three quarter hours (15,300 rollup rows), a tenth
    /// without a session; four models (one with no provider), every third call unpriced, every
    /// seventh total-only.
    private static func store() throws -> Store {
        let store = try Store.inMemory()
        try store.writer.writeWithoutTransaction { db in
            try db.execute(sql: """
                PRAGMA foreign_keys = OFF;
                BEGIN;
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5100)
                INSERT INTO sessions (id, source, parent_id)
                SELECT printf('ses-%05d', i), 'opencode',
                  CASE WHEN i <= 3000 THEN NULL
                       WHEN i <= 4000 THEN printf('ses-%05d', i - 3000)
                       WHEN i <= 5000 THEN printf('ses-%05d', i - 1000)
                       ELSE 'ses-gone' END
                FROM n;
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 5100 * 9 - 1)
                INSERT INTO calls (id, source, session_id, provider, model, started_at, input_tokens, output_tokens,
                  total_tokens, reported_cost_nanos, cost_nanos, cost_source)
                SELECT printf('call-%06d', i), 'opencode',
                  iif(i % 10 = 9, NULL, printf('ses-%05d', i / 9 + 1)),
                  iif(i % 4 = 3, NULL, 'p' || (i % 4)), 'm' || (i % 4),
                  printf('2026-03-05T10:%02d:00.000Z', (i % 9) * 5),
                  iif(i % 7 = 0, NULL, i % 1000), iif(i % 7 = 0, NULL, 10),
                  i % 1000 + 10 + (i % 7 = 0) * 5,
                  iif(i % 3 = 0, NULL, i * 3), iif(i % 3 = 0, NULL, i * 3), iif(i % 3 = 0, NULL, 'reported')
                FROM n;
                COMMIT;
                PRAGMA foreign_keys = ON;
                """)
        }
        return store
    }

    /// Per root: own calls, tokens, cost; sub-agent calls, tokens, cost (SQL's own sums).
    private static func expected(_ db: Database, where condition: String) throws -> [String: [Int64?]] {
        let rows = try Row.fetchAll(db, sql: """
            WITH RECURSIVE tree(root, id) AS (
              SELECT id, id FROM sessions WHERE parent_id IS NULL
              UNION SELECT tree.root, s.id FROM sessions s JOIN tree ON s.parent_id = tree.id)
            SELECT tree.root,
              sum(c.session_id = tree.root), sum(iif(c.session_id = tree.root, c.total_tokens, 0)),
              sum(iif(c.session_id = tree.root, c.cost_nanos, NULL)),
              sum(c.session_id <> tree.root), sum(iif(c.session_id <> tree.root, c.total_tokens, 0)),
              sum(iif(c.session_id <> tree.root, c.cost_nanos, NULL))
            FROM tree JOIN calls c ON c.session_id = tree.id
            WHERE \(condition)
            GROUP BY tree.root
            """)
        return Dictionary(uniqueKeysWithValues: rows.map { row in
            (row[0] as String, (1...6).map { row[$0] as Int64? })
        })
    }

    @Test(arguments: [false, true])
    func equalsTheRecursiveCTE(fromCalls: Bool) throws {
        let store = try Self.store()
        var filter = CallFilter(Arguments())
        // A date inside a quarter hour reads the calls; quarter-hour dates read the rollup.
        filter.since = Timestamps.parse(fromCalls ? "2026-03-05T10:05:00.000Z" : "2026-03-05T10:15:00.000Z")
        #expect((filter.rollupCondition == nil) == fromCalls)
        let since = fromCalls ? "2026-03-05T10:05:00.000Z" : "2026-03-05T10:15:00.000Z"
        try store.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM call_rollup")! > 4096 * 2)
            let result = try SessionRollup.fetch(db, filter: filter)
            let expected = try Self.expected(db, where: "c.started_at >= '\(since)'")
            #expect(result.rollups.count == expected.count && expected.count == 3000)
            for rollup in result.rollups {
                let e = try #require(expected[rollup.sessionID])
                let got: [Int64?] = [rollup.own.calls, rollup.own.totalTokens, rollup.own.costNanos,
                                     rollup.subagents.calls, rollup.subagents.totalTokens, rollup.subagents.costNanos]
                // SQL's sum over no calls is NULL where the count and tokens are 0.
                #expect(got == e.enumerated().map { i, v in v ?? (i % 3 == 2 ? nil : 0) }, "\(rollup.sessionID)")
            }
            // Most expensive first.
            let costs = result.rollups.map { $0.total.costNanos ?? -1 }
            #expect(costs == costs.sorted(by: >))
            // Rooted models: every rooted call, per model; unrooted: no session, or under 'ses-gone'.
            let rooted = try Row.fetchAll(db, sql: """
                SELECT model, count(*), sum(total_tokens), sum(cost_nanos IS NULL) FROM calls
                WHERE started_at >= ? AND session_id IS NOT NULL AND session_id <= 'ses-05000'
                GROUP BY model ORDER BY coalesce(provider, ''), model
                """, arguments: [since])
            #expect(result.usage.map(\.model) == rooted.map { $0[0] as String? })
            #expect(result.usage.map(\.calls) == rooted.map { $0[1] as Int64 })
            #expect(result.usage.map(\.totalTokens) == rooted.map { $0[2] as Int64 })
            #expect(result.usage.map(\.unpricedCalls) == rooted.map { $0[3] as Int64 })
            #expect(result.usage.first { $0.model == "m3" }?.provider == nil)
            #expect(result.usage.first { $0.model == "m1" }?.provider == "p1")
            let unrooted = try Row.fetchOne(db, sql: """
                SELECT count(*), sum(total_tokens) FROM calls
                WHERE started_at >= ? AND (session_id IS NULL OR session_id > 'ses-05000')
                """, arguments: [since])!
            #expect(result.unrooted.calls == unrooted[0] as Int64 && result.unrooted.totalTokens == unrooted[1] as Int64)
            #expect(result.unrooted.calls > 0)
        }
    }

    @Test func aLimitDetailsOnlyTheFirstRows() throws {
        let store = try Self.store()
        try store.write { db in
            try db.execute(sql: "UPDATE sessions SET title = 'title ' || id, started_at = '2026-03-05T10:00:00.000Z'")
        }
        let result = try store.read { db in try SessionRollup.fetch(db, filter: CallFilter(Arguments()), limit: 3) }
        #expect(result.rollups.prefix(3).allSatisfy { $0.title == "title " + $0.sessionID && $0.startedAt != nil })
        #expect(result.rollups.dropFirst(3).allSatisfy { $0.title == nil })
        let all = try store.read { db in try SessionRollup.fetch(db, filter: CallFilter(Arguments())) }
        #expect(all.rollups.allSatisfy { $0.title == "title " + $0.sessionID })
    }

    /// Title, project name (else id) and start come from the root; a root without a project
    /// takes the one most of its calls have, without a start its first call's; a project id
    /// with no row in `projects` shows nothing.
    @Test func detailsFallBackToTheRootsCalls() throws {
        let store = try Store.inMemory()
        try store.writer.writeWithoutTransaction { db in
            try db.execute(sql: """
                PRAGMA foreign_keys = OFF;
                INSERT INTO projects (id, source, name) VALUES ('p1', 'opencode', 'Alpha'), ('p2', 'opencode', NULL);
                INSERT INTO sessions (id, source, title, project_id, started_at) VALUES
                  ('r1', 'opencode', 'One', 'p1', '2026-03-01T09:00:00.000Z'),
                  ('r2', 'opencode', NULL, NULL, NULL),
                  ('r3', 'opencode', 'Three', 'gone', '2026-03-03T09:00:00.000Z'),
                  ('r4', 'opencode', 'Four', NULL, '2026-03-04T09:00:00.000Z');
                INSERT INTO calls (id, source, session_id, project_id, model, started_at, total_tokens) VALUES
                  ('c1', 'opencode', 'r1', 'p1', 'm', '2026-03-01T09:01:00.000Z', 30),
                  ('c2', 'opencode', 'r2', NULL, 'm', '2026-03-02T10:05:00.000Z', 20),
                  ('c3', 'opencode', 'r2', 'p2', 'm', '2026-03-02T10:01:00.000Z', 20),
                  ('c4', 'opencode', 'r3', 'p1', 'm', '2026-03-03T09:01:00.000Z', 10),
                  ('c5', 'opencode', 'r4', 'p2', 'm', '2026-03-04T09:01:00.000Z', 1),
                  ('c6', 'opencode', 'r4', 'p1', 'm', '2026-03-04T09:31:00.000Z', 1),
                  ('c7', 'opencode', 'r4', 'p1', 'm', '2026-03-04T09:32:00.000Z', 1);
                PRAGMA foreign_keys = ON;
                """)
        }
        let rollups = try store.read { db in try SessionRollup.fetch(db, filter: CallFilter(Arguments())).rollups }
        #expect(rollups.map(\.sessionID) == ["r2", "r1", "r3", "r4"])  // unpriced: by tokens
        #expect(rollups.map(\.title) == [nil, "One", "Three", "Four"])
        // r4 has no project: the one most of its calls have (two of three in p1).
        #expect(rollups.map(\.project) == ["p2", "Alpha", nil, "Alpha"])
        #expect(rollups.map(\.startedAt) == [
            "2026-03-02T10:01:00.000Z", "2026-03-01T09:00:00.000Z", "2026-03-03T09:00:00.000Z", "2026-03-04T09:00:00.000Z",
        ])
    }
}
