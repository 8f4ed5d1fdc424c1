import Foundation
import GRDB

/// A named, small database that plugin examples run against (SPEC §5: "the expected result on a
/// named fixture"). Examples and their fixtures live in the code, so `help` and the generic test
/// read the same thing.
public struct Fixture: Sendable {
    public var name: String
    public var summary: String
    public var build: @Sendable (Database) throws -> Void

    public init(_ name: String, _ summary: String, build: @escaping @Sendable (Database) throws -> Void) {
        self.name = name
        self.summary = summary
        self.build = build
    }
}

public enum Fixtures {
    /// The clock and zone examples run with, so relative dates (`-30d`, `today`) never drift.
    public static let environment = Environment(
        now: Timestamps.parse("2026-03-15T12:00:00Z")!, timeZone: TimeZone(identifier: "UTC")!)

    public static let all: [Fixture] = [empty, tiny]

    public static func named(_ name: String) -> Fixture? { all.first { $0.name == name } }

    /// A fresh in-memory store with the fixture's rows.
    public static func store(_ name: String) throws -> Store {
        guard let fixture = named(name) else {
            throw UsageError("unknown fixture '\(name)': use one of " + all.map(\.name).joined(separator: ", "))
        }
        let store = try Store.inMemory()
        try store.write(fixture.build)
        return store
    }

    // MARK: - The fixtures

    public static let empty = Fixture("empty", "A new database: the schema, no rows.") { _ in }

    /// One project with a root session, its sub-agent, and a second root; calls of two models,
    /// one of them total-only.
    public static let tiny = Fixture("tiny", "3 sessions (one a sub-agent), 4 calls, one total-only.") { db in
        try db.execute(
            sql: """
                INSERT INTO projects (id, source, name, directory)
                VALUES ('prj-tally', 'opencode', 'tally', '/src/tally');
                INSERT INTO sessions (id, source, project_id, parent_id, title, started_at)
                VALUES ('ses-root', 'opencode', 'prj-tally', NULL, 'Fix the parser', '2026-03-05T10:00:00.000Z'),
                       ('ses-child', 'opencode', 'prj-tally', 'ses-root', 'Search the code', '2026-03-05T10:05:00.000Z'),
                       ('ses-other', 'claude', 'prj-tally', NULL, 'Write the README', '2026-03-06T09:00:00.000Z');
                INSERT INTO calls (id, source, session_id, project_id, provider, model, started_at,
                                   input_tokens, output_tokens, reasoning_tokens, cache_read_tokens,
                                   cache_write_tokens, total_tokens, reported_cost_nanos, cost_nanos, cost_source)
                VALUES ('call-1', 'opencode', 'ses-root', 'prj-tally', 'anthropic', 'claude-sonnet-4-5',
                        '2026-03-05T10:01:00.000Z', 1000, 500, 0, 200, 0, 1700, 10560000, 10560000, 'reported'),
                       ('call-2', 'opencode', 'ses-child', 'prj-tally', 'anthropic', 'claude-sonnet-4-5',
                        '2026-03-05T10:06:00.000Z', 2000, 300, 0, 0, 0, 2300, 10500000, 10500000, 'reported'),
                       ('call-3', 'claude', 'ses-other', 'prj-tally', 'openai', 'gpt-5',
                        '2026-03-06T09:01:00.000Z', 1000, 500, 100, 200, 0, 1800, NULL, NULL, NULL),
                       ('call-4', 'claude', 'ses-other', 'prj-tally', 'openai', 'gpt-5',
                        '2026-03-06T09:02:00.000Z', NULL, NULL, NULL, NULL, NULL, 4000, NULL, NULL, NULL);
                """)
    }
}
