import Foundation
import GRDB

/// Walks a source, asks the ledger what changed, runs the reader on worker threads and feeds
/// the one StoreWriter in batched transactions (ARCHITECTURE.md, SPEC §7).
public final class Indexer {
    /// What one pass did: SPEC §7's summary line and JSON result.
    public struct Summary: Equatable, Sendable {
        /// Records indexed (read and not rejected).
        public var indexed = 0
        /// Files skipped as unchanged.
        public var unchanged = 0
        /// Records rejected.
        public var rejected = 0
        /// Files read.
        public var filesRead = 0
        /// Files that disappeared since the last run (their records were removed).
        public var removed = 0

        public init() {}

        public static func += (a: inout Summary, b: Summary) {
            a.indexed += b.indexed
            a.unchanged += b.unchanged
            a.rejected += b.rejected
            a.filesRead += b.filesRead
            a.removed += b.removed
        }

        public var line: String { "indexed \(indexed), unchanged \(unchanged), rejected \(rejected)" }
    }

    let store: Store
    let reader: any SourceReader
    let source: String
    let now: String
    let lock: IndexLock?
    let progress: Progress?
    /// Inputs per write transaction, and the bytes at which a batch is cut early. Up to three
    /// batches are in memory at once (one written, two parsed ahead), parsed into records several
    /// times their size: at 32 MB a 477 MB Claude corpus peaked at 296–317 MB RSS, at 16 MB at
    /// 222–229 MB for 5 % more CPU.
    let batchFiles: Int
    let batchBytes: Int64
    /// Read and count, write nothing (`index --dry-run`).
    let dryRun: Bool
    /// Inputs at least this large are streamed through the writer in pieces (bounded memory)
    /// instead of being parsed whole on a worker thread.
    let streamThreshold: Int64
    /// Prices for this run, loaded once (the snapshot is loaded into the database first).
    private var book: PriceBook?
    /// Prices the calls as they are written, from `book`.
    private var pricer: CallPricer?
    /// The writer fills calls' context from stored messages and sessions (tests turn it off to
    /// compare with the derive step filling it alone).
    var fillsCallContext = true

    public init(
        store: Store, reader: any SourceReader, now: Date, lock: IndexLock? = nil, progress: Progress? = nil,
        dryRun: Bool = false, batchFiles: Int = 512, batchBytes: Int64 = 16 << 20, streamThreshold: Int64 = 8 << 20
    ) {
        self.dryRun = dryRun
        self.streamThreshold = streamThreshold
        self.store = store
        self.reader = reader
        self.source = type(of: reader).source
        self.now = Timestamps.iso(now)
        self.lock = lock
        self.progress = progress
        self.batchFiles = batchFiles
        self.batchBytes = batchBytes
    }

    // MARK: - The bulk pass

    /// Indexes everything under `root` that changed since the last run, removes what vanished,
    /// then rebuilds derived data.
    public func run(root: URL) throws -> Summary {
        let inputs = try reader.inputs(under: root)
        var summary = try withDeferredCheckpoints { try index(inputs) }
        if isDirectory(root) {
            summary.removed = try forgetVanished(under: root.standardizedFileURL.path, keeping: Set(inputs.map(\.path)))
        }
        try rebuildDerived()
        return summary
    }

    /// Runs a bulk write with WAL checkpoints deferred to its end: checkpointing every 4 MB
    /// (SQLite's default) writes most pages twice during a large ingest.
    func withDeferredCheckpoints<T>(_ body: () throws -> T) throws -> T {
        guard !dryRun, store.path != nil else { return try body() }
        try store.withConnection { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        defer {
            _ = try? store.withConnection { db in
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 1000")
                _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
        return try body()
    }

    /// Indexes files a watcher reported (new, changed or removed), then rebuilds derived data.
    public func update(_ paths: [URL], under root: URL) throws -> Summary {
        var inputs: [URL] = []
        var gone: [String] = []
        for url in paths {
            if FileManager.default.fileExists(atPath: url.path) {
                inputs += (try? reader.inputs(under: url)) ?? []
            } else {
                gone.append(url.path)
            }
        }
        var summary = try index(Array(Set(inputs)).sorted { $0.path < $1.path })
        summary.removed = try forget(paths: gone)
        try rebuildDerived()
        return summary
    }

    /// Loads the shipped price snapshot (once per database) and this run's price book.
    func prices(_ db: Database) throws -> PriceBook {
        if let book { return book }
        try PriceSnapshot.ensureLoaded(db)
        let loaded = try PriceBook.load(db)
        book = loaded
        return loaded
    }

    /// This run's writer: it prices calls as it writes them (the cost `CostEngine.reprice`
    /// would store), so the rows just written need no second pass.
    func writer(_ db: Database) throws -> StoreWriter {
        if pricer == nil { pricer = CallPricer(book: try prices(db)) }
        var writer = StoreWriter(db: db, now: now, pricer: pricer)
        writer.fillsContext = fillsCallContext
        return writer
    }

    /// Prices the workflow cost records just written from `paths` (computed cost when a price is
    /// known, else the source's own). Nothing is audited: new rows have no earlier cost.
    func repriceWorkflowCosts(_ db: Database, paths: [String]) throws {
        guard !paths.isEmpty else { return }
        try CostEngine.reprice(db, workflowCosts: .sourcePaths(paths), book: prices(db))
    }

    /// Indexes the given inputs (the bulk pass, or the files a watcher saw change).
    public func index(_ inputs: [URL]) throws -> Summary {
        var summary = Summary()
        let ledger = try store.read { db in try Ledger.load(db) }
        var pending: [(url: URL, stat: FileStat)] = []
        for url in inputs {
            guard let stat = FileStat(path: url.path) else { continue }  // vanished meanwhile: the next pass forgets it
            if ledger.isUnchanged(url.path, stat) {
                summary.unchanged += 1
            } else {
                pending.append((url, stat))
            }
        }
        if !pending.isEmpty && !dryRun {
            // Load the price snapshot before any call is written: loaded later, inside a batch,
            // it would reprice every call already written in that transaction a second time.
            try store.write { db in _ = try prices(db) }
        }
        progress?.start(files: pending.count)
        defer { progress?.finish() }
        let large = pending.filter { $0.stat.size >= streamThreshold }
        pending.removeAll { $0.stat.size >= streamThreshold }
        for item in large {
            summary += try writeStreamed(item.url, stat: item.stat, ledger: ledger)
            progress?.advance(files: 1, records: 0)
        }

        // Cut into batches by count and size; parse batch k+1 while batch k is written.
        var batches: [[(url: URL, stat: FileStat)]] = [[]]
        var bytes: Int64 = 0
        for item in pending {
            if batches[batches.count - 1].count >= batchFiles || (bytes >= batchBytes && !batches[batches.count - 1].isEmpty) {
                batches.append([])
                bytes = 0
            }
            batches[batches.count - 1].append(item)
            bytes += item.stat.size
        }
        batches.removeAll { $0.isEmpty }

        let pipeline = Handoff<[Parsed]>(depth: 2)
        let parser = DispatchQueue(label: "tally.index.parse")
        parser.async { [reader, batches] in
            for batch in batches {
                guard pipeline.put(Self.parse(batch, with: reader, ledger: ledger)) else { break }
            }
            pipeline.close(nil)
        }
        do {
            while let parsed = pipeline.take() {
                summary += try write(parsed, ledger: ledger)
                progress?.advance(files: parsed.count, records: parsed.reduce(0) { $0 + ($1.batch?.records ?? 0) })
            }
        } catch {
            pipeline.cancel()
            throw error
        }
        return summary
    }

    /// One input after parsing: its batch, or nil when its bytes turned out unchanged.
    struct Parsed {
        var url: URL
        var stat: FileStat
        var hash: String
        var batch: ReadBatch?
    }

    static func parse(_ items: [(url: URL, stat: FileStat)], with reader: any SourceReader, ledger: Ledger) -> [Parsed] {
        var results = [Parsed?](repeating: nil, count: items.count)
        results.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: items.count) { i in
                let (url, stat) = items[i]
                // Read, not mapped: the reader's records may keep slices of these bytes until
                // they are written, and a mapped file cut meanwhile would fault.
                let contents = try? Data(contentsOf: url)
                let data = contents ?? Data()
                let hash = ContentHash.of(data)
                if let previous = ledger.entries[url.path], previous.hash == hash {
                    (base + i).initialize(to: Parsed(url: url, stat: stat, hash: hash, batch: nil))
                    return
                }
                var batch: ReadBatch
                do {
                    // The bytes just hashed, when they could be read: what is indexed is what
                    // the ledger's hash describes, and the file is read once.
                    batch = try contents.map { try reader.read(url, contents: $0) } ?? reader.read(url)
                } catch {
                    batch = ReadBatch()
                    batch.records = 1
                    let raw = data.count <= 1 << 20 ? RawText(data) : RawText(data.prefix(1 << 20))
                    batch.rejections = [Rejection(reason: "unreadable: \(error)", raw: raw)]
                }
                (base + i).initialize(to: Parsed(url: url, stat: stat, hash: hash, batch: batch))
            }
        }
        return results.map { $0! }
    }

    /// Writes one parsed batch in one transaction: records, ledger rows and the derive queue.
    func write(_ parsed: [Parsed], ledger: Ledger) throws -> Summary {
        var summary = Summary()
        if dryRun {
            for item in parsed {
                guard let batch = item.batch else {
                    summary.unchanged += 1
                    continue
                }
                summary.indexed += batch.indexed
                summary.rejected += batch.rejections.count
                summary.filesRead += 1
            }
            return summary
        }
        // Inputs never indexed before (a first run, new files) are written together, table by
        // table; any input to replace, and the batch goes one input at a time (each one's old
        // rows go just before its new ones are written).
        let allNew = parsed.allSatisfy { $0.batch == nil || ledger.entries[$0.url.path] == nil }
        try store.write { db in try CallRollupBulk.during(db) { _ in
            let writer = try writer(db)
            let toolSteps = try ToolStepsBulk(db)
            if allNew {
                let inputs = parsed.compactMap { item in item.batch.map { ($0, item.url.path) } }
                try writer.write(inputs, source: source)
                try Derivations.enqueue(inputs.reduce(into: Set<String>()) { $0.formUnion(Self.sessions(of: $1.0)) }.sorted(), in: db)
                try Self.queueToolSteps(inputs.map(\.0), toolSteps)
            }
            for item in parsed {
                let path = item.url.path
                guard let batch = item.batch else {
                    try Ledger.touch(db, path: path, stat: item.stat)
                    summary.unchanged += 1
                    continue
                }
                if !allNew {
                    try forgetIfKnown(path, ledger: ledger, writer: writer, db: db)
                    try writer.write(batch, path: path, source: source)
                    try Derivations.enqueue(Self.sessions(of: batch), in: db)
                    try Self.queueToolSteps([batch], toolSteps)
                }
                let status = batch.rejections.isEmpty ? "indexed" : (batch.indexed > 0 ? "partial" : "failed")
                try Ledger.record(
                    db, path: path, source: source, stat: item.stat, hash: item.hash, records: batch.records,
                    rejected: batch.rejections.count, status: status, at: now)
                summary.indexed += batch.indexed
                summary.rejected += batch.rejections.count
                summary.filesRead += 1
            }
            try repriceWorkflowCosts(db, paths: parsed.filter { $0.batch != nil }.map(\.url.path))
            try toolSteps?.finish()
            try lock?.heartbeat(db)
        } }
        return summary
    }

    /// Reads and writes one large input piece by piece inside one transaction (a changed file's
    /// records are replaced all or nothing). A reader error rolls the pieces back and records
    /// the input as one rejection, as for small inputs.
    func writeStreamed(_ url: URL, stat: FileStat, ledger: Ledger) throws -> Summary {
        var summary = Summary()
        let hash = ContentHash.of(file: url) ?? ""
        let path = url.path
        if let previous = ledger.entries[path], previous.hash == hash {
            if !dryRun { try store.write { db in try Ledger.touch(db, path: path, stat: stat) } }
            summary.unchanged = 1
            return summary
        }
        if dryRun {
            var records = 0, rejected = 0
            do {
                try reader.stream(url) { batch in
                    records += batch.records
                    rejected += batch.rejections.count
                }
            } catch {
                records = 1
                rejected = 1
            }
            summary.indexed = records - rejected
            summary.rejected = rejected
            summary.filesRead = 1
            return summary
        }
        // A reader error rolls the whole transaction back (the file's old rows come back with
        // it), and a second transaction records the input as one rejection.
        var failure: Error? = nil
        // Every call upsert may abort (CHECK constraints), so SQLite journals the pages each
        // statement changes; once one statement's journal passes 64 KB it moves to a temporary
        // file for the rest of the transaction, and each call then cost ~40 KB of pwrite. With
        // temporary storage in memory for this transaction the journal stays in memory (it holds
        // one statement's pages at a time).
        try setWriterPragma("temp_store = MEMORY")
        defer { try? setWriterPragma("temp_store = DEFAULT") }
        do {
            try store.write { db in try CallRollupBulk.during(db) { rollup in
                let writer = try writer(db)
                let toolSteps = try ToolStepsBulk(db)
                try forgetIfKnown(path, ledger: ledger, writer: writer, db: db)
                var records = 0, rejected = 0
                // The reader parses piece k+1 on another thread while piece k is written here.
                // One piece waits at most: once reading is the faster side (events read with
                // JSONSerialization), a deeper queue is always full, and each piece of 20,000
                // events is ~10 MB (a million events peaked at 284 MB with two waiting).
                let pieces = Handoff<ReadBatch>(depth: 1)
                DispatchQueue.global().async { [reader] in
                    do {
                        try reader.stream(url) { batch in
                            guard pieces.put(batch) else { throw CancellationError() }
                        }
                        pieces.close(nil)
                    } catch {
                        pieces.close(error)
                    }
                }
                do {
                    while let batch = pieces.take() {
                        try writer.write(batch, path: path, source: source)
                        try Derivations.enqueue(Self.sessions(of: batch), in: db)
                        try Self.queueToolSteps([batch], toolSteps)
                        // Piece by piece: the rollup's sums of a piece are grouped in memory.
                        try rollup?.flush()
                        records += batch.records
                        rejected += batch.rejections.count
                        try lock?.heartbeat(db)
                    }
                } catch {
                    pieces.cancel()
                    throw error
                }
                if let error = pieces.error { throw ReaderFailure(error: error) }
                try finishStreamed(db, path: path, stat: stat, hash: hash, records: records, rejected: rejected)
                try toolSteps?.finish()
                summary.indexed = records - rejected
                summary.rejected = rejected
            } }
        } catch let error as ReaderFailure {
            failure = error.error
        }
        if let failure {
            try store.write { db in
                let writer = StoreWriter(db: db, now: now)
                try forgetIfKnown(path, ledger: ledger, writer: writer, db: db)
                let head = (try? FileHandle(forReadingFrom: url).read(upToCount: 1 << 20)) ?? nil
                var batch = ReadBatch()
                batch.records = 1
                batch.rejections = [Rejection(reason: "unreadable: \(failure)", raw: RawText(head ?? Data()))]
                try writer.write(batch, path: path, source: source)
                try finishStreamed(db, path: path, stat: stat, hash: hash, records: 1, rejected: 1)
            }
            summary.indexed = 0
            summary.rejected = 1
        }
        summary.filesRead = 1
        return summary
    }

    /// A reader error while streaming: the transaction is rolled back and the input rejected.
    private struct ReaderFailure: Error {
        var error: Error
    }

    /// Before a known input is re-read: its sessions are queued for derivation and its rows go.
    private func forgetIfKnown(_ path: String, ledger: Ledger, writer: StoreWriter, db: Database) throws {
        guard ledger.entries[path] != nil else { return }
        try Derivations.enqueue(sessions(readFrom: path, in: db), in: db)
        try writer.forget(path: path)
    }

    /// Prices a streamed input's workflow costs (its calls were priced as they were written) and
    /// records it in the ledger.
    private func finishStreamed(
        _ db: Database, path: String, stat: FileStat, hash: String, records: Int, rejected: Int
    ) throws {
        try repriceWorkflowCosts(db, paths: [path])
        let status = rejected == 0 ? "indexed" : (records > rejected ? "partial" : "failed")
        try Ledger.record(
            db, path: path, source: source, stat: stat, hash: hash, records: records, rejected: rejected,
            status: status, at: now)
    }

    /// A `PRAGMA` on the writer's connection of a database file (outside a transaction).
    private func setWriterPragma(_ setting: String) throws {
        guard store.path != nil else { return }
        try store.withConnection { db in try db.execute(sql: "PRAGMA " + setting) }
    }

    /// Sessions with rows read from a file (their derived data changes when it is replaced).
    func sessions(readFrom path: String, in db: Database) throws -> [String] {
        try String.fetchAll(
            db,
            sql: """
                SELECT session_id FROM calls WHERE source_path = ?1 AND session_id IS NOT NULL
                UNION SELECT session_id FROM messages WHERE source_path = ?1
                UNION SELECT session_id FROM parts WHERE source_path = ?1
                """, arguments: [path])
    }

    /// Queues for `tool_steps` what the rows of `batches` may have changed (their insert
    /// triggers are suspended in the indexer's transactions: ``ToolStepsBulk``).
    static func queueToolSteps(_ batches: [ReadBatch], _ toolSteps: ToolStepsBulk?) throws {
        guard let toolSteps else { return }
        var sessions = Set<String>()
        var messages = Set<String>()
        var calls: [String] = []
        var parts: [String] = []
        for batch in batches {
            sessions.formUnion(Self.sessions(of: batch))
            for m in batch.messages { messages.insert(m.id) }
            for p in batch.parts {
                messages.insert(p.messageID)
                parts.append(p.id)
            }
            for c in batch.calls {
                if let m = c.messageID { messages.insert(m) }
                calls.append(c.id)
            }
        }
        try toolSteps.queue(sessions: sessions, messages: messages, calls: calls, parts: parts)
    }

    static func sessions(of batch: ReadBatch) -> Set<String> {
        var ids = Set<String>()
        for s in batch.sessions {
            ids.insert(s.id)
            if let p = s.parentID { ids.insert(p) }
        }
        for m in batch.messages { ids.insert(m.sessionID) }
        for p in batch.parts { ids.insert(p.sessionID) }
        for c in batch.calls { if let s = c.sessionID { ids.insert(s) } }
        return ids
    }

    /// Files in the ledger under `root` that no longer exist: their records go.
    func forgetVanished(under root: String, keeping present: Set<String>) throws -> Int {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        let known = try store.read { db in
            try String.fetchAll(
                db, sql: "SELECT path FROM ingest_files WHERE source = ? AND substr(path, 1, length(?)) = ?",
                arguments: [source, prefix, prefix])
        }
        return try forget(paths: known.filter { !present.contains($0) && !FileManager.default.fileExists(atPath: $0) })
    }

    /// Removes the records and ledger rows of files that are gone; returns how many were known.
    func forget(paths: [String]) throws -> Int {
        guard !paths.isEmpty else { return 0 }
        if dryRun {
            return try store.read { db in
                try paths.filter { try Bool.fetchOne(db, sql: "SELECT 1 FROM ingest_files WHERE path = ?", arguments: [$0]) == true }.count
            }
        }
        return try store.write { db in
            let writer = StoreWriter(db: db, now: now)
            var count = 0
            for path in paths where try Bool.fetchOne(db, sql: "SELECT 1 FROM ingest_files WHERE path = ?", arguments: [path]) == true {
                try Derivations.enqueue(sessions(readFrom: path, in: db), in: db)
                try writer.forget(path: path)
                try db.execute(sql: "DELETE FROM ingest_files WHERE path = ?", arguments: [path])
                count += 1
            }
            return count
        }
    }

    /// Rebuilds exchanges, traces and derived rollups for every queued session.
    public func rebuildDerived() throws {
        guard !dryRun else { return }
        // SQLite sizes each sorter (the GROUP BY and ORDER BY of exchanges and rollups) by the
        // page cache: at 64 MB, several at once over a million records took peak memory past
        // 300 MB. They spill to temporary files instead past 16 MB.
        try setWriterPragma("cache_size = -16384")
        defer { try? setWriterPragma("cache_size = -\(Store.pageCacheKiB)") }
        try store.write { db in
            // Nothing queued, nothing written: suspending the rollup's triggers would rewrite the
            // schema of a database this run otherwise leaves byte for byte.
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM derive_queue)") == true else {
                return try lock?.heartbeat(db)
            }
            try CallRollupBulk.during(db) { _ in
                try Derivations.rebuildQueued(in: db) { scope in
                    try CostEngine.reprice(db, calls: scope, book: try self.prices(db))
                }
            }
            try lock?.heartbeat(db)
        }
    }

    private func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }
}

/// A bounded hand-over from a reading thread to the writer: parsed batches of inputs, or the
/// pieces of one streamed input.
final class Handoff<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    private var cancelled = false
    private(set) var error: Error?
    private let depth: Int

    init(depth: Int) { self.depth = depth }

    /// Hands over an item; false once the writer gave up.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= depth && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The reader is done (with the error that stopped it, if any).
    func close(_ error: Error?) {
        condition.lock()
        self.error = error
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The writer gave up: unblock the reader and wait until it has stopped.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        while !closed { condition.wait() }
        condition.unlock()
    }

    /// The next item, or nil when the reader is done.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }
}
