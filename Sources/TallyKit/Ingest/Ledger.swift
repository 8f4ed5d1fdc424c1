import Foundation
import GRDB

/// The file-level ledger (`ingest_files`, SPEC §7): unchanged files are skipped by size and
/// mtime, and confirmed by content hash when those changed.
public struct Ledger {
    public struct Entry: Equatable, Sendable {
        public var size: Int64
        public var mtimeNs: Int64
        public var hash: String?
        public var status: String
    }

    public private(set) var entries: [String: Entry] = [:]

    /// Loads every ledger row (a dictionary lookup per file beats a query per file).
    public static func load(_ db: Database) throws -> Ledger {
        var ledger = Ledger()
        let rows = try Row.fetchCursor(db, sql: "SELECT path, size, mtime_ns, content_hash, status FROM ingest_files")
        while let row = try rows.next() {
            ledger.entries[row[0]] = Entry(size: row[1] ?? -1, mtimeNs: row[2] ?? -1, hash: row[3], status: row[4])
        }
        return ledger
    }

    /// True when the file's size and mtime are the ones recorded. A file that was rejected
    /// whole stays rejected until it changes (its rejection is kept in rejected_records).
    public func isUnchanged(_ path: String, _ stat: FileStat) -> Bool {
        guard let e = entries[path] else { return false }
        return e.size == stat.size && e.mtimeNs == stat.mtimeNs
    }

    /// Records a read (in the caller's transaction).
    public static func record(
        _ db: Database, path: String, source: String, stat: FileStat, hash: String, records: Int, rejected: Int,
        status: String, at: String
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO ingest_files (path, source, size, mtime_ns, content_hash, records, rejected, status, indexed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(path) DO UPDATE SET
                  source = excluded.source, size = excluded.size, mtime_ns = excluded.mtime_ns,
                  content_hash = excluded.content_hash, records = excluded.records, rejected = excluded.rejected,
                  status = excluded.status, indexed_at = excluded.indexed_at
                """
        ).execute(arguments: [path, source, stat.size, stat.mtimeNs, hash, records, rejected, status, at])
    }

    /// A file whose bytes did not change but whose mtime did (touched, copied): only the stat moves.
    public static func touch(_ db: Database, path: String, stat: FileStat) throws {
        try db.cachedStatement(sql: "UPDATE ingest_files SET size = ?, mtime_ns = ? WHERE path = ?")
            .execute(arguments: [stat.size, stat.mtimeNs, path])
    }
}

/// Size and modification time of a file, from one `stat` call.
public struct FileStat: Equatable, Sendable {
    public var size: Int64
    public var mtimeNs: Int64

    public init(size: Int64, mtimeNs: Int64) {
        self.size = size
        self.mtimeNs = mtimeNs
    }

    public init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        size = Int64(st.st_size)
        mtimeNs = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }
}

/// A fast 64-bit content hash (not cryptographic: it detects changed files, nothing more).
/// Computed over 1 MB pieces, so a file can be hashed as it is read and never held whole;
/// `of(_:)` and `of(file:)` give the same value for the same bytes.
public enum ContentHash {
    static let piece = 1 << 20

    public static func of(_ data: Data) -> String {
        var state = State()
        var start = data.startIndex
        while start < data.endIndex {
            let end = min(start + piece, data.endIndex)
            state.add(data[start..<end])
            start = end
        }
        return state.text
    }

    /// The hash of a file, read a piece at a time; nil when it cannot be read.
    public static func of(file url: URL) -> String? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        var state = State()
        while let chunk = try? handle.read(upToCount: piece), !chunk.isEmpty { state.add(chunk) }
        return state.text
    }

    struct State {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        var total: UInt64 = 0

        mutating func add(_ bytes: Data) {
            h = mix(h ^ ContentHash.hash(bytes))
            total += UInt64(bytes.count)
        }

        var text: String { String(mix(h ^ total), radix: 16, uppercase: false).leftPadded(to: 16) }
    }

    static func hash(_ data: Data) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(data.count)
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let words = raw.count / 8
            var i = 0
            while i < words {
                let w = raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                h = mix(h ^ w)
                i += 1
            }
            var tail: UInt64 = 0
            for j in (words * 8)..<raw.count { tail = (tail << 8) | UInt64(raw[j]) }
            h = mix(h ^ tail ^ 0xFF51_AFD7_ED55_8CCD)
        }
        return h
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 31)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 29)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
