import Foundation

// OpenCode's stored objects (FORMATS.md "OpenCode"), decoded with small `Decodable` structs that
// hold only what Tally keeps. Both OpenCode readers share them: a database `data` column is the
// same JSON object as a storage file minus its id fields, which the database gives as columns.

/// OpenCode's object shapes and the conversions to Tally's records.
enum OpenCode {
    static let source = "opencode"
}

// MARK: - Decodable shapes

extension OpenCode {
    /// `time{...}` of any OpenCode object: milliseconds since the epoch.
    struct Times: Decodable {
        var created: Double?
        var updated: Double?
        var completed: Double?
        var archived: Double?
        var start: Double?
        var end: Double?
    }

    struct Project: Decodable {
        var id: String?
        var worktree: String?
        var vcs: String?
        var name: String?
        var time: Times?
    }

    struct Session: Decodable {
        struct Summary: Decodable {
            var additions: Int64?
            var deletions: Int64?
            var files: Int64?
        }
        struct Share: Decodable {
            var url: String?
        }
        var id: String?
        var projectID: String?
        var parentID: String?
        var title: String?
        var version: String?
        var directory: String?
        var time: Times?
        var summary: Summary?
        var share: Share?
    }

    /// `tokens{input, output, reasoning, cache{read, write}}` of a message or a step-finish part.
    struct Tokens: Decodable {
        struct Cache: Decodable {
            var read: TokenField?
            var write: TokenField?

            private enum Keys: String, CodingKey { case read, write }

            init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: Keys.self)
                read = try Tokens.count(c, .read)
                write = try Tokens.count(c, .write)
            }
        }
        var input: TokenField?
        var output: TokenField?
        var reasoning: TokenField?
        var cache: Cache?

        private enum Keys: String, CodingKey { case input, output, reasoning, cache }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            input = try Tokens.count(c, .input)
            output = try Tokens.count(c, .output)
            reasoning = try Tokens.count(c, .reasoning)
            cache = try c.decodeIfPresent(Cache.self, forKey: .cache)
        }

        /// A count read as a plain integer (the fast path), else through `TokenField` to say
        /// what is wrong with it.
        static func count<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> TokenField? {
            do {
                return try c.decodeIfPresent(Int64.self, forKey: key).map(TokenField.validate)
            } catch {
                return try c.decodeIfPresent(TokenField.self, forKey: key)
            }
        }

        /// The first invalid count, as a rejection reason.
        var problem: String? {
            TokenValidation.problem([
                "tokens.input": input, "tokens.output": output, "tokens.reasoning": reasoning,
                "tokens.cache.read": cache?.read, "tokens.cache.write": cache?.write,
            ])
        }

        /// Canonical counts (TRAP 2: cache tokens at `cache.read`/`cache.write`; `input` is uncached).
        var counts: TokenCounts {
            TokenCounts(
                input: input?.value, output: output?.value, reasoning: reasoning?.value,
                cacheRead: cache?.read?.value, cacheWrite: cache?.write?.value)
        }
    }

    struct ModelRef: Decodable {
        var providerID: String?
        var modelID: String?
    }

    /// A user message's `summary{title, diffs}` or an assistant's `summary: true` (a compaction
    /// summary). Only the title and the flag are kept: diffs hold whole file contents.
    struct MessageSummary: Decodable {
        var flag: Bool?
        var title: String?

        private enum Keys: String, CodingKey { case title }

        init(from decoder: Decoder) throws {
            if let flag = try? decoder.singleValueContainer().decode(Bool.self) {
                self.flag = flag
            } else if let c = try? decoder.container(keyedBy: Keys.self) {
                title = try? c.decodeIfPresent(String.self, forKey: .title)
            }
        }
    }

    struct Message: Decodable {
        struct Path: Decodable {
            var cwd: String?
            var root: String?
        }
        var id: String?
        var sessionID: String?
        var role: String?
        var parentID: String?
        var time: Times?
        var modelID: String?
        var providerID: String?
        /// The user message's chosen model.
        var model: ModelRef?
        var agent: String?
        var mode: String?
        var cost: Double?
        var tokens: Tokens?
        var finish: String?
        var error: AnyJSON?
        var path: Path?
        var summary: MessageSummary?
    }

    struct ToolState: Decodable {
        var status: String?
        var input: JSONValue?
        var output: JSONValue?
        var title: String?
        var metadata: JSONValue?
        var error: JSONValue?
        var time: Times?

        private enum Keys: String, CodingKey { case status, input, output, title, metadata, error, time }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            status = try c.decodeIfPresent(String.self, forKey: .status)
            input = try c.decodeIfPresent(ObjectJSON.self, forKey: .input)?.value
            output = try c.decodeIfPresent(AnyJSON.self, forKey: .output)?.value
            title = try c.decodeIfPresent(String.self, forKey: .title)
            metadata = try c.decodeIfPresent(ObjectJSON.self, forKey: .metadata)?.value
            error = try c.decodeIfPresent(AnyJSON.self, forKey: .error)?.value
            time = try c.decodeIfPresent(Times.self, forKey: .time)
        }
    }

    /// A part: the keys of its type only (each key decoded costs time on every part).
    struct Part: Decodable {
        var id: String?
        var sessionID: String?
        var messageID: String?
        var type: String?
        // text, reasoning
        var text: String?
        var synthetic: Bool?
        var time: Times?
        // tool
        var callID: String?
        var tool: String?
        var state: ToolState?
        // step-start, step-finish
        var snapshot: String?
        var reason: String?
        var cost: Double?
        var tokens: Tokens?
        // patch
        var hash: String?
        var files: [String]?
        // retry
        var error: JSONValue?

        private enum Keys: String, CodingKey {
            case id, sessionID, messageID, type, text, synthetic, time, callID, tool, state, snapshot, reason, cost,
                 tokens, hash, files, error
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            id = try c.decodeIfPresent(String.self, forKey: .id)
            sessionID = try c.decodeIfPresent(String.self, forKey: .sessionID)
            messageID = try c.decodeIfPresent(String.self, forKey: .messageID)
            type = try c.decodeIfPresent(String.self, forKey: .type)
            switch type {
            case "text":
                text = try c.decodeIfPresent(String.self, forKey: .text)
                synthetic = try c.decodeIfPresent(Bool.self, forKey: .synthetic)
                time = try c.decodeIfPresent(Times.self, forKey: .time)
            case "reasoning":
                text = try c.decodeIfPresent(String.self, forKey: .text)
                time = try c.decodeIfPresent(Times.self, forKey: .time)
            case "tool":
                callID = try c.decodeIfPresent(String.self, forKey: .callID)
                tool = try c.decodeIfPresent(String.self, forKey: .tool)
                state = try c.decodeIfPresent(ToolState.self, forKey: .state)
            case "step-start":
                snapshot = try c.decodeIfPresent(String.self, forKey: .snapshot)
            case "step-finish":
                snapshot = try c.decodeIfPresent(String.self, forKey: .snapshot)
                reason = try c.decodeIfPresent(String.self, forKey: .reason)
                cost = try c.decodeIfPresent(Double.self, forKey: .cost)
                tokens = try c.decodeIfPresent(Tokens.self, forKey: .tokens)
            case "patch":
                hash = try c.decodeIfPresent(String.self, forKey: .hash)
                files = try c.decodeIfPresent([String].self, forKey: .files)
            case "retry":
                error = try c.decodeIfPresent(AnyJSON.self, forKey: .error)?.value
                time = try c.decodeIfPresent(Times.self, forKey: .time)
            default:
                time = try c.decodeIfPresent(Times.self, forKey: .time)
            }
        }
    }

    /// Any JSON value as a `JSONValue`, probing the likeliest kinds first (every failed probe
    /// costs an error): in tool inputs, outputs and metadata most values are strings, then
    /// integers and objects. Objects go through a keyed container, cheaper than a `Dictionary`.
    struct AnyJSON: Decodable {
        var value: JSONValue

        init(from decoder: Decoder) throws { value = try Self.decode(decoder, objectFirst: false) }

        static func decode(_ decoder: Decoder, objectFirst: Bool) throws -> JSONValue {
            if objectFirst, let object = try object(decoder) { return object }
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { return .null }
            if let s = try? c.decode(String.self) { return .string(s) }
            if let i = try? c.decode(Int64.self) { return .integer(i) }
            if !objectFirst, let object = try object(decoder) { return object }
            if let b = try? c.decode(Bool.self) { return .bool(b) }
            if var array = try? decoder.unkeyedContainer() {
                var items: [JSONValue] = []
                while !array.isAtEnd { items.append(try array.decode(AnyJSON.self).value) }
                return .array(items)
            }
            return .number(try c.decode(Double.self))
        }

        private static func object(_ decoder: Decoder) throws -> JSONValue? {
            guard let object = try? decoder.container(keyedBy: AnyKey.self) else { return nil }
            var fields: [String: JSONValue] = [:]
            for key in object.allKeys {
                fields[key.stringValue] = try object.decode(AnyJSON.self, forKey: key).value
            }
            return .object(fields)
        }
    }

    /// `AnyJSON` for values that are objects by their schema (a tool's `input`, `metadata`).
    struct ObjectJSON: Decodable {
        var value: JSONValue
        init(from decoder: Decoder) throws { value = try AnyJSON.decode(decoder, objectFirst: true) }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Which keys an object of unknown kind has (a file outside the storage layout).
    struct Probe: Decodable {
        var keys: Set<String> = []

        init(from decoder: Decoder) throws {
            keys = Set(try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue))
        }
    }

    /// The `{info, parts}` shape OpenCode's server returns for a message (the v0.x sample).
    struct MessageWithParts: Decodable {
        var info: Message
        var parts: [Part]
    }
}

// MARK: - Problems

extension OpenCode {
    /// Why one object cannot be indexed (becomes a `Rejection`).
    struct Problem: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// A user-facing reason for a `JSONDecoder` failure on `json`: the JSON path and what was wrong.
    static func reason(for error: Error, json: Data) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON: \(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // JSONDecoder does not say where the syntax breaks; JSONSerialization does.
            var detail = context.debugDescription
            do {
                _ = try JSONSerialization.jsonObject(with: json, options: .fragmentsAllowed)
            } catch {
                detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? detail
            }
            return "not valid JSON: \(detail)"
        case .dataCorrupted(let context):
            return "invalid value at \(path(context)): \(context.debugDescription)"
        case .typeMismatch(let type, let context):
            return "unexpected value at \(path(context)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "null at \(path(context)): expected \(typeName(type))"
        case .keyNotFound(let key, _):
            return "missing \(key.stringValue)"
        @unknown default:
            return "not valid JSON: \(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Double.Type, is Int64.Type, is Int.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "an array" : "an object"
        }
    }

    /// Canonical text of OpenCode milliseconds; nil for values outside years 1970–9999.
    static func timestamp(_ ms: Double?) -> String? {
        guard let ms, ms >= 0, ms < 253_402_300_800_000 else { return nil }
        return Timestamps.fromEpochMilliseconds(Int64(ms.rounded(.down)))
    }

    /// Nano-dollars of a reported cost; a negative cost is a problem (the schema forbids it).
    static func costNanos(_ usd: Double?) throws -> Int64? {
        guard let usd else { return nil }
        guard usd >= 0, let nanos = Money.nanos(usd: usd) else { throw Problem("invalid cost: \(usd)") }
        return nanos
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}

// MARK: - Ids

extension OpenCode {
    /// OpenCode ids (`src/id/id.ts`): prefix, `_`, 12 hex digits of
    /// `(ms × 4096 + counter) mod 2^48` (bit-inverted for descending `ses_` ids), 14 base62.
    /// The ms survive only modulo 2^36 (about 795 days), so a reference instant picks the cycle.
    enum ID {
        static let cycle: Int64 = 1 << 36

        /// 2026-01-01T00:00:00Z: the storage tree was written by OpenCode ≈0.5 (mid-2025) to 1.1
        /// (Feb 2026), well inside ± half a cycle (2024-11-25 … 2027-02-07) of it.
        static let treeEra: Int64 = 1_767_225_600_000

        /// The creation time an id encodes, in the 2^36 ms cycle nearest `reference`; nil when
        /// the id does not have OpenCode's form.
        static func milliseconds(_ id: String, near reference: Int64) -> Int64? {
            var value: Int64 = 0
            var digits = 0
            var prefixLength = 0
            var afterUnderscore = false
            var descending = false
            for byte in id.utf8 {
                if !afterUnderscore {
                    if byte == UInt8(ascii: "_") {
                        afterUnderscore = true
                        descending = id.utf8.starts(with: "ses_".utf8)
                    } else {
                        prefixLength += 1
                        if prefixLength > 8 { return nil }
                    }
                    continue
                }
                guard digits < 12 else { break }
                let nibble: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
                default: return nil
                }
                value = value << 4 | Int64(nibble)
                digits += 1
            }
            guard digits == 12 else { return nil }
            if descending { value = ~value & ((1 << 48) - 1) }
            let residue = value >> 12
            let turns = (reference - residue + cycle / 2)
            var ms = residue + cycle * (turns >= 0 ? turns / cycle : (turns - cycle + 1) / cycle)
            if ms < 0 { ms += cycle }
            return ms
        }
    }
}
