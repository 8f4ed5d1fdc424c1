import Foundation

/// Reads Codex CLI rollouts (FORMATS.md "Codex CLI"): `sessions/YYYY/MM/DD/rollout-*.jsonl`, one
/// session per file, one `{timestamp, type, payload}` record per line.
///
/// - Session: the `session_meta` payload's id (the UUID in the file name when there is none);
///   project = its `cwd`; a sub-agent thread's parent from `source…parent_thread_id`.
/// - Calls: one per `token_count` event with usage, id `<session id>:<line>`. Events with
///   `info: null` carry only rate limits; an event repeating the previous cumulative
///   `total_token_usage` is a re-emit, not a request. The call's usage is `last_token_usage`,
///   else this cumulative minus the previous one. Codex counts cached input inside input and
///   reasoning inside output: input = input − cached, output = output − reasoning.
/// - Model: the latest `turn_context` line's (each sampling request writes one before it).
/// - Messages: a user message per `user_message` event (the typed prompt, without the injected
///   context items); an assistant message per model response, holding the response items since
///   the previous call (reasoning, tool calls with their outputs, answer text) and the call that
///   reported its usage. Ids are `<session id>:<line of the message's first line>`.
public struct CodexSessionsReader: SourceReader {
    public static let source = "codex"

    public init() {}

    /// Every `rollout-*.jsonl` under `root` (`~/.codex`, its `sessions/` or `archived_sessions/`),
    /// or `root` itself when it is a `.jsonl` file. `~/.codex/history.jsonl` (prompt history) is
    /// not a rollout and is left out.
    public func inputs(under root: URL) throws -> [URL] {
        let folder = JSONL.isFolder(root)
        return try SourceFiles.files(under: root) { name in
            name.hasSuffix(".jsonl") && (!folder || name.hasPrefix("rollout-"))
        }
    }

    public func read(_ input: URL) throws -> ReadBatch {
        let data = try JSONL.contents(of: input)
        var rollout = Rollout(fileName: input.lastPathComponent)
        try rollout.read(data)
        return rollout.batch
    }
}

// MARK: - Reading one rollout

extension CodexSessionsReader {
    /// The state of one pass over a rollout.
    struct Rollout {
        let fileName: String
        var batch = ReadBatch()

        var sessionID = ""
        var projectID: String?
        var provider: String?
        /// Whether the file has `user_message` events (else user prompts come from user
        /// `response_item` messages).
        var hasUserEvents = false

        var model: String?
        var effort: String?
        /// When the request being answered was sent: the latest `turn_context` since the last call.
        var requestStartedAt: String?
        /// The last cumulative usage counted (re-emits repeat it).
        var previousTotal: UsageCounts?
        var userMessageID: String?
        var open: OpenMessage?
        /// Tool parts by call id, to attach outputs.
        var toolParts: [String: Int] = [:]

        /// The assistant message being filled with response items until its call arrives.
        struct OpenMessage {
            var id: String
            var line: Int
            var createdAt: String
            var nextOrdinal = 0
        }

        init(fileName: String) {
            self.fileName = fileName
        }

        mutating func read(_ data: Data) throws {
            let decoder = JSONDecoder()
            var parsed: [(line: JSONL.Line, record: Line, at: String?)] = []
            for line in JSONL.lines(data) {
                batch.records += 1
                do {
                    let record = try decoder.decode(Line.self, from: line.bytes)
                    parsed.append((line, record, record.timestamp.flatMap(Timestamps.normalize)))
                } catch {
                    reject(line, JSONL.reason(error, bytes: line.bytes))
                }
            }
            try startSession(parsed.map { ($0.record, $0.at) })
            for (line, record, at) in parsed {
                handle(record, line, at: at)
            }
            closeMessage(completedAt: nil)
            // Lines that are not JSON were rejected first: report all in line order (one a line).
            batch.rejections.sort { ($0.line ?? 0) < ($1.line ?? 0) }
        }

        // MARK: Session

        private mutating func startSession(_ records: [(record: Line, at: String?)]) throws {
            var meta: SessionMeta?
            var firstCwd: String?
            var first: String?
            var last: String?
            for (record, at) in records {
                if let at {
                    if first == nil || at < first! { first = at }
                    if last == nil || at > last! { last = at }
                }
                switch record.payload {
                case .sessionMeta(let m) where meta == nil && !(m.id ?? "").isEmpty: meta = m
                case .turnContext(let t) where firstCwd == nil: firstCwd = t.cwd
                case .event(let e) where e.type == "user_message": hasUserEvents = true
                default: break
                }
            }
            guard let id = meta?.id ?? Self.uuid(inFileName: fileName) else {
                throw ReaderError("\(fileName): no session id (no session_meta line with payload.id, and no UUID in the file name)")
            }
            sessionID = id
            provider = meta?.model_provider
            let cwd = meta?.cwd ?? firstCwd
            if let cwd, !cwd.isEmpty {
                projectID = cwd
                let name = (cwd as NSString).lastPathComponent
                batch.projects.append(ProjectRecord(id: cwd, source: CodexSessionsReader.source, name: name.isEmpty ? nil : name, directory: cwd))
            }
            batch.sessions.append(SessionRecord(
                id: id, source: CodexSessionsReader.source, projectID: projectID,
                parentID: meta?.source.flatMap(Self.parentThread), directory: cwd, version: meta?.cli_version,
                startedAt: meta?.timestamp.flatMap(Timestamps.normalize) ?? first, updatedAt: last,
                attributes: JSONL.attributes([
                    "originator": meta?.originator.map(JSONValue.string),
                    "model_provider": meta?.model_provider.map(JSONValue.string),
                    "source": meta?.source,
                    "git": meta?.git,
                ])))
        }

        /// The UUID ending a rollout's file name (`rollout-2026-03-05T10-02-11-<uuid>.jsonl`).
        static func uuid(inFileName name: String) -> String? {
            let stem = name.hasSuffix(".jsonl") ? String(name.dropLast(6)) : name
            guard stem.count >= 36 else { return nil }
            let candidate = String(stem.suffix(36))
            return UUID(uuidString: candidate) == nil ? nil : candidate.lowercased()
        }

        /// A sub-agent thread's parent: `source: {"subagent": {"thread_spawn": {"parent_thread_id": …}}}`.
        static func parentThread(_ source: JSONValue) -> String? {
            switch source {
            case .object(let object):
                if let id = object["parent_thread_id"]?.stringValue { return id }
                for key in object.keys.sorted() {
                    if let id = parentThread(object[key]!) { return id }
                }
                return nil
            default:
                return nil
            }
        }

        // MARK: Lines

        private mutating func handle(_ record: Line, _ line: JSONL.Line, at: String?) {
            switch record.payload {
            case .sessionMeta, .other:
                break
            case .turnContext(let context):
                if let m = context.model, !m.isEmpty { model = m }
                effort = context.effort  // each turn_context is a full snapshot
                if let at { requestStartedAt = at }
            case .event(let event):
                switch event.type {
                case "token_count":
                    count(event.info, line, at: at, raw: record.timestamp)
                case "user_message" where hasUserEvents:
                    guard let at = needTime(at, record, line) else { return }
                    startUserMessage(event.message, line, at: at)
                case "error":
                    guard let at = needTime(at, record, line) else { return }
                    addPart(line, at: at, type: "error", detail: .error(name: "error", payload: JSONValue.payload(event.message ?? "")))
                default:
                    break  // agent_message and agent_reasoning repeat response items; the rest carry no usage
                }
            case .responseItem(let item):
                handle(item, line, at: at, record: record)
            }
        }

        private mutating func handle(_ item: ResponseItem, _ line: JSONL.Line, at: String?, record: Line) {
            switch item.type {
            case "message":
                let text = ResponseItem.text(item.content)
                if item.role == "assistant" {
                    guard let at = needTime(at, record, line) else { return }
                    addPart(line, at: at, type: "text", detail: .text(text, synthetic: false))
                } else if item.role == "user", !hasUserEvents, let text, !text.hasPrefix("<") {
                    // Without user_message events, a user item that is not an injected
                    // `<environment_context>`-style block is the prompt.
                    guard let at = needTime(at, record, line) else { return }
                    startUserMessage(text, line, at: at)
                }
            case "reasoning":
                guard let at = needTime(at, record, line) else { return }
                let text = ResponseItem.text(item.summary) ?? ResponseItem.text(item.content)
                addPart(line, at: at, type: "reasoning", detail: .thinking(text, startedAt: at, endedAt: nil))
            case "function_call", "custom_tool_call", "local_shell_call", "web_search_call":
                startTool(item, line, at: at, record: record)
            case "function_call_output", "custom_tool_call_output":
                attachOutput(item, line, at: at)
            default:
                break
            }
        }

        /// The line's timestamp, or nil after rejecting a line that needs one.
        private mutating func needTime(_ at: String?, _ record: Line, _ line: JSONL.Line) -> String? {
            if at == nil {
                reject(line, record.timestamp.map { "invalid timestamp \"\($0)\"" } ?? "missing timestamp")
            }
            return at
        }

        // MARK: Messages and parts

        private mutating func startUserMessage(_ text: String?, _ line: JSONL.Line, at: String) {
            closeMessage(completedAt: nil)
            let id = "\(sessionID):\(line.number)"
            batch.messages.append(MessageRecord(
                id: id, sessionID: sessionID, role: .user, createdAt: at, sourceLine: line.number))
            batch.parts.append(PartRecord(
                id: id, messageID: id, sessionID: sessionID, ordinal: 0, type: "text", createdAt: at,
                detail: .text(text, synthetic: false)))
            userMessageID = id
        }

        @discardableResult
        private mutating func addPart(_ line: JSONL.Line, at: String, type: String, detail: PartDetail) -> Int {
            if open == nil {
                open = OpenMessage(id: "\(sessionID):\(line.number)", line: line.number, createdAt: at)
            }
            batch.parts.append(PartRecord(
                id: "\(sessionID):\(line.number)", messageID: open!.id, sessionID: sessionID,
                ordinal: open!.nextOrdinal, type: type, createdAt: at, detail: detail))
            open!.nextOrdinal += 1
            return batch.parts.count - 1
        }

        private mutating func closeMessage(completedAt: String?) {
            guard let message = open else { return }
            batch.messages.append(MessageRecord(
                id: message.id, sessionID: sessionID, role: .assistant, parentID: userMessageID,
                createdAt: message.createdAt, completedAt: completedAt, provider: provider, model: model,
                sourceLine: message.line))
            open = nil
        }

        private mutating func startTool(_ item: ResponseItem, _ line: JSONL.Line, at: String?, record: Line) {
            let type = item.type ?? ""
            let tool: String?
            let input: String?
            switch type {
            case "function_call":
                tool = item.name
                switch item.arguments {
                case .text(let text)?: input = JSONValue.payload(text)
                case .json(let value)?: input = value.jsonText
                case nil: input = nil
                }
            case "custom_tool_call":
                tool = item.name
                input = item.input.map(JSONValue.payload)
            case "local_shell_call":
                tool = "local_shell"
                input = item.action?.jsonText
            default:
                tool = "web_search"
                input = item.action?.jsonText
            }
            guard let tool, !tool.isEmpty else {
                reject(line, "\(type) without a name")
                return
            }
            guard let at = needTime(at, record, line) else { return }
            let callID = item.callID ?? item.id
            let status: String? = switch item.status {
            case "completed": "completed"
            case "in_progress": "running"
            case "incomplete", "failed": "error"
            default: nil
            }
            let index = addPart(line, at: at, type: type, detail: .tool(ToolCallDetail(
                callID: callID, tool: tool, status: status, input: input, startedAt: at)))
            if let callID { toolParts[callID] = index }
        }

        private mutating func attachOutput(_ item: ResponseItem, _ line: JSONL.Line, at: String?) {
            let type = item.type ?? ""
            guard let callID = item.callID, !callID.isEmpty else {
                reject(line, "\(type) without call_id")
                return
            }
            guard let index = toolParts[callID], case .tool(var detail) = batch.parts[index].detail else {
                reject(line, "\(type) for call_id \(callID), which no earlier tool call in this file has")
                return
            }
            var failed = false
            switch item.output {
            case .text(let text)?: detail.output = text
            case .json(.null)?, nil: detail.output = nil
            case .json(let value)?:
                detail.output = value.jsonText
                failed = value["success"] == .bool(false)
            }
            detail.status = failed ? "error" : "completed"
            if let at {
                detail.endedAt = at
                detail.durationMs = JSONL.milliseconds(from: detail.startedAt, to: at)
            }
            batch.parts[index].detail = .tool(detail)
        }

        // MARK: Usage

        /// A `token_count` event: one call, or nothing (rate limits only, a re-emit), or a rejection.
        private mutating func count(_ info: TokenInfo?, _ line: JSONL.Line, at: String?, raw timestamp: String?) {
            guard let info else { return }  // info: null carries only rate limits
            var total: UsageCounts?
            var last: UsageCounts?
            do {
                total = try info.total_token_usage?.counts(named: "info.total_token_usage").get()
                last = try info.last_token_usage?.counts(named: "info.last_token_usage").get()
            } catch {
                reject(line, error.reason)
                return
            }
            if let total, total == previousTotal { return }  // a re-emit of the previous event
            guard let at else {
                reject(line, timestamp.map { "invalid timestamp \"\($0)\"" } ?? "missing timestamp")
                return
            }

            let delta: UsageCounts
            let name: String
            if let last {
                delta = last
                name = "info.last_token_usage"
            } else if let total {
                let earlier = previousTotal ?? .zero
                if let drop = total.firstDecrease(since: earlier) {
                    reject(line, "info.total_token_usage went backwards and there is no last_token_usage: \(drop.name) \(drop.earlier) → \(drop.now)")
                    return
                }
                delta = total - earlier
                name = "the change in info.total_token_usage"
            } else {
                reject(line, "token_count with neither info.total_token_usage nor info.last_token_usage")
                return
            }
            if let total { previousTotal = total }
            guard delta.cached <= delta.input else {
                reject(line, "\(name): cached_input_tokens (\(delta.cached)) exceeds input_tokens (\(delta.input))")
                return
            }
            guard delta.reasoning <= delta.output else {
                reject(line, "\(name): reasoning_output_tokens (\(delta.reasoning)) exceeds output_tokens (\(delta.output))")
                return
            }

            if open == nil { open = OpenMessage(id: "\(sessionID):\(line.number)", line: line.number, createdAt: at) }
            batch.calls.append(CallRecord(
                id: "\(sessionID):\(line.number)", source: CodexSessionsReader.source, sessionID: sessionID,
                messageID: open!.id, projectID: projectID, provider: provider, model: model,
                startedAt: requestStartedAt ?? open!.createdAt, completedAt: at,
                tokens: TokenCounts(
                    input: delta.input - delta.cached, output: delta.output - delta.reasoning,
                    reasoning: delta.reasoning, cacheRead: delta.cached, cacheWrite: 0, total: delta.total),
                sourceLine: line.number,
                attributes: JSONL.attributes([
                    "effort": effort.map(JSONValue.string),
                    "usage": last == nil ? .string("cumulative difference") : nil,
                ])))
            closeMessage(completedAt: at)
            requestStartedAt = nil
        }

        private mutating func reject(_ line: JSONL.Line, _ reason: String) {
            batch.rejections.append(Rejection(line: line.number, reason: reason, raw: RawText(line.bytes)))
        }
    }
}
