import Foundation

/// Reads Tally's generic usage events (FORMATS.md, "Generic usage events"): `*.jsonl` and `*.csv`
/// files, one LLM call per line or row.
///
/// - **Calls.** One ``CallRecord`` per line/row. Its key is `events:id:<id>` when the event has an
///   `id`, else `events:fnv1a64:<16 hex>`, the FNV-1a 64 hash of the normalised record's canonical
///   JSON (``EventsReader/Event/canonicalText``). An id names an event wherever it appears: the same
///   id in two files (overlapping exports) is one call, upserted, not two. The two key spaces never
///   meet, so a producer's hex id cannot collide with a hash key.
/// - **Tokens.** Absent (missing key, JSON `null`, empty CSV field) is NULL, never 0. Without
///   `total_tokens` the total is the sum of the given splits; with only a total the call is
///   total-only (all splits NULL). A given total is kept as given.
/// - **Sessions and projects.** Ids are prefixed `events:` (they are the producer's own names and
///   must not upsert over another source's sessions). A `parent_session_id` gets a placeholder
///   session (id and source only) so the tree holds even when the parent has no calls.
/// - **Attributes.** `tool` and every column Tally does not know, as sorted JSON.
///
/// Duplicates inside one file: a repeated record (same key, same values) is one call; the same id
/// with different values is rejected (the first stays). Records that cannot be indexed (no
/// timestamp or model, invalid token counts or cost, malformed JSON) are rejected with the reason.
public struct EventsReader: SourceReader {
    public static let source = "events"

    public init() {}

    public func inputs(under root: URL) throws -> [URL] {
        try SourceFiles.files(under: root) { name in
            let lower = name.lowercased()
            return lower.hasSuffix(".jsonl") || lower.hasSuffix(".csv")
        }
    }

    public func read(_ input: URL) throws -> ReadBatch {
        if input.pathExtension.lowercased() == "csv" {
            return try readCSV(input)
        }
        var all = ReadBatch()
        try streamJSONL(input) { all.append($0) }
        return all
    }

    /// JSONL in pieces of `chunkLines` lines: a file of millions of events never sits in memory.
    public func stream(_ input: URL, emit: (ReadBatch) throws -> Void) throws {
        if input.pathExtension.lowercased() == "csv" {
            return try emit(readCSV(input))
        }
        try streamJSONL(input, emit: emit)
    }
}

// MARK: - The columns

extension EventsReader {
    /// The format's columns. Header names and JSON keys map case-insensitively.
    enum Column: String, CaseIterable {
        case id, timestamp, provider, model
        case sessionID = "session_id", parentSessionID = "parent_session_id"
        case project, agent, tool
        case inputTokens = "input_tokens", outputTokens = "output_tokens"
        case reasoningTokens = "reasoning_tokens", cacheReadTokens = "cache_read_tokens"
        case cacheWriteTokens = "cache_write_tokens", totalTokens = "total_tokens"
        case costUSD = "cost_usd"

        init?(name: String) {
            if let exact = Column(rawValue: name) {
                self = exact
            } else {
                self.init(rawValue: String(name.trimmedSpaces).lowercased())
            }
        }

        var isTokenCount: Bool { Column.tokenColumns.contains(self) }

        /// The column's position: hashed instead of its name (a `RawRepresentable` enum hashes
        /// its raw text by default, and columns key the dictionaries of every record read).
        var index: Int {
            switch self {
            case .id: 0
            case .timestamp: 1
            case .provider: 2
            case .model: 3
            case .sessionID: 4
            case .parentSessionID: 5
            case .project: 6
            case .agent: 7
            case .tool: 8
            case .inputTokens: 9
            case .outputTokens: 10
            case .reasoningTokens: 11
            case .cacheReadTokens: 12
            case .cacheWriteTokens: 13
            case .totalTokens: 14
            case .costUSD: 15
            }
        }

        func hash(into hasher: inout Hasher) { hasher.combine(index) }

        /// Token columns in the order their problems are reported.
        static let tokenColumns: [Column] = [
            .inputTokens, .outputTokens, .reasoningTokens, .cacheReadTokens, .cacheWriteTokens, .totalTokens,
        ]
    }

    /// One event as the source gave it, before validation: nil is absent.
    struct Fields: Equatable {
        var text: [Column: String] = [:]
        var tokens: [Column: TokenField] = [:]
        var costNanos: Int64?
        /// The first value of the wrong kind (a number where text belongs, a bad cost).
        var problem: String?
        /// Columns Tally does not know, kept as attributes.
        var extras: [String: JSONValue] = [:]

        mutating func note(_ problem: String) {
            if self.problem == nil { self.problem = problem }
        }

        /// A cost in USD given as text (a CSV field): exact nano-dollars, never negative.
        mutating func setCost(text: String) {
            guard let nanos = Money.nanos(usdText: text) else {
                return note("invalid cost_usd: not a number (\"\(text.prefix(40))\")")
            }
            setCost(nanos: nanos, shown: text)
        }

        /// A cost in USD given as a JSON number.
        mutating func setCost(usd: Double) {
            guard let nanos = Money.nanos(usd: usd) else { return note("invalid cost_usd: out of range (\(usd))") }
            setCost(nanos: nanos, shown: "\(usd)")
        }

        mutating func setCost(nanos: Int64, shown: String) {
            guard nanos >= 0 else { return note("invalid cost_usd: negative (\(shown))") }
            costNanos = nanos
        }
    }

    /// A validated, normalised event.
    struct Event {
        var id: String?
        var startedAt: String
        var provider: String?
        var model: String
        var sessionID: String?
        var parentSessionID: String?
        var project: String?
        var agent: String?
        var tool: String?
        var tokens: TokenCounts
        var costNanos: Int64?
        var extras: [String: JSONValue]

        /// The call's source key (see the type's documentation), given the FNV-1a 64 digest of
        /// ``canonicalText``.
        func key(digest: UInt64) -> String {
            if let id { return "events:id:" + id }
            return "events:fnv1a64:" + EventsReader.hex(digest)
        }

        /// The normalised record as compact JSON with sorted keys: canonical timestamp, absent
        /// values left out, the computed total, cost in nano-dollars. The hash of an event without
        /// id is taken over this text, so it does not depend on key order, spacing, the timestamp's
        /// zone or whether the total was written out.
        ///
        /// Written directly in sorted key order (what `JSONValue.jsonText` gives for the same
        /// object, checked by a test): building a `JSONValue` per line costs a fifth of the read.
        var canonicalText: String {
            var out = "{"
            var first = true
            func key(_ name: String) {
                if !first { out += "," }
                first = false
                out += "\"" + name + "\":"
            }
            func text(_ name: String, _ value: String?) {
                guard let value else { return }
                key(name)
                EventsReader.appendJSONString(value, to: &out)
            }
            func count(_ name: String, _ value: Int64?) {
                guard let value else { return }
                key(name)
                out += String(value)
            }
            text("agent", agent)
            count("cache_read_tokens", tokens.cacheRead)
            count("cache_write_tokens", tokens.cacheWrite)
            count("cost_nanos", costNanos)
            if !extras.isEmpty {
                key("extra")
                out += JSONValue.object(extras).jsonText
            }
            text("id", id)
            count("input_tokens", tokens.input)
            text("model", model)
            count("output_tokens", tokens.output)
            text("parent_session_id", parentSessionID)
            text("project", project)
            text("provider", provider)
            count("reasoning_tokens", tokens.reasoning)
            text("session_id", sessionID)
            text("timestamp", startedAt)
            text("tool", tool)
            count("total_tokens", tokens.total)
            return out + "}"
        }

        /// `tool`, a parent that has no session to hang on, and the unknown columns.
        var attributes: String? {
            var o = extras
            if let tool { o["tool"] = .string(tool) }
            if sessionID == nil, let parentSessionID { o["parent_session_id"] = .string(parentSessionID) }
            return o.isEmpty ? nil : JSONValue.object(o).jsonText
        }
    }

    /// A JSON string literal, as `JSONValue` writes it; text with nothing to escape is copied whole.
    static func appendJSONString(_ text: String, to out: inout String) {
        if text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            JSONValue.writeString(text, into: &out)
        } else {
            out += "\""
            out += text
            out += "\""
        }
    }

    /// FNV-1a 64 of the text, as 16 lowercase hex digits (`FNV1a64`).
    static func fnv1a64Hex(_ text: String) -> String { FNV1a64.hex(text) }

    static func hex(_ digest: UInt64) -> String { FNV1a64.hex(digest) }

    static func fnv1a64(_ text: String) -> UInt64 { FNV1a64.hash(text) }
}

// MARK: - Validation

extension EventsReader {
    /// The event, or why it cannot be indexed.
    static func validate(_ f: Fields) -> Result<Event, RejectionReason> {
        if let problem = f.problem { return .failure(RejectionReason(problem)) }
        guard let timestampText = f.text[.timestamp] else { return .failure("missing timestamp") }
        guard let startedAt = Timestamps.normalize(timestampText) else {
            return .failure(RejectionReason(
                "timestamp not understood: \"\(timestampText.prefix(40))\" (expected ISO-8601, e.g. 2026-03-05T10:02:11Z)"))
        }
        guard let model = f.text[.model] else { return .failure("missing model") }
        for column in Column.tokenColumns {
            if let problem = f.tokens[column]?.problem {
                return .failure(RejectionReason("invalid token count \(column.rawValue): \(problem)"))
            }
        }
        func count(_ c: Column) -> Int64? { f.tokens[c]?.value }
        let tokens = TokenCounts(
            input: count(.inputTokens), output: count(.outputTokens), reasoning: count(.reasoningTokens),
            cacheRead: count(.cacheReadTokens), cacheWrite: count(.cacheWriteTokens), total: count(.totalTokens))
        if tokens.isTotalOnly, count(.totalTokens) == nil {
            return .failure("no token counts: give total_tokens or at least one of input_tokens, output_tokens, reasoning_tokens, cache_read_tokens, cache_write_tokens")
        }
        let session = f.text[.sessionID]
        let parent = f.text[.parentSessionID]
        if let session, session == parent {
            return .failure(RejectionReason("parent_session_id is the session itself (\(session))"))
        }
        return .success(Event(
            id: f.text[.id], startedAt: startedAt, provider: f.text[.provider], model: model,
            sessionID: session, parentSessionID: parent, project: f.text[.project], agent: f.text[.agent],
            tool: f.text[.tool], tokens: tokens, costNanos: f.costNanos, extras: f.extras))
    }

    struct RejectionReason: Error, ExpressibleByStringLiteral {
        var text: String
        init(_ text: String) { self.text = text }
        init(stringLiteral value: String) { self.text = value }
    }
}

// MARK: - Building the batch

extension EventsReader {
    /// Collects one file's events into a batch: calls (de-duplicated by key), their sessions
    /// (with placeholder parents) and projects.
    struct BatchBuilder {
        private(set) var batch = ReadBatch()
        /// FNV-1a 64 of a key → line and FNV-1a 64 of the canonical text of the first record with
        /// that key: digests, not texts, so a file of millions of events keeps a small index
        /// (24 bytes an event). Two keys whose digests collide (about 1 in 10^7 for a file of a
        /// million ids) are never merged silently: the second is rejected as a duplicate id.
        private var seen: [UInt64: (line: Int, digest: UInt64)] = [:]
        private var sessions: [String: SessionRecord] = [:]
        private var projects: [String: ProjectRecord] = [:]

        /// Counts one source record (a line or row) and indexes or rejects it.
        mutating func add(_ fields: Fields, line: Int, raw: @autoclosure () -> RawText) {
            batch.records += 1
            switch EventsReader.validate(fields) {
            case .failure(let reason):
                reject(line: line, key: fields.text[.id].map { "events:id:" + $0 }, reason: reason.text, raw: raw())
            case .success(let event):
                add(event, line: line, raw: raw)
            }
        }

        mutating func reject(line: Int, key: String? = nil, reason: String, raw: RawText?) {
            batch.rejections.append(Rejection(line: line, key: key, reason: reason, raw: raw))
        }

        /// Counts one record that is rejected before its fields could be read.
        mutating func rejectRecord(line: Int, reason: String, raw: RawText?) {
            batch.records += 1
            reject(line: line, reason: reason, raw: raw)
        }

        private mutating func add(_ event: Event, line: Int, raw: () -> RawText) {
            let canonical = event.canonicalText
            let digest = EventsReader.fnv1a64(canonical)
            let key = event.key(digest: digest)
            let keyDigest = event.id == nil ? digest : EventsReader.fnv1a64(key)
            if let first = seen[keyDigest] {
                // The same record again is the same call; the same id with other values is not.
                // (Without an id the key is the digest, so only ids get here with other values.)
                if first.digest != digest {
                    reject(line: line, key: key,
                           reason: "duplicate id \(event.id ?? key) (first on line \(first.line)) with different values: give each event its own id",
                           raw: raw())
                }
                return
            }
            seen[keyDigest] = (line, digest)

            let projectID = event.project.map { "events:" + $0 }
            if let project = event.project, let projectID, projects[projectID] == nil {
                projects[projectID] = ProjectRecord(id: projectID, source: EventsReader.source, name: project)
            }
            let sessionID = event.sessionID.map { "events:" + $0 }
            if let sessionID {
                let parentID = event.parentSessionID.map { "events:" + $0 }
                var s = sessions[sessionID] ?? SessionRecord(id: sessionID, source: EventsReader.source)
                if s.projectID == nil { s.projectID = projectID }
                if s.parentID == nil { s.parentID = parentID }
                if s.startedAt.map({ event.startedAt < $0 }) ?? true { s.startedAt = event.startedAt }
                if s.updatedAt.map({ event.startedAt > $0 }) ?? true { s.updatedAt = event.startedAt }
                sessions[sessionID] = s
                if let parentID, sessions[parentID] == nil {
                    sessions[parentID] = SessionRecord(id: parentID, source: EventsReader.source)
                }
            }
            batch.calls.append(CallRecord(
                id: key, source: EventsReader.source, sessionID: sessionID, projectID: projectID,
                provider: event.provider, model: event.model, agent: event.agent, startedAt: event.startedAt,
                tokens: event.tokens, reportedCostNanos: event.costNanos, sourceLine: line,
                attributes: event.attributes))
        }

        /// The calls and rejections collected so far, handed over and forgotten; sessions and
        /// projects stay until `finish` (they gather first and last times over the whole file).
        mutating func takeChunk() -> ReadBatch {
            defer { batch = ReadBatch() }
            return batch
        }

        /// The batch with sessions and projects in id order.
        func finish() -> ReadBatch {
            var out = batch
            out.sessions = sessions.keys.sorted().map { sessions[$0]! }
            out.projects = projects.keys.sorted().map { projects[$0]! }
            return out
        }
    }
}
