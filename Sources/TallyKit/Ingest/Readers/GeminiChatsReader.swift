import Foundation

/// Reads Gemini CLI chats (FORMATS.md "Gemini CLI"): `~/.gemini/tmp/<projectHash>/chats/`
/// `session-*.json` (one pretty-printed `ConversationRecord`) or `session-*.jsonl` (a metadata
/// line, then message records, `$set` updates and `$rewindTo` records; sub-agents in
/// `chats/<parent session id>/<id>.jsonl`).
///
/// - Session: `sessionId`; project = the `<projectHash>` folder; parent = the folder a sub-agent
///   file sits in. Title = the chat's `summary`.
/// - Records: in a `.json` file each message object is one record (the file itself is not
///   counted; a file that is not valid JSON is one rejection); in a `.jsonl` file each line is.
/// - Messages: every message, id `<sessionId>:<message id>`; `user` → user, `gemini` →
///   assistant, `info`/`warning`/`error` → system. The last record of a message id wins (JSONL
///   re-writes a message as tokens and tool calls arrive). Messages a `$rewindTo` removed from
///   the conversation were still billed: they stay, marked `"rewound": true`.
/// - Calls: one per `gemini` message with `tokens`, id `<sessionId>:<message id>`, model from the
///   message. input = input − cached + tool (the tool-use prompt is prompt-side), output =
///   output, reasoning = thoughts, cache_read = cached, total = Gemini's `total`.
/// - Parts: thoughts → thinking, content → text, toolCalls → tool calls, error messages → errors.
public struct GeminiChatsReader: SourceReader {
    public static let source = "gemini"
    /// Gemini CLI calls Google's Gemini API (or Vertex AI).
    static let provider = "google"

    public init() {}

    /// Every `.json` and `.jsonl` file in a `chats` folder under `root` (`~/.gemini/tmp` or a
    /// project's folder), or `root` itself when it is such a file.
    public func inputs(under root: URL) throws -> [URL] {
        let files = try SourceFiles.files(under: root) { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }
        guard JSONL.isFolder(root) else { return files }
        return files.filter { $0.deletingLastPathComponent().pathComponents.contains("chats") }
    }

    public func read(_ input: URL) throws -> ReadBatch {
        let data = try JSONL.contents(of: input)
        var chat = Chat(input: input)
        if input.pathExtension == "jsonl" {
            try chat.readLines(data)
        } else {
            try chat.readDocument(data)
        }
        return chat.batch
    }

    typealias JSONL = CodexSessionsReader.JSONL
}

// MARK: - Reading one chat

extension GeminiChatsReader {
    /// One message as read, before it becomes records.
    struct Entry {
        var messageID: String
        var record: Record
        /// 1-based line (JSONL) or index in `messages` (single JSON).
        var line: Int?
        var index: Int?
        var raw: RawText?
        var rewound = false
    }

    struct Chat {
        let input: URL
        var batch = ReadBatch()
        /// A single-JSON file's bytes and, once a message is rejected, its messages as JSON, to
        /// give rejections their raw text without decoding every file twice.
        private var document: Data?
        private var documentMessages: [JSONValue]?
        /// Each rejection's line or message index: rejections are reported in file order.
        private var rejectionOrder: [Int] = []

        init(input: URL) {
            self.input = input
        }

        // MARK: Layouts

        /// A single-JSON chat: one session, one record per message object.
        mutating func readDocument(_ data: Data) throws {
            let conversation: Conversation
            do {
                conversation = try JSONDecoder().decode(Conversation.self, from: data)
            } catch {
                throw ReaderError("\(input.lastPathComponent): \(JSONL.reason(error, bytes: data))")
            }
            let messages = conversation.messages ?? []
            batch.records = messages.count
            document = data
            var entries: [Entry] = []
            var position: [String: Int] = [:]
            for (index, message) in messages.enumerated() {
                switch message.result {
                case .failure(let error):
                    reject(index: index, key: nil, reason: JSONL.reason(error), raw: rawMessage(index))
                case .success(let record):
                    guard let id = record.id, !id.isEmpty else {
                        reject(index: index, key: nil, reason: "missing message id", raw: rawMessage(index))
                        continue
                    }
                    let entry = Entry(messageID: id, record: record, index: index)
                    keep(entry, in: &entries, position: &position)
                }
            }
            let metadata = Metadata(
                sessionId: conversation.sessionId, projectHash: conversation.projectHash,
                startTime: conversation.startTime, lastUpdated: conversation.lastUpdated,
                kind: conversation.kind, summary: conversation.summary)
            try emit(metadata, entries)
        }

        /// A JSONL chat: one record per line; the last record of a message id wins.
        mutating func readLines(_ data: Data) throws {
            let decoder = JSONDecoder()
            var metadata = Metadata()
            var entries: [Entry] = []
            var position: [String: Int] = [:]
            for line in JSONL.lines(data) {
                batch.records += 1
                let record: Record
                do {
                    record = try decoder.decode(Record.self, from: line.bytes)
                } catch {
                    reject(line: line.number, key: nil, reason: JSONL.reason(error, bytes: line.bytes), raw: RawText(line.bytes))
                    continue
                }
                if let target = record.rewindTo {
                    // gemini-cli drops the message and everything after it from the conversation.
                    let from = position[target] ?? 0
                    for i in from..<entries.count { entries[i].rewound = true }
                } else if let id = record.id, !id.isEmpty {
                    keep(Entry(messageID: id, record: record, line: line.number, raw: RawText(line.bytes)),
                         in: &entries, position: &position)
                } else if let set = record.set {
                    metadata = metadata.updated(by: set)
                } else if let header = record.metadata {
                    metadata = metadata.updated(by: header)
                } else if record.type != nil || record.id != nil {
                    reject(line: line.number, key: nil, reason: "missing message id", raw: RawText(line.bytes))
                } else {
                    reject(line: line.number, key: nil,
                           reason: "not a message, session metadata, $set or $rewindTo record", raw: RawText(line.bytes))
                }
            }
            try emit(metadata, entries)
        }

        /// Keeps the latest record of each message id, in the order ids first appeared.
        private func keep(_ entry: Entry, in entries: inout [Entry], position: inout [String: Int]) {
            if let i = position[entry.messageID] {
                entries[i] = entry
            } else {
                position[entry.messageID] = entries.count
                entries.append(entry)
            }
        }

        // MARK: Records

        private mutating func emit(_ metadata: Metadata, _ entries: [Entry]) throws {
            defer {
                batch.rejections = zip(rejectionOrder, batch.rejections).sorted { $0.0 < $1.0 }.map(\.1)
            }
            guard let sessionID = metadata.sessionId, !sessionID.isEmpty else {
                throw ReaderError("\(input.lastPathComponent): missing sessionId: not a Gemini CLI chat")
            }
            let folders = input.deletingLastPathComponent().pathComponents
            var projectID = metadata.projectHash
            var parentID: String?
            if let chats = folders.lastIndex(of: "chats") {
                if chats > 0 { projectID = folders[chats - 1] }
                if chats < folders.count - 1 { parentID = folders.last }
            }
            if let id = projectID, !id.isEmpty {
                batch.projects.append(ProjectRecord(id: id, source: GeminiChatsReader.source))
            } else {
                projectID = nil
            }
            batch.sessions.append(SessionRecord(
                id: sessionID, source: GeminiChatsReader.source, projectID: projectID,
                parentID: parentID == sessionID ? nil : parentID, title: metadata.summary,
                startedAt: metadata.startTime.flatMap(Timestamps.normalize),
                updatedAt: metadata.lastUpdated.flatMap(Timestamps.normalize),
                attributes: JSONL.attributes(["kind": metadata.kind.map(JSONValue.string)])))

            var userMessageID: String?
            for entry in entries {
                switch message(entry, sessionID: sessionID, projectID: projectID, parentID: userMessageID) {
                case .failure(let problem):
                    reject(line: entry.line, index: entry.index, key: entry.messageID, reason: problem.reason,
                           raw: entry.raw ?? entry.index.flatMap { rawMessage($0) })
                case .success(let records):
                    batch.messages.append(records.message)
                    batch.parts += records.parts
                    if let call = records.call { batch.calls.append(call) }
                    if records.message.role == .user { userMessageID = records.message.id }
                }
            }
        }

        private func message(
            _ entry: Entry, sessionID: String, projectID: String?, parentID: String?
        ) -> Result<(message: MessageRecord, parts: [PartRecord], call: CallRecord?), Problem> {
            let record = entry.record
            guard let type = record.type, !type.isEmpty else { return .failure(Problem("missing message type")) }
            guard let at = record.timestamp.flatMap(Timestamps.normalize) else {
                return .failure(Problem(record.timestamp.map { "invalid timestamp \"\($0)\"" } ?? "missing timestamp"))
            }
            let id = "\(sessionID):\(entry.messageID)"
            let rewound: JSONValue? = entry.rewound ? .bool(true) : nil

            var call: CallRecord?
            if type == "gemini", let tokens = record.tokens {
                switch Self.counts(tokens) {
                case .failure(let problem):
                    return .failure(problem)
                case .success(let counts):
                    call = CallRecord(
                        id: id, source: GeminiChatsReader.source, sessionID: sessionID, messageID: id,
                        projectID: projectID, provider: GeminiChatsReader.provider, model: record.model,
                        startedAt: at, tokens: counts.tokens, sourceLine: entry.line,
                        attributes: JSONL.attributes([
                            "tool_tokens": counts.tool > 0 ? .integer(counts.tool) : nil,
                            "rewound": rewound,
                        ]))
                }
            }

            let role: MessageRole = switch type {
            case "user": .user
            case "gemini": .assistant
            default: .system
            }
            var parts: [PartRecord] = []
            func add(_ type: String, _ createdAt: String?, _ detail: PartDetail) {
                parts.append(PartRecord(
                    id: "\(id):\(parts.count)", messageID: id, sessionID: sessionID, ordinal: parts.count,
                    type: type, createdAt: createdAt, detail: detail))
            }
            for thought in record.thoughts ?? [] {
                let time = thought.timestamp.flatMap(Timestamps.normalize)
                add("thought", time, .thinking(thought.text, startedAt: time, endedAt: nil))
            }
            if type == "error" {
                add("error", at, .error(name: "error", payload: JSONValue.payload(record.text ?? "")))
            } else if let text = record.text {
                add("text", at, .text(text, synthetic: type != "user" && type != "gemini"))
            }
            for toolCall in record.toolCalls ?? [] {
                add("tool_call", toolCall.timestamp.flatMap(Timestamps.normalize), .tool(Self.detail(toolCall)))
            }

            let message = MessageRecord(
                id: id, sessionID: sessionID, role: role, parentID: role == .user ? nil : parentID,
                createdAt: at, provider: role == .assistant ? GeminiChatsReader.provider : nil,
                model: record.model, sourceLine: entry.line,
                attributes: JSONL.attributes(["type": role == .system ? .string(type) : nil, "rewound": rewound]))
            return .success((message, parts, call))
        }

        /// Gemini's counts in canonical kinds, or why they are not valid.
        static func counts(_ t: Tokens) -> Result<(tokens: TokenCounts, tool: Int64), Problem> {
            if let reason = TokenValidation.problem([
                "tokens.input": t.input, "tokens.output": t.output, "tokens.cached": t.cached,
                "tokens.thoughts": t.thoughts, "tokens.tool": t.tool, "tokens.total": t.total,
            ]) {
                return .failure(Problem(reason))
            }
            guard let input = t.input?.value else { return .failure(Problem("missing tokens.input")) }
            guard let output = t.output?.value else { return .failure(Problem("missing tokens.output")) }
            // gemini-cli writes 0 for a count the API did not report.
            let cached = t.cached?.value ?? 0
            let thoughts = t.thoughts?.value ?? 0
            let tool = t.tool?.value ?? 0
            guard cached <= input else {
                return .failure(Problem("tokens.cached (\(cached)) exceeds tokens.input (\(input))"))
            }
            let tokens = TokenCounts(
                input: input - cached + tool, output: output, reasoning: thoughts, cacheRead: cached,
                cacheWrite: 0, total: t.total?.value)
            return .success((tokens, tool))
        }

        /// A tool call's detail: input = args, output = the function responses' output.
        static func detail(_ call: ToolCall) -> ToolCallDetail {
            var outputs: [String] = []
            var errors: [String] = []
            if case .array(let results)? = call.result {
                for result in results {
                    guard let response = result["functionResponse"]?["response"] else { continue }
                    if let output = response["output"] {
                        outputs.append(output.stringValue ?? output.jsonText)
                    }
                    if let error = response["error"] {
                        errors.append(error.stringValue ?? error.jsonText)
                    }
                }
            }
            var output = outputs.isEmpty ? nil : outputs.joined(separator: "\n")
            if output == nil, errors.isEmpty, let result = call.result, result != .null, result != .array([]) {
                output = result.jsonText
            }
            let status: String? = switch call.status {
            case "success": "completed"
            case "error": "error"
            default: nil  // cancelled: neither a result nor a failure
            }
            let started = call.timestamp.flatMap(Timestamps.normalize)
            return ToolCallDetail(
                callID: call.id, tool: call.name ?? call.displayName ?? "unknown", status: status,
                input: call.args?.jsonText, output: output,
                title: call.description.flatMap { $0.isEmpty ? nil : $0 },
                metadata: JSONL.attributes([
                    "status": call.status.map(JSONValue.string),
                    "displayName": call.displayName.map(JSONValue.string),
                ]),
                startedAt: started,
                error: status == "error" ? JSONValue.payload(errors.isEmpty ? (output ?? "") : errors.joined(separator: "\n")) : nil)
        }

        /// The raw JSON text of the single-JSON file's `index`th message.
        private mutating func rawMessage(_ index: Int) -> RawText? {
            if documentMessages == nil {
                let root = document.flatMap { try? JSONDecoder().decode([String: JSONValue].self, from: $0) }
                if case .array(let messages)? = root?["messages"] { documentMessages = messages } else { documentMessages = [] }
            }
            guard let messages = documentMessages, index < messages.count else { return nil }
            return .text(messages[index].jsonText)
        }

        private mutating func reject(line: Int? = nil, index: Int? = nil, key: String?, reason: String, raw: RawText?) {
            let key = key ?? index.map { "messages[\($0)]" }
            batch.rejections.append(Rejection(line: line, key: key, reason: reason, raw: raw))
            rejectionOrder.append(line ?? index ?? 0)
        }
    }

    typealias Problem = CodexSessionsReader.Problem
}
