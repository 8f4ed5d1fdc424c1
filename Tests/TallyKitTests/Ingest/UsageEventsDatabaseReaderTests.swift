import Foundation
import GRDB
import Testing
@testable import TallyKit

/// UsageEventsDatabaseReader against Tests/Samples/usage-events (README "usage-events/") and
/// constructed databases.
@Suite struct UsageEventsDatabaseReaderTests {
    private static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples")
    private static let old = samples.appendingPathComponent("usage-events/llm_usage_old.db")
    private static let new = samples.appendingPathComponent("usage-events/llm_usage_new.db")

    private let reader = UsageEventsDatabaseReader()

    // MARK: - The README tables

    @Test func oldDatabaseMatchesTheReadmeTable() throws {
        let batch = try reader.read(Self.old)
        #expect(batch.records == 30)
        #expect(batch.rejections.isEmpty)
        let table = ProviderModelTotals.table(batch.calls)
        #expect(table == [
            "anthropic/claude-haiku-4-5": ProviderModelTotals(8, 89_754, 20_857, 110_611),
            "anthropic/claude-sonnet-4-5": ProviderModelTotals(5, 74_889, 6_976, 81_865),
            "google/gemini-2.5-flash": ProviderModelTotals(3, 44_654, 4_519, 49_173),
            "google/gemini-2.5-pro": ProviderModelTotals(4, 62_350, 8_478, 70_828),
            "openai/gpt-4.1-mini": ProviderModelTotals(2, 27_555, 6_798, 34_353),
            "openai/gpt-5-mini": ProviderModelTotals(8, 103_473, 18_246, 121_719),
        ])
        #expect(ProviderModelTotals(batch.calls) == ProviderModelTotals(30, 402_675, 65_874, 468_549))
        // old schema: total = prompt + completion, no cache or reasoning split invented
        for call in batch.calls {
            #expect(call.tokens.total == call.tokens.input! + call.tokens.output!)
            #expect(call.tokens.cacheRead == nil && call.tokens.cacheWrite == nil && call.tokens.reasoning == nil)
            #expect(call.attributes?.contains("total_from_splits") != true)
        }
    }

    @Test func newDatabaseMatchesTheReadmeTable() throws {
        let batch = try reader.read(Self.new)
        #expect(batch.records == 30)
        #expect(batch.rejections.isEmpty)
        let table = ProviderModelTotals.table(batch.calls)
        #expect(table == [
            "anthropic/claude-haiku-4-5": ProviderModelTotals(6, 81_642, 11_067, 92_709),
            "anthropic/claude-sonnet-4-5": ProviderModelTotals(6, 40_943, 7_661, 163_804, totalOnly: 2),
            "google/gemini-2.5-flash": ProviderModelTotals(6, 44_866, 10_921, 80_743, totalOnly: 2),
            "google/gemini-2.5-pro": ProviderModelTotals(2, 5_391, 2_055, 7_446),
            "openai/gpt-4.1-mini": ProviderModelTotals(6, 51_203, 7_667, 67_670, totalOnly: 1, defaultZero: 2),
            "openai/gpt-5-mini": ProviderModelTotals(4, 57_786, 7_588, 65_374),
        ])
        // 477,746, not the 449,116 that taking the default 0 literally gives
        #expect(ProviderModelTotals(batch.calls) == ProviderModelTotals(30, 281_831, 46_959, 477_746, totalOnly: 5, defaultZero: 2))

        let byID = Dictionary(uniqueKeysWithValues: batch.calls.map { ($0.id, $0) })
        for id in [4, 11, 17, 23, 28] {
            #expect(byID["autopack:llm_usage_new.db:\(id)"]?.tokens.isTotalOnly == true)
        }
        let nine = try #require(byID["autopack:llm_usage_new.db:9"])
        #expect(nine.tokens == TokenCounts(input: 5_111, output: 3_546, total: 8_657))
        #expect(nine.attributes == #"{"phase_id":"plan","role":"planner","run_id":"run-20260302-01","total_from_splits":true}"#)
        #expect(batch.calls.filter { $0.attributes?.contains(#""total_from_splits":true"#) == true }.map(\.id)
                == ["autopack:llm_usage_new.db:9", "autopack:llm_usage_new.db:20"])
        // id 14: completion NULL, total = prompt
        let fourteen = try #require(byID["autopack:llm_usage_new.db:14"])
        #expect(fourteen.tokens.output == nil)
        #expect(fourteen.tokens.input == fourteen.tokens.total)
        #expect(fourteen.attributes == nil)
        #expect(fourteen.sessionID == nil)
    }

    @Test func bothDatabasesGiveSixtyCalls() throws {
        let inputs = try reader.inputs(under: Self.samples.appendingPathComponent("usage-events"))
        #expect(inputs.map(\.lastPathComponent) == ["llm_usage_new.db", "llm_usage_old.db"])
        // other SQLite files (OpenCode, workflow_history) are not usage-event databases
        #expect(try reader.inputs(under: Self.samples) == inputs)
        var all = ReadBatch()
        for input in inputs { all.append(try reader.read(input)) }
        #expect(all.calls.count == 60)
        #expect(Set(all.calls.map(\.id)).count == 60)
        #expect(all.records == all.calls.count + all.rejections.count)
    }

    // MARK: - Field by field

    @Test func rowsBecomeCallsAndRunsBecomeSessions() throws {
        let batch = try reader.read(Self.old)
        let first = try #require(batch.calls.first)
        #expect(first == CallRecord(
            id: "autopack:llm_usage_old.db:1", source: "autopack", sessionID: "autopack:llm_usage_old.db:run-20260223-01",
            provider: "anthropic", model: "claude-sonnet-4-5", startedAt: "2026-02-23T08:00:00.000Z",
            tokens: TokenCounts(input: 7_127, output: 1_149, total: 8_276),
            attributes: #"{"phase_id":"plan","role":"planner","run_id":"run-20260223-01"}"#))
        // ids 7, 14, 21, 28 have no run: no session, no attributes
        let seven = try #require(batch.calls.first { $0.id == "autopack:llm_usage_old.db:7" })
        #expect(seven.sessionID == nil)
        #expect(seven.attributes == nil)

        #expect(batch.sessions.map(\.id) == [
            "autopack:llm_usage_old.db:run-20260223-01", "autopack:llm_usage_old.db:run-20260223-02",
            "autopack:llm_usage_old.db:run-20260223-03",
        ])
        #expect(batch.sessions[0] == SessionRecord(
            id: "autopack:llm_usage_old.db:run-20260223-01", source: "autopack", title: "run-20260223-01",
            startedAt: "2026-02-23T08:00:00.000Z", updatedAt: "2026-02-24T18:04:57.000Z"))
        let runs = Set(batch.sessions.map(\.id))
        #expect(batch.calls.allSatisfy { $0.sessionID == nil || runs.contains($0.sessionID!) })

        // microseconds are cut to milliseconds
        let new = try reader.read(Self.new)
        #expect(new.calls.first?.startedAt == "2026-03-02T08:00:00.271Z")
    }

    @Test func theSourceDatabaseIsNotChanged() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let copy = dir.url("llm_usage_new.db")
        try FileManager.default.copyItem(at: Self.new, to: copy)
        let before = try Data(contentsOf: copy)
        let a = try reader.read(copy)
        let b = try reader.read(copy)
        #expect(try Data(contentsOf: copy) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.root.path) == ["llm_usage_new.db"])
        #expect(a.calls == b.calls)
        #expect(a.sessions == b.sessions)
    }

    // MARK: - Bad input

    @Test func badRowsAreRejectedWithReasons() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let url = dir.url("pipeline.db")
        let queue = try DatabaseQueue(path: url.path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE llm_usage_events (id INTEGER PRIMARY KEY, provider TEXT, model TEXT, run_id TEXT,
                    prompt_tokens, completion_tokens, total_tokens, created_at, cost REAL);
                INSERT INTO llm_usage_events VALUES
                    (1, 'openai', 'gpt-5-mini', 'r1', 10, 5, 15, '2026-03-02 08:00:00', 0.01),
                    (2, 'openai', 'gpt-5-mini', 'r1', -5, 5, 0, '2026-03-02 08:00:00', NULL),
                    (3, 'openai', 'gpt-5-mini', 'r1', 5, 2.5, 0, '2026-03-02 08:00:00', NULL),
                    (4, 'openai', 'gpt-5-mini', 'r1', 5, 5, 'many', '2026-03-02 08:00:00', NULL),
                    (5, 'openai', NULL, 'r1', 5, 5, 10, '2026-03-02 08:00:00', NULL),
                    (6, 'openai', 'gpt-5-mini', 'r1', 5, 5, 10, NULL, NULL),
                    (7, 'openai', 'gpt-5-mini', 'r1', 5, 5, 10, 'soon', NULL),
                    (8, 'openai', 'gpt-5-mini', 'r1', NULL, NULL, NULL, '2026-03-02 08:00:00', NULL),
                    (9, 'openai', 'gpt-5-mini', 'r1', 5, 5, 10, 1772700000, NULL),
                    (10, 'openai', 'gpt-5-mini', 'r1', 1e30, 5, 10, '2026-03-02 08:00:00', NULL),
                    (11, 'openai', 'gpt-5-mini', NULL, 3, 4, NULL, '2026-03-02T09:00:00Z', NULL),
                    (12, 'openai', 'gpt-5-mini', NULL, 3, 4, 5, '2026-03-02T09:00:00+02:00', NULL);
                """)
        }
        try queue.close()

        let batch = try reader.read(url)
        #expect(batch.records == 12)
        #expect(batch.records == batch.calls.count + batch.rejections.count)
        #expect(batch.calls.map(\.id) == ["autopack:pipeline.db:1", "autopack:pipeline.db:11", "autopack:pipeline.db:12"])
        #expect(batch.calls[0].attributes == #"{"cost":0.01,"run_id":"r1"}"#)
        // a NULL total is the splits' sum, marked
        #expect(batch.calls[1].tokens == TokenCounts(input: 3, output: 4, total: 7))
        #expect(batch.calls[1].attributes == #"{"total_from_splits":true}"#)
        // a non-zero total below the splits is kept as given (token-audit reports it)
        #expect(batch.calls[2].tokens == TokenCounts(input: 3, output: 4, total: 5))
        #expect(batch.calls[2].startedAt == "2026-03-02T07:00:00.000Z")

        let reasons = Dictionary(uniqueKeysWithValues: batch.rejections.map { ($0.key!, $0.reason) })
        #expect(reasons == [
            "autopack:pipeline.db:2": "invalid token count prompt_tokens: negative (-5)",
            "autopack:pipeline.db:3": "invalid token count completion_tokens: not an integer (2.5)",
            "autopack:pipeline.db:4": #"invalid token count total_tokens: a string ("many"), not a number"#,
            "autopack:pipeline.db:5": "missing model",
            "autopack:pipeline.db:6": "missing created_at",
            "autopack:pipeline.db:7": #"created_at not understood: "soon" (expected ISO-8601 text, e.g. 2026-03-05 10:02:11)"#,
            "autopack:pipeline.db:8": "no token counts: prompt_tokens, completion_tokens and total_tokens are all NULL",
            "autopack:pipeline.db:9": "created_at is not timestamp text (1772700000)",
            "autopack:pipeline.db:10": "invalid token count prompt_tokens: out of range (1e+30)",
        ])
        #expect(batch.rejections.allSatisfy { $0.line == nil })
        #expect(batch.rejections.first?.raw == .text(
            #"{"completion_tokens":5,"cost":null,"created_at":"2026-03-02 08:00:00","id":2,"model":"gpt-5-mini","prompt_tokens":-5,"provider":"openai","run_id":"r1","total_tokens":0}"#))
    }

    @Test func aDatabaseWithoutTheTableThrows() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let url = dir.url("other.db")
        let queue = try DatabaseQueue(path: url.path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        try queue.close()
        #expect(try reader.inputs(under: dir.root).isEmpty)
        #expect(try reader.inputs(under: url) == [url])
        let error = #expect(throws: ReaderError.self) { try reader.read(url) }
        #expect(error?.message == url.path + ": no llm_usage_events table: not a usage-events database")

        let noTime = dir.url("notime.db")
        let q2 = try DatabaseQueue(path: noTime.path)
        try q2.write { db in try db.execute(sql: "CREATE TABLE llm_usage_events (id, model, prompt_tokens, completion_tokens)") }
        try q2.close()
        let missing = #expect(throws: ReaderError.self) { try reader.read(noTime) }
        #expect(missing?.message == noTime.path + ": llm_usage_events has no created_at column")
    }
}

/// Per provider/model sums as the README tables show them (NULL splits count 0).
private struct ProviderModelTotals: Equatable {
    var calls: Int
    var prompt: Int64
    var completion: Int64
    var total: Int64
    var totalOnly = 0
    var defaultZero = 0

    init(_ calls: Int, _ prompt: Int64, _ completion: Int64, _ total: Int64, totalOnly: Int = 0, defaultZero: Int = 0) {
        self.calls = calls
        self.prompt = prompt
        self.completion = completion
        self.total = total
        self.totalOnly = totalOnly
        self.defaultZero = defaultZero
    }

    init(_ records: [CallRecord]) {
        self.init(0, 0, 0, 0)
        for call in records {
            calls += 1
            prompt += call.tokens.input ?? 0
            completion += call.tokens.output ?? 0
            total += call.tokens.total
            if call.tokens.isTotalOnly { totalOnly += 1 }
            if call.attributes?.contains(#""total_from_splits":true"#) == true { defaultZero += 1 }
        }
    }

    static func table(_ calls: [CallRecord]) -> [String: ProviderModelTotals] {
        Dictionary(grouping: calls) { "\($0.provider ?? "")/\($0.model ?? "")" }.mapValues(ProviderModelTotals.init)
    }
}

private struct TempFolder {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tally-autopack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func url(_ name: String) -> URL { root.appendingPathComponent(name) }
}
