import Foundation
import GRDB
import Testing
@testable import TallyKit

/// `Tests/Samples/opencode/sqlite/opencode.db` was made from the sample tree: both readers must
/// give the same records.
@Suite struct OpenCodeDatabaseReaderTests {
    typealias S = OpenCodeSamples

    static func readDatabase(_ url: URL = S.database) throws -> ReadBatch {
        try OpenCodeDatabaseReader().read(url)
    }

    @Test func inputs() throws {
        let folder = S.database.deletingLastPathComponent()
        #expect(try OpenCodeDatabaseReader().inputs(under: folder) == [S.database])
        #expect(try OpenCodeDatabaseReader().inputs(under: S.database) == [S.database])
        let dir = try OpenCodeTempDir()
        for name in ["opencode.db", "opencode-beta.db", "other.db", "opencode.db-wal", "opencode.json"] { dir.write(name, "") }
        #expect(try OpenCodeDatabaseReader().inputs(under: dir.url).map(\.lastPathComponent) == ["opencode-beta.db", "opencode.db"])
    }

    @Test func oneRecordPerRow() throws {
        let batch = try Self.readDatabase()
        #expect(batch.records == 36)  // 1 project, 2 sessions, 6 messages, 27 parts
        #expect(batch.rejections.isEmpty)
        #expect(batch.projects.count == 1 && batch.sessions.count == 2 && batch.messages.count == 6 && batch.parts.count == 27)
    }

    @Test func sameRecordsAsTheTree() throws {
        let tree = try S.readTree(), database = try Self.readDatabase()
        #expect(database.calls.sorted { $0.id < $1.id } == tree.calls.sorted { $0.id < $1.id })
        #expect(S.effectiveCalls(database) == S.effectiveCalls(tree))
        #expect(database.messages.sorted { $0.id < $1.id } == tree.messages.sorted { $0.id < $1.id })
        #expect(database.parts.sorted { $0.id < $1.id } == tree.parts.sorted { $0.id < $1.id })
        #expect(database.projects == tree.projects)
        // Sessions differ only by the totals the database stores on them.
        let withoutRollup = database.sessions.map { session -> SessionRecord in
            var session = session
            session.rollup = nil
            return session
        }
        #expect(withoutRollup.sorted { $0.id < $1.id } == tree.sessions.sorted { $0.id < $1.id })
        #expect(database.records == tree.records)
    }

    @Test func sameTotalsAsTheTree() throws {
        let calls = S.effectiveCalls(try Self.readDatabase())
        #expect(calls.count == 6)
        #expect(Set(calls.map(\.model)) == ["claude-sonnet-4-5"])
        let total = S.sum(calls)
        #expect(total.tokens == S.tokens(4_255, 1_043, 96, 61_766, 29_292))
        #expect(total.tokens.total == 96_452)
        #expect(total.costNanos == 158_224_800)
        let build = S.sum(calls.filter { $0.messageID == S.buildMessage })
        #expect(build.tokens.total == 54_625 && build.costNanos == 99_970_200)
    }

    @Test func storedRollupsAreKeptAsGiven() throws {
        let sessions = Dictionary(uniqueKeysWithValues: try Self.readDatabase().sessions.map { ($0.id, $0) })
        // The sample's rollups sum the messages' own (last-step) tokens: stale, but kept.
        let root = try #require(sessions[S.rootSession]?.rollup)
        #expect(root.tokens == S.tokens(9, 238, 0, 36_634, 2_050))
        #expect(root.tokens.total == 38_931)
        #expect(root.costNanos == 108_142_800)
        let child = try #require(sessions[S.childSession]?.rollup)
        #expect(child.tokens == S.tokens(2_410, 85, 0, 9_820, 0))
        #expect(child.costNanos == 50_082_000)
        #expect(sessions[S.childSession]?.parentID == S.rootSession)
    }

    @Test func threadsDoNotChangeTheResult() throws {
        // Chunks of 1,024 rows: a database with more parts than one chunk per thread.
        let dir = try OpenCodeTempDir()
        let url = dir.url.appendingPathComponent("opencode.db")
        try FileManager.default.copyItem(at: S.database, to: url)
        try DatabaseQueue(path: url.path).write { db in
            let data = try String.fetchOne(db, sql: "SELECT data FROM part WHERE id = 'prt_b07b80b8e001DdO9eGzMcNU77s'")!
            for i in 0..<5_000 {
                try db.execute(sql: "INSERT INTO part VALUES (?, ?, ?, 0, 0, ?)", arguments: [
                    String(format: "prt_b07b%08x", i) + "ZZZZZZZZZZZZZZ", S.buildMessage, S.rootSession,
                    i == 2_500 ? "{broken" : data])
            }
        }
        let one = try OpenCodeDatabaseReader(workers: 1).read(url), three = try OpenCodeDatabaseReader(workers: 3).read(url)
        #expect(one.records == 5_036 && three.records == 5_036)
        #expect(one.parts == three.parts)
        #expect(one.calls == three.calls)
        #expect(one.rejections == three.rejections)
        #expect(three.rejections.map(\.key) == ["prt_b07b000009c4ZZZZZZZZZZZZZZ"])
        #expect(three.parts.map(\.id) == three.parts.map(\.id).sorted())
    }

    @Test func neverWritesTheSource() throws {
        let before = try Data(contentsOf: S.database)
        let dir = S.database.deletingLastPathComponent()
        let siblings = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        _ = try Self.readDatabase()
        #expect(try Data(contentsOf: S.database) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == siblings)
    }

    @Test func readsAWALDatabaseWhileOpenCodeWrites() throws {
        let dir = try OpenCodeTempDir()
        let copy = dir.url.appendingPathComponent("opencode.db")
        try FileManager.default.copyItem(at: S.database, to: copy)
        let writer = try DatabaseQueue(path: copy.path)
        try writer.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "DELETE FROM part WHERE id = 'prt_b07b85404001CpFqPlpECXVMk1'")  // lands in the -wal
        }
        #expect(FileManager.default.fileExists(atPath: copy.path + "-wal"))
        let batch = try Self.readDatabase(copy)
        #expect(batch.records == 35)
        #expect(batch.calls.filter { !$0.isMessageFallback }.count == 5)
        try writer.close()
    }

    @Test func notAnOpenCodeDatabase() throws {
        let dir = try OpenCodeTempDir()
        let other = dir.url.appendingPathComponent("opencode.db")
        try DatabaseQueue(path: other.path).write { try $0.execute(sql: "CREATE TABLE session (id TEXT)") }
        #expect(throws: ReaderError.self) { try Self.readDatabase(other) }
        let garbage = dir.write("opencode-x.db", "not a database at all, just text that is long enough to not be a header")
        #expect(throws: ReaderError.self) { try Self.readDatabase(garbage) }
    }

    @Test func badRowsAreRejectedOneByOne() throws {
        let dir = try OpenCodeTempDir()
        let url = dir.url.appendingPathComponent("opencode.db")
        try DatabaseQueue(path: url.path).write { db in
            // An older layout: no project table, no rollup columns, no constraints.
            try db.execute(sql: """
                CREATE TABLE session (id TEXT, project_id TEXT, parent_id TEXT, directory TEXT, title TEXT,
                    version TEXT, time_created INTEGER, time_updated INTEGER);
                CREATE TABLE message (id TEXT, session_id TEXT, time_created INTEGER, time_updated INTEGER, data TEXT);
                CREATE TABLE part (id TEXT, message_id TEXT, session_id TEXT, time_created INTEGER, time_updated INTEGER, data TEXT);
                INSERT INTO session VALUES ('ses_a', 'global', NULL, '/', 't', '1.2.0', 1765361000000, 1765361000000);
                INSERT INTO message VALUES ('msg_b07b722be001Zs8IQ9Y7aJZqhB', 'ses_a', 1765361001150, 0,
                    '{"role": "assistant", "time": {"created": 1765361001150}, "modelID": "m", "providerID": "p",
                      "cost": 0.5, "tokens": {"input": 1, "output": 2, "reasoning": 0, "cache": {"read": 3, "write": 4}}}');
                INSERT INTO message VALUES ('msg_cut', 'ses_a', 0, 0, '{"role": "user", "time": {"crea');
                INSERT INTO part VALUES ('prt_b07b79be0001PPwtV5ASPZHu8q', 'msg_b07b722be001Zs8IQ9Y7aJZqhB', 'ses_a', 0, 0,
                    '{"type": "step-finish", "cost": 0.25, "tokens": {"input": -5, "output": 1, "reasoning": 0, "cache": {"read": 0, "write": 0}}}');
                INSERT INTO part VALUES ('prt_b07b7afc2001QYNdaKy8isWydf', NULL, 'ses_a', 0, 0, '{"type": "text", "text": "x"}');
                INSERT INTO part VALUES ('prt_b07b80b8e001DdO9eGzMcNU77s', 'msg_b07b722be001Zs8IQ9Y7aJZqhB', 'ses_a', 0, 0,
                    '{"type": "step-finish", "reason": "stop", "cost": 0.25, "tokens": {"input": 5, "output": 1, "reasoning": 0, "cache": {"read": 0, "write": 0}}}');
                """)
        }
        let batch = try Self.readDatabase(url)
        #expect(batch.records == 6)
        #expect(batch.rejections.count == 3)
        #expect(batch.records == batch.indexed + batch.rejections.count)
        let reasons = Dictionary(uniqueKeysWithValues: batch.rejections.map { ($0.key ?? "", $0.reason) })
        #expect(reasons == [
            "msg_cut": "not valid JSON: Unexpected end of file during JSON parse.",
            "prt_b07b79be0001PPwtV5ASPZHu8q": "invalid token count tokens.input: negative (-5)",
            "prt_b07b7afc2001QYNdaKy8isWydf": "part has no messageID",
        ])
        #expect(batch.rejections.first { $0.key == "msg_cut" }?.raw == .text(#"{"role": "user", "time": {"crea"#))
        #expect(batch.sessions.first?.rollup == nil)
        #expect(batch.calls.map(\.id).sorted() == ["msg_b07b722be001Zs8IQ9Y7aJZqhB", "prt_b07b80b8e001DdO9eGzMcNU77s"])
        // The step call is dated by its id, in the cycle of its message's time.
        #expect(batch.calls.first { $0.id == "prt_b07b80b8e001DdO9eGzMcNU77s" }?.startedAt == "2025-12-10T10:04:20.750Z")
    }

    @Test func invalidStoredRollupIsDroppedWithAReason() throws {
        let dir = try OpenCodeTempDir()
        let copy = dir.url.appendingPathComponent("opencode.db")
        try FileManager.default.copyItem(at: S.database, to: copy)
        try DatabaseQueue(path: copy.path).write { db in
            try db.execute(sql: "UPDATE session SET tokens_output = -1 WHERE id = ?", arguments: [S.childSession])
        }
        let child = try #require(try Self.readDatabase(copy).sessions.first { $0.id == S.childSession })
        #expect(child.rollup == nil)
        #expect(child.attributes == #"{"storedRollupProblem":"invalid token count tokens_output: negative (-1)"}"#)
    }

    /// `TALLY_BENCH=1 swift test -c release --filter OpenCodeDatabaseReaderTests/throughput`
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TALLY_BENCH"] != nil))
    func throughput() throws {
        let dir = try OpenCodeTempDir()
        let url = dir.url.appendingPathComponent("opencode.db")
        try FileManager.default.copyItem(at: S.database, to: url)
        let messages = 20_000, partsPerMessage = 10
        try DatabaseQueue(path: url.path).write { db in
            let sample = try Row.fetchAll(db, sql: "SELECT data FROM part WHERE message_id = ? ORDER BY id", arguments: [S.buildMessage])
                .map { $0["data"] as String }
            let message = try String.fetchOne(db, sql: "SELECT data FROM message WHERE id = ?", arguments: [S.buildMessage])!
            let insertMessage = try db.makeStatement(sql: "INSERT INTO message VALUES (?, ?, ?, ?, ?)")
            let insertPart = try db.makeStatement(sql: "INSERT INTO part VALUES (?, ?, ?, 0, 0, ?)")
            for m in 0..<messages {
                let messageID = String(format: "msg_b07b%08x", m) + "ZZZZZZZZZZZZZZ"
                try insertMessage.execute(arguments: [messageID, S.rootSession, 1_765_361_001_150, 0, message])
                for p in 0..<partsPerMessage {
                    let partID = String(format: "prt_b07b%06x%02x", m, p) + "ZZZZZZZZZZZZZZ"
                    try insertPart.execute(arguments: [partID, messageID, S.rootSession, sample[p % sample.count]])
                }
            }
        }
        for workers in [1, 2, 4] {
            let start = Date(), startCPU = Self.cpuSeconds()
            let batch = try OpenCodeDatabaseReader(workers: workers).read(url)
            let seconds = Date().timeIntervalSince(start), cpu = Self.cpuSeconds() - startCPU
            #expect(batch.rejections.isEmpty)
            print("OpenCodeDatabaseReader, \(workers) threads: \(batch.records) records in \(String(format: "%.3f", seconds)) s (CPU \(String(format: "%.3f", cpu)) s) = \(Int(Double(batch.records) / seconds)) records/s")
        }

        // Per part type, one thread: microseconds of CPU per part.
        let rows = try DatabaseQueue(path: S.database.path).read { db in
            try Row.fetchAll(db, sql: "SELECT id, message_id, session_id, data FROM part ORDER BY id")
        }
        var byType: [String: [Row]] = [:]
        for row in rows {
            let data: String = row["data"]
            byType[JSONValue.parse(data)?["type"]?.stringValue ?? "?", default: []].append(row)
        }
        for (type, rows) in byType.sorted(by: { $0.key < $1.key }) {
            let inputs = rows.map { row -> (Data, String, String, String) in
                (Data((row["data"] as String).utf8), row["id"], row["message_id"], row["session_id"])
            }
            var builder = OpenCode.BatchBuilder()
            let n = 20_000
            let before = Self.cpuSeconds()
            for i in 0..<n {
                let (json, id, messageID, sessionID) = inputs[i % inputs.count]
                builder.part(json: json, id: id, messageID: messageID, sessionID: sessionID)
            }
            let decoding = Self.cpuSeconds()
            for i in 0..<n { _ = try builder.decoder.decode(OpenCode.Part.self, from: inputs[i % inputs.count].0) }
            print(type, String(format: "%.2f µs, of which decoding %.2f µs", (decoding - before) / Double(n) * 1e6,
                               (Self.cpuSeconds() - decoding) / Double(n) * 1e6))
        }
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}

/// A large database is read in pieces that add up to the whole.
@Suite struct OpenCodeDatabaseStreamingTests {
    @Test func piecesAddUpToTheWholeDatabase() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-ocdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("opencode.db")
        _ = try BenchmarkCorpus.openCodeDatabase(at: url, records: 45_000)
        var pieces: [ReadBatch] = []
        try OpenCodeDatabaseReader(workers: 2).stream(url) { pieces.append($0) }
        let whole = try OpenCodeDatabaseReader(workers: 2).read(url)
        #expect(pieces.count >= 2)
        #expect(pieces.reduce(0) { $0 + $1.records } == whole.records)
        #expect(pieces.flatMap(\.calls) == whole.calls)
        #expect(pieces.flatMap(\.parts).count == whole.parts.count)
    }
}
