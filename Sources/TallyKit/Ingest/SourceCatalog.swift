import Foundation
import GRDB

/// The sources `index SOURCE PATH` knows (SPEC §7), their default locations, and detection for
/// `index auto PATH`.
public enum SourceCatalog {
    public struct Source: Sendable {
        public var name: String
        public var summary: String
        /// Where the tool keeps its data by default (FORMATS.md), when it has such a place.
        public var defaultPath: @Sendable () -> String?
        public var reader: any SourceReader
    }

    public static let all: [Source] = [
        Source(
            name: "opencode", summary: "OpenCode: JSON storage tree or opencode.db",
            defaultPath: { xdgData("opencode") }, reader: OpenCodeReader()),
        Source(
            name: "claude", summary: "Claude Code projects tree (JSONL transcripts, sub-agents)",
            defaultPath: { home(".claude/projects") }, reader: ClaudeProjectsReader()),
        Source(
            name: "codex", summary: "Codex CLI sessions (rollout JSONL)",
            defaultPath: { (ProcessInfo.processInfo.environment["CODEX_HOME"] ?? home(".codex")).map { $0 + "/sessions" } },
            reader: CodexSessionsReader()),
        Source(
            name: "gemini", summary: "Gemini CLI chats",
            defaultPath: { ProcessInfo.processInfo.environment["GEMINI_DATA_DIR"] ?? home(".gemini/tmp") },
            reader: GeminiChatsReader()),
        Source(
            name: "events", summary: "Generic usage events (JSONL or CSV)", defaultPath: { nil }, reader: EventsReader()),
        Source(
            name: "autopack", summary: "llm_usage_events SQLite databases", defaultPath: { nil },
            reader: UsageEventsDatabaseReader()),
        Source(
            name: "workflows", summary: "Workflow runs (run folders) or a workflow_history database",
            defaultPath: { nil }, reader: WorkflowsReader()),
    ]

    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) -> Source? { all.first { $0.name == name } }

    static func home(_ relative: String) -> String? {
        FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(relative).path
    }

    static func xdgData(_ relative: String) -> String? {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home(".local/share")!
        return base + "/" + relative
    }

    // MARK: - Detection

    /// Guesses the source of `url` from its layout and a peek at its contents; the reason says
    /// what was seen (`index auto` prints it).
    public static func detect(_ url: URL) throws -> (source: Source, reason: String) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw UsageError("\(url.path): no such file or folder")
        }
        let found: (String, String)?
        if isDir.boolValue {
            found = detectFolder(url)
        } else {
            found = detectFile(url)
        }
        guard let (name, reason) = found, let source = named(name) else {
            throw UsageError(
                "cannot tell which source \(url.path) is: name it (`index SOURCE PATH`, SOURCE one of \(names.joined(separator: ", ")))")
        }
        return (source, reason)
    }

    static func detectFolder(_ url: URL) -> (String, String)? {
        let fm = FileManager.default
        func exists(_ relative: String) -> Bool { fm.fileExists(atPath: url.appendingPathComponent(relative).path) }
        if exists("storage/session") || (exists("session") && exists("message")) {
            return ("opencode", "an OpenCode JSON storage tree (session/, message/, part/)")
        }
        if let db = (try? fm.contentsOfDirectory(atPath: url.path))?.first(where: { $0.hasPrefix("opencode") && $0.hasSuffix(".db") }) {
            return ("opencode", "an OpenCode database (\(db))")
        }
        if exists("projects"), let r = detectFolder(url.appendingPathComponent("projects")), r.0 == "claude" { return r }
        if exists("sessions"), let r = detectFolder(url.appendingPathComponent("sessions")), r.0 == "codex" { return r }
        // Look at a few files below, the shallowest first.
        let files = (try? SourceFiles.files(under: url) { $0.hasSuffix(".jsonl") || $0.hasSuffix(".json") || $0.hasSuffix(".csv") || $0.hasSuffix(".db") }) ?? []
        for file in files.sorted(by: { $0.pathComponents.count < $1.pathComponents.count }).prefix(20) {
            if file.lastPathComponent == "run.json" { return ("workflows", "workflow run folders (\(file.deletingLastPathComponent().lastPathComponent)/run.json)") }
            if file.deletingLastPathComponent().lastPathComponent == "chats" { return ("gemini", "Gemini CLI chats (*/chats/)") }
            if let r = detectFile(file) { return r }
        }
        return nil
    }

    static func detectFile(_ url: URL) -> (String, String)? {
        let name = url.lastPathComponent
        switch url.pathExtension.lowercased() {
        case "db", "sqlite", "sqlite3":
            var config = Configuration()
            config.readonly = true
            guard let q = try? DatabaseQueue(path: url.path, configuration: config),
                let tables = try? q.read({ db in try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")) })
            else { return nil }
            if tables.contains("llm_usage_events") { return ("autopack", "an llm_usage_events database (\(name))") }
            if tables.contains("workflow_history") { return ("workflows", "a workflow_history database (\(name))") }
            if tables.isSuperset(of: ["session", "message", "part"]) { return ("opencode", "an OpenCode database (\(name))") }
            return nil
        case "csv":
            return ("events", "a CSV of usage events (\(name))")
        case "json":
            guard let object = firstObject(url, wholeFile: true) else { return nil }
            if object["messages"] != nil, object["sessionId"] != nil { return ("gemini", "a Gemini CLI chat (\(name))") }
            if object["run_id"] != nil, object["status"] != nil { return ("workflows", "a workflow run (\(name))") }
            if let id = object["id"]?.stringValue, id.hasPrefix("ses_") || id.hasPrefix("msg_") || id.hasPrefix("prt_") {
                return ("opencode", "an OpenCode storage object (\(name))")
            }
            return nil
        case "jsonl":
            guard let object = firstObject(url, wholeFile: false) else { return nil }
            if object["payload"] != nil, object["timestamp"] != nil { return ("codex", "a Codex rollout (\(name))") }
            if object["sessionId"] != nil || ["summary", "user", "assistant", "file-history-snapshot"].contains(object["type"]?.stringValue ?? "") {
                return ("claude", "a Claude Code transcript (\(name))")
            }
            if object["messages"] != nil || object["sessionId"] != nil { return ("gemini", "a Gemini CLI chat (\(name))") }
            if object["timestamp"] != nil, object["model"] != nil { return ("events", "usage events (\(name))") }
            if object["at"] != nil, object["agent"] != nil { return ("workflows", "workflow cost records (\(name))") }
            return nil
        default:
            return nil
        }
    }

    /// The first JSON object of a file (the whole file, or its first non-empty line).
    static func firstObject(_ url: URL, wholeFile: Bool) -> JSONValue? {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? handle.close() }
        let data: Data
        if wholeFile {
            data = handle.readDataToEndOfFile()
        } else {
            let head = handle.readData(ofLength: 1 << 20)
            let line = head.split(separator: UInt8(ascii: "\n")).first { !$0.allSatisfy { $0 == 32 || $0 == 13 } }
            data = line.map { Data($0) } ?? Data()
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data), case .object = value else { return nil }
        return value
    }
}
