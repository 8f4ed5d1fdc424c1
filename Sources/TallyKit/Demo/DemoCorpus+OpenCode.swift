import Foundation

// MARK: - Records

/// OpenCode's identifiers (`src/id/id.ts`): prefix, 12 hex digits of `ms × 0x1000 + counter`
/// (bit-inverted for sessions, so the newest sorts first), then 14 random base62 characters.
struct OpenCodeIDs {
    private var lastMs: Int64 = -1
    private var counter: UInt64 = 0

    mutating func make(_ prefix: String, at ms: Int64, descending: Bool = false, _ rng: inout DemoRandom) -> String {
        if ms != lastMs {
            lastMs = ms
            counter = 0
        }
        counter += 1
        var value = UInt64(ms) &* 0x1000 &+ counter
        if descending { value = ~value }
        return prefix + "_" + DemoRandom.hex(value & 0xFFFF_FFFF_FFFF, width: 12) + rng.base62(14)
    }
}

/// One stored OpenCode object: its id, its database times and its JSON as the tree stores it.
struct OpenCodeRecord {
    var id: String
    var created: Int64
    var updated: Int64
    var json: DemoJSON
}

struct OpenCodeMessage {
    var record: OpenCodeRecord
    var parts: [OpenCodeRecord]
    /// The message's own `tokens` (the last step's) and `cost` (Σ steps), for session rollups.
    var tokens = DemoUsage()
    var cost: Int64 = 0
    var stepCount = 0
}

struct OpenCodeSession {
    var id: String
    var project: DemoProject
    var parentID: String?
    var slug: String
    var title: String
    var version: String
    var created: Int64
    var updated: Int64
    var summary: (additions: Int, deletions: Int, files: Int)?
    var messages: [OpenCodeMessage] = []
    var children: [OpenCodeSession] = []
    /// `session_diff/<id>.json` entries and `todo/<id>.json` items (roots only).
    var diffs: [DemoJSON] = []
    var todos: [DemoJSON] = []

    /// The session object as `session/<projectID>/<id>.json` holds it.
    var json: DemoJSON {
        .obj([
            "id": .string(id), "version": .string(version), "projectID": .string(project.openCodeID),
            "directory": .string(project.root), "parentID": parentID.map(DemoJSON.string), "title": .string(title),
            "time": .obj(["created": .int(Int(created)), "updated": .int(Int(updated))]),
            "summary": summary.map { .obj(["additions": .int($0.additions), "deletions": .int($0.deletions), "files": .int($0.files)]) },
        ])
    }

    /// This session and all its descendants, parents first.
    var tree: [OpenCodeSession] {
        [self] + children.flatMap(\.tree)
    }

    /// Σ of the messages' own cost and tokens: the naive rollup (last-step tokens only).
    var naiveRollup: (cost: Int64, tokens: DemoUsage) {
        var tokens = DemoUsage()
        var cost: Int64 = 0
        for m in messages {
            cost += m.cost
            tokens.input += m.tokens.input
            tokens.output += m.tokens.output
            tokens.reasoning += m.tokens.reasoning
            tokens.cacheRead += m.tokens.cacheRead
            tokens.cacheWrite += m.tokens.cacheWrite
        }
        return (cost, tokens)
    }
}

/// A provider and model as OpenCode names them, with the list-priced model its tokens are
/// billed as (nil `listModel` never happens for the demo's models) and whether the provider
/// reports a cost (subscriptions such as GitHub Copilot store 0).
struct OpenCodeModel {
    enum Family { case anthropic, openai, google }
    var providerID: String
    var modelID: String
    var listModel: String
    var family: Family
    var reportsCost = true

    static let sonnet = OpenCodeModel(providerID: "anthropic", modelID: "claude-sonnet-4-5", listModel: "claude-sonnet-4-5", family: .anthropic)
    static let opus = OpenCodeModel(providerID: "anthropic", modelID: "claude-opus-4-5", listModel: "claude-opus-4-5", family: .anthropic)
    static let haiku = OpenCodeModel(providerID: "anthropic", modelID: "claude-haiku-4-5", listModel: "claude-haiku-4-5", family: .anthropic)
    static let gpt5 = OpenCodeModel(providerID: "openai", modelID: "gpt-5", listModel: "gpt-5", family: .openai)
    static let gpt5mini = OpenCodeModel(providerID: "openai", modelID: "gpt-5-mini", listModel: "gpt-5-mini", family: .openai)
    static let geminiPro = OpenCodeModel(providerID: "google", modelID: "gemini-2.5-pro", listModel: "gemini-2.5-pro", family: .google)
    static let geminiFlash = OpenCodeModel(providerID: "google", modelID: "gemini-2.5-flash", listModel: "gemini-2.5-flash", family: .google)
    static let copilotSonnet = OpenCodeModel(providerID: "github-copilot", modelID: "claude-sonnet-4.5", listModel: "claude-sonnet-4-5", family: .anthropic, reportsCost: false)
    static let copilotMini = OpenCodeModel(providerID: "github-copilot", modelID: "gpt-5-mini", listModel: "gpt-5-mini", family: .openai, reportsCost: false)

    static let mix: [(OpenCodeModel, Int)] = [
        (.sonnet, 34), (.opus, 10), (.haiku, 5), (.gpt5, 14), (.gpt5mini, 7), (.geminiPro, 10), (.geminiFlash, 6),
        (.copilotSonnet, 9), (.copilotMini, 5),
    ]

    /// The model a sub-agent of this one runs on.
    var subagent: OpenCodeModel {
        switch (providerID, family) {
        case ("anthropic", _): .haiku
        case ("openai", _): .gpt5mini
        case ("google", _): .geminiFlash
        default: self
        }
    }
}

// MARK: - Builder

/// Builds OpenCode sessions (messages, parts, sub-agent sessions) the way OpenCode's processor
/// records them: one assistant message per prompt, one step-start/step-finish pair per LLM call,
/// the message `cost` the sum of its steps and its `tokens` overwritten by each step (trap 1).
/// The same records feed the JSON tree, the SQLite database and the benchmark corpora.
struct OpenCodeBuilder {
    var rng: DemoRandom
    var ids = OpenCodeIDs()
    /// Every step-finish: one LLM call each.
    var totals = DemoCorpus.Totals()
    var sessions = 0
    var messages = 0
    var parts = 0
    /// Text size multiplier for tool output (1 for the demo; larger for benchmarks).
    var verbosity = 1

    init(rng: DemoRandom) {
        self.rng = rng
    }

    /// Context state of one session's conversation (tokens in the prompt so far).
    private struct Conversation {
        var context: Int
        var lastPrompt = 0
        var snapshot: String
    }

    /// A root session (and its sub-agent sessions) starting at `start`.
    mutating func rootSession(
        project: DemoProject, start: Int64, version: String, model: OpenCodeModel? = nil, forceSubagent: Bool = false
    ) -> OpenCodeSession {
        let model = model ?? rng.weighted(OpenCodeModel.mix)
        let task = DemoWorld.task(&rng, in: project)
        let exchanges = max(forceSubagent ? 2 : 1, rng.weighted([(1, 25), (2, 40), (3, 25), (4, 10)]))
        let agent = task.title.hasPrefix("Explain") ? "plan" : "build"
        return session(
            project: project, task: task, model: model, agent: agent, start: start, version: version,
            parentID: nil, exchanges: exchanges, subagentAt: forceSubagent || rng.chance(0.3) ? 0 : nil)
    }

    private mutating func session(
        project: DemoProject, task: DemoTask, model: OpenCodeModel, agent: String, start: Int64, version: String,
        parentID: String?, exchanges: Int, subagentAt: Int?
    ) -> OpenCodeSession {
        let id = ids.make("ses", at: start, descending: true, &rng)
        let isChild = parentID != nil
        var session = OpenCodeSession(
            id: id, project: project, parentID: parentID, slug: slug(), title: task.title,
            version: version, created: start, updated: start)
        sessions += 1
        var conversation = Conversation(context: rng.int(9_000...14_000), snapshot: rng.hex(40))
        var t = start + Int64(rng.int(40...120))
        var edits: [(file: String, before: String, after: String)] = []
        for exchange in 0..<exchanges {
            let prompt = exchange == 0 ? task.prompt : rng.pick(DemoWorld.followUps)
            let result = self.exchange(
                session: &session, task: task, prompt: prompt, model: model, agent: agent, at: t,
                conversation: &conversation, withSubagent: subagentAt == exchange, isFirst: exchange == 0,
                mayAbort: !isChild && exchange == exchanges - 1, edits: &edits)
            t = result + Int64(rng.int(20_000...600_000))
            session.updated = result + Int64(rng.int(50...900))
        }
        if !isChild, !edits.isEmpty {
            var files: [String] = []
            for e in edits where !files.contains(e.file) { files.append(e.file) }
            session.summary = (edits.count, edits.count / 3, files.count)
            session.diffs = files.map { file in
                let own = edits.filter { $0.file == file }
                return .obj([
                    "file": .string(file), "before": .string(own[0].before), "after": .string(own[own.count - 1].after),
                    "additions": .int(own.count), "deletions": .int(own.count / 3),
                ])
            }
        }
        if !isChild, rng.chance(0.3) {
            let count = rng.int(2...4)
            session.todos = (0..<count).map { i in
                .obj([
                    "content": .string(i == 0 ? task.title : rng.pick(DemoWorld.followUps)),
                    "status": .string(i < count - 1 ? "completed" : rng.pick(["in_progress", "pending", "completed"])),
                    "priority": .string(rng.pick(["high", "medium", "low"])), "id": .string(String(i + 1)),
                ])
            }
        }
        return session
    }

    /// One prompt and its assistant message; returns the time the message completed.
    private mutating func exchange(
        session: inout OpenCodeSession, task: DemoTask, prompt: String, model: OpenCodeModel, agent: String, at start: Int64,
        conversation: inout Conversation, withSubagent: Bool, isFirst: Bool, mayAbort: Bool,
        edits: inout [(file: String, before: String, after: String)]
    ) -> Int64 {
        let isChild = session.parentID != nil
        let project = session.project
        // The user message.
        let userID = ids.make("msg", at: start, &rng)
        var userParts: [OpenCodeRecord] = []
        let textID = ids.make("prt", at: start + 1, &rng)
        userParts.append(OpenCodeRecord(id: textID, created: start + 1, updated: start + 1, json: .obj([
            "id": .string(textID), "sessionID": .string(session.id), "messageID": .string(userID), "type": "text",
            "text": .string(prompt),
        ])))
        if !isChild, isFirst, rng.chance(0.3) {
            let path = project.path(task.file)
            let syntheticID = ids.make("prt", at: start + 2, &rng)
            userParts.append(OpenCodeRecord(id: syntheticID, created: start + 2, updated: start + 2, json: .obj([
                "id": .string(syntheticID), "sessionID": .string(session.id), "messageID": .string(userID), "type": "text",
                "synthetic": true, "text": .string("Called the Read tool with the following input: {\"filePath\":\"\(path)\"}"),
            ])))
            let fileID = ids.make("prt", at: start + 3, &rng)
            let mention = "@" + task.file
            userParts.append(OpenCodeRecord(id: fileID, created: start + 3, updated: start + 3, json: .obj([
                "id": .string(fileID), "sessionID": .string(session.id), "messageID": .string(userID), "type": "file",
                "mime": "text/plain", "filename": .string(task.file), "url": .string("file://" + path),
                "source": .obj([
                    "type": "file", "path": .string(task.file),
                    "text": .obj(["value": .string(mention), "start": .int(prompt.count + 1), "end": .int(prompt.count + 1 + mention.count)]),
                ]),
            ])))
        }
        let userJSON = DemoJSON.obj([
            "id": .string(userID), "sessionID": .string(session.id), "role": "user", "time": .obj(["created": .int(Int(start))]),
            "summary": isChild ? nil : .obj(["title": .string(isFirst ? task.title : String(prompt.prefix(60))), "diffs": []]),
            "agent": .string(agent),
            "model": .obj(["providerID": .string(model.providerID), "modelID": .string(model.modelID)]),
            "tools": isChild ? .obj(["todowrite": false, "todoread": false, "task": false]) : nil,
        ])
        session.messages.append(OpenCodeMessage(record: OpenCodeRecord(id: userID, created: start, updated: start, json: userJSON), parts: userParts))
        messages += 1
        parts += userParts.count
        conversation.context += prompt.count / 4 + rng.int(20...200)

        // The assistant message: steps of tool calls, then a final answer.
        let created = start + Int64(rng.int(90...400))
        let messageID = ids.make("msg", at: created, &rng)
        var message = OpenCodeMessage(record: OpenCodeRecord(id: messageID, created: created, updated: created, json: .null), parts: [])
        var t = created + Int64(rng.int(150...900))
        let steps = isChild ? rng.int(2...3) : max(withSubagent ? 2 : 1, rng.weighted([(1, 15), (2, 30), (3, 30), (4, 15), (5, 10)]))
        let aborted = mayAbort && steps > 1 && rng.chance(0.05)
        let thinks = model.family != .anthropic || rng.chance(0.5)
        var subagentPending = withSubagent
        func part(_ at: Int64, _ fields: [(String, DemoJSON)], updated: Int64? = nil) -> OpenCodeRecord {
            let id = ids.make("prt", at: at, &rng)
            let head: [(String, DemoJSON)] = [("id", .string(id)), ("sessionID", .string(session.id)), ("messageID", .string(messageID))]
            return OpenCodeRecord(id: id, created: at, updated: updated ?? at, json: .object(head + fields))
        }
        if !isChild, rng.chance(0.03) {
            message.parts.append(part(t, [
                ("type", "retry"), ("attempt", 1),
                ("error", .obj(["name": "APIError", "data": .obj(["message": "Overloaded", "statusCode": 529, "isRetryable": true])])),
                ("time", .obj(["created": .int(Int(t))])),
            ]))
            t += Int64(rng.int(1_000...4_000))
        }
        for step in 1...steps {
            let isLast = step == steps
            message.parts.append(part(t, [("type", "step-start"), ("snapshot", .string(conversation.snapshot))]))
            t += Int64(rng.int(300...1_500))
            if thinks, step == 1 || rng.chance(0.4) {
                let end = t + Int64(rng.int(800...6_000))
                var fields: [(String, DemoJSON)] = [("type", "reasoning"), ("text", .string(DemoWorld.reasoning(&rng, task)))]
                switch model.family {
                case .anthropic: fields.append(("metadata", .obj(["anthropic": .obj(["signature": .string("Ep" + rng.base62(40) + "...")])])))
                case .openai: fields.append(("metadata", .obj(["openai": .obj(["itemId": .string("rs_" + rng.hex(48))])])))
                case .google: break
                }
                fields.append(("time", .obj(["start": .int(Int(t)), "end": .int(Int(end))])))
                message.parts.append(part(t, fields, updated: end))
                t = end + Int64(rng.int(20...200))
            }
            var added = 0
            var edited: [String] = []
            if isLast && !aborted {
                let end = t + Int64(rng.int(1_500...25_000))
                message.parts.append(part(t, [
                    ("type", "text"), ("text", .string(isChild ? "Found it: " + DemoWorld.answer(&rng, task) : DemoWorld.answer(&rng, task))),
                    ("time", .obj(["start": .int(Int(t)), "end": .int(Int(end))])),
                ], updated: end))
                t = end
            } else {
                let tools = isChild ? 1 : rng.weighted([(1, 70), (2, 30)])
                for i in 0..<tools {
                    let kind: String
                    if subagentPending, !isChild {
                        kind = "task"
                        subagentPending = false
                    } else if aborted && isLast && i == tools - 1 {
                        kind = "bash"
                    } else if isChild {
                        kind = rng.weighted([("read", 5), ("grep", 4), ("glob", 2)])
                    } else {
                        kind = rng.weighted([("read", 30), ("grep", 14), ("glob", 6), ("bash", 20), ("edit", 18), ("write", 4), ("list", 3)])
                    }
                    let tool = toolPart(
                        kind, session: session, task: task, model: model, messageID: messageID, at: t,
                        forceError: aborted && isLast && i == tools - 1, into: &session.children)
                    message.parts.append(tool.record)
                    added += tool.outputTokens
                    t = tool.record.updated + Int64(rng.int(30...400))
                    if let e = tool.edit {
                        edited.append(project.path(e.file))
                        edits.append(e)
                    }
                }
            }
            // The LLM call behind this step.
            let usage = stepUsage(model: model, conversation: &conversation, isLast: isLast, thinks: thinks)
            conversation.context += added
            let cost = model.reportsCost ? usage.cost(model.listModel) : 0
            totals.add(usage, model: model.listModel)
            totals.reportedCostNanos += cost
            message.cost += cost
            message.tokens = usage
            message.stepCount += 1
            // An edit moves the worktree to a new snapshot; the patch names the one before.
            let before = conversation.snapshot
            if !edited.isEmpty { conversation.snapshot = rng.hex(40) }
            message.parts.append(part(t, [
                ("type", "step-finish"), ("reason", .string(isLast && !aborted ? "stop" : "tool-calls")),
                ("snapshot", .string(conversation.snapshot)), ("cost", .usd(cost)), ("tokens", Self.tokensJSON(usage)),
            ]))
            t += Int64(rng.int(5...60))
            if !edited.isEmpty {
                message.parts.append(part(t, [("type", "patch"), ("hash", .string(before)), ("files", .array(edited.map(DemoJSON.string)))]))
                t += Int64(rng.int(5...40))
            }
        }
        let completed = t + Int64(rng.int(20...250))
        message.record.updated = completed
        message.record.json = .obj([
            "id": .string(messageID), "sessionID": .string(session.id), "role": "assistant",
            "time": .obj(["created": .int(Int(created)), "completed": .int(Int(completed))]),
            "parentID": .string(userID),
            "error": aborted ? .obj(["name": "MessageAbortedError", "data": .obj(["message": "The operation was aborted."])]) : nil,
            "modelID": .string(model.modelID), "providerID": .string(model.providerID), "mode": .string(agent), "agent": .string(agent),
            "path": .obj(["cwd": .string(project.root), "root": .string(project.isGit ? project.root : "/")]),
            "cost": .usd(message.cost), "tokens": Self.tokensJSON(message.tokens),
            "finish": aborted ? nil : "stop",
        ])
        messages += 1
        parts += message.parts.count
        session.messages.append(message)
        return completed
    }

    /// The tokens of one LLM call, shaped like each provider reports them, growing the context.
    private mutating func stepUsage(model: OpenCodeModel, conversation: inout Conversation, isLast: Bool, thinks: Bool) -> DemoUsage {
        let prompt = conversation.context
        var usage = DemoUsage()
        usage.output = isLast ? rng.int(120...1_100) : rng.int(40...420)
        switch model.family {
        case .anthropic:
            usage.input = rng.int(1...12)
            usage.cacheRead = conversation.lastPrompt
            usage.cacheWrite = max(0, prompt - usage.cacheRead - usage.input)
        case .openai:
            usage.cacheRead = conversation.lastPrompt / 1024 * 1024
            usage.input = prompt - usage.cacheRead
            usage.reasoning = thinks ? rng.int(64...1_800) : 0
        case .google:
            usage.cacheRead = rng.chance(0.6) ? conversation.lastPrompt * 9 / 10 / 1024 * 1024 : 0
            usage.input = prompt - usage.cacheRead
            usage.reasoning = rng.int(120...2_400)
        }
        conversation.lastPrompt = prompt
        conversation.context = prompt + usage.output
        return usage
    }

    static func tokensJSON(_ u: DemoUsage) -> DemoJSON {
        .obj([
            "input": .int(u.input), "output": .int(u.output), "reasoning": .int(u.reasoning),
            "cache": .obj(["read": .int(u.cacheRead), "write": .int(u.cacheWrite)]),
        ])
    }

    private mutating func slug() -> String {
        rng.pick(["calm", "brave", "quiet", "swift", "bright", "gentle", "bold", "misty", "sunny", "lucky", "proud", "clever"])
            + "-" + rng.pick(["harbor", "falcon", "meadow", "river", "comet", "lantern", "canyon", "otter", "maple", "nebula", "pixel"])
    }

    // MARK: - Tool parts

    private struct ToolResult {
        var record: OpenCodeRecord
        var outputTokens: Int
        var edit: (file: String, before: String, after: String)?
    }

    private mutating func toolPart(
        _ kind: String, session: OpenCodeSession, task: DemoTask, model: OpenCodeModel, messageID: String, at start: Int64,
        forceError: Bool, into children: inout [OpenCodeSession]
    ) -> ToolResult {
        let project = session.project
        let partID = ids.make("prt", at: start, &rng)
        let callID: String = switch model.family {
        case .anthropic: "toolu_01" + rng.base62(22)
        case .openai: "call_" + rng.base62(24)
        case .google: "tool_" + rng.base62(16)
        }
        let file = rng.pick(project.files)
        let path = project.path(file)
        var input: DemoJSON
        var output = ""
        var title = file
        var metadata: DemoJSON = .obj([:])
        var duration = rng.int(15...120)
        var edit: (file: String, before: String, after: String)?
        var tokens = rng.int(80...400)
        var error: String?

        switch kind {
        case "read":
            let lines = rng.int(8...40) * verbosity
            output = "<file>\n" + DemoWorld.numberedCode(&rng, project, count: lines) + "\n</file>"
            input = .obj(["filePath": .string(path)])
            metadata = .obj(["preview": .string(rng.pick(project.code))])
            tokens = lines * 12
            if rng.chance(0.05) { error = "Error: File not found: \(path)" }
        case "grep":
            let pattern = rng.pick(["func total", "TODO", task.feature.split(separator: " ").last.map(String.init) ?? "main", "import"])
            let matches = rng.int(1...9)
            output = "Found \(matches) matches\n\(path):\n" + (1...matches).map { _ in "  Line \(rng.int(1...300)): \(rng.pick(project.code))" }.joined(separator: "\n")
            input = .obj(["pattern": .string(pattern), "include": rng.chance(0.5) ? .string("*." + (file.split(separator: ".").last.map(String.init) ?? "txt")) : nil])
            title = pattern
            metadata = .obj(["matches": .int(matches), "truncated": false])
            tokens = 30 + matches * 25
        case "glob":
            let pattern = "**/*." + (file.split(separator: ".").last.map(String.init) ?? "txt")
            let found = project.files.filter { $0.hasSuffix(String(pattern.dropFirst(4))) }
            output = found.map(project.path).joined(separator: "\n")
            input = .obj(["pattern": .string(pattern)])
            title = pattern
            metadata = .obj(["count": .int(found.count), "truncated": false])
            tokens = 20 + found.count * 15
        case "list":
            output = project.root + "/\n" + project.files.map { "  " + $0 }.joined(separator: "\n")
            input = .obj(["path": .string(project.root)])
            title = project.root
            metadata = .obj(["count": .int(project.files.count), "truncated": false])
            tokens = 30 + project.files.count * 10
        case "bash":
            let command = rng.pick(project.commands)
            let description = command.contains("test") ? "Run the test suite" : "Run \(command.split(separator: " ").first ?? "")"
            output = DemoWorld.commandOutput(&rng, command)
            input = .obj(["command": .string(command), "description": .string(description)])
            title = command
            metadata = .obj(["output": .string(output), "exit": 0, "description": .string(description)])
            duration = rng.int(400...25_000)
            tokens = 40 + output.count / 4
            if forceError || rng.chance(0.06) { error = "Error: The user rejected permission to use this specific tool call." }
        case "edit", "write":
            let before = DemoWorld.code(&rng, project, count: 3)
            let added = rng.pick(project.code)
            let after = before + "\n" + added
            if kind == "edit" {
                let old = String(before.split(separator: "\n").last ?? "")
                input = .obj(["filePath": .string(path), "oldString": .string(old), "newString": .string(old + "\n" + added)])
                let line = rng.int(3...200)
                metadata = .obj([
                    "diagnostics": .obj([:]),
                    "diff": .string("Index: \(path)\n===================================================================\n--- \(path)\n+++ \(path)\n@@ -\(line),1 +\(line),2 @@\n \(old)\n+\(added)\n"),
                    "filediff": .obj(["file": .string(path), "before": .string(before), "after": .string(after), "additions": 1, "deletions": 0]),
                ])
                if rng.chance(0.08) { error = "Error: oldString not found in content" }
            } else {
                input = .obj(["content": .string(after), "filePath": .string(path)])
                metadata = .obj(["diagnostics": .obj([:]), "filepath": .string(path), "exists": .bool(rng.chance(0.5))])
            }
            if error == nil { edit = (file, before, after) }
            duration = rng.int(40...300)
            tokens = 60 + after.count / 4
        default: // "task": delegate to a sub-agent session
            let agent = rng.weighted([("explore", 3), ("general", 1)])
            let description = "Find \(task.feature) code"
            let prompt = "Find where \(task.feature) is implemented and how it is called. Return file paths and line numbers."
            let childModel = agent == "explore" ? model.subagent : model
            let childTask = DemoTask(title: "\(description) (@\(agent) subagent)", prompt: prompt, feature: task.feature, file: task.file)
            let child = self.session(
                project: project, task: childTask, model: childModel, agent: agent, start: start + Int64(rng.int(40...150)),
                version: session.version, parentID: session.id, exchanges: 1, subagentAt: nil)
            let result = child.messages.last?.parts.compactMap { $0.json["type"]?.stringValue == "text" ? $0.json["text"]?.stringValue : nil }.last ?? ""
            output = "task_id: \(child.id) (for resuming to continue this task if needed)\n\n<task_result>\n\(result)\n</task_result>"
            input = .obj(["description": .string(description), "prompt": .string(prompt), "subagent_type": .string(agent)])
            title = description
            metadata = .obj([
                "sessionId": .string(child.id),
                "model": .obj(["modelID": .string(childModel.modelID), "providerID": .string(childModel.providerID)]),
            ])
            duration = Int(child.updated - start) + rng.int(100...400)
            tokens = 40 + result.count / 4
            children.append(child)
        }

        let end = start + Int64(duration)
        let state: DemoJSON
        if let error {
            state = .obj(["status": "error", "input": input, "error": .string(error), "time": .obj(["start": .int(Int(start)), "end": .int(Int(end))])])
            tokens = 30
        } else {
            state = .obj([
                "status": "completed", "input": input, "output": .string(output), "title": .string(title), "metadata": metadata,
                "time": .obj(["start": .int(Int(start)), "end": .int(Int(end))]),
            ])
        }
        let json = DemoJSON.obj([
            "id": .string(partID), "sessionID": .string(session.id), "messageID": .string(messageID), "type": "tool",
            "callID": .string(callID), "tool": .string(kind), "state": state,
        ])
        return ToolResult(record: OpenCodeRecord(id: partID, created: start, updated: end, json: json), outputTokens: tokens, edit: edit)
    }
}

extension DemoCorpus.Totals {
    /// Adds another format's or builder's totals.
    mutating func merge(_ other: DemoCorpus.Totals) {
        calls += other.calls
        input += other.input
        output += other.output
        reasoning += other.reasoning
        cacheRead += other.cacheRead
        cacheWrite += other.cacheWrite
        cacheWrite1h += other.cacheWrite1h
        totalTokens += other.totalTokens
        listCostNanos += other.listCostNanos
        reportedCostNanos += other.reportedCostNanos
    }
}

// MARK: - Scheduling

extension OpenCodeBuilder {
    /// How often each project is worked on.
    static func projectWeights(_ projects: [DemoProject]) -> [(DemoProject, Int)] {
        zip(projects, [45, 30, 20, 5]).map { ($0, $1) }
    }

    /// The OpenCode release a user ran on a day: 1.1.x for the JSON tree, 1.2.x (SQLite, with
    /// session roll-up columns from 1.2.16) from March.
    static func version(_ ms: Int64) -> String {
        switch ms {
        case ..<DemoCalendar.ms(2026, 1, 15): "1.1.6"
        case ..<DemoCalendar.ms(2026, 2, 1): "1.1.14"
        case ..<DemoCalendar.ms(2026, 2, 15): "1.1.25"
        case ..<DemoCalendar.ms(2026, 3, 1): "1.1.36"
        case ..<DemoCalendar.ms(2026, 3, 14): "1.2.16"
        default: "1.2.21"
        }
    }

    /// One working day's root sessions, one after another from mid-morning.
    /// `firstProject` forces the project of the day's first session.
    mutating func day(
        _ day: Int64, sessions count: Int, projects: [DemoProject], firstProject: DemoProject? = nil, forceSubagentFirst: Bool = false
    ) -> [OpenCodeSession] {
        var t = day + 8 * 3_600_000 + Int64(rng.int(1_800_000...7_200_000))
        var roots: [OpenCodeSession] = []
        for i in 0..<count {
            let weighted = rng.weighted(Self.projectWeights(projects))
            let project = i == 0 ? firstProject ?? weighted : weighted
            let root = rootSession(project: project, start: t, version: Self.version(day), forceSubagent: forceSubagentFirst && i == 0)
            t = root.updated + Int64(rng.int(600_000...5_400_000))
            roots.append(root)
        }
        return roots
    }
}
