import Dispatch
import Foundation
import GRDB

/// Reads an OpenCode ≥ 1.2 database (`opencode.db`, `opencode-<channel>.db`; FORMATS.md
/// "OpenCode"): tables `project`, `session`, `message(id, session_id, time_created, data)` and
/// `part(id, message_id, session_id, data)`, where `data` is the storage tree's JSON object minus
/// its id fields. Opened read-only (the database may be in WAL mode while OpenCode runs).
///
/// Gives the same records as `OpenCodeTreeReader` for the same data (the object decoding is
/// shared): one record per row, step-finish calls plus message fallback calls, ordinals 0.
/// Sessions also carry the totals OpenCode ≥ 1.16 stores on them (`cost`, `tokens_*`) as a
/// `StoredRollup`, kept as given: they may be stale.
public struct OpenCodeDatabaseReader: SourceReader {
    public static let source = OpenCode.source

    /// Threads decoding rows at once.
    public var workers: Int

    public init(workers: Int = min(ProcessInfo.processInfo.activeProcessorCount, 8)) {
        self.workers = max(1, workers)
    }

    /// `opencode.db` and `opencode-<channel>.db` files: `root` itself, or directly inside it.
    public func inputs(under root: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw ReaderError("\(root.path): no such file or folder")
        }
        guard isDirectory.boolValue else { return Self.isDatabaseName(root.lastPathComponent) ? [root] : [] }
        return try FileManager.default.contentsOfDirectory(atPath: root.path)
            .filter(Self.isDatabaseName).sorted().map { root.appendingPathComponent($0) }
    }

    static func isDatabaseName(_ name: String) -> Bool {
        name == "opencode.db" || (name.hasPrefix("opencode-") && name.hasSuffix(".db"))
    }

    public func read(_ input: URL) throws -> ReadBatch {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "opencode source"
        do {
            let queue = try DatabaseQueue(path: input.path, configuration: configuration)
            var all = ReadBatch()
            try queue.read { db in try Self.read(db, workers: workers) { all.append($0) } }
            return all
        } catch let error as ReaderError {
            throw ReaderError("\(input.path): \(error.message)")
        } catch {
            throw ReaderError("\(input.path): cannot read the OpenCode database: \(error)")
        }
    }

    /// Reads the database in pieces of about `piece` records: a database of millions of rows
    /// never sits in memory whole.
    public func stream(_ input: URL, emit: (ReadBatch) throws -> Void) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "opencode source"
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: input.path, configuration: configuration)
        } catch {
            throw ReaderError("\(input.path): cannot read the OpenCode database: \(error)")
        }
        try queue.read { db in try Self.read(db, workers: workers, emit: emit) }
    }

    /// Records handed over at a time when streaming.
    static let piece = 20_000

    static func read(_ db: Database, workers: Int, emit: (ReadBatch) throws -> Void) throws {
        let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        for table in ["session", "message", "part"] where !tables.contains(table) {
            throw ReaderError("not an OpenCode database: it has no `\(table)` table")
        }
        var builder = OpenCode.BatchBuilder()
        if tables.contains("project") { try readProjects(db, into: &builder) }
        try readSessions(db, into: &builder)
        let flush: (inout OpenCode.BatchBuilder) throws -> Void = { builder in
            guard builder.batch.records >= piece else { return }
            try emit(builder.batch)
            builder.batch = ReadBatch()
        }
        let messageTimes = try readMessages(db, workers: workers, into: &builder, flush: flush)
        try readParts(db, messageTimes: messageTimes, workers: workers, into: &builder, flush: flush)
        try emit(builder.batch)
    }

    // MARK: - Tables

    private static func readProjects(_ db: Database, into builder: inout OpenCode.BatchBuilder) throws {
        let columns = try selectList(["id", "worktree", "vcs", "name", "time_created"], from: "project", db)
        let rows = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM project ORDER BY id")
        while let row = try rows.next() {
            builder.batch.records += 1
            let object = OpenCode.Project(
                id: string(row[0]), worktree: string(row[1]), vcs: string(row[2]), name: string(row[3]),
                time: OpenCode.Times(created: double(row[4])))
            do {
                builder.batch.projects.append(try OpenCode.projectRecord(object, id: object.id))
            } catch {
                builder.reject(key: object.id, error, raw: Data(row.description.utf8))
            }
        }
    }

    private static let rollupColumns = ["cost", "tokens_input", "tokens_output", "tokens_reasoning", "tokens_cache_read", "tokens_cache_write"]

    private static func readSessions(_ db: Database, into builder: inout OpenCode.BatchBuilder) throws {
        let available = Set(try db.columns(in: "session").map { $0.name.lowercased() })
        let hasRollup = available.contains("cost")
        let columns = try selectList([
            "id", "project_id", "parent_id", "title", "version", "directory", "time_created", "time_updated",
            "time_archived", "summary_additions", "summary_deletions", "summary_files", "share_url",
        ] + rollupColumns, from: "session", db)
        let rows = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM session ORDER BY id")
        while let row = try rows.next() {
            builder.batch.records += 1
            let summary = OpenCode.Session.Summary(additions: int(row[9]), deletions: int(row[10]), files: int(row[11]))
            let object = OpenCode.Session(
                id: string(row[0]), projectID: string(row[1]), parentID: string(row[2]), title: string(row[3]),
                version: string(row[4]), directory: string(row[5]),
                time: OpenCode.Times(created: double(row[6]), updated: double(row[7]), archived: double(row[8])),
                summary: summary.additions == nil && summary.deletions == nil && summary.files == nil ? nil : summary,
                share: string(row[12]).map { OpenCode.Session.Share(url: $0) })
            var rollup: StoredRollup?
            var extra: [String: JSONValue] = [:]
            if hasRollup {
                let fields = (14...18).map { index -> TokenField? in int(row[index]).map(TokenField.validate) }
                let costUSD = double(row[13])
                if let problem = TokenValidation.problem([
                    "tokens_input": fields[0], "tokens_output": fields[1], "tokens_reasoning": fields[2],
                    "tokens_cache_read": fields[3], "tokens_cache_write": fields[4],
                ]) ?? (costUSD.map { $0 < 0 } == true ? "invalid cost: \(costUSD!)" : nil) {
                    // The stored totals are a cache: keep the session, say why its rollup is gone.
                    extra["storedRollupProblem"] = .string(problem)
                } else {
                    rollup = StoredRollup(
                        tokens: TokenCounts(
                            input: fields[0]?.value, output: fields[1]?.value, reasoning: fields[2]?.value,
                            cacheRead: fields[3]?.value, cacheWrite: fields[4]?.value),
                        costNanos: costUSD.flatMap { Money.nanos(usd: $0) })
                }
            }
            do {
                builder.batch.sessions.append(try OpenCode.sessionRecord(object, id: object.id, rollup: rollup, extra: extra))
            } catch {
                builder.reject(key: object.id, error, raw: Data(row.description.utf8))
            }
        }
    }

    /// Returns each message's `time_created`: it dates its parts' ids (`OpenCode.ID`).
    private static func readMessages(
        _ db: Database, workers: Int, into builder: inout OpenCode.BatchBuilder,
        flush: (inout OpenCode.BatchBuilder) throws -> Void
    ) throws -> [String: Int64] {
        var times: [String: Int64] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT id, session_id, time_created, data FROM message ORDER BY id")
        try decodeInParallel(rows, workers: workers, into: &builder, flush: flush, copy: { row in
            let id = string(row[0])
            if let id, let created = int(row[2]) { times[id] = created }
            return ObjectRow(id: id, owner: string(row[1]), json: try copyData(row, 3))
        }, decode: { builder, row in
            builder.message(json: row.json, id: row.id, sessionID: row.owner)
        })
        return times
    }

    private static func readParts(
        _ db: Database, messageTimes: [String: Int64], workers: Int, into builder: inout OpenCode.BatchBuilder,
        flush: (inout OpenCode.BatchBuilder) throws -> Void
    ) throws {
        let rows = try Row.fetchCursor(db, sql: "SELECT id, message_id, session_id, data FROM part ORDER BY id")
        try decodeInParallel(rows, workers: workers, into: &builder, flush: flush, copy: { row in
            let messageID = string(row[1])
            return ObjectRow(
                id: string(row[0]), owner: messageID, sessionID: string(row[2]), json: try copyData(row, 3),
                reference: messageID.flatMap { messageTimes[$0] } ?? OpenCode.ID.treeEra)
        }, decode: { builder, row in
            builder.part(json: row.json, id: row.id, messageID: row.owner, sessionID: row.sessionID, reference: row.reference)
        })
    }

    // MARK: - Decoding on several threads

    /// A message or part row: its ids and its `data` JSON.
    private struct ObjectRow {
        var id: String?
        /// The session of a message, the message of a part.
        var owner: String?
        var sessionID: String?
        var json: Data
        var reference: Int64 = OpenCode.ID.treeEra
    }

    static let chunkSize = 1024

    /// Copies rows from the cursor in chunks (one per worker) and decodes the chunks at once on
    /// several threads, each with its own `JSONDecoder`; batches join in row order, so the result
    /// does not depend on the threads.
    private static func decodeInParallel(
        _ rows: RowCursor, workers: Int, into builder: inout OpenCode.BatchBuilder,
        flush: (inout OpenCode.BatchBuilder) throws -> Void, copy: (Row) throws -> ObjectRow,
        decode: @escaping (inout OpenCode.BatchBuilder, ObjectRow) -> Void
    ) throws {
        var finished = false
        while !finished {
            var chunks: [[ObjectRow]] = []
            while chunks.count < workers, !finished {
                var chunk: [ObjectRow] = []
                chunk.reserveCapacity(chunkSize)
                while chunk.count < chunkSize, let row = try rows.next() { chunk.append(try copy(row)) }
                finished = chunk.count < chunkSize
                if !chunk.isEmpty { chunks.append(chunk) }
            }
            var batches = [ReadBatch](repeating: ReadBatch(), count: chunks.count)
            batches.withUnsafeMutableBufferPointer { batches in
                DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
                    var worker = OpenCode.BatchBuilder()
                    for row in chunks[index] { decode(&worker, row) }
                    batches[index] = worker.batch
                }
            }
            for batch in batches { builder.batch.append(batch) }
            try flush(&builder)
        }
    }

    /// The bytes of a column, copied: a row lends them only until the cursor moves.
    private static func copyData(_ row: Row, _ index: Int) throws -> Data {
        try row.withUnsafeData(atIndex: index) { data in data.map { $0.withUnsafeBytes { Data($0) } } ?? Data() }
    }

    // MARK: - Columns

    /// The select list of `wanted` columns, `NULL` for those this version's table lacks
    /// (names from the fixed lists above, never from the database).
    private static func selectList(_ wanted: [String], from table: String, _ db: Database) throws -> String {
        let available = Set(try db.columns(in: table).map { $0.name.lowercased() })
        return wanted.map { available.contains($0) ? "\"\($0)\"" : "NULL" }.joined(separator: ", ")
    }

    private static func string(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .string(let text): return text
        case .int64(let number): return String(number)
        default: return nil
        }
    }

    private static func int(_ value: DatabaseValue) -> Int64? {
        switch value.storage {
        case .int64(let number): return number
        case .double(let number) where number.rounded() == number && abs(number) < 9e18: return Int64(number)
        default: return nil
        }
    }

    private static func double(_ value: DatabaseValue) -> Double? {
        switch value.storage {
        case .int64(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }
}
