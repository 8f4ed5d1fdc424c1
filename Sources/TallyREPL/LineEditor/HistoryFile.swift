import Foundation

/// The on-disk format of the REPL history: one entry per line, escaped so that
/// multi-line entries (a SQL statement typed over several lines) survive a restart
/// exactly.
///
/// ```
/// #tally-history v1
/// SELECT 1\nFROM t;
/// .tables
/// ```
/// Inside an entry `\` is written `\\`, a newline `\n` and a carriage return `\r`.
/// libedit's own `H_SAVE` format is not used: it cannot represent newlines.
enum HistoryFile {
    static let header = "#tally-history v1"

    // MARK: - Format

    static func escape(_ entry: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(entry.utf8.count)
        for scalar in entry.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    static func unescape<S: StringProtocol>(_ line: S) -> String {
        var entry = ""
        var scalars = line.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "\\" else {
                entry.unicodeScalars.append(scalar)
                continue
            }
            switch scalars.next() {
            case "n": entry += "\n"
            case "r": entry += "\r"
            case "\\": entry += "\\"
            case let other?: // unknown escape: keep it as written
                entry += "\\"
                entry.unicodeScalars.append(other)
            case nil: // a trailing lone backslash
                entry += "\\"
            }
        }
        return entry
    }

    static func encode(_ entries: [String]) -> String {
        var text = header + "\n"
        for entry in entries {
            text += escape(entry)
            text += "\n"
        }
        return text
    }

    /// Entries in file order (oldest first). A file without the header (from an older
    /// or foreign tool) is read as one plain entry per line.
    static func decode(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        guard lines.first == Substring(header) else {
            return lines.filter { !$0.isEmpty }.map(String.init)
        }
        return lines.dropFirst().filter { !$0.isEmpty }.map { unescape($0) }
    }

    // MARK: - Files

    /// Reads a history file; a missing file is an empty history.
    static func load(from url: URL) throws -> [String] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let data = try Data(contentsOf: url)
        return decode(String(decoding: data, as: UTF8.self))
    }

    /// Writes the file atomically (temporary file, then rename) with mode 0600,
    /// creating missing parent directories with mode 0700.
    static func save(_ entries: [String], to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw HistoryFileError.cannotWrite(url.path, reason: "cannot create \(directory.path)")
        }

        let temporaryPath = url.path + ".tmp-\(getpid())"
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HistoryFileError.cannotWrite(url.path, errno: errno) }
        var bytes = Array(encode(entries).utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                write(fd, buffer.baseAddress! + written, buffer.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let error = errno
                close(fd)
                unlink(temporaryPath)
                throw HistoryFileError.cannotWrite(url.path, errno: error)
            }
            written += n
        }
        bytes.removeAll()
        fchmod(fd, 0o600)
        close(fd)
        guard rename(temporaryPath, url.path) == 0 else {
            let error = errno
            unlink(temporaryPath)
            throw HistoryFileError.cannotWrite(url.path, errno: error)
        }
    }
}

public enum HistoryFileError: Error, CustomStringConvertible {
    case cannotWrite(String, reason: String)

    static func cannotWrite(_ path: String, errno code: Int32) -> HistoryFileError {
        .cannotWrite(path, reason: String(cString: strerror(code)))
    }

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason):
            return "cannot write history file \(path): \(reason) (check the permissions of its directory)"
        }
    }
}
