import Foundation

/// Streams a result to a file in `csv`, `tsv`, `json` or `jsonl`, row by row, with the renderers'
/// own column names and cell encodings (`DelimitedRenderer`, `JSONRenderer`: money as exact
/// numbers, NULL as an empty field or `null`), so an export reads exactly like `--format`
/// output without holding every row in memory.
///
/// The rows go to a temporary file beside the destination, renamed over it by `finish()`: a
/// failed export leaves no partial file, and an existing file is replaced only when `replace`.
public final class ExportWriter {
    public enum Format: String, CaseIterable, Sendable {
        case csv, tsv, json, jsonl

        /// The format a file name implies (`.csv`, `.tsv`, `.json`, `.jsonl` / `.ndjson`).
        public init?(path: String) {
            switch (path as NSString).pathExtension.lowercased() {
            case "csv": self = .csv
            case "tsv", "tab": self = .tsv
            case "json": self = .json
            case "jsonl", "ndjson": self = .jsonl
            default: return nil
            }
        }
    }

    public let path: String
    public let format: Format
    public private(set) var rows = 0
    private let columns: [Column]
    private let shape: ResultSet
    private let temporary: String
    private let handle: FileHandle
    private var buffer = Data()
    private var pendingObject: String?
    private var finished = false

    /// Creates the temporary file and writes the header (csv, tsv) or the opening bracket (json).
    public init(path: String, format: Format, columns: [Column], replace: Bool) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: path), !replace {
            throw UsageError("\(path) already exists: choose another file or add --force to replace it")
        }
        let url = URL(fileURLWithPath: path)
        temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tally-\(UUID().uuidString.prefix(8))").path
        guard fm.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
            throw UsageError("cannot write \(path): check that its folder exists and is writable")
        }
        self.path = path
        self.format = format
        self.columns = columns
        self.shape = ResultSet(columns: columns)
        self.handle = handle
        switch format {
        case .csv: line(DelimitedRenderer.line(columns.map(\.name), dialect: .csv))
        case .tsv: line(DelimitedRenderer.line(columns.map(\.name), dialect: .tsv))
        case .json, .jsonl: break
        }
    }

    deinit {
        if !finished {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
        }
    }

    public func write(_ row: [Value]) throws {
        switch format {
        case .csv: line(DelimitedRenderer.row(row, columns: columns, result: shape, dialect: .csv))
        case .tsv: line(DelimitedRenderer.row(row, columns: columns, result: shape, dialect: .tsv))
        case .jsonl: line(JSONRenderer.object(row, columns: columns, result: shape))
        case .json:
            // As `JSONRenderer`: `[`, one object per line with a comma after all but the last, `]`.
            // An object waits for the next one to know whether it needs its comma.
            if let previous = pendingObject { line(previous + ",") } else { line("[") }
            pendingObject = JSONRenderer.object(row, columns: columns, result: shape)
        }
        rows += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Closes the file and moves it to `path`; returns the number of rows written.
    @discardableResult
    public func finish() throws -> Int {
        if format == .json {
            if let last = pendingObject {
                line(last)
                line("]")
            } else {
                line("[]")
            }
        }
        try flush()
        try handle.close()
        let fm = FileManager.default
        if fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
        try fm.moveItem(atPath: temporary, toPath: path)
        finished = true
        return rows
    }

    private func line(_ text: String) {
        buffer.append(contentsOf: Array(text.utf8))
        buffer.append(UInt8(ascii: "\n"))
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
