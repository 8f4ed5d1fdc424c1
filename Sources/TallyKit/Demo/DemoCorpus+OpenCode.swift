import Foundation

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

    mutating func session(
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
            let items = [task.title, "Write a failing test", "Run the full test suite", "Update the README"]
            session.todos = (0..<count).map { i in
                .obj([
                    "content": .string(items[i]),
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
        let aborted = mayAbort && steps > 1 && rng.chance(0.1)
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
            let planted = forceSubagentFirst && i == 0
            // A planted session runs on a paid model, so its zero roll-ups are wrong on cost too.
            let root = rootSession(project: project, start: t, version: Self.version(day), model: planted ? .sonnet : nil, forceSubagent: planted)
            t = root.updated + Int64(rng.int(600_000...5_400_000))
            roots.append(root)
        }
        return roots
    }
}
