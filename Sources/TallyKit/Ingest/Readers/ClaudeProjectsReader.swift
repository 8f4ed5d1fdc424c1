import Foundation

/// Reads Claude Code transcripts (FORMATS.md, "Claude Code (JSONL)"): every `*.jsonl` under a
/// projects tree, one input per file, one record per line.
///
/// - A file is one session: `<slug>/<sessionId>.jsonl` is session `<sessionId>`; a sub-agent
///   transcript `<slug>/<sessionId>/subagents/agent-<agentId>.jsonl` (or the early 2.0.x
///   `<slug>/agent-<agentId>.jsonl`) is session `<sessionId>/agent-<agentId>` with parent
///   `<sessionId>` and the agent type of its `.meta.json`.
/// - A `user`/`assistant` line is a message (id = the line's `uuid`); its content blocks are parts.
///   A `tool_result` completes the `tool_use` part it answers when that is in the same file.
/// - One API response is written as several lines repeating the same usage: it is one call,
///   keyed `message.id:requestId` in every file, so a sidechain copy of a response indexed from
///   another file upserts the same call instead of adding one. `<synthetic>` lines are no calls.
public struct ClaudeProjectsReader: SourceReader {
    public static let source = "claude"

    public init() {}

    /// `~/.claude` (its `projects/` folder is read), a projects folder, a project folder or one file.
    public func inputs(under root: URL) throws -> [URL] {
        var folder = root
        var isDirectory: ObjCBool = false
        let projects = root.appendingPathComponent("projects")
        if FileManager.default.fileExists(atPath: projects.path, isDirectory: &isDirectory), isDirectory.boolValue {
            folder = projects
        }
        return try SourceFiles.files(under: folder) { $0.hasSuffix(".jsonl") }
    }

    public func read(_ input: URL) throws -> ReadBatch {
        let data: Data
        do {
            data = try Data(contentsOf: input)
        } catch {
            throw ReaderError("\(input.path): cannot be read (\(error.localizedDescription))")
        }
        return read(input, contents: data)
    }

    /// One transcript's records from its bytes (already read by the indexer to hash them).
    public func read(_ input: URL, contents data: Data) -> ReadBatch {
        var transcript = ClaudeTranscript(layout: ClaudeTranscriptLayout(input))
        transcript.readLines(data)
        return transcript.finish()
    }
}

// MARK: - One transcript being read

/// The state of reading one transcript file. Records are collected in line order; session ids
/// are filled in at the end, when the lines have said which session the file belongs to.
struct ClaudeTranscript {
    let layout: ClaudeTranscriptLayout
    let decoder = JSONDecoder()
    var batch = ReadBatch()

    var messages: [MessageRecord] = []
    var messageIDs: Set<String> = []
    var parts: [PartRecord] = []
    /// Tool-use parts by their `tool_use` id (indices into `parts`).
    var toolParts: [String: [Int]] = [:]
    var toolResults: [PendingToolResult] = []
    var calls: [PendingCall] = []
    var callIndex: [String: Int] = [:]

    // What the lines say about their session.
    var sessionIDFromLines: String?
    var cwd: String?
    var version: String?
    var gitBranch: String?
    var startedAt: String?
    var updatedAt: String?
    var summaries: [(summary: String, leaf: String?)] = []
    var customTitle: String?

    init(layout: ClaudeTranscriptLayout) {
        self.layout = layout
    }

    /// Splits on `\n` bytes; a blank line is no record. A UTF-8 byte-order mark is skipped.
    mutating func readLines(_ data: Data) {
        for (number, range) in ClaudeTranscript.lineRanges(data).enumerated() {
            var end = range.upperBound
            if end > range.lowerBound, data[end - 1] == 0x0D { end -= 1 }
            let bytes = data[range.lowerBound..<end]
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            batch.records += 1
            readLine(bytes, number: number + 1)
        }
    }

    /// The byte ranges of the lines (without their `\n`), found with `memchr`.
    static func lineRanges(_ data: Data) -> [Range<Data.Index>] {
        var offsets: [Range<Int>] = []
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            guard let base = buffer.baseAddress else { return }
            let count = buffer.count
            var start = count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0
            while start < count {
                var end = count
                if let found = memchr(base + start, 0x0A, count - start) {
                    end = base.distance(to: UnsafeRawPointer(found))
                }
                offsets.append(start..<end)
                start = end + 1
            }
        }
        return offsets.map { (data.startIndex + $0.lowerBound)..<(data.startIndex + $0.upperBound) }
    }

    mutating func readLine(_ bytes: Data, number: Int) {
        guard ClaudeTranscript.isUTF8(bytes) else {
            reject(number, reason: ClaudeTranscript.invalidUTF8Reason(bytes), raw: .bytes(Data(bytes)))
            return
        }
        let line: ClaudeLine
        do {
            line = try decoder.decode(ClaudeLine.self, from: bytes)
        } catch {
            reject(number, reason: ClaudeDecodingFailure.reason(error, line: bytes), raw: .text(String(decoding: bytes, as: UTF8.self)))
            return
        }
        let at = line.timestamp.flatMap(Timestamps.normalize)
        let accepted: Bool
        switch line.type {
        case "user", "assistant":
            accepted = conversationLine(line, at: at, number: number, bytes: bytes)
        case "system":
            accepted = systemLine(line, at: at, number: number)
        case "summary":
            if let summary = line.summary { summaries.append((summary, line.leafUuid)) }
            accepted = true
        case "custom-title":
            if let title = line.customTitle, !title.isEmpty { customTitle = title }
            accepted = true
        default:
            // file-history-snapshot, progress, queue-operation, ...: read, nothing to index.
            accepted = true
        }
        if accepted { noteContext(line, at: at) }
    }

    /// Session facts from an accepted line: the first working directory, version and branch seen,
    /// and the span of its timestamps.
    mutating func noteContext(_ line: ClaudeLine, at: String?) {
        if sessionIDFromLines == nil, let s = line.sessionId, !s.isEmpty { sessionIDFromLines = s }
        if cwd == nil, let c = line.cwd, !c.isEmpty { cwd = c }
        if version == nil, let v = line.version, !v.isEmpty { version = v }
        if gitBranch == nil, let b = line.gitBranch, !b.isEmpty { gitBranch = b }
        if let at {
            if startedAt.map({ at < $0 }) ?? true { startedAt = at }
            if updatedAt.map({ at > $0 }) ?? true { updatedAt = at }
        }
    }

    mutating func reject(_ line: Int, key: String? = nil, reason: String, raw: RawText) {
        batch.rejections.append(Rejection(line: line, key: key, reason: reason, raw: raw))
    }

    static func isUTF8(_ bytes: Data) -> Bool {
        if #available(macOS 15, *) { return String(validating: bytes, as: UTF8.self) != nil }
        return String(data: bytes, encoding: .utf8) != nil
    }

    static func invalidUTF8Reason(_ bytes: Data) -> String {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .error(let length):
                let bad = bytes.dropFirst(offset).prefix(max(length, 1)).map { String(format: "%02X", $0) }.joined(separator: " ")
                return "not valid UTF-8: byte \(offset + 1) of the line (\(bad)); re-save the file as UTF-8"
            case .emptyInput: return "not valid UTF-8"
            }
        }
    }
}

// MARK: - user, assistant and system lines

extension ClaudeTranscript {
    static let syntheticModel = "<synthetic>"

    /// A `user` or `assistant` line: a message, its parts, and for an assistant line with usage
    /// a share in one call. False when the line was rejected.
    mutating func conversationLine(_ line: ClaudeLine, at: String?, number: Int, bytes: Data) -> Bool {
        func rejectLine(_ reason: String) -> Bool {
            reject(number, key: line.uuid, reason: reason, raw: .text(String(decoding: bytes, as: UTF8.self)))
            return false
        }
        guard let uuid = line.uuid, !uuid.isEmpty else { return rejectLine("missing uuid") }
        guard let timestamp = line.timestamp else { return rejectLine("missing timestamp") }
        guard let createdAt = at else {
            return rejectLine("invalid timestamp \"\(timestamp.prefix(40))\"")
        }
        guard let message = line.message else { return rejectLine("missing message") }
        let isAssistant = line.type == "assistant"
        let isSynthetic = message.model == ClaudeTranscript.syntheticModel

        var share: CallShare?
        if isAssistant, !isSynthetic, let usage = message.usage {
            if let problem = usage.problem { return rejectLine(problem) }
            guard let messageID = message.id, !messageID.isEmpty else {
                return rejectLine("missing message id: an assistant line with usage needs message.id to count its API call once")
            }
            let tokens = ClaudeTranscript.tokens(usage)
            if let h = tokens.cacheWrite1h, let all = tokens.cacheWrite, h > all {
                return rejectLine("usage.cache_creation.ephemeral_1h_input_tokens (\(h)) exceeds the cache writes (\(all))")
            }
            var cost: Int64?
            switch ClaudeTranscript.cost(line.costUSD) {
            case .success(let nanos): cost = nanos
            case .failure(let problem): return rejectLine(problem.reason)
            }
            let key = line.requestId.map { $0.isEmpty ? messageID : "\(messageID):\($0)" } ?? messageID
            share = CallShare(
                key: key, tokens: tokens, cost: cost, serverToolUse: usage.serverToolUse, isSidechain: line.isSidechain == true)
        }

        if let share {
            addCall(share, messageID: uuid, model: message.model, at: createdAt, line: number)
        }
        // A line repeated in the same file (a resumed transcript) is the same message.
        guard messageIDs.insert(uuid).inserted else { return true }

        let blocks: [ClaudeBlock]
        var isToolResultOnly = false
        switch message.content {
        case .text(let text)?:
            blocks = [ClaudeBlock(type: "text", text: text)]
        case .blocks(let list)?:
            blocks = list
            isToolResultOnly = !list.isEmpty && list.allSatisfy(\.isToolResult)
        case nil:
            blocks = []
        }
        let synthetic = isSynthetic || line.isMeta == true || line.isCompactSummary == true
        let role: MessageRole = isAssistant ? .assistant : (isToolResultOnly ? .tool : .user)

        var error: String?
        if line.isApiErrorMessage == true {
            let text = blocks.compactMap(\.text).joined(separator: "\n")
            error = JSONValue.object(["name": .string("APIError"), "data": .object(["message": .string(text)])]).jsonText
        }
        var flags: [String: JSONValue] = [:]
        if line.isSidechain == true { flags["isSidechain"] = .bool(true) }
        if line.isMeta == true { flags["isMeta"] = .bool(true) }
        if line.isCompactSummary == true { flags["isCompactSummary"] = .bool(true) }
        if line.isApiErrorMessage == true { flags["isApiErrorMessage"] = .bool(true) }

        messages.append(MessageRecord(
            id: uuid, sessionID: "", role: role, parentID: line.parentUuid, createdAt: createdAt,
            provider: isAssistant ? ClaudeTranscript.provider(message.model) : nil,
            model: isAssistant ? message.model : nil, finish: message.stopReason, error: error,
            sourceLine: number, attributes: flags.isEmpty ? nil : JSONValue.object(flags).jsonText))

        for (ordinal, block) in blocks.enumerated() {
            addPart(block, ordinal: ordinal, messageID: uuid, createdAt: createdAt, synthetic: synthetic,
                    line: line, number: number)
        }
        return true
    }

    /// A `system` line (compact boundaries, local command output, API error notices): a system
    /// message with its text, when it has an id and a time; otherwise only read.
    mutating func systemLine(_ line: ClaudeLine, at: String?, number: Int) -> Bool {
        guard let uuid = line.uuid, !uuid.isEmpty, let createdAt = at, messageIDs.insert(uuid).inserted else { return true }
        var attributes: [String: JSONValue] = [:]
        if let subtype = line.subtype { attributes["subtype"] = .string(subtype) }
        if let level = line.level { attributes["level"] = .string(level) }
        messages.append(MessageRecord(
            id: uuid, sessionID: "", role: .system, parentID: line.parentUuid, createdAt: createdAt,
            sourceLine: number, attributes: attributes.isEmpty ? nil : JSONValue.object(attributes).jsonText))
        if let content = line.content?.stringValue {
            parts.append(PartRecord(id: "\(uuid):0", messageID: uuid, sessionID: "", ordinal: 0, type: "text",
                                    createdAt: createdAt, detail: .text(content, synthetic: true)))
        }
        return true
    }

    // MARK: Usage

    /// Claude's usage in canonical kinds (SPEC §6): `input_tokens` is already uncached input and
    /// thinking is inside `output_tokens`, so reasoning is 0. A count the line omits stays nil.
    static func tokens(_ usage: ClaudeUsage) -> TokenCounts {
        let fiveMinutes = usage.cacheCreation?.ephemeral5m?.value
        let oneHour = usage.cacheCreation?.ephemeral1h?.value
        var cacheWrite = usage.cacheCreationInputTokens?.value
        if cacheWrite == nil, usage.cacheCreation != nil, fiveMinutes != nil || oneHour != nil {
            cacheWrite = (fiveMinutes ?? 0) + (oneHour ?? 0)
        }
        return TokenCounts(
            input: usage.inputTokens?.value, output: usage.outputTokens?.value, reasoning: 0,
            cacheRead: usage.cacheReadInputTokens?.value, cacheWrite: cacheWrite, cacheWrite1h: oneHour)
    }

    struct CostProblem: Error { var reason: String }

    /// `costUSD` of Claude Code 1.0.x: a non-negative number of dollars, kept exactly.
    static func cost(_ value: JSONValue?) -> Result<Int64?, CostProblem> {
        guard let value, value != .null else { return .success(nil) }
        guard let usd = value.doubleValue, usd.isFinite else {
            return .failure(CostProblem(reason: "invalid costUSD: \(value.jsonText.prefix(40)) is not a number"))
        }
        guard usd >= 0 else { return .failure(CostProblem(reason: "invalid costUSD: negative (\(usd))")) }
        guard let nanos = Money.nanos(usd: usd) else {
            return .failure(CostProblem(reason: "invalid costUSD: out of range (\(usd))"))
        }
        return .success(nanos)
    }

    /// Anthropic for Claude models; nil for other models served through Claude Code.
    static func provider(_ model: String?) -> String? {
        guard let model, model.hasPrefix("claude") else { return nil }
        return "anthropic"
    }
}
