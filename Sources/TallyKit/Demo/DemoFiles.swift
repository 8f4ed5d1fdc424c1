import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a corpus's files under one root with plain POSIX calls (FileManager costs several
/// times more per file, which matters for the 100K-file benchmark tree), creating folders once.
struct DemoOutput {
    let root: URL
    private var madeDirectories: Set<String> = []
    /// Files written so far, by the first path component under the root (`opencode`, `claude`…).
    private(set) var fileCounts: [String: Int] = [:]
    private(set) var bytesWritten = 0

    init(root: URL) {
        self.root = root
    }

    /// Writes `bytes` to `relativePath` (`opencode/storage/session/…/ses_….json`).
    mutating func write(_ bytes: [UInt8], to relativePath: String) throws {
        let path = root.path + "/" + relativePath
        try makeDirectory(containing: path)
        try Self.writeFile(bytes, path: path)
        fileCounts[String(relativePath.prefix(while: { $0 != "/" })), default: 0] += 1
        bytesWritten += bytes.count
    }

    /// Creates the folder that will hold `path` (and its parents), once per folder.
    mutating func makeDirectory(containing path: String) throws {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        guard !madeDirectories.contains(directory) else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DemoCorpus.Error.cannotWrite(path: directory, reason: error.localizedDescription)
        }
        madeDirectories.insert(directory)
    }

    /// Counts a file written by other means (a SQLite database, a stream).
    mutating func count(_ relativePath: String, bytes: Int = 0) {
        fileCounts[String(relativePath.prefix(while: { $0 != "/" })), default: 0] += 1
        bytesWritten += bytes
    }

    static func writeFile(_ bytes: [UInt8], path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw DemoCorpus.Error.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        try writeAll(fd, bytes, path: path)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                #if canImport(Glibc)
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                #else
                Darwin.write(fd, raw.baseAddress! + offset, raw.count - offset)
                #endif
            }
            guard written > 0 else {
                throw DemoCorpus.Error.cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
    }
}

/// A file written in buffered chunks, for corpora too large to hold in memory: callers append
/// into `buffer` and call `flushIfFull()`; peak memory stays near the chunk size.
final class DemoStream {
    let path: String
    var buffer: [UInt8] = []
    private(set) var bytesWritten = 0
    private let fd: Int32
    private let chunk: Int

    init(path: String, chunk: Int = 1 << 20) throws {
        self.path = path
        self.chunk = chunk
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw DemoCorpus.Error.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        buffer.reserveCapacity(chunk + chunk / 4)
    }

    /// Bytes appended so far, written or not.
    var size: Int { bytesWritten + buffer.count }

    func append(_ json: DemoJSON, style: DemoJSON.Style = .compact, newline: Bool = true) throws {
        json.write(into: &buffer, style: style)
        if newline { buffer.append(0x0A) }
        try flushIfFull()
    }

    func flushIfFull() throws {
        if buffer.count >= chunk { try flush() }
    }

    func flush() throws {
        try DemoOutput.writeAll(fd, buffer, path: path)
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }
}

// MARK: - Calendar

/// Fixed calendar arithmetic on UTC milliseconds (no `Date()`, no time zones: the sources'
/// fictional user lives in UTC, so Codex's local-time file names equal UTC).
enum DemoCalendar {
    static let millisecondsPerDay: Int64 = 86_400_000

    /// Milliseconds since the epoch at 00:00 UTC of a civil date.
    static func ms(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        Int64(CivilTime.days(year: year, month: month, day: day)) * millisecondsPerDay
    }

    /// Working days (Monday to Friday) from `first` to `last` inclusive, as midnight milliseconds.
    static func workingDays(from first: Int64, through last: Int64) -> [Int64] {
        var days: [Int64] = []
        var day = first
        while day <= last {
            // 1970-01-01 was a Thursday: day 0 has weekday index 3 (Monday = 0).
            if (Int(day / millisecondsPerDay) + 3) % 7 < 5 { days.append(day) }
            day += millisecondsPerDay
        }
        return days
    }

    /// `2026-03-05T10:02:11.482Z` (JavaScript's toISOString).
    static func iso(_ ms: Int64) -> String { Timestamps.fromEpochMilliseconds(ms) }

    /// `2026-03-05T10:02:11Z` (whole seconds).
    static func isoSeconds(_ ms: Int64) -> String { String(iso(ms).prefix(19)) + "Z" }

    /// `2026-03-05 10:02:11` (naive UTC, SQLite `datetime()` style).
    static func naive(_ ms: Int64) -> String { String(iso(ms).prefix(19)).replacingOccurrences(of: "T", with: " ") }

    /// `2026-03-05`.
    static func date(_ ms: Int64) -> String { String(iso(ms).prefix(10)) }
}

// MARK: - SHA-256

/// SHA-256 (FIPS 180-4), for Gemini CLI's project hash (SHA-256 of the project root). Foundation
/// on Linux has no digest API and the corpus needs only a few short inputs.
enum DemoSHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func hex(_ text: String) -> String {
        var message = Array(text.utf8)
        let bitLength = UInt64(message.count) * 8
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }

        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var w = [UInt32](repeating: 0, count: 64)
        for block in stride(from: 0, to: message.count, by: 64) {
            for i in 0..<16 {
                let j = block + 4 * i
                w[i] = UInt32(message[j]) << 24 | UInt32(message[j + 1]) << 16 | UInt32(message[j + 2]) << 8 | UInt32(message[j + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let t1 = hh &+ s1 &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let t2 = s0 &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ v }
        }
        return h.map { DemoRandom.hex(UInt64($0), width: 8) }.joined()
    }
}
