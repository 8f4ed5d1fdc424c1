import Foundation

// MARK: - Content blocks → parts

/// A `tool_result` block waiting for the end of the file, when every `tool_use` is known.
struct PendingToolResult {
    var messageID: String
    var ordinal: Int
    var block: ClaudeBlock
    var createdAt: String
    var toolUseResult: JSONValue?
}

extension ClaudeTranscript {
    /// Tools whose input names a file, and what they do to it.
    static let fileTools: [String: String] = [
        "Read": "read", "Write": "write", "Edit": "edit", "MultiEdit": "edit", "NotebookEdit": "edit",
    ]

    /// Keys of `toolUseResult` left out of a tool call's metadata: whole files and outputs that
    /// the call's `output` or `input` already hold.
    static let bulkyResultKeys: Set<String> = [
        "originalFile", "file", "content", "stdout", "stderr", "structuredPatch", "oldString", "newString", "edits",
    ]

    mutating func addPart(
        _ block: ClaudeBlock, ordinal: Int, messageID: String, createdAt: String, synthetic: Bool,
        line: ClaudeLine, number: Int
    ) {
        let id = "\(messageID):\(ordinal)"
        var part = PartRecord(id: id, messageID: messageID, sessionID: "", ordinal: ordinal, type: block.type, createdAt: createdAt)
        switch block.type {
        case _ where block.isToolResult:
            toolResults.append(PendingToolResult(
                messageID: messageID, ordinal: ordinal, block: block, createdAt: createdAt, toolUseResult: line.toolUseResult))
            return
        case "text":
            part.detail = .text(block.text, synthetic: synthetic)
        case "thinking", "redacted_thinking":
            part.detail = .thinking(block.thinking, startedAt: nil, endedAt: nil)
        case "tool_use", "server_tool_use":
            let tool = block.name ?? "unknown"
            part.detail = .tool(ToolCallDetail(callID: block.id, tool: tool, input: block.input?.jsonText, startedAt: createdAt))
            if let operation = ClaudeTranscript.fileTools[tool],
               let path = block.input?["file_path"]?.stringValue ?? block.input?["notebook_path"]?.stringValue {
                part.fileOperations = [FileOperationRecord(path: path, operation: operation)]
            }
            if let callID = block.id { toolParts[callID, default: []].append(parts.count) }
        case "image", "document":
            if let source = block.source { part.data = JSONValue.object(["source": source]).jsonText }
        default:
            part.data = block.raw?.jsonText
        }
        parts.append(part)
    }

    /// Completes each `tool_use` part with its result (status, output or error, end time,
    /// duration, the sub-agent it started); a result whose tool use is not in this file becomes
    /// a `tool_result` part of its own.
    mutating func resolveToolResults(rootSessionID: String) {
        for result in toolResults {
            let block = result.block
            let failed = block.isError == true
            let text = ClaudeTranscript.resultText(block.content)
            guard let callID = block.toolUseID, let indices = toolParts[callID] else {
                var data: [String: JSONValue] = ["tool_use_id": .string(block.toolUseID ?? "")]
                if let content = block.content { data["content"] = content }
                if failed { data["is_error"] = .bool(true) }
                parts.append(PartRecord(
                    id: "\(result.messageID):\(result.ordinal)", messageID: result.messageID, sessionID: "",
                    ordinal: result.ordinal, type: block.type, createdAt: result.createdAt,
                    data: JSONValue.object(data).jsonText,
                    detail: failed ? .error(name: "tool_result", payload: JSONValue.payload(text ?? "")) : .none))
                continue
            }
            let structured = result.toolUseResult
            for index in indices {
                guard case .tool(var detail) = parts[index].detail else { continue }
                detail.status = failed ? "error" : "completed"
                if failed {
                    detail.error = JSONValue.payload(text ?? "")
                } else {
                    detail.output = text
                }
                detail.endedAt = result.createdAt
                if let start = detail.startedAt.flatMap(ClaudeTranscript.epochMilliseconds),
                   let end = ClaudeTranscript.epochMilliseconds(result.createdAt), end >= start {
                    detail.durationMs = end - start
                }
                if case .object(var fields)? = structured {
                    if let agentID = fields["agentId"]?.stringValue, !agentID.isEmpty {
                        detail.childSessionID = "\(rootSessionID)/agent-\(agentID)"
                    }
                    if !parts[index].fileOperations.isEmpty, let counts = ClaudeTranscript.lineCounts(fields) {
                        parts[index].fileOperations[0].additions = counts.additions
                        parts[index].fileOperations[0].deletions = counts.deletions
                    }
                    for key in ClaudeTranscript.bulkyResultKeys { fields[key] = nil }
                    if !fields.isEmpty { detail.metadata = JSONValue.object(fields).jsonText }
                }
                parts[index].detail = .tool(detail)
            }
        }
    }

    /// The text of a tool result: a string, or its text blocks joined; other content as JSON.
    static func resultText(_ content: JSONValue?) -> String? {
        switch content {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case .array(let items)?:
            let texts = items.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }
            return texts.isEmpty && !items.isEmpty ? content?.jsonText : texts.joined(separator: "\n")
        case let other?: return other.jsonText
        }
    }

    /// Lines added and removed by an edit, from `toolUseResult.structuredPatch` (or a created
    /// file's content).
    static func lineCounts(_ result: [String: JSONValue]) -> (additions: Int64, deletions: Int64)? {
        if case .array(let hunks)? = result["structuredPatch"], !hunks.isEmpty {
            var additions: Int64 = 0
            var deletions: Int64 = 0
            for hunk in hunks {
                guard case .array(let lines)? = hunk["lines"] else { continue }
                for case .string(let line) in lines {
                    if line.hasPrefix("+") { additions += 1 } else if line.hasPrefix("-") { deletions += 1 }
                }
            }
            return (additions, deletions)
        }
        if result["type"]?.stringValue == "create", let content = result["content"]?.stringValue {
            let lines = content.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int64(content.hasSuffix("\n") ? lines.count - 1 : lines.count), 0)
        }
        return nil
    }

    static func epochMilliseconds(_ canonical: String) -> Int64? {
        guard case .instant(let ms)? = CivilTime.parse(canonical) else { return nil }
        return ms
    }

    /// Sub-agent delegations (`Task`, later `Agent`) that no result named: the sub-agents'
    /// `.meta.json` files may carry the `toolUseId` that spawned them.
    mutating func linkDelegationsThroughMeta(rootSessionID: String) {
        var unlinked: [String: [Int]] = [:]
        for (callID, indices) in toolParts {
            for index in indices {
                if case .tool(let detail) = parts[index].detail, detail.childSessionID == nil,
                   detail.tool == "Task" || detail.tool == "Agent" {
                    unlinked[callID, default: []].append(index)
                }
            }
        }
        guard !unlinked.isEmpty, let folder = layout.subagentsFolder,
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names.sorted() where name.hasPrefix("agent-") && name.hasSuffix(".meta.json") {
            let agentID = String(name.dropFirst(6).dropLast(10))
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)),
                  let meta = try? decoder.decode(JSONValue.self, from: data),
                  let toolUseID = meta["toolUseId"]?.stringValue, let indices = unlinked[toolUseID] else { continue }
            for index in indices {
                guard case .tool(var detail) = parts[index].detail else { continue }
                detail.childSessionID = "\(rootSessionID)/agent-\(agentID)"
                parts[index].detail = .tool(detail)
            }
        }
    }
}

// MARK: - Calls

/// One line's share in an API response.
struct CallShare {
    var key: String
    var tokens: TokenCounts
    var cost: Int64?
    var serverToolUse: JSONValue?
    var isSidechain: Bool
}

/// An API response seen on one or more lines of the file.
struct PendingCall {
    var share: CallShare
    var messageID: String
    var model: String?
    var startedAt: String
    var lastAt: String
    var line: Int
    var lines: Int
}

extension ClaudeTranscript {
    /// Counts a response once. Its lines normally repeat the same usage; where streaming wrote an
    /// early snapshot (fewer output tokens), the most complete line — the most output tokens,
    /// the later line on a tie — gives the usage.
    mutating func addCall(_ share: CallShare, messageID: String, model: String?, at: String, line: Int) {
        guard let index = callIndex[share.key] else {
            callIndex[share.key] = calls.count
            calls.append(PendingCall(share: share, messageID: messageID, model: model, startedAt: at, lastAt: at, line: line, lines: 1))
            return
        }
        calls[index].lines += 1
        if at > calls[index].lastAt { calls[index].lastAt = at }
        if at < calls[index].startedAt { calls[index].startedAt = at }
        if (share.tokens.output ?? -1) >= (calls[index].share.tokens.output ?? -1) {
            let earlierCost = calls[index].share.cost
            calls[index].share = share
            if share.cost == nil { calls[index].share.cost = earlierCost }
        }
    }

    func callRecord(_ call: PendingCall, sessionID: String, projectID: String?, agent: String?) -> CallRecord {
        var attributes: [String: JSONValue] = [:]
        if case .object(let counts)? = call.share.serverToolUse,
           counts.values.contains(where: { ($0.int64Value ?? 0) > 0 }) {
            attributes["server_tool_use"] = .object(counts)  // web searches, billed per request
        }
        // Read from a sub-agent transcript: when the same call id also comes from the parent's
        // file, it is a copy, and the parent's row is the one to keep.
        if call.share.isSidechain { attributes["isSidechain"] = .bool(true) }
        return CallRecord(
            id: call.share.key, source: ClaudeProjectsReader.source, sessionID: sessionID, messageID: call.messageID,
            projectID: projectID, provider: ClaudeTranscript.provider(call.model), model: call.model, agent: agent,
            startedAt: call.startedAt, completedAt: call.lastAt > call.startedAt ? call.lastAt : nil,
            tokens: call.share.tokens, reportedCostNanos: call.share.cost, sourceLine: call.line,
            attributes: attributes.isEmpty ? nil : JSONValue.object(attributes).jsonText)
    }
}

// MARK: - The session

extension ClaudeTranscript {
    /// The batch: ids filled in, tool results resolved, the session and its project.
    mutating func finish() -> ReadBatch {
        let sessionID: String
        let parentID: String?
        var agent: String?
        var meta: [String: JSONValue]?
        switch layout.kind {
        case .session(let id):
            sessionID = id
            parentID = nil
        case .subagent(let agentID, let parentFromPath):
            parentID = parentFromPath ?? sessionIDFromLines
            sessionID = parentID.map { "\($0)/agent-\(agentID)" } ?? "agent-\(agentID)"
            if let url = layout.metaURL, let data = try? Data(contentsOf: url),
               case .object(let object)? = try? decoder.decode(JSONValue.self, from: data) {
                meta = object
                agent = object["agentType"]?.stringValue
            }
        }
        let rootSessionID = parentID ?? sessionID
        resolveToolResults(rootSessionID: rootSessionID)
        linkDelegationsThroughMeta(rootSessionID: rootSessionID)

        let projectID = layout.slug(cwd: cwd)
        var out = batch
        out.messages = messages.map { message in
            var m = message
            m.sessionID = sessionID
            m.agent = agent
            return m
        }
        out.parts = parts.map { part in
            var p = part
            p.sessionID = sessionID
            return p
        }
        out.calls = calls.map { callRecord($0, sessionID: sessionID, projectID: projectID, agent: agent) }
        guard !messages.isEmpty else { return out }

        if let projectID {
            out.projects = [ProjectRecord(
                id: projectID, source: ClaudeProjectsReader.source,
                name: cwd.map { URL(fileURLWithPath: $0).lastPathComponent }, directory: cwd)]
        }
        var attributes: [String: JSONValue] = [:]
        if let gitBranch { attributes["gitBranch"] = .string(gitBranch) }
        if case .subagent(let agentID, _) = layout.kind { attributes["agentId"] = .string(agentID) }
        if let meta { attributes["meta"] = .object(meta) }
        out.sessions = [SessionRecord(
            id: sessionID, source: ClaudeProjectsReader.source, projectID: projectID, parentID: parentID,
            title: title(meta: meta), agent: agent, directory: cwd, version: version, startedAt: startedAt,
            updatedAt: updatedAt, attributes: attributes.isEmpty ? nil : JSONValue.object(attributes).jsonText)]
        return out
    }

    /// A title set with `/rename`, else the last summary of a conversation in this file (a summary
    /// whose leaf is elsewhere describes another session: used only when there is no other),
    /// else a sub-agent's task description.
    func title(meta: [String: JSONValue]?) -> String? {
        if let customTitle { return customTitle }
        if let own = summaries.last(where: { $0.leaf.map(messageIDs.contains) ?? false }) { return own.summary }
        if let any = summaries.last { return any.summary }
        return meta?["description"]?.stringValue
    }
}
