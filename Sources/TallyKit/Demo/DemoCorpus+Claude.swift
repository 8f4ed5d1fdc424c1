import Foundation

/// One line of a Claude Code transcript; `responseKey` (`message.id` + `requestId`) is set on
/// assistant lines of a real API response, so the demo can find a response spread over lines.
struct DemoClaudeLine {
    var json: DemoJSON
    var responseKey: String?
}

struct DemoClaudeTranscript {
    var sessionID: String
    var project: DemoProject
    var lines: [DemoClaudeLine] = []
    /// `<sessionId>/subagents/agent-<agentId>.jsonl` and its `.meta.json`.
    var subagents: [(agentID: String, agentType: String, lines: [DemoClaudeLine])] = []
    /// 0-based index of the `<synthetic>` line, if any.
    var syntheticLine: Int?

    var path: String { "\(project.claudeSlug)/\(sessionID).jsonl" }
    func subagentPath(_ agentID: String, ext: String) -> String { "\(project.claudeSlug)/\(sessionID)/subagents/agent-\(agentID).\(ext)" }
}

/// Builds Claude Code 2.x transcripts: each API response written as one line per content block
/// (thinking, text, tool_use), all repeating the same `message.id`, `requestId` and `usage`
/// (count once); tool results as user lines with `toolUseResult`; `Task` delegations as
/// sidechain transcripts under `subagents/`; 5-minute or 1-hour cache writes in
/// `usage.cache_creation` (a 5-minute cache expires between prompts more than 5 minutes apart).
struct ClaudeBuilder {
    var rng: DemoRandom
    var totals = DemoCorpus.Totals()
    var sessions = 0
    var subagents = 0
    var lines = 0
    /// Tool output size multiplier (1 for the demo; larger for benchmarks).
    var verbosity = 1

    init(rng: DemoRandom) {
        self.rng = rng
    }

    /// Model ids as the API returns them, with their list-price names.
    static let sonnet = ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")
    static let opus = ("claude-opus-4-5-20251101", "claude-opus-4-5")
    static let haiku = ("claude-haiku-4-5-20251001", "claude-haiku-4-5")

    static func version(_ ms: Int64) -> String {
        switch ms {
        case ..<DemoCalendar.ms(2026, 1, 20): "2.0.76"
        case ..<DemoCalendar.ms(2026, 2, 16): "2.1.9"
        default: "2.1.31"
        }
    }

    /// What every line of one transcript repeats.
    private struct Context {
        var sessionID: String
        var project: DemoProject
        var version: String
        var branch: String
        var agentID: String?
        var model: (id: String, list: String)
        var oneHourCache: Bool
        /// Prompt size of the previous call (what the cache holds) and when it was made.
        var cached = 0
        var lastCall: Int64 = 0
        var context: Int
    }

    // MARK: - Sessions

    /// A session of `prompts` user prompts starting at `start`.
    mutating func session(project: DemoProject, start: Int64, prompts: Int, oneHourCache: Bool, synthetic: Bool = false) -> DemoClaudeTranscript {
        let sessionID = rng.uuid()
        var transcript = DemoClaudeTranscript(sessionID: sessionID, project: project)
        var c = Context(
            sessionID: sessionID, project: project, version: Self.version(start),
            branch: rng.weighted([("main", 3), ("feat/" + rng.pick(["json-output", "faster-sync", "credit-notes", "date-picker"]), 2)]),
            model: rng.weighted([(Self.sonnet, 7), (Self.opus, 3)]), oneHourCache: oneHourCache, context: rng.int(15_000...21_000))
        let task = DemoWorld.task(&rng, in: project)
        var t = start
        var parent: String?
        var out: [DemoClaudeLine] = []
        let delegateAt = rng.chance(0.45) ? rng.int(0...(prompts - 1)) : -1
        for p in 0..<prompts {
            let prompt = p == 0 ? task.prompt : (synthetic && p == 2 ? "continue" : rng.pick(DemoWorld.followUps))
            let userUUID = rng.uuid()
            let iso = DemoCalendar.iso(t)
            out.append(DemoClaudeLine(json: .obj([
                "type": "file-history-snapshot", "messageId": .string(userUUID),
                "snapshot": .obj(["messageId": .string(userUUID), "trackedFileBackups": .obj([:]), "timestamp": .string(iso)]),
                "isSnapshotUpdate": false,
            ])))
            out.append(DemoClaudeLine(json: userLine(c, parent: parent, uuid: userUUID, at: t, content: .string(prompt))))
            parent = userUUID
            c.context += prompt.count / 4 + rng.int(10...80)
            t += Int64(rng.int(1_500...4_000))
            if synthetic, p == 1 {
                let uuid = rng.uuid()
                transcript.syntheticLine = out.count
                out.append(DemoClaudeLine(json: .obj([
                    "parentUuid": .string(userUUID), "isSidechain": false, "userType": "external", "cwd": .string(project.root),
                    "sessionId": .string(sessionID), "version": .string(c.version), "gitBranch": .string(c.branch), "type": "assistant",
                    "uuid": .string(uuid), "timestamp": .string(DemoCalendar.iso(t)),
                    "message": .obj([
                        "id": .string(rng.uuid()), "model": "<synthetic>", "role": "assistant", "stop_reason": "stop_sequence",
                        "stop_sequence": "", "type": "message",
                        "usage": .obj([
                            "input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                            "server_tool_use": .obj(["web_search_requests": 0]), "service_tier": .null,
                        ]),
                        "content": [.obj(["type": "text", "text": "API Error: 529 Overloaded"])],
                    ]),
                    "isApiErrorMessage": true,
                ])))
                parent = uuid
                t += Int64(rng.int(30_000...120_000))
                continue
            }
            let responses = rng.weighted([(1, 10), (2, 25), (3, 30), (4, 20), (5, 15)])
            t = turn(&c, task: task, responses: responses, delegate: p == delegateAt, at: t, parent: &parent, into: &out, transcript: &transcript)
            t += Int64(rng.int(45_000...900_000))
        }
        if rng.chance(0.3), let leaf = out.last?.json["uuid"] {
            out.insert(DemoClaudeLine(json: .obj(["type": "summary", "summary": .string(task.title), "leafUuid": leaf])), at: 0)
            transcript.syntheticLine = transcript.syntheticLine.map { $0 + 1 }
        }
        transcript.lines = out
        sessions += 1
        lines += out.count
        return transcript
    }

    /// The assistant's work on one prompt: `responses` API calls, each followed by the results
    /// of its tool calls; returns the time after the last one.
    private mutating func turn(
        _ c: inout Context, task: DemoTask, responses: Int, delegate: Bool, at start: Int64, parent: inout String?,
        into out: inout [DemoClaudeLine], transcript: inout DemoClaudeTranscript
    ) -> Int64 {
        var t = start
        var delegatePending = delegate && responses > 1
        for r in 0..<responses {
            let isLast = r == responses - 1
            var blocks: [DemoJSON] = []
            if r == 0, rng.chance(0.5) {
                blocks.append(.obj(["type": "thinking", "thinking": .string(DemoWorld.reasoning(&rng, task)), "signature": .string("Eq" + rng.base62(60))]))
            }
            var tools: [(id: String, name: String, input: DemoJSON)] = []
            if isLast {
                blocks.append(.obj(["type": "text", "text": .string(DemoWorld.answer(&rng, task))]))
            } else {
                if rng.chance(0.4) {
                    blocks.append(.obj(["type": "text", "text": .string(rng.pick(["Let me look at the code first.", "I'll run the tests.", "Now I'll make the change."]))]))
                }
                let count = c.agentID != nil ? 1 : rng.weighted([(1, 70), (2, 30)])
                for _ in 0..<count {
                    let name: String
                    if delegatePending {
                        name = "Task"
                        delegatePending = false
                    } else if c.agentID != nil {
                        name = rng.weighted([("Grep", 4), ("Read", 5), ("Glob", 2)])
                    } else {
                        name = rng.weighted([("Read", 30), ("Grep", 12), ("Glob", 5), ("Bash", 22), ("Edit", 20), ("Write", 4), ("TodoWrite", 4)])
                    }
                    let id = "toolu_01" + rng.base62(22)
                    let input = toolInput(name, c.project, task)
                    tools.append((id, name, input))
                    blocks.append(.obj(["type": "tool_use", "id": .string(id), "name": .string(name), "input": input]))
                }
            }
            let usage = callUsage(&c, at: t, isLast: isLast)
            totals.add(usage, model: c.model.list)
            let messageID = "msg_01" + rng.base62(22)
            let requestID = "req_011C" + rng.base62(20)
            for (i, block) in blocks.enumerated() {
                let uuid = rng.uuid()
                let stop: DemoJSON = isLast && i == blocks.count - 1 ? "end_turn" : .null
                var fields: [(String, DemoJSON)] = envelopeHead(c, parent: parent)
                fields += [
                    ("message", .obj([
                        "model": .string(c.model.id), "id": .string(messageID), "type": "message", "role": "assistant",
                        "content": [block], "stop_reason": stop, "stop_sequence": .null, "usage": Self.usageJSON(usage),
                    ])),
                    ("requestId", .string(requestID)), ("type", "assistant"), ("uuid", .string(uuid)),
                    ("timestamp", .string(DemoCalendar.iso(t))),
                ]
                if let agent = c.agentID { fields.append(("agentId", .string(agent))) }
                out.append(DemoClaudeLine(json: .object(fields), responseKey: messageID + requestID))
                parent = uuid
                t += Int64(rng.int(200...1_500))
            }
            var added = 0
            for tool in tools {
                let result = toolResult(tool.name, id: tool.id, input: tool.input, c: c, task: task, at: &t, transcript: &transcript)
                let uuid = rng.uuid()
                var extra: [(String, DemoJSON)] = [("toolUseResult", result.detail)]
                if let agent = c.agentID { extra.append(("agentId", .string(agent))) }
                out.append(DemoClaudeLine(json: userLine(c, parent: parent, uuid: uuid, at: t, content: [result.block], extra: extra)))
                parent = uuid
                added += result.tokens
                t += Int64(rng.int(100...900))
            }
            c.context += added
            t += Int64(rng.int(1_000...6_000))
        }
        return t
    }

    /// Anthropic's usage for the next call: a few uncached input tokens, the previous prompt read
    /// from cache while it is alive, the rest written to cache.
    private mutating func callUsage(_ c: inout Context, at t: Int64, isLast: Bool) -> DemoUsage {
        let ttl: Int64 = c.oneHourCache ? 3_600_000 : 300_000
        if t - c.lastCall > ttl { c.cached = 0 }
        var u = DemoUsage()
        u.input = rng.int(1...10)
        u.cacheRead = c.cached
        u.cacheWrite = max(0, c.context - u.cacheRead - u.input)
        u.cacheWrite1h = c.oneHourCache ? u.cacheWrite : 0
        u.output = isLast ? rng.int(90...1_400) : rng.int(30...520)
        c.cached = c.context
        c.lastCall = t
        c.context += u.output
        return u
    }

    static func usageJSON(_ u: DemoUsage) -> DemoJSON {
        .obj([
            "input_tokens": .int(u.input), "cache_creation_input_tokens": .int(u.cacheWrite),
            "cache_read_input_tokens": .int(u.cacheRead),
            "cache_creation": .obj(["ephemeral_5m_input_tokens": .int(u.cacheWrite - u.cacheWrite1h), "ephemeral_1h_input_tokens": .int(u.cacheWrite1h)]),
            "output_tokens": .int(u.output), "service_tier": "standard",
        ])
    }

    private func envelopeHead(_ c: Context, parent: String?) -> [(String, DemoJSON)] {
        [
            ("parentUuid", parent.map(DemoJSON.string) ?? .null), ("isSidechain", .bool(c.agentID != nil)), ("userType", "external"),
            ("cwd", .string(c.project.root)), ("sessionId", .string(c.sessionID)), ("version", .string(c.version)),
            ("gitBranch", .string(c.branch)),
        ]
    }

    private func userLine(_ c: Context, parent: String?, uuid: String, at t: Int64, content: DemoJSON, extra: [(String, DemoJSON)] = []) -> DemoJSON {
        var fields = envelopeHead(c, parent: parent)
        fields += [
            ("type", "user"), ("message", .obj(["role": "user", "content": content])), ("uuid", .string(uuid)),
            ("timestamp", .string(DemoCalendar.iso(t))),
        ]
        if c.agentID != nil, extra.isEmpty { fields.append(("agentId", .string(c.agentID!))) }
        return .object(fields + extra)
    }

    // MARK: - Tools

    private mutating func toolInput(_ name: String, _ project: DemoProject, _ task: DemoTask) -> DemoJSON {
        let path = project.path(rng.pick(project.files))
        switch name {
        case "Read": return .obj(["file_path": .string(path)])
        case "Grep": return .obj(["pattern": .string(rng.pick(["func ", "TODO", "total", "import"])), "output_mode": "content", "-n": true])
        case "Glob": return .obj(["pattern": .string("**/*." + (path.split(separator: ".").last.map(String.init) ?? "md"))])
        case "Bash":
            let command = rng.pick(project.commands)
            return .obj(["command": .string(command), "description": .string(command.contains("test") ? "Run the tests" : "Run \(command)")])
        case "Edit":
            let old = rng.pick(project.code)
            return .obj(["file_path": .string(path), "old_string": .string(old), "new_string": .string(old + "\n" + rng.pick(project.code))])
        case "Write": return .obj(["file_path": .string(path), "content": .string(DemoWorld.code(&rng, project, count: 6 * verbosity))])
        case "TodoWrite":
            return .obj(["todos": [
                .obj(["content": .string(task.title), "status": "in_progress", "activeForm": .string("Working on " + task.feature)]),
                .obj(["content": "Run the tests", "status": "pending", "activeForm": "Running the tests"]),
            ]])
        default:
            return .obj([
                "description": .string("Find \(task.feature)"), "prompt": .string("Locate \(task.feature) and list the files involved"),
                "subagent_type": .string(rng.weighted([("Explore", 3), ("general-purpose", 1)])),
            ])
        }
    }

    /// The `tool_result` block, the line's `toolUseResult`, and the tokens it adds to the context.
    private mutating func toolResult(
        _ name: String, id: String, input: DemoJSON, c: Context, task: DemoTask, at t: inout Int64, transcript: inout DemoClaudeTranscript
    ) -> (block: DemoJSON, detail: DemoJSON, tokens: Int) {
        let project = c.project
        let path = input["file_path"]?.stringValue ?? project.root
        func ok(_ text: String, _ detail: DemoJSON) -> (DemoJSON, DemoJSON, Int) {
            (.obj(["tool_use_id": .string(id), "type": "tool_result", "content": .string(text)]), detail, 20 + text.utf8.count / 4)
        }
        func failed(_ text: String) -> (DemoJSON, DemoJSON, Int) {
            (.obj(["type": "tool_result", "content": .string(text), "is_error": true, "tool_use_id": .string(id)]), .string("Error: " + text), 30)
        }
        t += Int64(rng.int(30...400))
        switch name {
        case "Read":
            let count = rng.int(10...60) * verbosity
            let start = rng.int(1...80)
            let code = (0..<count).map { _ in rng.pick(project.code) }
            let numbered = code.enumerated().map { i, line in
                let n = String(start + i)
                return String(repeating: " ", count: max(0, 6 - n.count)) + n + "→" + line
            }.joined(separator: "\n")
            return ok(numbered, .obj(["type": "text", "file": .obj([
                "filePath": .string(path), "content": .string(code.joined(separator: "\n")), "numLines": .int(count),
                "startLine": .int(start), "totalLines": .int(start + count + rng.int(0...200)),
            ])]))
        case "Grep":
            let n = rng.int(1...8)
            let text = (0..<n).map { _ in "\(project.path(rng.pick(project.files))):\(rng.int(1...300)):\(rng.pick(project.code))" }.joined(separator: "\n")
            return ok(text, .obj(["mode": "content", "numFiles": 0, "filenames": [], "content": .string(text), "numLines": .int(n)]))
        case "Glob":
            let files = project.files.prefix(rng.int(1...project.files.count)).map(project.path)
            return ok(files.joined(separator: "\n"), .obj([
                "filenames": .array(files.map(DemoJSON.string)), "durationMs": .int(rng.int(5...90)), "numFiles": .int(files.count), "truncated": false,
            ]))
        case "Bash":
            t += Int64(rng.int(500...20_000))
            if rng.chance(0.08) { return failed("Exit code 1\n\(DemoWorld.commandOutput(&rng, "make"))error: build failed") }
            let stdout = DemoWorld.commandOutput(&rng, input["command"]?.stringValue ?? "")
            return ok(stdout, .obj(["stdout": .string(stdout), "stderr": "", "interrupted": false, "isImage": false]))
        case "Edit":
            if rng.chance(0.08) { return failed("<tool_use_error>String to replace not found in file.</tool_use_error>") }
            let old = input["old_string"]?.stringValue ?? "", new = input["new_string"]?.stringValue ?? ""
            let line = rng.int(3...200)
            return ok("The file \(path) has been updated. Here's the result of running `cat -n` on a snippet of the edited file:\n\(String(repeating: " ", count: 3))\(line)→\(new)", .obj([
                "filePath": .string(path), "oldString": .string(old), "newString": .string(new),
                "originalFile": .string(DemoWorld.code(&rng, project, count: 8 * verbosity)),
                "structuredPatch": [.obj([
                    "oldStart": .int(line), "oldLines": 1, "newStart": .int(line), "newLines": 2,
                    "lines": [.string(" " + old), .string("+" + new.split(separator: "\n").last.map(String.init)!)],
                ])],
                "userModified": false, "replaceAll": false,
            ]))
        case "Write":
            let content = input["content"]?.stringValue ?? ""
            return ok("File created successfully at: \(path)", .obj(["type": "create", "filePath": .string(path), "content": .string(content), "structuredPatch": []]))
        case "TodoWrite":
            return ok("Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress. Please proceed with the current tasks if applicable", .obj([
                "oldTodos": [], "newTodos": [.obj(["content": .string(task.title), "status": "in_progress", "activeForm": .string("Working on " + task.feature)])],
            ]))
        default:
            return delegate(id: id, c: c, task: task, at: &t, transcript: &transcript)
        }
    }

    /// Runs a `Task` sub-agent: its sidechain transcript goes to `subagents/agent-<id>.jsonl`.
    private mutating func delegate(id: String, c parent: Context, task: DemoTask, at t: inout Int64, transcript: inout DemoClaudeTranscript) -> (block: DemoJSON, detail: DemoJSON, tokens: Int) {
        let agentID = "a" + rng.hex(6)
        let agentType = rng.weighted([("Explore", 3), ("general-purpose", 1)])
        let prompt = "Locate \(task.feature) and list the files involved"
        var c = Context(
            sessionID: parent.sessionID, project: parent.project, version: parent.version, branch: parent.branch, agentID: agentID,
            model: agentType == "Explore" ? Self.haiku : Self.sonnet, oneHourCache: false, context: rng.int(9_000...13_000))
        let started = t
        var lines: [DemoClaudeLine] = []
        let first = rng.uuid()
        lines.append(DemoClaudeLine(json: userLine(c, parent: nil, uuid: first, at: t, content: .string(prompt))))
        var parentUUID: String? = first
        t = turn(&c, task: task, responses: rng.int(2...4), delegate: false, at: t + Int64(rng.int(150...400)), parent: &parentUUID, into: &lines, transcript: &transcript)
        transcript.subagents.append((agentID, agentType, lines))
        subagents += 1
        self.lines += lines.count
        // The last response's usage, as Claude Code reports it in the Task result.
        let lastUsage = lines.last(where: { $0.responseKey != nil })?.json["message"]?["usage"] ?? .obj([:])
        func int(_ key: String) -> Int { if case .int(let i)? = lastUsage[key] { i } else { 0 } }
        let answer = lines.last(where: { $0.responseKey != nil })?.json["message"]?["content"].flatMap { content -> String? in
            if case .array(let blocks) = content { return blocks.first?["text"]?.stringValue }
            return nil
        } ?? ""
        let detail = DemoJSON.obj([
            "status": "completed", "prompt": .string(prompt), "agentId": .string(agentID),
            "totalDurationMs": .int(Int(t - started)),
            "totalTokens": .int(int("input_tokens") + int("cache_creation_input_tokens") + int("cache_read_input_tokens") + int("output_tokens")),
            "totalToolUseCount": .int(lines.filter { $0.json["type"]?.stringValue == "user" }.count - 1),
            "usage": .obj([
                "input_tokens": .int(int("input_tokens")), "cache_creation_input_tokens": .int(int("cache_creation_input_tokens")),
                "cache_read_input_tokens": .int(int("cache_read_input_tokens")), "output_tokens": .int(int("output_tokens")),
            ]),
        ])
        return (.obj(["tool_use_id": .string(id), "type": "tool_result", "content": [.obj(["type": "text", "text": .string(answer)])]]), detail, 30 + answer.count / 4)
    }
}
