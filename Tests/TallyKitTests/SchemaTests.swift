import Foundation
import GRDB
import Testing
@testable import TallyKit

// MARK: - Databases under test

/// Every schema test runs against an in-memory queue and an on-disk WAL pool.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memoryQueue
    case diskPool

    var testDescription: String { rawValue }
}

/// A database migrated to the current schema; an on-disk one lives in a temporary directory
/// that is removed with the value.
final class MigratedStore {
    let writer: any DatabaseWriter
    private let directory: URL?

    init(_ kind: StoreKind) throws {
        switch kind {
        case .memoryQueue:
            directory = nil
            writer = try DatabaseQueue()
        case .diskPool:
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("tally-schema-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            self.directory = directory
            writer = try DatabasePool(path: directory.appendingPathComponent("tally.db").path)
        }
        try Schema.migrator.migrate(writer)
    }

    deinit {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}

// MARK: - SampleRows

/// A small valid graph touching every table.
enum SampleRows {
    static let t0 = "2026-03-05T10:02:11.123Z"
    static let t1 = "2026-03-05T10:02:15.456Z"

    static func insert(_ db: Database) throws {
        try db.execute(literal: """
            INSERT INTO projects (id, source, name, directory, created_at, attributes)
            VALUES ('prj-1', 'opencode', 'tokenbench', '/src/tokenbench', \(t0), '{"vcs": "git"}');
            INSERT INTO sessions (id, source, project_id, parent_id, title, started_at, source_path)
            VALUES ('ses-root', 'opencode', 'prj-1', NULL, 'Fix the parser', \(t0), 'session/prj-1/ses-root.json'),
                   ('ses-child', 'opencode', 'prj-1', 'ses-root', 'Search', \(t1), 'session/prj-1/ses-child.json');
            INSERT INTO messages (id, session_id, role, parent_id, created_at, provider, model)
            VALUES ('msg-user', 'ses-root', 'user', NULL, \(t0), NULL, NULL),
                   ('msg-asst', 'ses-root', 'assistant', 'msg-user', \(t1), 'anthropic', 'claude-sonnet-4-5');
            INSERT INTO parts (id, message_id, session_id, ordinal, type, created_at, data)
            VALUES ('prt-text', 'msg-user', 'ses-root', 0, 'text', \(t0), '{"text": "fix it"}'),
                   ('prt-reason', 'msg-asst', 'ses-root', 0, 'reasoning', \(t1), NULL),
                   ('prt-tool', 'msg-asst', 'ses-root', 1, 'tool', \(t1), NULL),
                   ('prt-step', 'msg-asst', 'ses-root', 2, 'step-finish', \(t1), NULL),
                   ('prt-spare', 'msg-asst', 'ses-root', 3, 'tool', \(t1), NULL);
            INSERT INTO text_parts (part_id, text, synthetic) VALUES ('prt-text', 'fix it', 0);
            INSERT INTO thinking_blocks (part_id, text, started_at, ended_at)
            VALUES ('prt-reason', 'Let me look', \(t0), \(t1));
            INSERT INTO tool_calls (part_id, call_id, tool, status, input, output, started_at, ended_at,
                                    duration_ms, child_session_id)
            VALUES ('prt-tool', 'toolu_1', 'task', 'completed', '{"prompt": "search"}', 'done', \(t0), \(t1),
                    4333, 'ses-child');
            INSERT INTO file_operations (part_id, path, operation, additions, deletions)
            VALUES ('prt-tool', 'Sources/Parser.swift', 'edit', 12, 3);
            INSERT INTO errors (part_id, message_id, session_id, name, payload)
            VALUES ('prt-tool', 'msg-asst', 'ses-root', 'ToolError', '{"raw": "exit 1"}');
            INSERT INTO pricing (id, model, provider, input_per_mtok, output_per_mtok, cache_read_per_mtok,
                                 cache_write_per_mtok, created_at, source)
            VALUES (1, 'claude-sonnet-4-5', 'anthropic', 3, 15, 0.3, 3.75, \(t0), 'snapshot');
            INSERT INTO model_aliases (alias, model, provider, source)
            VALUES ('sonnet', 'claude-sonnet-4-5', 'anthropic', 'user');
            INSERT INTO calls (id, source, session_id, message_id, project_id, provider, model, started_at,
                               input_tokens, output_tokens, reasoning_tokens, cache_read_tokens,
                               cache_write_tokens, cache_write_1h_tokens, total_tokens,
                               reported_cost_nanos, computed_cost_nanos, cost_nanos, cost_source, pricing_id)
            VALUES ('call-1', 'opencode', 'ses-root', 'msg-asst', 'prj-1', 'anthropic', 'claude-sonnet-4-5', \(t1),
                    100, 200, 0, 1000, 50, 10, 1350,
                    2370000000, 1234567890, 1234567890, 'computed', 1),
                   ('call-total-only', 'events', 'ses-child', NULL, NULL, 'acme', 'acme-internal-7b', \(t1),
                    NULL, NULL, NULL, NULL, NULL, NULL, 5000,
                    NULL, NULL, NULL, NULL, NULL);
            INSERT INTO exchanges (id, session_id, ordinal, user_message_id, prompt, started_at, ended_at,
                                   call_count, total_tokens, cost_nanos)
            VALUES ('exc-1', 'ses-root', 0, 'msg-user', 'fix it', \(t0), \(t1), 1, 1350, 1234567890);
            INSERT INTO exchange_traces (exchange_id, ordinal, kind, part_id, call_id, child_session_id, at, detail)
            VALUES ('exc-1', 0, 'reasoning', 'prt-reason', NULL, NULL, \(t0), NULL),
                   ('exc-1', 1, 'delegation', 'prt-tool', NULL, 'ses-child', \(t1), '{"tool": "task"}');
            INSERT INTO workflow_runs (run_id, issue_number, workflow, status, started_at, updated_at)
            VALUES ('7f3c21aa', 23, 'adw_plan_build', 'completed', \(t0), \(t1));
            INSERT INTO workflow_cost_records (run_id, line, at, agent, model, input_tokens, output_tokens,
                                               cache_read_tokens, cache_write_tokens, total_tokens,
                                               reported_cost_nanos, cost_nanos, cost_source)
            VALUES ('7f3c21aa', 1, \(t0), 'issue_classifier', 'claude-haiku-4-5', 1820, 240, 0, 0, 2060,
                    3020000, 3020000, 'reported');
            INSERT INTO workflow_summaries (run_id, issue_number, status, stored_cost_nanos, total_tokens,
                                            cost_breakdown, updated_at)
            VALUES ('7f3c21aa', 23, 'completed', 110000000, 38560, '{"by_phase": {}}', \(t1)),
                   ('0b9d5e21', 19, 'pending', 0, 0, NULL, NULL);
            INSERT INTO derive_queue (session_id) VALUES ('ses-root');
            INSERT INTO cost_audit_log (entity, entity_id, field, old_value, new_value, reason, command, at)
            VALUES ('workflow_summaries', '7f3c21aa', 'stored_cost_nanos', 110000000, 3050000000,
                    'stale summary', 'resync', \(t1));
            INSERT INTO ingest_files (path, source, size, mtime_ns, content_hash, records, rejected, status, indexed_at)
            VALUES ('/data/usage.jsonl', 'events', 4096, 1772704931123000000, 'sha256:00', 19, 1, 'partial', \(t1));
            INSERT INTO rejected_records (source, path, line, key, reason, raw, at)
            VALUES ('events', '/data/usage.jsonl', 12, NULL, 'negative input_tokens', '{"input_tokens": -1}', \(t1)),
                   ('events', '/data/usage.jsonl', 13, NULL, 'not UTF-8', x'C328', \(t1));
            INSERT INTO ingest_lock (id, pid, host, started_at, heartbeat_at) VALUES (1, 4242, 'dev', \(t0), \(t1));
            """)
    }
}

// MARK: - Tests

@Suite("Schema v1")
struct SchemaTests {
    static let tables: Set<String> = [
        "projects", "sessions", "messages", "calls",
        "parts", "tool_calls", "file_operations", "errors", "thinking_blocks", "text_parts",
        "exchanges", "exchange_traces",
        "workflow_runs", "workflow_cost_records", "workflow_summaries",
        "pricing", "model_aliases", "cost_audit_log", "call_rollup", "tool_steps", "tool_steps_queue", "quarter_rollup", "session_rollup",
        "ingest_files", "rejected_records", "ingest_lock", "derive_queue",
    ]

    @Test(arguments: StoreKind.allCases)
    func migrationCreatesEveryTable(kind: StoreKind) throws {
        let store = try MigratedStore(kind)
        try store.writer.read { (db: Database) throws in
            let names = try String.fetchSet(db, sql: """
                SELECT name FROM sqlite_schema
                WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                """)
            #expect(names == Self.tables)
            #expect(try Int32.fetchOne(db, sql: "PRAGMA application_id") == Schema.applicationID)
            #expect(try Schema.migrator.appliedMigrations(db) == ["v1", "v2", "v3", Schema.currentVersion])
            #expect(try Schema.migrator.hasCompletedMigrations(db))
            let strict = try Int.fetchOne(db, sql: "SELECT count(*) FROM pragma_table_list WHERE strict = 1 AND schema = 'main'")
            #expect(strict == Self.tables.count)
        }
        try Schema.migrator.migrate(store.writer)  // already current: nothing to do
    }

    @Test(arguments: StoreKind.allCases)
    func validRowsAreAccepted(kind: StoreKind) throws {
        let store = try MigratedStore(kind)
        try store.writer.write(SampleRows.insert)
        try store.writer.read { (db: Database) throws in
            for table in Self.tables.subtracting(["tool_steps"]) {
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")! > 0, "\(table) is empty")
            }
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try String.fetchOne(db, sql: "SELECT typeof(raw) FROM rejected_records WHERE line = 13") == "blob")
        }
        // tool_steps is filled when Tally's writer commits; until then the rows wait in its queue,
        // and a session waiting for the indexer's derivation (derive_queue) waits for it too.
        let steps = "SELECT count(*) FROM tool_steps UNION ALL SELECT count(DISTINCT session_id) FROM tool_steps_queue"
        try store.writer.write(Store.finishWrite)
        #expect(try store.writer.read { db in try Int.fetchAll(db, sql: steps) } == [0, 1])
        try store.writer.write { db in
            try db.execute(sql: "DELETE FROM derive_queue")
            try Store.finishWrite(db)
        }
        #expect(try store.writer.read { db in try Int.fetchAll(db, sql: steps) } == [1, 0])
    }

    /// A source's total that disagrees with its splits is data for the audits, not an error.
    @Test(arguments: StoreKind.allCases)
    func totalsAreKeptAsTheSourceGaveThem(kind: StoreKind) throws {
        let store = try MigratedStore(kind)
        try store.writer.write(SampleRows.insert)
        try store.writer.write { db in
            try db.execute(sql: "UPDATE calls SET total_tokens = 0 WHERE id = 'call-1'")
            try db.execute(sql: "UPDATE workflow_cost_records SET total_tokens = 99")
        }
        let totals = try store.writer.read { db in try Int.fetchAll(db, sql: "SELECT total_tokens FROM calls ORDER BY id") }
        #expect(totals == [0, 5000])
    }

    @Test(arguments: StoreKind.allCases, BadRow.all)
    func checksRejectInvalidRows(kind: StoreKind, rejection: BadRow) throws {
        let store = try MigratedStore(kind)
        try store.writer.write(SampleRows.insert)
        // The same row without the bad value is accepted.
        try store.writer.writeWithoutTransaction { db in
            try db.inTransaction {
                try db.execute(sql: rejection.setup)
                try insert(rejection.table, rejection.base, into: db)
                return .rollback
            }
        }
        var row = rejection.base
        for (column, value) in rejection.change { row[column] = value }
        let error = #expect(throws: DatabaseError.self) {
            try store.writer.write { db in
                try db.execute(sql: rejection.setup)
                try insert(rejection.table, row, into: db)
            }
        }
        #expect(error?.resultCode == .SQLITE_CONSTRAINT, "\(error?.message ?? "")")
        #expect(error?.extendedResultCode != .SQLITE_CONSTRAINT_FOREIGNKEY, "\(error?.message ?? "")")
    }

    @Test(arguments: StoreKind.allCases)
    func foreignKeysAreEnforcedAtCommit(kind: StoreKind) throws {
        let store = try MigratedStore(kind)
        try store.writer.write(SampleRows.insert)
        let orphans = [
            "INSERT INTO messages (id, session_id, role, created_at) VALUES ('m', 'nope', 'user', '\(SampleRows.t0)')",
            "INSERT INTO sessions (id, source, parent_id) VALUES ('s', 'claude', 'nope')",
            "INSERT INTO sessions (id, source, project_id) VALUES ('s', 'claude', 'nope')",
            "INSERT INTO parts (id, message_id, session_id, ordinal, type) VALUES ('p', 'nope', 'ses-root', 0, 'text')",
            "INSERT INTO calls (id, source, session_id, started_at, total_tokens) VALUES ('c', 'x', 'nope', '\(SampleRows.t0)', 1)",
            "INSERT INTO calls (id, source, started_at, total_tokens, computed_cost_nanos, pricing_id) VALUES ('c', 'x', '\(SampleRows.t0)', 1, 5, 99)",
            "INSERT INTO tool_calls (part_id, tool) VALUES ('nope', 'bash')",
            "INSERT INTO exchange_traces (exchange_id, ordinal, kind) VALUES ('nope', 0, 'text')",
            "INSERT INTO workflow_cost_records (run_id, line, total_tokens) VALUES ('nope', 1, 0)",
            "DELETE FROM sessions WHERE id = 'ses-root'",  // still has messages, calls and a child
        ]
        for sql in orphans {
            let error = #expect(throws: DatabaseError.self, "\(sql)") {
                try store.writer.write { db in try db.execute(sql: sql) }
            }
            #expect(error?.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY, "\(sql)")
        }
        // Deferred: children may come before their parents inside one transaction.
        try store.writer.write { db in
            try db.execute(literal: """
                INSERT INTO sessions (id, source, parent_id) VALUES ('ses-late-child', 'claude', 'ses-late');
                INSERT INTO sessions (id, source) VALUES ('ses-late', 'claude');
                """)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func ownedRowsCascade(kind: StoreKind) throws {
        let store = try MigratedStore(kind)
        try store.writer.write(SampleRows.insert)
        try store.writer.write { db in
            try db.execute(sql: """
                DELETE FROM errors WHERE part_id = 'prt-tool';
                DELETE FROM parts WHERE id = 'prt-tool';
                DELETE FROM exchanges WHERE id = 'exc-1';
                DELETE FROM workflow_runs WHERE run_id = '7f3c21aa';
                """)
        }
        try store.writer.read { (db: Database) throws in
            for table in ["tool_calls", "file_operations", "exchange_traces", "workflow_cost_records"] {
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") == 0, "\(table)")
            }
            // A summary outlives its run: it has no foreign key.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM workflow_summaries") == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func keyLookupsUseIndexes(kind: StoreKind) throws {
        let store = try MigratedStore(kind)
        try store.writer.write(SampleRows.insert)
        let lookups: [(table: String, sql: String)] = [
            ("calls", "SELECT * FROM calls WHERE session_id = ?"),
            ("calls", "SELECT * FROM calls WHERE model = ?"),
            ("calls", "SELECT * FROM calls WHERE started_at >= ? AND started_at < ?"),
            ("calls", "SELECT * FROM calls WHERE message_id = ?"),
            ("sessions", "SELECT * FROM sessions WHERE parent_id = ?"),
            ("sessions", "SELECT * FROM sessions WHERE project_id = ?"),
            ("messages", "SELECT * FROM messages WHERE session_id = ?"),
            ("parts", "SELECT * FROM parts WHERE message_id = ?"),
            ("parts", "SELECT * FROM parts WHERE session_id = ?"),
            ("tool_calls", "SELECT * FROM tool_calls WHERE tool = ?"),
            ("tool_calls", "SELECT * FROM tool_calls WHERE child_session_id = ?"),
            ("exchanges", "SELECT * FROM exchanges WHERE session_id = ?"),
            ("workflow_cost_records", "SELECT * FROM workflow_cost_records WHERE run_id = ?"),
            ("pricing", "SELECT * FROM pricing WHERE model = ?"),
            ("cost_audit_log", "SELECT * FROM cost_audit_log WHERE entity = ? AND entity_id = ?"),
            ("rejected_records", "SELECT * FROM rejected_records WHERE path = ?"),
        ]
        try store.writer.read { (db: Database) throws in
            for (table, sql) in lookups {
                let arguments = StatementArguments(Array(repeating: "x", count: sql.filter { $0 == "?" }.count))
                let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                    .map { $0["detail"] as String }
                    .joined(separator: "\n")
                #expect(plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX"), "\(sql): \(plan)")
                #expect(!plan.contains("SCAN \(table)"), "\(sql): \(plan)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func generatedUSDColumnsDivideNanos(kind: StoreKind) throws {
        let store = try MigratedStore(kind)
        try store.writer.write(SampleRows.insert)
        try store.writer.read { (db: Database) throws in
            let call = try Row.fetchOne(db, sql: "SELECT * FROM calls WHERE id = 'call-1'")!
            #expect(call["reported_cost_usd"] == 2.37)
            #expect(call["computed_cost_usd"] == Double(1_234_567_890) / 1e9)
            #expect(call["cost_usd"] == Double(1_234_567_890) / 1e9)
            let totalOnly = try Row.fetchOne(db, sql: "SELECT * FROM calls WHERE id = 'call-total-only'")!
            #expect(totalOnly["cost_usd"] as Double? == nil)
            #expect(try Double.fetchOne(db, sql: "SELECT cost_usd FROM workflow_cost_records") == 0.00302)
            #expect(try Double.fetchOne(db, sql: "SELECT stored_cost_usd FROM workflow_summaries WHERE run_id = '7f3c21aa'") == 0.11)
            #expect(try Double.fetchOne(db, sql: "SELECT cost_usd FROM exchanges") == Double(1_234_567_890) / 1e9)
        }
    }
}

// MARK: - Rejections

/// A row the schema must refuse: a valid `base` row of `table`, with `change` applied.
struct BadRow: Sendable, CustomTestStringConvertible {
    var name: String
    var table: String
    var base: [String: DatabaseValue]
    var change: [String: DatabaseValue]
    /// SQL run first, in the same transaction.
    var setup = ""

    var testDescription: String { name }

    static let call: [String: DatabaseValue] = [
        "id": "call-new".databaseValue, "source": "claude".databaseValue, "session_id": "ses-root".databaseValue,
        "model": "claude-sonnet-4-5".databaseValue, "started_at": SampleRows.t0.databaseValue,
        "input_tokens": 10.databaseValue, "output_tokens": 20.databaseValue, "reasoning_tokens": 0.databaseValue,
        "cache_read_tokens": 30.databaseValue, "cache_write_tokens": 40.databaseValue,
        "cache_write_1h_tokens": 40.databaseValue, "total_tokens": 100.databaseValue,
        "reported_cost_nanos": 500.databaseValue, "computed_cost_nanos": 400.databaseValue,
        "cost_nanos": 400.databaseValue, "cost_source": "computed".databaseValue, "pricing_id": 1.databaseValue,
        "attributes": #"{"request_id": "req_1"}"#.databaseValue,
    ]

    static func calls(_ name: String, _ change: [String: DatabaseValue]) -> BadRow {
        BadRow(name: name, table: "calls", base: call, change: change)
    }

    static let all: [BadRow] = [
        calls("negative input tokens", ["input_tokens": (-1).databaseValue]),
        calls("negative total tokens", ["total_tokens": (-1).databaseValue, "input_tokens": .null]),
        calls("missing total tokens", ["total_tokens": .null]),
        calls("fractional tokens", ["input_tokens": 1.5.databaseValue]),
        calls("text tokens", ["input_tokens": "many".databaseValue]),
        calls("1h cache writes above cache writes", ["cache_write_1h_tokens": 41.databaseValue]),
        calls("1h cache writes without cache writes", ["cache_write_tokens": .null]),
        calls("invalid JSON attributes", ["attributes": "{request_id: 1".databaseValue]),
        calls("timestamp with a space", ["started_at": "2026-03-05 10:02:11.123Z".databaseValue]),
        calls("timestamp without milliseconds", ["started_at": "2026-03-05T10:02:11Z".databaseValue]),
        calls("timestamp with an offset", ["started_at": "2026-03-05T10:02:11.123+01:00".databaseValue]),
        calls("unknown cost source", ["cost_source": "guessed".databaseValue]),
        calls("cost differs from its source", ["cost_nanos": 500.databaseValue]),
        calls("cost without a source", ["cost_source": .null]),
        calls("computed cost without pricing", ["pricing_id": .null]),
        calls("negative reported cost", ["reported_cost_nanos": (-5).databaseValue]),
        calls("cost fallback not boolean", ["cost_fallback": 2.databaseValue]),
        calls("missing id", ["id": .null]),
        BadRow(
            name: "unknown message role", table: "messages",
            base: ["id": "msg-new".databaseValue, "session_id": "ses-root".databaseValue,
                   "role": "assistant".databaseValue, "created_at": SampleRows.t0.databaseValue,
                   "error": #"{"name": "APIError"}"#.databaseValue],
            change: ["role": "robot".databaseValue]),
        BadRow(
            name: "invalid JSON message error", table: "messages",
            base: ["id": "msg-new".databaseValue, "session_id": "ses-root".databaseValue,
                   "role": "assistant".databaseValue, "created_at": SampleRows.t0.databaseValue],
            change: ["error": "APIError: overloaded".databaseValue]),
        BadRow(
            name: "session is its own parent", table: "sessions",
            base: ["id": "ses-new".databaseValue, "source": "claude".databaseValue, "parent_id": "ses-root".databaseValue],
            change: ["parent_id": "ses-new".databaseValue]),
        BadRow(
            name: "negative rollup", table: "sessions",
            base: ["id": "ses-new".databaseValue, "source": "claude".databaseValue, "rollup_total_tokens": 10.databaseValue],
            change: ["rollup_total_tokens": (-10).databaseValue]),
        BadRow(
            name: "unknown tool status", table: "tool_calls",
            base: ["part_id": "prt-spare".databaseValue, "tool": "bash".databaseValue,
                   "status": "error".databaseValue, "input": #"{"cmd": "ls"}"#.databaseValue],
            change: ["status": "done".databaseValue]),
        BadRow(
            name: "error payload not JSON", table: "errors",
            base: ["session_id": "ses-root".databaseValue, "payload": #"{"raw": "boom"}"#.databaseValue],
            change: ["payload": "boom".databaseValue]),
        BadRow(
            name: "error without payload", table: "errors",
            base: ["session_id": "ses-root".databaseValue, "payload": #"{"raw": "boom"}"#.databaseValue],
            change: ["payload": .null]),
        BadRow(
            name: "synthetic not boolean", table: "text_parts",
            base: ["part_id": "prt-spare".databaseValue, "text": "hi".databaseValue, "synthetic": 1.databaseValue],
            change: ["synthetic": 2.databaseValue]),
        BadRow(
            name: "unknown trace kind", table: "exchange_traces",
            base: ["exchange_id": "exc-1".databaseValue, "ordinal": 2.databaseValue, "kind": "text".databaseValue],
            change: ["kind": "thought".databaseValue]),
        BadRow(
            name: "duplicate trace ordinal", table: "exchange_traces",
            base: ["exchange_id": "exc-1".databaseValue, "ordinal": 2.databaseValue, "kind": "text".databaseValue],
            change: ["ordinal": 1.databaseValue]),
        BadRow(
            name: "unknown run status", table: "workflow_runs",
            base: ["run_id": "run-new".databaseValue, "status": "running".databaseValue],
            change: ["status": "done".databaseValue]),
        BadRow(
            name: "negative workflow output tokens", table: "workflow_cost_records",
            base: ["run_id": "7f3c21aa".databaseValue, "line": 2.databaseValue, "output_tokens": 5.databaseValue,
                   "total_tokens": 5.databaseValue],
            change: ["output_tokens": (-5).databaseValue]),
        BadRow(
            name: "duplicate workflow line", table: "workflow_cost_records",
            base: ["run_id": "7f3c21aa".databaseValue, "line": 2.databaseValue, "total_tokens": 5.databaseValue],
            change: ["line": 1.databaseValue]),
        BadRow(
            name: "unknown summary status", table: "workflow_summaries",
            base: ["run_id": "run-new".databaseValue, "status": "running".databaseValue],
            change: ["status": "stale".databaseValue]),
        BadRow(
            name: "invalid JSON cost breakdown", table: "workflow_summaries",
            base: ["run_id": "run-new".databaseValue, "status": "running".databaseValue],
            change: ["cost_breakdown": "{by_phase".databaseValue]),
        BadRow(
            name: "negative price", table: "pricing",
            base: ["model": "gpt-5".databaseValue, "input_per_mtok": 1.25.databaseValue,
                   "output_per_mtok": 10.databaseValue, "created_at": SampleRows.t0.databaseValue],
            change: ["input_per_mtok": (-1.25).databaseValue]),
        BadRow(
            name: "duplicate undated price", table: "pricing",
            base: ["model": "gpt-5".databaseValue, "input_per_mtok": 1.25.databaseValue,
                   "output_per_mtok": 10.databaseValue, "created_at": SampleRows.t0.databaseValue],
            change: ["model": "claude-sonnet-4-5".databaseValue, "provider": "anthropic".databaseValue]),
        BadRow(
            name: "price period ends before it starts", table: "pricing",
            base: ["model": "gpt-5".databaseValue, "input_per_mtok": 1.25.databaseValue,
                   "output_per_mtok": 10.databaseValue, "created_at": SampleRows.t0.databaseValue,
                   "effective_from": SampleRows.t0.databaseValue, "effective_to": SampleRows.t1.databaseValue],
            change: ["effective_to": SampleRows.t0.databaseValue]),
        BadRow(
            name: "above-tier price without a threshold", table: "pricing",
            base: ["model": "gpt-5".databaseValue, "input_per_mtok": 1.25.databaseValue,
                   "output_per_mtok": 10.databaseValue, "created_at": SampleRows.t0.databaseValue,
                   "tier_threshold_tokens": 200_000.databaseValue, "input_above_per_mtok": 2.5.databaseValue],
            change: ["tier_threshold_tokens": .null]),
        BadRow(
            name: "unknown ingest status", table: "ingest_files",
            base: ["path": "/data/new.jsonl".databaseValue, "status": "indexed".databaseValue,
                   "indexed_at": SampleRows.t0.databaseValue],
            change: ["status": "skipped".databaseValue]),
        BadRow(
            name: "rejected raw as a number", table: "rejected_records",
            base: ["path": "/data/new.jsonl".databaseValue, "reason": "bad".databaseValue,
                   "raw": "{".databaseValue, "at": SampleRows.t0.databaseValue],
            change: ["raw": 12.databaseValue]),
        BadRow(
            name: "second ingest lock", table: "ingest_lock",
            base: ["id": 1.databaseValue, "pid": 1.databaseValue, "host": "dev".databaseValue,
                   "started_at": SampleRows.t0.databaseValue, "heartbeat_at": SampleRows.t0.databaseValue],
            change: ["id": 2.databaseValue],
            setup: "DELETE FROM ingest_lock"),
        BadRow(
            name: "audit entry without command", table: "cost_audit_log",
            base: ["entity": "calls".databaseValue, "entity_id": "call-1".databaseValue,
                   "field": "cost_nanos".databaseValue, "command": "backfill".databaseValue,
                   "at": SampleRows.t0.databaseValue],
            change: ["command": .null]),
    ]
}

/// Inserts one row, values bound.
private func insert(_ table: String, _ row: [String: DatabaseValue], into db: Database) throws {
    let columns = row.keys.sorted()
    try db.execute(
        sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
        arguments: StatementArguments(columns.map { row[$0]! }))
}
