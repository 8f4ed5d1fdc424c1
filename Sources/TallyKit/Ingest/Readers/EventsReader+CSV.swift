import CSV
import Foundation

// MARK: - CSV

extension EventsReader {
    /// A header row naming the columns (case-insensitive, any order, unknown ones kept as
    /// attributes), then one call per row, streamed through CSV.swift (RFC 4180 quoting, quoted
    /// commas and line breaks, LF or CRLF). An empty field is absent, never 0; blank lines are not
    /// records. A row's line is the physical line it starts on.
    func readCSV(_ url: URL) throws -> ReadBatch {
        guard let stream = InputStream(url: url) else {
            throw ReaderError("\(url.path): cannot open the file")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: true)
        } catch CSVError.cannotReadHeaderRow {
            return ReadBatch()  // an empty file: no rows
        } catch {
            throw ReaderError("\(url.path): cannot read the file (\(error))")
        }
        // CSV.swift reports running past the end of a file stream as `cannotReadFile` (seen on
        // Linux, where a file stream has "bytes available" until a read returns 0): that is the
        // end of the input, not an error.
        func failure() -> Error? {
            if case CSVError.cannotReadFile? = reader.error, stream.streamStatus == .atEnd { return nil }
            return reader.error
        }
        guard let header = reader.headerRow else { return ReadBatch() }
        if let error = failure() {
            throw ReaderError("\(url.path): line 1: \(Self.describe(error)): the header row cannot be read")
        }
        let columns = try Self.columns(of: header, file: url.lastPathComponent)

        var builder = BatchBuilder()
        var nextLine = 2 + Self.lineBreaks(in: header)
        while let row = reader.next() {
            let line = nextLine
            nextLine += 1 + Self.lineBreaks(in: row)
            if let error = failure() {
                throw ReaderError("\(url.path): line \(line): \(Self.describe(error)): the rest of the file cannot be read")
            }
            if row.count == 1, String(row[0].trimmedSpaces).isEmpty { continue }
            guard row.count == header.count else {
                builder.rejectRecord(
                    line: line, reason: "row has \(row.count) fields, the header has \(header.count)",
                    raw: .text(Self.csvLine(row)))
                continue
            }
            var fields = Fields()
            for (index, value) in row.enumerated() {
                let text = String(value.trimmedSpaces)
                if text.isEmpty { continue }
                switch columns[index] {
                case .known(let column) where column.isTokenCount:
                    // A plain integer without TokenField.parse's (slow) trimming; anything else
                    // through it, for the problem's wording.
                    fields.tokens[column] = Int64(text).map(TokenField.validate) ?? TokenField.parse(text)
                case .known(.costUSD):
                    fields.setCost(text: text)
                case .known(let column):
                    fields.text[column] = text
                case .extra(let name):
                    fields.extras[name] = .string(text)
                }
            }
            builder.add(fields, line: line, raw: .text(Self.csvLine(row)))
        }
        if let error = failure() {
            throw ReaderError("\(url.path): line \(nextLine): \(Self.describe(error)): the rest of the file cannot be read")
        }
        return builder.finish()
    }

    enum HeaderColumn {
        case known(Column)
        case extra(String)
    }

    /// The header's columns; a repeated name, or no `timestamp` or `model` column, makes the file
    /// unreadable (every row would be guesswork).
    static func columns(of header: [String], file: String) throws -> [HeaderColumn] {
        var seen = Set<String>()
        var columns: [HeaderColumn] = []
        for (index, raw) in header.enumerated() {
            let name = String(raw.trimmedSpaces)
            let folded = name.lowercased()
            guard seen.insert(folded).inserted else {
                throw ReaderError("\(file): column `\(name)` appears twice in the header row")
            }
            if let column = Column(name: name) {
                columns.append(.known(column))
            } else {
                columns.append(.extra(name.isEmpty ? "column_\(index + 1)" : name))
            }
        }
        for required in [Column.timestamp, .model] where !seen.contains(required.rawValue) {
            throw ReaderError(
                "\(file): the header row has no `\(required.rawValue)` column: the first row must name the columns (id, timestamp, provider, model, …, total_tokens, cost_usd)")
        }
        return columns
    }

    /// Line breaks inside quoted fields (CRLF counts once), so rows keep their physical lines.
    static func lineBreaks(in row: [String]) -> Int {
        var count = 0
        for field in row {
            var previousCR = false
            for scalar in field.unicodeScalars {
                if scalar == "\n" {
                    if !previousCR { count += 1 }
                } else if scalar == "\r" {
                    count += 1
                }
                previousCR = scalar == "\r"
            }
        }
        return count
    }

    /// The row written back as one CSV record (the rejection's raw text): fields quoted when they
    /// hold a comma, a quote, a line break or surrounding spaces.
    static func csvLine(_ row: [String]) -> String {
        row.map { field -> String in
            let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
                || field.first == " " || field.last == " "
            guard needsQuotes else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",")
    }

    static func describe(_ error: Error) -> String {
        if case CSVError.unicodeDecoding = error { return "not valid UTF-8" }
        return "\(error)"
    }
}
