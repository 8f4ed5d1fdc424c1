import Foundation
import GRDB
import Testing
@testable import TallyKit

/// The indexer keeps `call_rollup` itself in its transactions (``CallRollupBulk``, its triggers
/// suspended): the rollup must equal a recomputation from `calls` after every kind of run, and
/// the triggers must be back for every other writer.
@Suite struct IndexerRollupTests {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tally-rollup-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()
    let now = Timestamps.parse("2026-03-15T12:00:00Z")!

    func write(_ name: String, _ text: String) throws {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func index(_ store: Store, streamAbove: Int64 = 48 << 20) throws -> Indexer.Summary {
        try Indexer(store: store, reader: LinesReader(), now: now, batchFiles: 2, streamThreshold: streamAbove).run(root: dir)
    }

    /// call_rollup, and the coarser rollups its triggers keep (v4), against the calls.
    func differences(_ store: Store) throws -> Int { try store.read { db in try Schema.rollupDifferences(db) } }

    func rollup(_ store: Store) throws -> [Row] {
        try store.read { db in try Row.fetchAll(db, sql: "SELECT * FROM call_rollup ORDER BY quarter, session_id, model") }
    }

    /// The rollup triggers are all there again and nothing temporary is left behind.
    func triggersAreBack(_ store: Store) throws -> Bool {
        try store.read { db in
            let triggers = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'calls_rollup_*'")
            let temporary = try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.sqlite_master WHERE name GLOB 'rollup_bulk*'")
            return triggers == 4 && temporary == 0
        }
    }

    @Test(arguments: [Int64(48 << 20), 1])
    func aReindexThatReplacesCallsKeepsTheRollupExact(streamAbove: Int64) throws {
        try write("a.calls", "c1 s1 100\nc2 s1 50\n")
        try write("b.calls", "c3 s2 10 s1\n")
        try write("c.calls", "c6 s3 1\n")
        let store = try Store.inMemory()
        _ = try index(store, streamAbove: streamAbove)
        #expect(try differences(store) == 0)
        #expect(try triggersAreBack(store))
        #expect(try rollup(store).count > 0)

        // c1 changes, c2 moves to another file and session, c4 is new; c.calls loses the row with
        // the largest rowid and gains one (SQLite gives the new row that rowid again).
        try write("a.calls", "c1 s1 999\nc4 s1 5\n")
        try write("b.calls", "c3 s2 10 s1\nc2 s2 7 s1\n")
        try write("c.calls", "c5 s3 2\n")
        let second = try index(store, streamAbove: streamAbove)
        #expect(second.indexed == 5)
        #expect(try differences(store) == 0)
        #expect(try triggersAreBack(store))

        let fresh = try Store.inMemory()
        _ = try index(fresh, streamAbove: streamAbove)
        #expect(try rollup(store) == rollup(fresh))

        // A file that goes takes its calls out of the rollup (the triggers' path, after a bulk run).
        try FileManager.default.removeItem(at: dir.appendingPathComponent("c.calls"))
        _ = try index(store, streamAbove: streamAbove)
        #expect(try differences(store) == 0)
    }

    @Test func theOpenCodeTreeGivesTheRollupItsTriggersWould() throws {
        // Step-finish calls get their model from their message in the derive step (updates that
        // move rollup rows) and message fallbacks are deleted once steps exist.
        let store = try Store.inMemory()
        _ = try Indexer(store: store, reader: OpenCodeTreeReader(), now: now, batchFiles: 7).run(root: OpenCodeSamples.storage)
        #expect(try differences(store) == 0)
        #expect(try triggersAreBack(store))
        let withTriggers = try store.read { db in try Row.fetchAll(db, sql: "SELECT * FROM call_rollup ORDER BY 1, 2, 3, 4, 5, 6, 7, 8") }
        try store.write { db in try Schema.rebuildCallRollup(db) }
        #expect(try store.read { db in try Row.fetchAll(db, sql: "SELECT * FROM call_rollup ORDER BY 1, 2, 3, 4, 5, 6, 7, 8") } == withTriggers)
    }

    /// `tool_steps` after indexing each sample with sub-agents and tool calls, whole and streamed:
    /// equal to a recomputation, nothing left queued, the insert triggers back.
    @Test(arguments: [Int64(48 << 20), 1])
    func toolStepsAreExactAfterIndexing(streamAbove: Int64) throws {
        let sources: [(any SourceReader, URL)] = [
            (OpenCodeTreeReader(), OpenCodeSamples.storage), (OpenCodeDatabaseReader(), OpenCodeSamples.database),
            (ClaudeProjectsReader(), ClaudeProjectsReaderTests.projects),
        ]
        for (reader, root) in sources {
            let store = try Store.inMemory()
            _ = try Indexer(store: store, reader: reader, now: now, batchFiles: 3, streamThreshold: streamAbove).run(root: root)
            let (rows, differences, current, triggers) = try store.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM tool_steps") ?? 0, try Schema.toolStepsDifferences(db),
                 try Schema.toolStepsAreCurrent(db),
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name GLOB '*_tool_steps_insert'"))
            }
            let name = root.lastPathComponent
            #expect(rows > 0 && differences == 0 && current && triggers == 5, "\(name)")
        }
    }

    /// Any write to `calls` inside a bulk transaction — inserts, updates that move a row to
    /// another key, deletes, a deleted row's id or rowid coming back — is in the rollup after it.
    @Test func everyKindOfWriteInsideABulkTransactionIsCounted() throws {
        let store = try Fixtures.store("priced")
        let writes = [
            "UPDATE calls SET model = 'renamed', agent = 'build' WHERE rowid % 2 = 0",
            "UPDATE calls SET started_at = '2026-02-01T00:14:59.999Z' WHERE rowid % 3 = 0",
            "UPDATE calls SET cost_nanos = NULL, cost_source = NULL, computed_cost_nanos = NULL, pricing_id = NULL, cost_fallback = 0 WHERE rowid % 5 = 0",
            """
            INSERT INTO calls (id, source, model, started_at, total_tokens)
            VALUES ('extra-1', 'events', 'x', '2026-03-01T00:00:00.000Z', 5), ('extra-2', 'events', 'x', '2026-03-01T00:14:00.000Z', 6)
            """,
            "UPDATE calls SET total_tokens = total_tokens + 1 WHERE id = 'extra-2'",
            "DELETE FROM calls WHERE id = 'extra-1'",
            "DELETE FROM calls WHERE rowid = (SELECT max(rowid) FROM calls WHERE id NOT GLOB 'extra-*')",
            "INSERT INTO calls (id, source, model, started_at, total_tokens) VALUES ('extra-3', 'events', 'y', '2026-03-01T00:00:00.000Z', 9)",
            "DELETE FROM calls WHERE rowid = (SELECT min(rowid) FROM calls)",
            "UPDATE calls SET session_id = NULL, project_id = NULL, provider = NULL WHERE rowid % 7 = 1",
        ]
        // All in one transaction, flushed after some writes only.
        try store.write { db in
            try CallRollupBulk.during(db) { bulk in
                for (i, sql) in writes.enumerated() {
                    try db.execute(sql: sql)
                    if i % 3 == 2 { try bulk?.flush() }
                }
            }
        }
        #expect(try differences(store) == 0)
        #expect(try triggersAreBack(store))
        // The same writes one transaction each, with a reinsert of a deleted id.
        let again = writes.map { $0.replacingOccurrences(of: "extra-", with: "again-") }
        for sql in again + ["INSERT INTO calls (id, source, model, started_at, total_tokens) VALUES ('again-1', 'events', 'z', '2026-03-02T00:00:00.000Z', 3)"] {
            try store.write { db in try CallRollupBulk.during(db) { _ in try db.execute(sql: sql) } }
            #expect(try differences(store) == 0, "after \(sql)")
        }
        try store.write { db in try CallRollupBulk.during(db) { _ in try db.execute(sql: "DELETE FROM calls") } }
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM call_rollup") } == 0)
    }

    @Test func aTransactionThatFailsKeepsTheTriggers() throws {
        let store = try Fixtures.store("priced")
        struct Failure: Error {}
        #expect(throws: Failure.self) {
            try store.write { db in
                try CallRollupBulk.during(db) { _ in
                    try db.execute(sql: "DELETE FROM calls WHERE rowid % 2 = 0")
                    throw Failure()
                }
            }
        }
        #expect(try triggersAreBack(store))
        try store.write { db in try db.execute(sql: "DELETE FROM calls WHERE rowid % 2 = 0") }
        #expect(try differences(store) == 0)
    }
}
