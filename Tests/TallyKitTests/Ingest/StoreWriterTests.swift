import Foundation
import GRDB
import Testing
@testable import TallyKit

/// The writer's multi-row call upserts behave as one statement per call.
@Suite struct StoreWriterTests {
    func call(_ id: String, tokens: Int64, sidechain: Bool = false) -> CallRecord {
        CallRecord(
            id: id, source: "events", model: "m", startedAt: "2026-03-05T10:00:00.000Z",
            tokens: TokenCounts(input: tokens, output: 0), attributes: sidechain ? #"{"isSidechain":true}"# : nil)
    }

    @Test func callsAcrossStatementBoundariesApplyInOrder() throws {
        let n = StoreWriter.rowsPerStatement
        var batch = ReadBatch()
        // 2.5 statements' worth of calls; c-3 comes again later in the same statement and c-5
        // again in the next one (the later values win); c-7 comes again as a sidechain copy
        // (the first row stays).
        batch.calls = (0..<(2 * n + n / 2)).map { call("c-\($0)", tokens: Int64($0)) }
        batch.calls.insert(call("c-3", tokens: 3000), at: 10)
        batch.calls.insert(call("c-5", tokens: 5000), at: n + 3)
        batch.calls.insert(call("c-7", tokens: 7000, sidechain: true), at: n + 4)
        let store = try Store.inMemory()
        try store.write { db in try StoreWriter(db: db, now: "2026-03-15T12:00:00.000Z").write(batch, path: "/x", source: "events") }
        let values = try store.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, input_tokens FROM calls").map { (row: Row) -> (String, Int) in (row[0], row[1]) })
        }
        do {
            #expect(values.count == 2 * n + n / 2)
            #expect(values["c-3"] == 3000)
            #expect(values["c-5"] == 5000)
            #expect(values["c-7"] == 7)
            #expect(values["c-\(2 * n + n / 2 - 1)"] == 2 * n + n / 2 - 1)
        }
    }
}

/// Parts written many rows to a statement give the rows one by one would, detail ids included.
@Suite struct StoreWriterPartsTests {
    let now = "2026-03-15T12:00:00.000Z"

    /// 150 parts (three statements' worth) of every detail kind, over three messages.
    func parts() -> [PartRecord] {
        (0..<150).map { n in
            let detail: PartDetail
            switch n % 6 {
            case 0: detail = .text("text \(n)", synthetic: n % 12 == 0)
            case 1: detail = .thinking("thought \(n)", startedAt: "2026-03-05T10:00:00.000Z", endedAt: nil)
            case 2: detail = .tool(ToolCallDetail(callID: "t\(n)", tool: "bash", status: "completed", input: #"{"cmd":"ls"}"#, durationMs: Int64(n)))
            case 3: detail = .tool(ToolCallDetail(tool: "edit", status: "error", error: "exit \(n)"))
            case 4: detail = .error(name: "APIError", payload: #"{"code":\#(n)}"#)
            default: detail = .none
            }
            let operations = n % 5 == 0 ? [FileOperationRecord(path: "/f\(n)", operation: "edit", additions: 1), FileOperationRecord(path: "/g\(n)")] : []
            return PartRecord(
                id: String(format: "p%03d", 149 - n), messageID: "m\(n % 3)", sessionID: "s", ordinal: n / 3, type: "x",
                data: #"{"n":\#(n)}"#, detail: detail, fileOperations: operations)
        }
    }

    func tables(_ store: Store) throws -> [String] {
        try store.read { db in
            try ["parts", "text_parts", "thinking_blocks", "tool_calls", "errors", "file_operations"].flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid").map { "\(table) \($0)" }
            }
        }
    }

    @Test func manyRowsPerStatementGiveTheRowsOfOneByOne() throws {
        var batch = ReadBatch()
        batch.parts = parts()
        let many = try Store.inMemory()
        try many.write { db in try StoreWriter(db: db, now: now).write(batch, path: "/x", source: "opencode") }
        let single = try Store.inMemory()
        try single.write { db in
            let writer = StoreWriter(db: db, now: now)
            for p in batch.parts { try writer.upsert(p, path: "/x") }
            try writer.ensureReferences(batch, source: "opencode")
        }
        let rows = try tables(many)
        #expect(rows.count == 150 + 25 + 25 + 50 + 50 + 60)
        #expect(rows == (try tables(single)))
    }

    /// A part written again (here from another file) has its old details replaced, not doubled.
    @Test func aStoredPartsDetailsAreReplaced() throws {
        var batch = ReadBatch()
        batch.parts = parts()
        let store = try Store.inMemory()
        try store.write { db in
            try StoreWriter(db: db, now: now).write(batch, path: "/x", source: "opencode")
            try StoreWriter(db: db, now: now).write(batch, path: "/y", source: "opencode")
        }
        let counts = try store.read { db in
            try ["parts", "errors", "file_operations"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)")! }
        }
        #expect(counts == [150, 50, 60])
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT source_path FROM parts") } == ["/y"])
    }
}

/// Calls written with a pricer carry the cost columns `CostEngine.reprice` would give them, so
/// the indexer needs no second pass over the rows it wrote.
@Suite struct StoreWriterPricingTests {
    let now = "2026-03-15T12:00:00.000Z"

    func call(
        _ id: String, model: String?, provider: String? = nil, at: String = "2026-03-05T10:00:00.000Z",
        _ tokens: TokenCounts, reported: Int64? = nil
    ) -> CallRecord {
        CallRecord(
            id: id, source: "events", provider: provider, model: model, startedAt: at, tokens: tokens,
            reportedCostNanos: reported)
    }

    func costColumns(_ db: Database) throws -> [String: [DatabaseValue]] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, computed_cost_nanos, pricing_id, cost_fallback, cost_nanos, cost_source FROM calls
            """)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["id"], Array($0.databaseValues.dropFirst())) })
    }

    @Test func handComputedCosts() throws {
        let store = try Store.inMemory()
        try store.write { db in
            let sonnet = try insertPrice(db, CostEngineTests.sonnet)
            let gemini = try insertPrice(db, CostEngineTests.gemini)
            try insertPrice(db, CostEngineTests.gpt5)
            var batch = ReadBatch()
            batch.calls = [
                // 10,000 one-hour cache writes × $6 = $0.06.
                call("a", model: "claude-sonnet-4-5", TokenCounts(input: 0, output: 0, cacheWrite: 10_000, cacheWrite1h: 10_000)),
                // Above the 200K tier the whole call bills at $2.50 / $15: 0.75 + 0.15 = $0.90.
                call("b", model: "gemini-2.5-pro", TokenCounts(input: 300_000, output: 10_000)),
                // 1,000 × 1.25 + 1,000 × 1.25 × 1.25 (no cache write price: fallback) = 2,812,500 nano-dollars.
                call("d", model: "gpt-5", TokenCounts(input: 1000, output: 0, cacheWrite: 1000), reported: 9),
                call("e", model: "gpt-5", TokenCounts(total: 4000), reported: 7_000_000),  // total-only: reported
                call("f", model: "acme-internal-7b", TokenCounts(input: 10, output: 10)),  // unpriced, no report
                call("g", model: nil, TokenCounts(input: 10, output: 10), reported: 5),  // no model yet: reported
            ]
            let book = try PriceBook.load(db)
            try StoreWriter(db: db, now: now, pricer: CallPricer(book: book)).write(batch, path: "/x", source: "events")
            let c = try costColumns(db)
            #expect(c["a"] == [60_000_000.databaseValue, sonnet.databaseValue, 0.databaseValue, 60_000_000.databaseValue, "computed".databaseValue])
            #expect(c["b"] == [900_000_000.databaseValue, gemini.databaseValue, 0.databaseValue, 900_000_000.databaseValue, "computed".databaseValue])
            #expect(c["d"]?[0] == 2_812_500.databaseValue && c["d"]?[2] == 1.databaseValue && c["d"]?[4] == "computed".databaseValue)
            #expect(c["e"] == [.null, .null, 0.databaseValue, 7_000_000.databaseValue, "reported".databaseValue])
            #expect(c["f"] == [.null, .null, 0.databaseValue, .null, .null])
            #expect(c["g"] == [.null, .null, 0.databaseValue, 5.databaseValue, "reported".databaseValue])
            #expect(try CostEngine.reprice(db, calls: .all).updated == 0)
        }
    }

    /// Random calls over dated periods, tiers, fallbacks, providers and unpriced models: the
    /// set-based reprice finds nothing to change in what the writer stored.
    @Test func agreesWithCostEngineOnRandomCalls() throws {
        let store = try Store.inMemory()
        let models: [String?] = ["claude-sonnet-4-5", "gemini-2.5-pro", "gpt-5", "anthropic/claude-sonnet-4.5", "acme", nil]
        try store.write { db in
            try CostEngineTests.insertRandomTestPrices(db)
            var batch = ReadBatch()
            batch.calls = CostEngineTests.randomCalls(2000, models: models, seed: 11)
            let book = try PriceBook.load(db)
            try StoreWriter(db: db, now: now, pricer: CallPricer(book: book)).write(batch, path: "/x", source: "events")
            let written = try costColumns(db)
            #expect(try CostEngine.reprice(db, calls: .all) == RepriceSummary(examined: 2000, updated: 0, audited: 0))
            #expect(try costColumns(db) == written)
            let computed = written.values.filter { $0[4] == "computed".databaseValue }.count
            let fallbacks = written.values.filter { $0[2] == 1.databaseValue }.count
            #expect(computed > 800 && fallbacks > 100)
        }
    }
}
