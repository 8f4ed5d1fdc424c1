import Foundation

// MARK: - The JSONL line, decoded once

/// One line of a Claude Code transcript, holding only what the reader uses.
///
/// The fields the reader cannot do without (`type`, `uuid`, `timestamp`, `message`) decode
/// strictly, so a line with a wrong shape there is rejected with the path that is wrong; the
/// descriptive ones (`cwd`, `gitBranch`, flags, ...) decode leniently: a future Claude Code that
/// changes one of them must not make every line of a session unreadable.
struct ClaudeLine: Decodable {
    var type: String?
    var uuid: String?
    var parentUuid: String?
    var sessionId: String?
    var timestamp: String?
    var cwd: String?
    var version: String?
    var gitBranch: String?
    var isSidechain: Bool?
    var isMeta: Bool?
    var isCompactSummary: Bool?
    var isApiErrorMessage: Bool?
    var agentId: String?
    var requestId: String?
    /// A JSON number on Claude Code 1.0.x assistant lines; validated by the reader.
    var costUSD: JSONValue?
    var message: ClaudeMessage?
    /// Claude Code's structured result of a tool call (Task/Agent results carry `agentId`).
    var toolUseResult: JSONValue?
    var summary: String?
    var leafUuid: String?
    var customTitle: String?
    var subtype: String?
    var level: String?
    /// The text of a `system` line.
    var content: JSONValue?

    enum CodingKeys: String, CodingKey {
        case type, uuid, parentUuid, sessionId, timestamp, cwd, version, gitBranch, isSidechain, isMeta
        case isCompactSummary, isApiErrorMessage, agentId, requestId, costUSD, message, toolUseResult
        case summary, leafUuid, customTitle, subtype, level, content
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        uuid = try c.decodeIfPresent(String.self, forKey: .uuid)
        timestamp = try c.decodeIfPresent(String.self, forKey: .timestamp)
        message = try c.decodeIfPresent(ClaudeMessage.self, forKey: .message)
        costUSD = try c.decodeIfPresent(JSONValue.self, forKey: .costUSD)
        toolUseResult = try c.decodeIfPresent(JSONValue.self, forKey: .toolUseResult)
        content = try c.decodeIfPresent(JSONValue.self, forKey: .content)
        parentUuid = c.lenient(String.self, .parentUuid)
        sessionId = c.lenient(String.self, .sessionId)
        cwd = c.lenient(String.self, .cwd)
        version = c.lenient(String.self, .version)
        gitBranch = c.lenient(String.self, .gitBranch)
        isSidechain = c.lenient(Bool.self, .isSidechain)
        isMeta = c.lenient(Bool.self, .isMeta)
        isCompactSummary = c.lenient(Bool.self, .isCompactSummary)
        isApiErrorMessage = c.lenient(Bool.self, .isApiErrorMessage)
        agentId = c.lenient(String.self, .agentId)
        requestId = c.lenient(String.self, .requestId)
        summary = c.lenient(String.self, .summary)
        leafUuid = c.lenient(String.self, .leafUuid)
        customTitle = c.lenient(String.self, .customTitle)
        subtype = c.lenient(String.self, .subtype)
        level = c.lenient(String.self, .level)
    }
}

/// The Anthropic message of a `user` or `assistant` line.
struct ClaudeMessage: Decodable {
    var id: String?
    var model: String?
    var stopReason: String?
    var content: ClaudeContent?
    var usage: ClaudeUsage?

    enum CodingKeys: String, CodingKey {
        case id, model, content, usage
        case stopReason = "stop_reason"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        content = try c.decodeIfPresent(ClaudeContent.self, forKey: .content)
        usage = try c.decodeIfPresent(ClaudeUsage.self, forKey: .usage)
        stopReason = c.lenient(String.self, .stopReason)
    }
}

/// `message.content`: a plain string (typed prompts) or content blocks.
enum ClaudeContent: Decodable {
    case text(String)
    case blocks([ClaudeBlock])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            self = .text(s)
        } else {
            self = .blocks(try c.decode([ClaudeBlock].self))
        }
    }
}

/// One content block: text, thinking, redacted_thinking, tool_use, server_tool_use, tool_result,
/// image, or a type this reader does not know (kept whole in `raw`).
struct ClaudeBlock: Decodable {
    var type: String
    var text: String?
    var thinking: String?
    var id: String?
    var name: String?
    var input: JSONValue?
    var toolUseID: String?
    var content: JSONValue?
    var isError: Bool?
    /// Image and document blocks: `source` minus its (base64) `data`.
    var source: JSONValue?
    /// The whole block, for types the reader does not map.
    var raw: JSONValue?

    enum CodingKeys: String, CodingKey {
        case type, text, thinking, id, name, input, content, source
        case toolUseID = "tool_use_id"
        case isError = "is_error"
    }

    /// A `tool_result` (or `web_search_tool_result`, ...) answering a tool use by id.
    var isToolResult: Bool { toolUseID != nil && !isToolUse }
    var isToolUse: Bool { type == "tool_use" || type == "server_tool_use" }

    init(type: String, text: String?) {
        self.type = type
        self.text = text
    }

    static let known: Set<String> = ["text", "thinking", "redacted_thinking", "tool_use", "server_tool_use", "tool_result", "image", "document"]

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = c.lenient(String.self, .type) ?? "unknown"
        guard ClaudeBlock.known.contains(type) || c.contains(.toolUseID) else {
            raw = try JSONValue(from: decoder)
            return
        }
        text = c.lenient(String.self, .text)
        thinking = c.lenient(String.self, .thinking)
        id = c.lenient(String.self, .id)
        name = c.lenient(String.self, .name)
        input = try c.decodeIfPresent(JSONValue.self, forKey: .input)
        toolUseID = c.lenient(String.self, .toolUseID)
        content = try c.decodeIfPresent(JSONValue.self, forKey: .content).map(ClaudeBlock.withoutInlineData)
        isError = c.lenient(Bool.self, .isError)
        source = try c.decodeIfPresent(JSONValue.self, forKey: .source).map(ClaudeBlock.withoutData)
    }

    /// A `source` object without its base64 `data` (images pasted or returned by tools).
    static func withoutData(_ source: JSONValue) -> JSONValue {
        guard case .object(var fields) = source else { return source }
        fields["data"] = nil
        return .object(fields)
    }

    /// Tool-result content with the base64 data of its image blocks left out.
    static func withoutInlineData(_ content: JSONValue) -> JSONValue {
        guard case .array(let items) = content else { return content }
        return .array(items.map { item in
            guard case .object(var fields) = item, let source = fields["source"] else { return item }
            fields["source"] = withoutData(source)
            return .object(fields)
        })
    }
}

/// `message.usage`, every count validated (SPEC §6).
struct ClaudeUsage: Decodable {
    var inputTokens: TokenField?
    var outputTokens: TokenField?
    var cacheCreationInputTokens: TokenField?
    var cacheReadInputTokens: TokenField?
    var cacheCreation: CacheCreation?
    var serverToolUse: JSONValue?

    struct CacheCreation: Decodable {
        var ephemeral5m: TokenField?
        var ephemeral1h: TokenField?

        enum CodingKeys: String, CodingKey {
            case ephemeral5m = "ephemeral_5m_input_tokens"
            case ephemeral1h = "ephemeral_1h_input_tokens"
        }
    }

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
        case cacheCreation = "cache_creation"
        case serverToolUse = "server_tool_use"
    }

    /// The first invalid count, as a rejection reason.
    var problem: String? {
        TokenValidation.problem([
            "usage.input_tokens": inputTokens,
            "usage.output_tokens": outputTokens,
            "usage.cache_creation_input_tokens": cacheCreationInputTokens,
            "usage.cache_read_input_tokens": cacheReadInputTokens,
            "usage.cache_creation.ephemeral_5m_input_tokens": cacheCreation?.ephemeral5m,
            "usage.cache_creation.ephemeral_1h_input_tokens": cacheCreation?.ephemeral1h,
        ])
    }
}

// MARK: - Decoding helpers

/// Any JSON, decoded into a `JSONValue` with the fewest failed probes: a string (the most common
/// value in tool inputs and results) is tried first, then object and array, then the scalars.
/// `JSONValue`'s own decoding tries five scalar types before an object; every failed probe
/// builds a `DecodingError`, which made tool payloads most of a transcript's reading time.
extension KeyedDecodingContainer {
    /// A descriptive field: absent, null or of another type reads as nil.
    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }
}

enum ClaudeDecodingFailure {
    /// A rejection reason for a line the decoder refused: bad JSON, or JSON of the wrong shape
    /// at a named path. Only for refused lines: it may parse the line again for a better message.
    static func reason(_ error: Error, line: Data) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON: \(error)" }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "not valid JSON: \(syntaxProblem(line) ?? context.debugDescription)"
        case .dataCorrupted(let context):
            return "unexpected value at \(path(context.codingPath)): \(context.debugDescription)"
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return "not a JSON object (each line must be one JSON object)"
        case .typeMismatch(let type, let context):
            return "unexpected value at \(path(context.codingPath)): expected \(describe(type))"
        case .valueNotFound(let type, let context):
            return "null at \(path(context.codingPath)): expected \(describe(type))"
        case .keyNotFound(let key, let context):
            return "missing \(path(context.codingPath + [key]))"
        @unknown default:
            return "not valid JSON: \(error)"
        }
    }

    /// JSONSerialization names the problem (`Unexpected end of file`, `Invalid value around
    /// character 7`) where JSONDecoder on Linux only says the data is not valid JSON.
    static func syntaxProblem(_ line: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: line, options: [.fragmentsAllowed])
            return nil
        } catch {
            guard let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String else { return nil }
            return detail.contains("end of file") ? "\(detail) The line is cut short." : detail
        }
    }

    static func path(_ codingPath: [CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let i = key.intValue {
                out += "[\(i)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return "\(type)".hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
