import Foundation

/// Reads OpenCode's JSON storage tree (OpenCode ≈0.5 – 1.1, FORMATS.md "OpenCode"):
/// `storage/{project, session/<projectID>, message/<sessionID>, part/<messageID>}/<id>.json`,
/// one object per file and one source record per file.
///
/// - Project, session and message files become their records.
/// - Every part becomes a `PartRecord` with its detail (text, reasoning, tool call, error).
/// - Calls (TRAP 1): an assistant message's `tokens` describe its LAST step only, so each
///   `step-finish` part is one call with that step's tokens and cost, and each assistant
///   message adds one fallback call (`isMessageFallback`, its own tokens) that the indexer drops
///   when the message has step calls. A part file does not name the model: step calls leave
///   `model`, `provider` and `agent` nil for the writer to take from their message.
/// - Part ordinals are 0: a file alone does not know its position. OpenCode part ids sort in
///   creation order within a message.
///
/// `session_diff/`, `todo/`, `share/`, `permission/` and `migration` are not read.
public struct OpenCodeTreeReader: SourceReader {
    public static let source = OpenCode.source

    public init() {}

    /// The object folders read; the others under `storage/` hold no usage.
    static let folders = ["project", "session", "message", "part"]
    static let ignored: Set<String> = ["session_diff", "todo", "share", "permission", "snapshot", "log"]

    /// The object files under `root`: a `storage/` folder, the folder that holds `storage/`, one
    /// of the object folders, or a single file.
    public func inputs(under root: URL) throws -> [URL] {
        let isJSON: (String) -> Bool = { $0.hasSuffix(".json") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw ReaderError("\(root.path): no such file or folder")
        }
        guard isDirectory.boolValue else { return isJSON(root.lastPathComponent) ? [root] : [] }

        let nested = root.appendingPathComponent("storage")
        let base = Self.isDirectory(nested) ? nested : root
        let objectFolders = Self.folders.map { base.appendingPathComponent($0) }.filter(Self.isDirectory)
        if objectFolders.isEmpty {
            // An object folder itself (storage/part) or a folder of copied object files.
            return try SourceFiles.files(under: base, accept: isJSON).filter { url in
                Kind(path: url) != nil || Set(url.pathComponents).isDisjoint(with: Self.ignored)
            }
        }
        return try objectFolders.flatMap { try SourceFiles.files(under: $0, accept: isJSON) }
    }

    public func read(_ input: URL) throws -> ReadBatch {
        let json: Data
        do {
            json = try Data(contentsOf: input)
        } catch {
            throw ReaderError("\(input.path): cannot read: \(error.localizedDescription)")
        }
        return read(input, contents: json)
    }

    /// One object file's records from its bytes (already read by the indexer to hash them).
    public func read(_ input: URL, contents json: Data) -> ReadBatch {
        var builder = OpenCode.BatchBuilder()
        switch Kind(path: input) ?? sniff(json, builder.decoder) {
        case .project: builder.project(json: json)
        case .session: builder.session(json: json)
        case .message: builder.message(json: json)
        case .part: builder.part(json: json)
        case .messageWithParts:
            do {
                try builder.messageWithParts(json: json)
            } catch {
                builder.batch.records += 1
                builder.reject(key: nil, error, raw: json)
            }
        case .unknown(let reason):
            builder.batch.records += 1
            builder.batch.rejections.append(Rejection(reason: reason, raw: RawText(json)))
        }
        return builder.batch
    }

    // MARK: - Kinds of files

    enum Kind: Equatable {
        case project, session, message, part, messageWithParts
        case unknown(String)

        /// The kind the storage layout gives a file: `project/<id>.json`,
        /// `session/<projectID>/<id>.json`, `message/<sessionID>/<id>.json`, `part/<messageID>/<id>.json`.
        init?(path: URL) {
            let components = path.pathComponents
            guard components.count >= 3 else { return nil }
            let parent = components[components.count - 2], grandparent = components[components.count - 3]
            switch (grandparent, parent) {
            case (_, "project"): self = .project
            case ("session", _): self = .session
            case ("message", _): self = .message
            case ("part", _): self = .part
            default: return nil
            }
        }
    }

    /// The kind of a file outside the layout, from its keys.
    private func sniff(_ json: Data, _ decoder: JSONDecoder) -> Kind {
        guard let keys = try? decoder.decode(OpenCode.Probe.self, from: json).keys else {
            return .part  // let the part decoder report why the JSON is invalid
        }
        if keys.contains("info"), keys.contains("parts") { return .messageWithParts }
        if keys.contains("role") { return .message }
        if keys.contains("messageID") || keys.contains("type") { return .part }
        if keys.contains("worktree") { return .project }
        if keys.contains("projectID") || keys.contains("title") { return .session }
        return .unknown("not an OpenCode object: expected a project, session, message or part")
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
