import Foundation
import GRDB
import Testing
import TallyAnalyses
import TallyCommands
@testable import TallyKit

/// `tool_steps` (schema v3): every write to an input table leaves it equal to a recomputation
/// once Tally's writer commits, and `cost-by-tool` gives the same results from it as from the
/// tables (which it reads while plain-SQL writes wait in the queue).
@Suite struct ToolStepsTests {
    /// The queued sessions, the rows that differ from a recomputation after a refresh, and
    /// whether the analysis would read the table.
    static func state(_ store: Store) throws -> (queued: Int, differences: Int) {
        try store.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(DISTINCT session_id) FROM tool_steps_queue") ?? -1, try Schema.toolStepsDifferences(db))
        }
    }

    /// `cost-by-tool` computed from the tables: a queued session that does not exist makes the
    /// stored rows look stale without changing any.
    static func fromTables(_ line: String, on store: Store) throws -> ResultSet {
        try store.withConnection { db in try db.execute(sql: "INSERT INTO tool_steps_queue VALUES ('(none)')") }
        defer { _ = try? store.withConnection { db in try db.execute(sql: "DELETE FROM tool_steps_queue WHERE session_id = '(none)'") } }
        #expect(try store.read { db in try Schema.toolStepsAreCurrent(db) } == false)
        return try run(line, on: store)
    }

    static let invocations = [
        "cost-by-tool", "cost-by-tool --cost-mode computed", "cost-by-tool --cost-mode reported", "cost-by-tool --source claude",
        "cost-by-tool --provider ACME", "cost-by-tool --project app", "cost-by-tool --since 2026-03-10 --until 2026-03-11",
        "cost-by-tool --since 2026-03-11",
    ]

    /// Both ways of computing `cost-by-tool` agree on `store`.
    static func expectSameResults(_ store: Store, _ comment: String) throws {
        #expect(try store.read { db in try Schema.toolStepsAreCurrent(db) })
        for line in invocations {
            #expect(try run(line, on: store) == fromTables(line, on: store), "\(line) \(comment)")
        }
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func fixturesGiveTheSameResultsFromTheTableAndFromTheTables(fixture: String) throws {
        let store = try Fixtures.store(fixture)
        #expect(try Self.state(store) == (0, 0))
        try Self.expectSameResults(store, fixture)
    }

    /// Writes to each input table, each in its own transaction: after each, the table equals a
    /// recomputation and the analysis gives the same results either way.
    @Test func everyWriteToAnInputTableKeepsTheTableExact() throws {
        let store = try Fixtures.store("tools")
        let writes = [
            // parts: a step-finish moves, appears, disappears; a tool part changes message and time.
            "UPDATE parts SET ordinal = 10 WHERE id = 'p-a1-4'",
            "UPDATE parts SET type = 'step-finish' WHERE id = 'p-a1-5'",
            "DELETE FROM parts WHERE id = 'p-a1-7'",
            "UPDATE parts SET message_id = 'msg-cl-3', session_id = 'ses-cl', ordinal = 1, created_at = '2026-03-10T11:00:09.000Z' WHERE id = 'p-a2-2'",
            "UPDATE parts SET created_at = '2026-03-10T11:00:04.000Z' WHERE id = 'msg-cl-3:0'",
            // tool_calls: new, changed, removed.
            "INSERT INTO tool_calls (part_id, tool, status, duration_ms) VALUES ('p-a1-8', 'edit', 'completed', 7)",
            "UPDATE tool_calls SET tool = 'write', duration_ms = NULL, status = 'error' WHERE part_id = 'p-a1-3'",
            "UPDATE tool_calls SET started_at = '2026-03-11T00:00:00.000Z' WHERE part_id = 'p-cx-a-0'",
            "DELETE FROM tool_calls WHERE part_id = 'p-a1-2'",
            // A tool part of another session in an OpenCode message; a step-finish after it.
            """
            INSERT INTO parts (id, message_id, session_id, ordinal, type) VALUES ('x-tool', 'msg-a1', 'ses-cx', 11, 'tool');
            INSERT INTO tool_calls (part_id, tool, duration_ms) VALUES ('x-tool', 'read', 9);
            """,
            "INSERT INTO parts (id, message_id, session_id, ordinal, type) VALUES ('x-finish', 'msg-a1', 'ses-oc', 12, 'step-finish')",
            "UPDATE parts SET ordinal = 13 WHERE id = 'x-finish'",
            // A step shared by tool calls of two sessions; one of them goes.
            "UPDATE parts SET ordinal = 8 WHERE id = 'x-finish'",
            """
            INSERT INTO parts (id, message_id, session_id, ordinal, type) VALUES ('x-tool2', 'msg-a1', 'ses-cx', 7, 'tool');
            INSERT INTO tool_calls (part_id, tool, duration_ms) VALUES ('x-tool2', 'grep', 8);
            """,
            "DELETE FROM tool_calls WHERE part_id = 'p-a1-6'",
            // messages: a Claude line without times of its own moves before the response's call.
            "UPDATE parts SET created_at = NULL WHERE id = 'msg-cl-3:0'",
            "UPDATE tool_calls SET started_at = NULL WHERE part_id = 'msg-cl-3:0'",
            "UPDATE messages SET created_at = '2026-03-10T10:59:00.000Z' WHERE id = 'msg-cl-3'",
            // calls: a later call in the Claude session, repricing, a step removed, a call moved.
            """
            INSERT INTO calls (id, source, session_id, message_id, started_at, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
            VALUES ('cl-late', 'claude', 'ses-cl', 'msg-cl-2', '2026-03-10T11:00:06.500Z', 10, 7000, 7000, 'reported')
            """,
            "UPDATE calls SET reported_cost_nanos = reported_cost_nanos + 1, cost_nanos = reported_cost_nanos + 1, cost_source = 'reported' WHERE reported_cost_nanos IS NOT NULL",
            "UPDATE calls SET started_at = '2026-03-10T11:00:30.000Z' WHERE id = 'cl-late'",
            "UPDATE calls SET project_id = NULL, source = 'other', provider = NULL WHERE session_id = 'ses-oc'",
            // a message's provider stands in for its step's.
            "UPDATE messages SET provider = 'elsewhere' WHERE id = 'msg-a1'",
            "UPDATE calls SET message_id = NULL WHERE id = 'cl-late'",
            "DELETE FROM calls WHERE id = 'p-a1-4'",
            "UPDATE calls SET id = 'p-a1-4' WHERE id = 'cl-late'",
            // sessions: dimensions change.
            "UPDATE sessions SET project_id = NULL, source = 'renamed' WHERE id = 'ses-cx'",
            // Children before parents in one transaction (foreign keys are deferred), then removed.
            """
            INSERT INTO tool_calls (part_id, tool, duration_ms) VALUES ('n-p1', 'late', 3), ('n-p2', 'late', 4);
            INSERT INTO calls (id, source, session_id, message_id, started_at, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
            VALUES ('n-p3', 'opencode', 'n-s', 'n-m', '2026-03-10T13:00:01.000Z', 1, 5, 5, 'reported');
            INSERT INTO parts (id, message_id, session_id, ordinal, type) VALUES
              ('n-p1', 'n-m', 'n-s', 0, 'tool'), ('n-p2', 'n-m', 'n-s', 1, 'tool'), ('n-p3', 'n-m', 'n-s', 2, 'step-finish');
            INSERT INTO messages (id, session_id, role, created_at) VALUES ('n-m', 'n-s', 'assistant', '2026-03-10T13:00:00.000Z');
            INSERT INTO sessions (id, source) VALUES ('n-s', 'opencode');
            """,
            """
            DELETE FROM calls WHERE session_id = 'n-s';
            DELETE FROM sessions WHERE id = 'n-s';
            DELETE FROM messages WHERE id = 'n-m';
            DELETE FROM parts WHERE session_id = 'n-s';
            """,
            "DELETE FROM calls",
        ]
        for sql in writes {
            try store.write { db in try db.execute(sql: sql) }
            #expect(try Self.state(store) == (0, 0), "after \(sql)")
            try Self.expectSameResults(store, "after \(sql)")
        }
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tool_steps WHERE step IS NOT NULL") } == 0)
    }

    /// SQL typed by the user is not a Tally transaction: its writes wait in the queue, the
    /// analysis reads the tables meanwhile, and the next write of Tally's brings the table up to date.
    @Test func plainSQLWaitsInTheQueue() throws {
        let store = try Fixtures.store("tools")
        let before = try run("cost-by-tool", on: store)
        try store.withConnection { db in
            try db.execute(sql: "UPDATE tool_calls SET tool = 'Read' WHERE tool = 'read'; DELETE FROM calls WHERE id = 'p-a1-7'")
        }
        #expect(try Self.state(store).queued == 2)
        let after = try run("cost-by-tool", on: store)
        #expect(after != before)
        try store.write { _ in }
        #expect(try Self.state(store) == (0, 0))
        #expect(try run("cost-by-tool", on: store) == after)
    }

    /// SQL typed at the `tally` prompt: each statement that commits brings the table up to date;
    /// inside `BEGIN` … `COMMIT` the writes wait for the `COMMIT`.
    @Test func sqlAtThePromptRefreshesAfterItCommits() throws {
        let store = try Fixtures.store("tools")
        let interpreter = Interpreter(store: store, registry: builtinRegistry, environment: Fixtures.environment, output: CapturedOutput())
        #expect(interpreter.execute("UPDATE tool_calls SET tool = 'Read' WHERE tool = 'read';") == .success)
        #expect(try Self.state(store) == (0, 0))
        let output = CapturedOutput()
        let script = Interpreter(store: store, registry: builtinRegistry, environment: Fixtures.environment, output: output)
        #expect(script.execute("""
            BEGIN; DELETE FROM calls WHERE id = 'p-a1-7'; SELECT 'queued ' || count(DISTINCT session_id) AS q FROM tool_steps_queue; COMMIT;
            """) == .success)
        #expect(output.stdout.contains("queued 1"))
        #expect(try Self.state(store) == (0, 0))
        #expect(try run("cost-by-tool", on: store) == Self.fromTables("cost-by-tool", on: store))
    }

    /// STYLE §5: v3 on a database of the previous release (v2) with tool calls fills the table,
    /// and its down step leaves the v2 schema.
    @Test func migrationFillsTheTableFromAV2Database() throws {
        let queue = try DatabaseQueue(configuration: Store.configuration())
        try Schema.migrator.migrate(queue, upTo: "v2")
        try queue.write(Fixtures.tools.build)
        try Schema.migrator.migrate(queue)
        try queue.read { (db: Database) throws in
            #expect(try Int.fetchAll(db, sql: "SELECT count(*) FROM tool_steps UNION ALL SELECT count(*) FROM tool_steps_queue") == [11, 0])
            #expect(try Schema.toolStepsDifferences(db) == 0)
            #expect(try Schema.toolStepsAreCurrent(db))
        }
        try queue.write { (db: Database) throws in
            try db.execute(sql: Schema.downSteps["v3"]!)
            #expect(try db.tableExists("tool_steps") == false)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%tool_steps%'") == 0)
            // Writes to the input tables work without the triggers' tables.
            try db.execute(sql: "DELETE FROM tool_calls; DELETE FROM calls")
        }
    }

    /// Sessions the indexer will derive (derive_queue) are refreshed when the derivation
    /// commits, not twice.
    @Test func sessionsAwaitingDerivationWaitForIt() throws {
        let store = try Fixtures.store("tools")
        try store.write { db in
            try db.execute(sql: """
                INSERT INTO derive_queue VALUES ('ses-cl');
                UPDATE tool_calls SET tool = 'Grep2' WHERE tool = 'Grep';
                UPDATE tool_calls SET tool = 'read2' WHERE part_id = 'p-a1-1';
                """)
        }
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT session_id FROM tool_steps_queue") } == ["ses-cl"])
        #expect(try run("cost-by-tool", on: store) == Self.fromTables("cost-by-tool", on: store))
        try store.write { db in try db.execute(sql: "DELETE FROM derive_queue") }
        #expect(try Self.state(store) == (0, 0))
    }

    @Test func theCheckSeesATableThatDrifted() throws {
        let store = try Fixtures.store("tools")
        try store.withConnection { db in try db.execute(sql: "UPDATE tool_steps SET r = r + 1 WHERE part_id = 'p-a1-1'") }
        #expect(try Self.state(store) == (0, 2))
        try store.write { db in try Schema.rebuildToolSteps(db) }
        #expect(try Self.state(store) == (0, 0))
    }

    /// Random OpenCode- and Claude-shaped sessions written in small transactions, in any order,
    /// some rewritten or removed later: the table stays exact and the analysis agrees.
    @Test func randomWritesKeepTheTableExact() throws {
        var rng = SeededGenerator(seed: 3)
        let store = try Store.inMemory()
        func at(_ second: Int) -> String { Timestamps.iso(Date(timeIntervalSince1970: 1_773_000_000 + Double(second))) }
        for round in 0..<30 {
            let s = "s\(Int.random(in: 0..<6, using: &rng))"
            try store.write { db in
                try db.execute(literal: "INSERT INTO sessions (id, source) VALUES (\(s), 'x') ON CONFLICT DO NOTHING")
                let m = "\(s)-m\(round)"
                let base = Int.random(in: 0..<600, using: &rng)
                try db.execute(literal: "INSERT INTO messages (id, session_id, role, created_at) VALUES (\(m), \(s), 'assistant', \(at(base)))")
                let stepFinishes = Bool.random(using: &rng)
                for ordinal in 0..<Int.random(in: 1...6, using: &rng) {
                    let id = "\(m)-p\(ordinal)"
                    let type = stepFinishes && Int.random(in: 0..<3, using: &rng) == 0 ? "step-finish" : "tool"
                    try db.execute(literal: """
                        INSERT INTO parts (id, message_id, session_id, ordinal, type, created_at)
                        VALUES (\(id), \(m), \(s), \(ordinal), \(type), \(Bool.random(using: &rng) ? at(base + ordinal) : nil))
                        """)
                    if type == "tool" {
                        try db.execute(literal: """
                            INSERT INTO tool_calls (part_id, tool, status, duration_ms)
                            VALUES (\(id), \(["a", "b"].randomElement(using: &rng)!), \(["completed", "error"].randomElement(using: &rng)!),
                                    \(Int.random(in: 0..<4, using: &rng) == 0 ? nil : Int.random(in: 0...50, using: &rng)))
                            """)
                    }
                    if type == "step-finish" || Int.random(in: 0..<4, using: &rng) == 0 {
                        let cost = Int64.random(in: 0...1000, using: &rng)
                        try db.execute(literal: """
                            INSERT INTO calls (id, source, session_id, message_id, started_at, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
                            VALUES (\(type == "step-finish" ? id : "\(id)-call"), 'x', \(s), \(Bool.random(using: &rng) ? m : nil),
                                    \(at(base + Int.random(in: -30...30, using: &rng))), 1, \(cost), \(cost), 'reported')
                            """)
                    }
                }
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    try db.execute(literal: "DELETE FROM calls WHERE rowid = (SELECT rowid FROM calls WHERE session_id = \(s) ORDER BY id LIMIT 1 OFFSET \(Int.random(in: 0..<3, using: &rng)))")
                }
                if Int.random(in: 0..<5, using: &rng) == 0 {
                    try db.execute(literal: "UPDATE messages SET created_at = \(at(Int.random(in: 0..<600, using: &rng))) WHERE session_id = \(s)")
                }
            }
            #expect(try Self.state(store) == (0, 0), "round \(round)")
        }
        try Self.expectSameResults(store, "random")
    }
}
