import Foundation

// The parts of a Codex rollout line the reader uses, decoded once per line. A payload is decoded
// by its line's `type` (and a response item or event by its own `type`), so a field that means
// different things in different lines (`summary` is text in `turn_context`, a list in
// `reasoning`) never breaks an unrelated line.

extension CodexSessionsReader {
    /// One rollout line: `{timestamp, type, payload}`.
    struct Line: Decodable {
        var timestamp: String?
        var type: String?
        var payload: Payload

        enum Payload {
            case sessionMeta(SessionMeta)
            case turnContext(TurnContext)
            case responseItem(ResponseItem)
            case event(Event)
            /// A line type the reader does not use (`compacted`, old-format lines, ...).
            case other
        }

        private enum CodingKeys: String, CodingKey { case timestamp, type, payload }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            // A timestamp that is not text is reported where a line needs one, not here.
            timestamp = try? c.decodeIfPresent(String.self, forKey: .timestamp)
            type = try c.decodeIfPresent(String.self, forKey: .type)
            guard c.contains(.payload), try !c.decodeNil(forKey: .payload) else {
                payload = .other
                return
            }
            switch type {
            case "session_meta": payload = .sessionMeta(try c.decode(SessionMeta.self, forKey: .payload))
            case "turn_context": payload = .turnContext(try c.decode(TurnContext.self, forKey: .payload))
            case "response_item": payload = .responseItem(try c.decode(ResponseItem.self, forKey: .payload))
            case "event_msg": payload = .event(try c.decode(Event.self, forKey: .payload))
            default: payload = .other
            }
        }
    }

    /// The first line of a rollout: who started the session, where, with what.
    struct SessionMeta: Decodable {
        var id: String?
        var timestamp: String?
        var cwd: String?
        var originator: String?
        var cli_version: String?
        var model_provider: String?
        /// `"cli"`, `"vscode"`, ... or an object for sub-agent threads.
        var source: JSONValue?
        var git: JSONValue?
    }

    /// Written before each sampling request: the model and settings it uses.
    struct TurnContext: Decodable {
        var model: String?
        var effort: String?
        var cwd: String?
    }

    /// A `response_item` payload: a message, reasoning, a tool call or a tool call's output.
    struct ResponseItem: Decodable {
        var type: String?
        var role: String?
        var content: [TextItem]?
        var summary: [TextItem]?
        var name: String?
        /// `function_call` arguments: JSON text (or, from other providers, an object).
        var arguments: TextOrJSON?
        /// `custom_tool_call` input (free text such as a patch).
        var input: String?
        var callID: String?
        var id: String?
        var output: TextOrJSON?
        var action: JSONValue?
        var status: String?

        private enum CodingKeys: String, CodingKey {
            case type, role, content, summary, name, arguments, input, call_id, id, output, action, status
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decodeIfPresent(String.self, forKey: .type)
            switch type {
            case "message":
                role = try c.decodeIfPresent(String.self, forKey: .role)
                content = try c.decodeIfPresent([TextItem].self, forKey: .content)
            case "reasoning":
                summary = try c.decodeIfPresent([TextItem].self, forKey: .summary)
                content = try c.decodeIfPresent([TextItem].self, forKey: .content)
            case "function_call", "custom_tool_call", "local_shell_call", "web_search_call":
                name = try c.decodeIfPresent(String.self, forKey: .name)
                arguments = try c.decodeIfPresent(TextOrJSON.self, forKey: .arguments)
                input = try c.decodeIfPresent(String.self, forKey: .input)
                callID = try c.decodeIfPresent(String.self, forKey: .call_id)
                id = try c.decodeIfPresent(String.self, forKey: .id)
                action = try c.decodeIfPresent(JSONValue.self, forKey: .action)
                status = try c.decodeIfPresent(String.self, forKey: .status)
            case "function_call_output", "custom_tool_call_output":
                callID = try c.decodeIfPresent(String.self, forKey: .call_id)
                output = try c.decodeIfPresent(TextOrJSON.self, forKey: .output)
            default:
                break
            }
        }

        /// The text of a message's or reasoning's items, joined by blank lines; nil when none.
        static func text(_ items: [TextItem]?) -> String? {
            let texts = (items ?? []).compactMap(\.text)
            return texts.isEmpty ? nil : texts.joined(separator: "\n\n")
        }
    }

    /// A value that is usually text (tool arguments, tool output): decoded as text first, which
    /// is much cheaper than trying every JSON type in turn.
    enum TextOrJSON: Decodable, Equatable {
        case text(String)
        case json(JSONValue)

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let text = try? c.decode(String.self) {
                self = .text(text)
            } else {
                self = .json(try c.decode(JSONValue.self))
            }
        }
    }

    /// `{type: "input_text" | "output_text" | "summary_text" | "reasoning_text", text}`.
    struct TextItem: Decodable {
        var type: String?
        var text: String?
    }

    /// An `event_msg` payload.
    struct Event: Decodable {
        var type: String?
        /// `user_message`, `agent_message` and `error` text.
        var message: String?
        /// `token_count` usage; null when the event carries only rate limits.
        var info: TokenInfo?

        private enum CodingKeys: String, CodingKey { case type, message, info }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            type = try c.decodeIfPresent(String.self, forKey: .type)
            switch type {
            case "token_count": info = try c.decodeIfPresent(TokenInfo.self, forKey: .info)
            case "user_message", "agent_message", "error": message = try c.decodeIfPresent(String.self, forKey: .message)
            default: break
            }
        }
    }

    struct TokenInfo: Decodable {
        var total_token_usage: TokenUsage?
        var last_token_usage: TokenUsage?
    }

    /// Codex's usage counters: cached input is inside input, reasoning inside output.
    struct TokenUsage: Decodable {
        var input_tokens: TokenField?
        var cached_input_tokens: TokenField?
        var output_tokens: TokenField?
        var reasoning_output_tokens: TokenField?
        var total_tokens: TokenField?

        /// The validated counts; `name` prefixes the field names in the reason
        /// (`invalid token count info.last_token_usage.input_tokens: negative (-5)`).
        func counts(named name: String) -> Result<UsageCounts, Problem> {
            if let reason = TokenValidation.problem([
                "\(name).input_tokens": input_tokens,
                "\(name).cached_input_tokens": cached_input_tokens,
                "\(name).output_tokens": output_tokens,
                "\(name).reasoning_output_tokens": reasoning_output_tokens,
                "\(name).total_tokens": total_tokens,
            ]) {
                return .failure(Problem(reason))
            }
            guard let input = input_tokens?.value else { return .failure(Problem("missing \(name).input_tokens")) }
            guard let output = output_tokens?.value else { return .failure(Problem("missing \(name).output_tokens")) }
            // Cached input and reasoning are parts of input and output: absent means none.
            return .success(UsageCounts(
                input: input, cached: cached_input_tokens?.value ?? 0, output: output,
                reasoning: reasoning_output_tokens?.value ?? 0, total: total_tokens?.value ?? input + output))
        }
    }

    /// A usage record in Codex's own terms, validated.
    struct UsageCounts: Equatable {
        var input: Int64
        var cached: Int64
        var output: Int64
        var reasoning: Int64
        var total: Int64

        static let zero = UsageCounts(input: 0, cached: 0, output: 0, reasoning: 0, total: 0)

        var fields: KeyValuePairs<String, Int64> {
            ["input_tokens": input, "cached_input_tokens": cached, "output_tokens": output,
             "reasoning_output_tokens": reasoning, "total_tokens": total]
        }

        /// The first counter that is lower here than in `earlier`, when one is.
        func firstDecrease(since earlier: UsageCounts) -> (name: String, earlier: Int64, now: Int64)? {
            for ((name, now), (_, before)) in zip(fields, earlier.fields) where now < before {
                return (name, before, now)
            }
            return nil
        }

        static func - (a: UsageCounts, b: UsageCounts) -> UsageCounts {
            UsageCounts(
                input: a.input - b.input, cached: a.cached - b.cached, output: a.output - b.output,
                reasoning: a.reasoning - b.reasoning, total: a.total - b.total)
        }
    }

    /// Why a line cannot be indexed, as the rejection reason.
    struct Problem: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
