import Foundation

// OpenCode objects → Tally records, shared by `OpenCodeTreeReader` and `OpenCodeDatabaseReader`
// so both give the same records for the same data.

extension OpenCode {
    /// Accumulates the records of OpenCode objects into one batch: one source record per object,
    /// each either indexed or rejected. The database reader passes ids its rows hold as columns.
    struct BatchBuilder {
        let decoder = JSONDecoder()
        var batch = ReadBatch()

        // MARK: Objects from JSON

        mutating func project(json: Data) {
            batch.records += 1
            do {
                let object = try decoder.decode(Project.self, from: json)
                batch.projects.append(try OpenCode.projectRecord(object, id: object.id))
            } catch {
                reject(key: nil, error, raw: json)
            }
        }

        mutating func session(json: Data) {
            batch.records += 1
            do {
                let object = try decoder.decode(Session.self, from: json)
                batch.sessions.append(try OpenCode.sessionRecord(object, id: object.id))
            } catch {
                reject(key: nil, error, raw: json)
            }
        }

        /// A message object; `id`/`sessionID` (database columns) override the object's own.
        mutating func message(json: Data, id: String? = nil, sessionID: String? = nil) {
            batch.records += 1
            do {
                let object = try decoder.decode(Message.self, from: json)
                add(message: object, id: id ?? object.id, sessionID: sessionID ?? object.sessionID, raw: json)
            } catch {
                reject(key: id, error, raw: json)
            }
        }

        /// A part object; `reference` picks the 2^36 ms cycle of times decoded from its id.
        mutating func part(
            json: Data, id: String? = nil, messageID: String? = nil, sessionID: String? = nil,
            reference: Int64 = ID.treeEra
        ) {
            batch.records += 1
            do {
                let object = try decoder.decode(Part.self, from: json)
                add(part: object, id: id ?? object.id, messageID: messageID ?? object.messageID,
                    sessionID: sessionID ?? object.sessionID, reference: reference, raw: json,
                    whole: { [decoder] in try? decoder.decode(AnyJSON.self, from: json).value })
            } catch {
                reject(key: id, error, raw: json)
            }
        }

        /// The `{info, parts}` shape: one message and its parts, one record each.
        mutating func messageWithParts(json: Data) throws {
            let object = try decoder.decode(MessageWithParts.self, from: json)
            let wholeParts: [JSONValue]
            if case .array(let values)? = try decoder.decode(AnyJSON.self, from: json).value["parts"] {
                wholeParts = values
            } else {
                wholeParts = []
            }
            batch.records += 1
            add(message: object.info, id: object.info.id, sessionID: object.info.sessionID, raw: json)
            for (index, part) in object.parts.enumerated() {
                batch.records += 1
                add(part: part, id: part.id, messageID: part.messageID, sessionID: part.sessionID,
                    reference: ID.treeEra, raw: json, whole: { wholeParts.indices.contains(index) ? wholeParts[index] : nil })
            }
        }

        // MARK: Decoded objects

        mutating func add(message object: Message, id: String?, sessionID: String?, raw: Data) {
            do {
                let (message, call) = try OpenCode.messageRecords(object, id: id, sessionID: sessionID)
                batch.messages.append(message)
                if let call { batch.calls.append(call) }
            } catch {
                reject(key: id, error, raw: raw)
            }
        }

        /// `whole` gives the part as any JSON, asked only for the rare part types whose `data`
        /// keeps the object (file, agent, subtask, ...); `raw` goes into a rejection.
        mutating func add(
            part object: Part, id: String?, messageID: String?, sessionID: String?, reference: Int64, raw: Data,
            whole: () -> JSONValue?
        ) {
            do {
                let (part, call) = try OpenCode.partRecords(
                    object, id: id, messageID: messageID, sessionID: sessionID, reference: reference, whole: whole)
                batch.parts.append(part)
                if let call { batch.calls.append(call) }
            } catch {
                reject(key: id, error, raw: raw)
            }
        }

        mutating func reject(key: String?, _ error: Error, raw: Data) {
            let reason = (error as? Problem)?.reason ?? OpenCode.reason(for: error, json: raw)
            batch.rejections.append(Rejection(key: key, reason: reason, raw: RawText(raw)))
        }
    }
}

// MARK: - Conversions

extension OpenCode {
    static func projectRecord(_ object: Project, id: String?) throws -> ProjectRecord {
        guard let id = nonEmpty(id) else { throw Problem("missing project id") }
        return ProjectRecord(
            id: id, source: source, name: object.name, directory: object.worktree,
            createdAt: timestamp(object.time?.created),
            attributes: object.vcs.map { JSONValue.object(["vcs": .string($0)]).jsonText })
    }

    /// A session; `rollup` holds the database's stored totals (OpenCode ≥ 1.16), kept as given.
    static func sessionRecord(_ object: Session, id: String?, rollup: StoredRollup? = nil, extra: [String: JSONValue] = [:]) throws -> SessionRecord {
        guard let id = nonEmpty(id) else { throw Problem("missing session id") }
        var attributes = extra
        if let summary = object.summary {
            var fields: [String: JSONValue] = [:]
            if let v = summary.additions { fields["additions"] = .integer(v) }
            if let v = summary.deletions { fields["deletions"] = .integer(v) }
            if let v = summary.files { fields["files"] = .integer(v) }
            if !fields.isEmpty { attributes["summary"] = .object(fields) }
        }
        if let url = object.share?.url { attributes["shareURL"] = .string(url) }
        return SessionRecord(
            id: id, source: source, projectID: nonEmpty(object.projectID), parentID: nonEmpty(object.parentID),
            title: object.title, directory: object.directory, version: object.version,
            startedAt: timestamp(object.time?.created), updatedAt: timestamp(object.time?.updated),
            archivedAt: timestamp(object.time?.archived), rollup: rollup,
            attributes: attributes.isEmpty ? nil : JSONValue.object(attributes).jsonText)
    }

    /// A message and, for an assistant message, its fallback call: the message's own `tokens`
    /// (TRAP 1: the LAST step only), used only when the message has no step-finish calls.
    static func messageRecords(_ object: Message, id: String?, sessionID: String?) throws -> (MessageRecord, CallRecord?) {
        guard let id = nonEmpty(id) else { throw Problem("missing message id") }
        guard let sessionID = nonEmpty(sessionID) else { throw Problem("message has no sessionID") }
        guard let roleText = object.role else { throw Problem("message has no role") }
        guard let role = MessageRole(rawValue: roleText), role == .user || role == .assistant else {
            throw Problem("unknown message role \"\(roleText)\" (expected user or assistant)")
        }
        guard let createdAt = timestamp(object.time?.created) else {
            throw Problem(object.time?.created == nil ? "message has no time.created" : "invalid time.created: \(object.time!.created!)")
        }
        if let problem = object.tokens?.problem { throw Problem(problem) }
        let cost = try costNanos(object.cost)

        var attributes: [String: JSONValue] = [:]
        if let cwd = object.path?.cwd { attributes["cwd"] = .string(cwd) }
        if let root = object.path?.root { attributes["root"] = .string(root) }
        if let flag = object.summary?.flag { attributes["summary"] = .bool(flag) }
        if let title = object.summary?.title { attributes["summaryTitle"] = .string(title) }

        let message = MessageRecord(
            id: id, sessionID: sessionID, role: role, parentID: nonEmpty(object.parentID), createdAt: createdAt,
            completedAt: timestamp(object.time?.completed),
            provider: object.providerID ?? object.model?.providerID, model: object.modelID ?? object.model?.modelID,
            agent: object.agent, mode: object.mode, finish: object.finish, error: object.error.map { errorPayload($0.value) },
            attributes: attributes.isEmpty ? nil : JSONValue.object(attributes).jsonText)

        guard role == .assistant, let tokens = object.tokens?.counts, tokens.total > 0 || (cost ?? 0) > 0 else {
            return (message, nil)
        }
        let call = CallRecord(
            id: id, source: source, sessionID: sessionID, messageID: id, provider: message.provider,
            model: message.model, agent: object.agent ?? object.mode, startedAt: createdAt,
            completedAt: message.completedAt, tokens: tokens, reportedCostNanos: cost, isMessageFallback: true)
        return (message, call)
    }

    /// A part and, for a step-finish, its call: one LLM request with the step's own tokens and
    /// cost. The part alone does not name the model, provider or agent: they stay nil (the
    /// message has them). The call is dated by the part id, created when the step finished.
    static func partRecords(
        _ object: Part, id: String?, messageID: String?, sessionID: String?, reference: Int64,
        whole: () -> JSONValue?
    ) throws -> (PartRecord, CallRecord?) {
        guard let id = nonEmpty(id) else { throw Problem("missing part id") }
        guard let messageID = nonEmpty(messageID) else { throw Problem("part has no messageID") }
        guard let sessionID = nonEmpty(sessionID) else { throw Problem("part has no sessionID") }
        guard let type = nonEmpty(object.type) else { throw Problem("part has no type") }

        let idTime = ID.milliseconds(id, near: reference)
        let createdAt = idTime.map(Timestamps.fromEpochMilliseconds)
            ?? timestamp(object.state?.time?.start ?? object.time?.start ?? object.time?.created)
        var part = PartRecord(id: id, messageID: messageID, sessionID: sessionID, ordinal: 0, type: type, createdAt: createdAt)
        var call: CallRecord?

        switch type {
        case "text":
            part.detail = .text(object.text, synthetic: object.synthetic ?? false)
            part.data = object.time.map { times in JSONValue.object(["time": timesJSON(times)]).jsonText }
        case "reasoning":
            part.detail = .thinking(object.text, startedAt: timestamp(object.time?.start), endedAt: timestamp(object.time?.end))
        case "tool":
            let (detail, files) = try toolDetail(object)
            part.detail = .tool(detail)
            part.fileOperations = files
        case "step-start":
            part.data = stringObject(["snapshot": object.snapshot])
        case "step-finish":
            part.data = stringObject(["reason": object.reason, "snapshot": object.snapshot])
            if let tokens = object.tokens {
                if let problem = tokens.problem { throw Problem(problem) }
                let cost = try costNanos(object.cost)
                guard let startedAt = createdAt else {
                    throw Problem("step-finish part id \"\(id)\" is not an OpenCode id: its call has no time")
                }
                call = CallRecord(
                    id: id, source: source, sessionID: sessionID, messageID: messageID, startedAt: startedAt,
                    tokens: tokens.counts, reportedCostNanos: cost)
            }
        case "patch":
            part.data = stringObject(["hash": object.hash])
            part.fileOperations = (object.files ?? []).map { FileOperationRecord(path: $0, operation: "patch") }
        case "retry":
            if let error = object.error {
                part.detail = .error(name: error["name"]?.stringValue, payload: errorPayload(error))
            }
            part.data = wholeData(whole(), dropping: ["error"])
        default:
            // file (mime, filename, url, source), agent, subtask, compaction, snapshot, and types
            // Tally does not know yet: the object itself.
            part.data = wholeData(whole(), dropping: [])
        }
        return (part, call)
    }

    /// A tool part: status, input, output, timings from `state` (TRAP 4), the error payload as
    /// JSON, the child session a `task` delegation started, and the files it touched.
    private static func toolDetail(_ object: Part) throws -> (ToolCallDetail, [FileOperationRecord]) {
        guard let tool = nonEmpty(object.tool) else { throw Problem("tool part has no tool name") }
        let state = object.state
        let start = state?.time?.start, end = state?.time?.end
        var duration: Int64?
        if let start, let end, end >= start, end - start < 9e15 { duration = Int64(end - start) }
        let status = state?.status.flatMap { ["pending", "running", "completed", "error"].contains($0) ? $0 : nil }
        let output: String?
        switch state?.output {
        case .string(let text)?: output = text
        case nil, .null?: output = nil
        case let value?: output = value.jsonText
        }
        let detail = ToolCallDetail(
            callID: object.callID, tool: tool, status: status,
            input: state?.input.flatMap { $0 == .null ? nil : $0.jsonText }, output: output, title: state?.title,
            metadata: state?.metadata.flatMap { $0 == .null ? nil : $0.jsonText },
            startedAt: timestamp(start), endedAt: timestamp(end), durationMs: duration,
            childSessionID: tool == "task" ? nonEmpty(state?.metadata?["sessionId"]?.stringValue) : nil,
            error: state?.error.flatMap { $0 == .null ? nil : errorPayload($0) })

        var files: [FileOperationRecord] = []
        if status == "completed", ["edit", "write", "read"].contains(tool),
           let path = state?.input?["filePath"]?.stringValue {
            let diff = state?.metadata?["filediff"]
            files.append(FileOperationRecord(
                path: path, operation: tool,
                additions: diff?["additions"]?.int64Value, deletions: diff?["deletions"]?.int64Value))
        }
        return (detail, files)
    }

    /// An error as valid JSON: objects and arrays as they are, text wrapped as `{"raw": ...}`.
    static func errorPayload(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return JSONValue.payload(text)
        case .object, .array: return value.jsonText
        default: return JSONValue.object(["raw": .string(value.jsonText)]).jsonText
        }
    }

    /// The object minus its id fields (the database's `data`), its type (a column) and the keys
    /// detail tables hold.
    private static func wholeData(_ value: JSONValue?, dropping keys: Set<String>) -> String? {
        guard case .object(var fields)? = value else { return nil }
        for key in ["id", "sessionID", "messageID", "type"] + keys { fields[key] = nil }
        return fields.isEmpty ? nil : JSONValue.object(fields).jsonText
    }

    /// Compact JSON of the present string fields, given in sorted key order: the text
    /// `JSONValue.jsonText` gives for them, without building the dictionary (hot part types).
    static func stringObject(_ fields: KeyValuePairs<String, String?>) -> String? {
        var out = ""
        for (key, value) in fields {
            guard let value else { continue }
            out += out.isEmpty ? "{" : ","
            JSONValue.writeString(key, into: &out)
            out += ":"
            JSONValue.writeString(value, into: &out)
        }
        return out.isEmpty ? nil : out + "}"
    }

    private static func timesJSON(_ times: Times) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        func put(_ key: String, _ value: Double?) {
            guard let value else { return }
            fields[key] = value.rounded() == value && abs(value) < 9e15 ? .integer(Int64(value)) : .number(value)
        }
        put("start", times.start)
        put("end", times.end)
        put("created", times.created)
        return .object(fields)
    }
}
