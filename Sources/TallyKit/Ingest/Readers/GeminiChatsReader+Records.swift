import Foundation

// The parts of a Gemini CLI chat the reader uses (gemini-cli `chatRecordingService.ts`).

extension GeminiChatsReader {
    /// A single-JSON chat file (`ConversationRecord`).
    struct Conversation: Decodable {
        var sessionId: String?
        var projectHash: String?
        var startTime: String?
        var lastUpdated: String?
        var kind: String?
        var summary: String?
        /// Each message decoded on its own, so one malformed message rejects only itself.
        var messages: [Lossy<Record>]?
    }

    /// A decoded value or why it could not be decoded.
    struct Lossy<Value: Decodable>: Decodable {
        var result: Result<Value, Error>

        init(from decoder: Decoder) throws {
            result = Result { try Value(from: decoder) }
        }
    }

    /// Session fields, from a JSONL file's first line or a `$set` update.
    struct Metadata: Decodable {
        var sessionId: String?
        var projectHash: String?
        var startTime: String?
        var lastUpdated: String?
        var kind: String?
        var summary: String?

        /// `other`'s fields where it has them, else these.
        func updated(by other: Metadata) -> Metadata {
            Metadata(
                sessionId: other.sessionId ?? sessionId, projectHash: other.projectHash ?? projectHash,
                startTime: other.startTime ?? startTime, lastUpdated: other.lastUpdated ?? lastUpdated,
                kind: other.kind ?? kind, summary: other.summary ?? summary)
        }
    }

    /// A message of a chat, or (in JSONL) any line: a message, the session's metadata line, a
    /// `{"$set": {...}}` metadata update or a `{"$rewindTo": id}` record.
    struct Record: Decodable {
        // A message.
        var id: String?
        var timestamp: String?
        /// user, gemini, info, error, warning.
        var type: String?
        /// Text, or a list of parts (`[{text}]`).
        var content: CodexSessionsReader.TextOrJSON?
        var thoughts: [Thought]?
        var tokens: Tokens?
        var model: String?
        var toolCalls: [ToolCall]?
        // Other JSONL lines.
        var metadata: Metadata?
        var set: Metadata?
        var rewindTo: String?

        private enum CodingKeys: String, CodingKey {
            case id, timestamp, type, content, thoughts, tokens, model, toolCalls
            case sessionId, projectHash
            case set = "$set"
            case rewindTo = "$rewindTo"
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            rewindTo = try c.decodeIfPresent(String.self, forKey: .rewindTo)
            set = try c.decodeIfPresent(Metadata.self, forKey: .set)
            if c.contains(.sessionId) || c.contains(.projectHash) {
                metadata = try Metadata(from: decoder)
            }
            id = try c.decodeIfPresent(String.self, forKey: .id)
            timestamp = try c.decodeIfPresent(String.self, forKey: .timestamp)
            type = try c.decodeIfPresent(String.self, forKey: .type)
            content = try c.decodeIfPresent(CodexSessionsReader.TextOrJSON.self, forKey: .content)
            thoughts = try c.decodeIfPresent([Thought].self, forKey: .thoughts)
            tokens = try c.decodeIfPresent(Tokens.self, forKey: .tokens)
            model = try c.decodeIfPresent(String.self, forKey: .model)
            toolCalls = try c.decodeIfPresent([ToolCall].self, forKey: .toolCalls)
        }

        /// The message's text: `content` as text, or its parts' texts joined.
        var text: String? {
            switch content {
            case .text(let s)?:
                return s.isEmpty ? nil : s
            case .json(.array(let parts))?:
                let texts = parts.compactMap { $0["text"]?.stringValue }
                return texts.isEmpty ? nil : texts.joined()
            default:
                return nil
            }
        }
    }

    struct Thought: Decodable {
        var subject: String?
        var description: String?
        var timestamp: String?

        /// `subject` and `description` as one text, as Gemini CLI shows them.
        var text: String? {
            switch (subject.flatMap { $0.isEmpty ? nil : $0 }, description.flatMap { $0.isEmpty ? nil : $0 }) {
            case let (s?, d?): return s + "\n\n" + d
            case let (s?, nil): return s
            case let (nil, d?): return d
            case (nil, nil): return nil
            }
        }
    }

    /// Gemini's usage: `input` includes `cached`; `thoughts` and `tool` are apart;
    /// `total` = input + output + thoughts + tool.
    struct Tokens: Decodable {
        var input: TokenField?
        var output: TokenField?
        var cached: TokenField?
        var thoughts: TokenField?
        var tool: TokenField?
        var total: TokenField?
    }

    struct ToolCall: Decodable {
        var id: String?
        var name: String?
        var args: JSONValue?
        var result: JSONValue?
        /// success, error, cancelled.
        var status: String?
        var timestamp: String?
        var displayName: String?
        var description: String?
    }
}
