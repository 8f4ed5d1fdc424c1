import Foundation

/// An executable `tally-NAME` on PATH, run as the command `NAME` (as git runs `git-NAME`).
///
/// It gets the invocation's words unchanged (its own `--help` and `--format` included), the
/// database in `TALLY_DB` (absolute path), the session's output format in `TALLY_FORMAT`, and
/// `TALLY_READ_ONLY=1` under `--read-only`. Its stdout is passed through (or to `> FILE`), its
/// exit status becomes tally's.
public struct ExternalCommand: Hashable, Sendable {
    public static let prefix = "tally-"

    public var name: String
    /// The executable's path as found on PATH.
    public var path: String

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }

    /// Every `tally-NAME` executable in the folders of `searchPath` (PATH syntax); the first of a
    /// name wins, as in the shell.
    public static func discover(searchPath: String?) -> [ExternalCommand] {
        let fm = FileManager.default
        var found: [String: ExternalCommand] = [:]
        var order: [String] = []
        for folder in (searchPath ?? "").split(separator: ":").map(String.init) where !folder.isEmpty {
            guard let names = try? fm.contentsOfDirectory(atPath: folder) else { continue }
            for file in names.sorted() where file.hasPrefix(prefix) {
                let name = String(file.dropFirst(prefix.count))
                guard found[name] == nil,
                    name.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) != nil
                else { continue }
                let path = (folder as NSString).appendingPathComponent(file)
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    fm.isExecutableFile(atPath: path)
                else { continue }
                found[name] = ExternalCommand(name: name, path: path)
                order.append(name)
            }
        }
        return order.map { found[$0]! }
    }

    /// What the command sees besides its arguments.
    public struct Session {
        public var databasePath: String?
        public var format: OutputFormat
        public var readOnly: Bool

        public init(databasePath: String?, format: OutputFormat, readOnly: Bool) {
            self.databasePath = databasePath
            self.format = format
            self.readOnly = readOnly
        }
    }

    /// Runs the command; stdout goes to `write` as it arrives, stderr to the terminal (or to
    /// `writeError` when `inheritStderr` is false). Returns the exit status (128 + signal when
    /// a signal ended it).
    public func run(
        _ arguments: [String], session: Session, inheritStderr: Bool,
        write: (String) throws -> Void, writeError: (String) -> Void
    ) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TALLY_DB"] = session.databasePath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        environment["TALLY_FORMAT"] = session.format.rawValue
        environment["TALLY_READ_ONLY"] = session.readOnly ? "1" : nil
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        let err = Pipe()
        let errors = ErrorCollector()
        if inheritStderr {
            process.standardError = FileHandle.standardError
        } else {
            process.standardError = err
        }
        do {
            try process.run()
        } catch {
            throw CommandFailure(message: "\(name): cannot run \(path): \(error.localizedDescription)")
        }
        let group = DispatchGroup()
        if !inheritStderr {
            group.enter()
            DispatchQueue.global().async {
                errors.data = err.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        // Pass stdout on as it arrives, cut at line ends so multi-byte characters stay whole.
        var pending = Data()
        var failure: Error?
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            guard failure == nil else { continue }  // keep draining so the child never blocks
            pending.append(chunk)
            if let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) {
                let complete = pending[...lastNewline]
                pending = Data(pending[pending.index(after: lastNewline)...])
                do { try write(String(decoding: complete, as: UTF8.self)) } catch { failure = error }
            }
        }
        if failure == nil, !pending.isEmpty {
            do { try write(String(decoding: pending, as: UTF8.self)) } catch { failure = error }
        }
        process.waitUntilExit()
        group.wait()
        if !errors.data.isEmpty { writeError(String(decoding: errors.data, as: UTF8.self)) }
        if let failure { throw failure }
        if process.terminationReason == .uncaughtSignal { return 128 + process.terminationStatus }
        return process.terminationStatus
    }
}

/// An external command ended with a non-zero status: tally exits with the same status.
public struct ExternalCommandFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var status: Int32
    public var description: String { "\(name) exited with status \(status)" }
}

private final class ErrorCollector: @unchecked Sendable {
    var data = Data()
}
