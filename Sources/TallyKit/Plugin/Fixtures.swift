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

    public static let all: [Fixture] = [empty, tiny, priced, sessions, tools, cache, repair] + audits

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

    /// Priced calls for the cost analyses and `pricing`: three priced models (one with a
    /// long-context tier, one without a cache write price and with a dated price change), an
    /// unpriced model, two total-only calls (one with a reported cost), calls on 2026-03-01, 02,
    /// 04 and 05 (none on 03), two projects, four sources. Costs are stored by `CostEngine`.
    public static let priced = Fixture(
        "priced", "10 calls of 4 models over 5 days (none on 03-03): tiers, a fallback, total-only, unpriced."
    ) { db in
        try db.execute(
            sql: """
                INSERT INTO projects (id, source, name) VALUES ('prj-tally', 'opencode', 'tally'), ('prj-web', 'opencode', 'web');
                INSERT INTO pricing (model, provider, input_per_mtok, output_per_mtok, cache_read_per_mtok,
                                     cache_write_per_mtok, cache_write_1h_per_mtok, tier_threshold_tokens,
                                     input_above_per_mtok, output_above_per_mtok, cache_read_above_per_mtok,
                                     effective_from, effective_to, source, created_at)
                VALUES ('claude-sonnet-4-5', 'anthropic', 3, 15, 0.3, 3.75, 6, NULL, NULL, NULL, NULL, NULL, NULL,
                        'snapshot', '2026-01-01T00:00:00.000Z'),
                       ('gemini-2.5-pro', 'vertex_ai-language-models', 1.25, 10, 0.125, NULL, NULL, 200000, 2.5, 15, 0.25,
                        NULL, NULL, 'snapshot', '2026-01-01T00:00:00.000Z'),
                       ('gpt-5', 'openai', 1.25, 10, 0.125, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                        'snapshot', '2026-01-01T00:00:00.000Z'),
                       ('gpt-5', NULL, 1, 8, 0.1, NULL, NULL, NULL, NULL, NULL, NULL, '2026-03-05T00:00:00.000Z', NULL,
                        'user', '2026-03-04T12:00:00.000Z');
                INSERT INTO calls (id, source, project_id, provider, model, started_at, input_tokens, output_tokens,
                                   reasoning_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
                                   total_tokens, reported_cost_nanos)
                VALUES ('c1', 'claude', 'prj-tally', 'anthropic', 'claude-sonnet-4-5', '2026-03-01T09:00:00.000Z',
                        1000, 500, 0, 10000, 10000, 0, 21500, NULL),
                       ('c2', 'opencode', 'prj-web', 'anthropic', 'claude-sonnet-4-5', '2026-03-02T10:00:00.000Z',
                        1000, 500, 0, 10000, 0, 0, 11500, NULL),
                       ('c3', 'opencode', 'prj-tally', 'anthropic', 'claude-sonnet-4-5', '2026-03-04T11:00:00.000Z',
                        1000, 500, 0, 0, 10000, 10000, 11500, 200000000),
                       ('g1', 'gemini', 'prj-tally', 'google', 'gemini-2.5-pro', '2026-03-02T12:00:00.000Z',
                        200000, 10000, 0, 0, 0, NULL, 210000, NULL),
                       ('g2', 'gemini', 'prj-web', 'google', 'gemini-2.5-pro', '2026-03-05T12:00:00.000Z',
                        300000, 10000, 0, 0, 0, NULL, 310000, NULL),
                       ('o1', 'codex', 'prj-tally', 'openai', 'gpt-5', '2026-03-01T15:00:00.000Z',
                        1000, 500, 300, 1000, 0, NULL, 2800, 2000000),
                       ('o2', 'codex', 'prj-web', 'openai', 'gpt-5', '2026-03-05T16:00:00.000Z',
                        1000, 500, 0, 0, 2000, NULL, 3500, NULL),
                       ('o3', 'events', 'prj-tally', 'openai', 'gpt-5', '2026-03-02T08:00:00.000Z',
                        NULL, NULL, NULL, NULL, NULL, NULL, 4000, NULL),
                       ('o4', 'events', 'prj-tally', 'openai', 'gpt-5', '2026-03-04T08:00:00.000Z',
                        NULL, NULL, NULL, NULL, NULL, NULL, 5000, 3000000),
                       ('a1', 'events', 'prj-web', 'acme', 'acme-internal-7b', '2026-03-05T20:00:00.000Z',
                        1000, 500, NULL, NULL, NULL, NULL, 1500, NULL);
                """)
        try CostEngine.reprice(db, calls: .all)
    }
}
