import Foundation
import GRDB

/// The scan behind `SessionRollup.fetch`, on both cores: the database thread steps SQLite and
/// copies each row's sums and key bytes into batches, and a second thread looks each row's
/// session up in the tree and adds the row to its root's sums and to its model's. On one core
/// the lookups and sums took as long as SQLite's stepping.
struct SessionScan {
    /// Per root: 2r its own calls, 2r + 1 its descendants' (`SessionTree.slots`).
    private(set) var slots: [UsageSums]
    /// Per provider and model, of the rows in some root's tree: labels and sums.
    private(set) var models: [ModelUsage] = []
    private var modelSums: [UsageSums] = []
    /// Rows in no tree: without a session, or in a session without a root.
    private(set) var unrooted = UsageSums()

    private var modelIndex: [ByteKey: Int] = [:]
    private var key = ByteKey()
    private var lastSession: [UInt8] = [], lastSlot = -1
    private var lastModel: [UInt8] = [], lastModelIndex = -1

    private init(slotCount: Int) {
        slots = [UsageSums](repeating: UsageSums(), count: slotCount)
        key.bytes.reserveCapacity(256)
    }

    /// The rows' models with their sums.
    var usage: [ModelUsage] {
        var usage = models
        for i in usage.indices { modelSums[i].store(in: &usage[i]) }
        return usage
    }

    /// Builds the tree of `sessions` and scans `statement`, whose rows are a session, provider
    /// and model (`ModelUsage.statement` per `.session`) and then `rows`. The second thread
    /// builds the tree while this one starts on the rows.
    static func run(
        _ db: Database, sessions: SessionTree.Sessions, statement: Statement, rows: UsageAggregator.Rows
    ) throws -> (scan: SessionScan, tree: SessionTree) {
        // Deep enough for the rows read while the tree is built (16 batches: about 12 MB).
        let handoff = Handoff<Batch>(depth: 16)
        let result = Box()
        let finished = DispatchSemaphore(value: 0)
        // A thread of its own, not a pool's: the caller may itself be a pool thread, and a pool
        // full of callers waiting here would never start their consumers.
        let consumer = Thread {
            let tree = SessionTree(sessions)
            var scan = SessionScan(slotCount: 2 * tree.roots.count)
            while let batch = handoff.take() { scan.add(batch, tree: tree) }
            result.value = (scan, tree)
            finished.signal()
        }
        consumer.start()
        var failure: Error?
        do {
            var batch = Batch()
            try db.scan(statement) { row in
                batch.append(row, rows)
                if batch.isFull {
                    _ = handoff.put(batch)
                    batch = Batch()
                }
            }
            if !batch.sums.isEmpty { _ = handoff.put(batch) }
        } catch {
            failure = error
        }
        handoff.close(failure)
        finished.wait()
        if let failure { throw failure }
        return result.value!
    }

    /// Adds a batch's rows.
    private mutating func add(_ batch: Batch, tree: SessionTree) {
        batch.keys.withUnsafeBufferPointer { keys in
            var start = 0
            for (i, end) in batch.ends.enumerated() {
                let sums = batch.sums[i]
                let session = UnsafeBufferPointer(rebasing: keys[start..<Int(end.session)])
                if !Self.equal(session, lastSession) {
                    key.bytes.removeAll(keepingCapacity: true)
                    key.bytes.append(contentsOf: session)
                    lastSlot = tree.slot(of: key)  // NULL (0xFF) is never a session
                    lastSession.removeAll(keepingCapacity: true)
                    lastSession.append(contentsOf: session)
                }
                start = Int(end.row)
                guard lastSlot >= 0 else {
                    unrooted.add(sums)
                    continue
                }
                slots[lastSlot].add(sums)
                let model = UnsafeBufferPointer(rebasing: keys[Int(end.session)..<Int(end.row)])
                if !Self.equal(model, lastModel) {
                    lastModelIndex = modelIndex(model, providerEnd: Int(end.provider) - Int(end.session))
                    lastModel.removeAll(keepingCapacity: true)
                    lastModel.append(contentsOf: model)
                }
                modelSums[lastModelIndex].add(sums)
            }
        }
    }

    /// The index of a provider and model's sums (their key bytes one after the other), added
    /// when new.
    private mutating func modelIndex(_ bytes: UnsafeBufferPointer<UInt8>, providerEnd: Int) -> Int {
        key.bytes.removeAll(keepingCapacity: true)
        key.bytes.append(contentsOf: bytes)
        if let i = modelIndex[key] { return i }
        func text(_ cell: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
            cell.last == 0x1F ? String(decoding: cell.dropLast(), as: UTF8.self) : nil  // 0xFF: NULL
        }
        models.append(.zero(provider: text(bytes[..<providerEnd]), model: text(bytes[providerEnd...])))
        modelSums.append(UsageSums())
        modelIndex[key] = models.count - 1
        return models.count - 1
    }

    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Bool {
        a.count == b.count && b.withUnsafeBufferPointer { memcmp(a.baseAddress!, $0.baseAddress!, a.count) == 0 }
    }

    /// Rows copied out of the statement: each row's sums, and its session, provider and model
    /// as `ByteKey` bytes one after another.
    private struct Batch {
        static let capacity = 4096
        var sums: [UsageSums] = []
        var keys: [UInt8] = []
        /// Per row: where its session's bytes end, where its provider's end, where the row ends.
        var ends: [(session: Int32, provider: Int32, row: Int32)] = []

        init() {
            sums.reserveCapacity(Self.capacity)
            ends.reserveCapacity(Self.capacity)
            keys.reserveCapacity(Self.capacity * 48)
        }

        var isFull: Bool { sums.count == Self.capacity }

        mutating func append(_ row: ScanRow, _ rows: UsageAggregator.Rows) {
            var sums = UsageSums()
            sums.add(row, rows)
            sums.keepTotalsOnly()  // what the rollup path reads (`totalsOnly`), on the calls path too
            self.sums.append(sums)
            ends.append(ByteKey.append(row, (0, 1, 2), to: &keys))  // session, provider, model
        }
    }

    /// The consumer's result, read by the scanning thread once the consumer has signalled.
    private final class Box: @unchecked Sendable {
        var value: (scan: SessionScan, tree: SessionTree)?
    }
}
