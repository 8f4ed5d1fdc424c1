import Foundation

/// A reader of one source format (ARCHITECTURE.md): a pure function of its input files, tested
/// with fixture files alone. It never touches the store and never decides what is already
/// indexed — the Indexer and its ledger do.
public protocol SourceReader: Sendable {
    /// The SOURCE word of `index SOURCE PATH` (`opencode`, `claude`, `codex`, ...).
    static var source: String { get }

    /// The inputs under `root` (a folder or a single file) this reader reads. Each input is read,
    /// tracked in the ledger and replaced on its own. Sorted, so runs are deterministic.
    func inputs(under root: URL) throws -> [URL]

    /// Reads one input. Records that cannot be indexed become `Rejection`s in the batch; a thrown
    /// error means the whole input could not be read (the indexer records it as one rejection).
    func read(_ input: URL) throws -> ReadBatch

    /// Reads one input whose bytes the indexer already has (it hashes them first): the same
    /// batch as `read`. The default reads the input again.
    func read(_ input: URL, contents: Data) throws -> ReadBatch

    /// Reads one input in pieces, so that an input larger than memory never has to be held
    /// whole (SPEC §7: stream, never load a whole source). `records` and `rejections` of the
    /// pieces add up to what `read` gives. The default emits `read`'s single batch.
    func stream(_ input: URL, emit: (ReadBatch) throws -> Void) throws
}

extension SourceReader {
    public func stream(_ input: URL, emit: (ReadBatch) throws -> Void) throws {
        try emit(read(input))
    }

    public func read(_ input: URL, contents: Data) throws -> ReadBatch {
        try read(input)
    }
}

/// Why a whole input could not be read.
public struct ReaderError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

// MARK: - Walking folders

public enum SourceFiles {
    /// Regular files under `root` (or `root` itself when it is a file) whose name satisfies
    /// `accept`, sorted by path. Hidden folders are skipped; symbolic links are not followed.
    public static func files(under root: URL, accept: (String) -> Bool) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw ReaderError("\(root.path): no such file or folder")
        }
        if !isDirectory.boolValue { return accept(root.lastPathComponent) ? [root] : [] }
        var found: [String] = []
        walk(root.path, accept: accept, into: &found)
        return found.sorted().map { URL(fileURLWithPath: $0) }
    }

    /// A readdir walk: FileManager's enumerator costs several times more per file.
    private static func walk(_ directory: String, accept: (String) -> Bool, into found: inout [String]) {
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name == "." || name == ".." || name.hasPrefix(".") { continue }
            let path = directory + "/" + name
            var type = entry.pointee.d_type
            if type == UInt8(DT_UNKNOWN) {
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                type = (st.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : (st.st_mode & S_IFMT) == S_IFREG ? UInt8(DT_REG) : 0
            }
            if type == UInt8(DT_DIR) {
                walk(path, accept: accept, into: &found)
            } else if type == UInt8(DT_REG), accept(name) {
                found.append(path)
            }
        }
    }
}

// MARK: - Validating values

/// A token count as it appears in JSON, validated per SPEC §6: an integer from 0 to 2^53.
/// Anything else (negative, fractional, 1e30, a string) is a `problem`, never clamped.
public struct TokenField: Decodable, Hashable, Sendable {
    public let value: Int64?
    public let problem: String?

    public static let maximum: Int64 = 1 << 53

    public init(value: Int64?, problem: String? = nil) {
        self.value = value
        self.problem = problem
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self.init(value: nil)
        } else if let i = try? c.decode(Int64.self) {
            self = TokenField.validate(i)
        } else if let d = try? c.decode(Double.self) {
            self.init(value: nil, problem: d.rounded() == d ? "out of range (\(d))" : "not an integer (\(d))")
        } else if let s = try? c.decode(String.self) {
            self.init(value: nil, problem: "a string (\"\(s.prefix(40))\"), not a number")
        } else {
            self.init(value: nil, problem: "not a number")
        }
    }

    /// Validates an integer already read (CSV fields, database columns).
    public static func validate(_ i: Int64) -> TokenField {
        if i < 0 { return TokenField(value: nil, problem: "negative (\(i))") }
        if i > maximum { return TokenField(value: nil, problem: "above 2^53 (\(i))") }
        return TokenField(value: i)
    }

    /// Validates text (CSV fields): empty is absent, anything but a plain integer is a problem.
    public static func parse(_ text: String) -> TokenField {
        let t = text.trimmedSpaces
        if t.isEmpty { return TokenField(value: nil) }
        if let i = Int64(t) { return validate(i) }
        if let d = Double(t) {
            return TokenField(value: nil, problem: d.rounded() == d ? "out of range (\(t))" : "not an integer (\(t))")
        }
        return TokenField(value: nil, problem: "not a number (\"\(t.prefix(40))\")")
    }
}

public enum TokenValidation {
    /// The first problem among named token fields, as a rejection reason
    /// (`invalid token count tokens.input: negative (-5)`); nil when all are valid.
    public static func problem(_ fields: KeyValuePairs<String, TokenField?>) -> String? {
        for (name, field) in fields {
            if let p = field?.problem { return "invalid token count \(name): \(p)" }
        }
        return nil
    }
}

// MARK: - Reading lines

public enum JSONLines {
    /// Calls `body` with each line of the file (without its `\n` or a trailing `\r`) and its
    /// 1-based number, reading 4 MB at a time: memory stays flat whatever the file's size.
    public static func forEach(in url: URL, _ body: (Data, Int) throws -> Void) throws {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw ReaderError("\(url.path): cannot read the file")
        }
        defer { try? handle.close() }
        var carry = Data()
        var number = 0
        func emit(_ line: Data) throws {
            number += 1
            var end = line.endIndex
            if end > line.startIndex, line[end - 1] == 0x0D { end -= 1 }
            try body(line[line.startIndex..<end], number)
        }
        while true {
            let chunk = try handle.read(upToCount: 4 << 20) ?? Data()
            if chunk.isEmpty { break }
            var data = carry.isEmpty ? chunk : carry + chunk
            carry = Data()
            var start = data.startIndex
            for newline in newlineOffsets(data) {
                try emit(data[start..<(data.startIndex + newline)])
                start = data.startIndex + newline + 1
            }
            if start < data.endIndex { carry = Data(data[start...]) }
            data = Data()
        }
        if !carry.isEmpty { try emit(carry) }
    }

    /// The offsets of the `\n` bytes in `data`, found by `memchr`: `Data.firstIndex(of:)` reads
    /// byte by byte through `Data`'s subscript, a seventh of the events reader's time.
    static func newlineOffsets(_ data: Data) -> [Int] {
        data.withUnsafeBytes { raw in
            var offsets: [Int] = []
            guard let base = raw.baseAddress else { return offsets }
            var from = 0
            while from < raw.count, let hit = memchr(base + from, 0x0A, raw.count - from) {
                let offset = base.distance(to: UnsafeRawPointer(hit))
                offsets.append(offset)
                from = offset + 1
            }
            return offsets
        }
    }
}
