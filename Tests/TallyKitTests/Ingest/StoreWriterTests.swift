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
        let n = StoreWriter.callsPerStatement
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
