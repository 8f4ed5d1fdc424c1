import Foundation
import GRDB
import Testing
@testable import TallyKit

/// A minimal reader for the indexer's own tests: `*.calls` files, one call per line
/// `id session tokens [parent]`; anything else on a line is a rejection.
struct LinesReader: SourceReader {
    static let source = "lines"

    func inputs(under root: URL) throws -> [URL] {
        try SourceFiles.files(under: root) { $0.hasSuffix(".calls") }
    }

    func read(_ input: URL) throws -> ReadBatch {
        let text = try String(contentsOf: input, encoding: .utf8)
        var batch = ReadBatch()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            batch.records += 1
            let f = line.split(separator: " ").map(String.init)
            guard f.count >= 3, let tokens = Int64(f[2]), tokens >= 0 else {
                batch.rejections.append(Rejection(line: i + 1, reason: "bad line", raw: .text(String(line))))
                continue
            }
            batch.sessions.append(SessionRecord(id: f[1], source: "lines", parentID: f.count > 3 ? f[3] : nil))
            batch.messages.append(MessageRecord(id: "m-" + f[0], sessionID: f[1], role: .user, createdAt: "2026-03-05T10:0\(i % 10):00.000Z"))
            batch.calls.append(CallRecord(
                id: f[0], source: "lines", sessionID: f[1], model: "m", startedAt: "2026-03-05T10:0\(i % 10):30.000Z",
                tokens: TokenCounts(input: tokens, output: 0), reportedCostNanos: tokens * 1000))
        }
        return batch
    }
}

@Suite struct IndexerTests {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tally-indexer-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()
    let now = Timestamps.parse("2026-03-15T12:00:00Z")!

    func write(_ name: String, _ text: String) throws {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func index(_ store: Store, dryRun: Bool = false, streamAbove: Int64 = 48 << 20) throws -> Indexer.Summary {
        try Indexer(store: store, reader: LinesReader(), now: now, dryRun: dryRun, batchFiles: 2, streamThreshold: streamAbove)
            .run(root: dir)
    }

    /// Every table's rows as text, the ledger's time columns left out.
    func snapshot(_ store: Store) throws -> String {
        try store.read { db in
            var text = ""
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") {
                let columns = try db.columns(in: table).map(\.name).filter { !["indexed_at", "mtime_ns"].contains($0) }
                let list = columns.map { $0.quotedDatabaseIdentifier }.joined(separator: ", ")
                let order = (1...columns.count).map(String.init).joined(separator: ", ")
                for row in try Row.fetchAll(db, sql: "SELECT \(list) FROM \(table.quotedDatabaseIdentifier) ORDER BY \(order)") {
                    text += "\(table) \(row)\n"
                }
            }
            return text
        }
    }

    @Test func secondRunIndexesNothingAndChangesNothing() throws {
        try write("a.calls", "c1 s1 100\nc2 s1 50\n")
        try write("sub/b.calls", "c3 s2 10 s1\nnot a call\n")
        try write("c.calls", "c4 s3 7\n")
        let store = try Store.inMemory()
        let first = try index(store)
        #expect(first.indexed == 4 && first.rejected == 1 && first.filesRead == 3 && first.unchanged == 0)
        let before = try snapshot(store)
        let second = try index(store)
        #expect(second == { var s = Indexer.Summary(); s.unchanged = 3; return s }())
        #expect(try snapshot(store) == before)
    }

    /// New inputs of one batch are written together, table by table: the database is the one
    /// they give one at a time (placeholders for parts before their message file, sub-agents
    /// before their parent, the same rows and detail ids).
    @Test func inputsWrittenTogetherGiveTheSameDatabaseAsOneByOne() throws {
        func indexed(batchFiles: Int) throws -> Store {
            let store = try Store.inMemory()
            _ = try Indexer(store: store, reader: OpenCodeTreeReader(), now: now, batchFiles: batchFiles)
                .run(root: OpenCodeSamples.storage)
            return store
        }
        let together = try indexed(batchFiles: 1000)
        #expect(try together.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM parts") } ?? 0 > 20)
        #expect(try snapshot(together) == snapshot(indexed(batchFiles: 1)))
    }

    /// Step-finish calls take model, provider, agent and project from the stored message and
    /// session as they are written: the database is the one the derive step filling them gives.
    @Test func callContextFilledAsWrittenGivesTheSameDatabase() throws {
        let sources: [(any SourceReader, URL)] = [
            (OpenCodeTreeReader(), OpenCodeSamples.storage), (OpenCodeDatabaseReader(), OpenCodeSamples.database),
        ]
        for (reader, root) in sources {
            func indexed(filling: Bool) throws -> Store {
                let store = try Store.inMemory()
                let indexer = Indexer(store: store, reader: reader, now: now, batchFiles: 5, streamThreshold: 1)
                indexer.fillsCallContext = filling
                _ = try indexer.run(root: root)
                return store
            }
            let filled = try indexed(filling: true)
            #expect(try snapshot(filled) == snapshot(indexed(filling: false)), "\(root.lastPathComponent)")
            #expect(try filled.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE model IS NULL") } == 0)
        }
    }

    @Test func streamedInputsGiveTheSameDatabase() throws {
        try write("a.calls", "c1 s1 100\nc2 s1 50\n")
        try write("sub/b.calls", "c3 s2 10 s1\nnot a call\n")
        let whole = try Store.inMemory()
        let streamed = try Store.inMemory()
        let a = try index(whole)
        let b = try index(streamed, streamAbove: 1)
        #expect(a == b)
        #expect(try snapshot(whole) == snapshot(streamed))
        try write("a.calls", "c1 s1 100\n")
        #expect(try index(streamed, streamAbove: 1).indexed == 1)
        #expect(try streamed.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") } == 2)
    }

    @Test func aChangedFileIsReplacedAndAVanishedOneForgotten() throws {
        try write("a.calls", "c1 s1 100\nc2 s1 50\n")
        try write("b.calls", "c3 s2 10\n")
        let store = try Store.inMemory()
        _ = try index(store)
        try write("a.calls", "c1 s1 100\nbroken\n")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("b.calls"))
        let s = try index(store)
        #expect(s.indexed == 1 && s.rejected == 1 && s.filesRead == 1 && s.removed == 1)
        let ids = try store.read { db in try String.fetchAll(db, sql: "SELECT id FROM calls ORDER BY id") }
        #expect(ids == ["c1"])
        let rejected = try store.read { db in try Row.fetchAll(db, sql: "SELECT line, reason, raw FROM rejected_records") }
        #expect(rejected.map { "\($0[0] as Int):\($0[1] as String):\($0[2] as String)" } == ["2:bad line:broken"])
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ingest_files") } == 1)
    }

    /// Calls are priced as they are written (no reprice pass), whole or streamed, and a later
    /// reprice finds nothing to change; nothing is audited for newly indexed rows.
    @Test func indexedCallsCarryTheirComputedCost() throws {
        try write("a.calls", "c1 s1 100\nc2 s1 1500000\n")
        for streamAbove: Int64 in [48 << 20, 1] {
            let store = try Store.inMemory()
            let price = try store.write { db in
                try insertPrice(db, PriceRecord(model: "m", input: mtok("2"), output: mtok("8"), source: "user"))
            }
            #expect(try index(store, streamAbove: streamAbove).indexed == 2)
            let rows = try store.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT computed_cost_nanos, pricing_id, cost_nanos, cost_source, reported_cost_nanos FROM calls ORDER BY id
                    """)
            }
            // 100 × $2 / 1M = 200,000 nano-dollars (reported 100,000); 1.5M × $2 / 1M = $3.
            #expect(rows.map { "\($0[0] as Int64) \($0[1] as Int64) \($0[2] as Int64) \($0[3] as String) \($0[4] as Int64)" }
                == ["200000 \(price) 200000 computed 100000", "3000000000 \(price) 3000000000 computed 1500000000"])
            let repriced = try store.write { db in try CostEngine.reprice(db, calls: .all) }
            #expect(repriced.updated == 0)
            #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cost_audit_log") } == 0)
        }
    }

    @Test func touchedButIdenticalFilesAreConfirmedByHash() throws {
        try write("a.calls", "c1 s1 100\n")
        let store = try Store.inMemory()
        _ = try index(store)
        let url = dir.appendingPathComponent("a.calls")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1)], ofItemAtPath: url.path)
        let s = try index(store)
        #expect(s.unchanged == 1 && s.filesRead == 0)
        #expect(try index(store).unchanged == 1)
    }

    @Test func placeholdersKeepForeignKeysAndDerivedRollupsCoverDescendants() throws {
        try write("a.calls", "c1 child 10 root\nc2 root 5\n")
        let store = try Store.inMemory()
        _ = try index(store)
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT id, parent_id, rollup_total_tokens, rollup_origin FROM sessions ORDER BY id")
        }
        #expect(rows.map { "\($0[0] as String) \($0[1] as String? ?? "-") \($0[2] as Int) \($0[3] as String)" }
            == ["child root 10 derived", "root - 15 derived"])
        #expect(try store.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }.isEmpty)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM derive_queue") } == 0)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM exchanges") } == 2)
    }

    @Test func dryRunWritesNothing() throws {
        try write("a.calls", "c1 s1 100\nbad\n")
        let store = try Store.inMemory()
        let s = try index(store, dryRun: true)
        #expect(s.indexed == 1 && s.rejected == 1 && s.filesRead == 1)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") } == 0)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ingest_files") } == 0)
    }

    @Test func anUnreadableFileIsOneRejection() throws {
        try Data([0xFF, 0xFE, 0x00]).write(to: dir.appendingPathComponent("bin.calls"))
        let store = try Store.inMemory()
        let s = try index(store)
        #expect(s.rejected == 1 && s.indexed == 0)
        let raw = try store.read { db in try DatabaseValue.fetchOne(db, sql: "SELECT raw FROM rejected_records") }
        #expect(raw?.storage == .blob(Data([0xFF, 0xFE, 0x00])))
    }

    /// Streams `LinesReader`'s batch one line at a time, and fails after the first piece of a
    /// file that contains the word `fail`.
    struct FailingStreamReader: SourceReader {
        static let source = "lines"
        func inputs(under root: URL) throws -> [URL] { try LinesReader().inputs(under: root) }
        func read(_ input: URL) throws -> ReadBatch { try LinesReader().read(input) }
        func stream(_ input: URL, emit: (ReadBatch) throws -> Void) throws {
            let batch = try LinesReader().read(input)
            for call in batch.calls {
                var piece = ReadBatch()
                piece.records = 1
                piece.calls = [call]
                piece.sessions = batch.sessions.filter { $0.id == call.sessionID }
                try emit(piece)
                if try String(contentsOf: input, encoding: .utf8).contains("fail") {
                    throw ReaderError("the disk went away")
                }
            }
        }
    }

    @Test func aStreamedInputThatFailsMidwayIsOneRejectionAndNothingElse() throws {
        try write("big.calls", "c1 s1 100\nc2 s1 200\n")
        let store = try Store.inMemory()
        let first = try Indexer(store: store, reader: FailingStreamReader(), now: now, streamThreshold: 1).run(root: dir)
        #expect(first.indexed == 2 && first.rejected == 0)

        try write("big.calls", "c1 s1 100\nc3 s1 300\nfail\n")
        let second = try Indexer(store: store, reader: FailingStreamReader(), now: now, streamThreshold: 1).run(root: dir)
        #expect(second.indexed == 0 && second.rejected == 1 && second.filesRead == 1)
        try store.read { db in
            // The first piece written before the failure was rolled back with the old rows' removal
            // undone, then the old rows were removed for the rejection: no call of the file remains.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM calls") == 0)
            let reason = try String.fetchOne(db, sql: "SELECT reason FROM rejected_records")
            #expect(reason == "unreadable: the disk went away")
            let row = try Row.fetchOne(db, sql: "SELECT records, rejected, status FROM ingest_files")
            #expect(row?[0] == 1 && row?[1] == 1 && row?[2] == "failed")
        }
    }

    @Test func aSecondIndexerIsToldWhoHoldsTheLock() throws {
        let path = dir.appendingPathComponent("lock.db").path
        let store = try Store.open(path: path)
        try store.write { db in
            try db.execute(sql: "INSERT INTO ingest_lock VALUES (1, 1, 'elsewhere', '2026-03-15T12:00:00.000Z', ?)", arguments: [Timestamps.iso(Date())])
        }
        #expect(throws: IndexLock.Busy.self) { try IndexLock(store: store).acquire(wait: false) { _ in } }
        // A heartbeat long gone is a crashed indexer: its lock is taken over.
        try store.write { db in try db.execute(sql: "UPDATE ingest_lock SET heartbeat_at = '2026-01-01T00:00:00.000Z'") }
        let message = try IndexLock(store: store).acquire(wait: false) { _ in }
        #expect(message?.contains("recovered a stale index lock of pid 1 on elsewhere") == true)
    }
}

@Suite struct ContentHashTests {
    @Test func fileAndMemoryHashesAgreeAcrossPieces() throws {
        var bytes = Data(count: (1 << 20) * 2 + 12_345)
        for i in stride(from: 0, to: bytes.count, by: 4096) { bytes[i] = UInt8(truncatingIfNeeded: i / 4096) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tally-hash-\(UUID().uuidString)")
        try bytes.write(to: url)
        #expect(ContentHash.of(file: url) == ContentHash.of(bytes))
        var changed = bytes
        changed[(1 << 20) + 5] ^= 1
        #expect(ContentHash.of(changed) != ContentHash.of(bytes))
        #expect(ContentHash.of(Data()) != ContentHash.of(Data([0])))
    }
}
