import Foundation

/// Builds Gemini CLI chats in the single-JSON layout (`chatRecordingService.ts`, pretty-printed
/// `ConversationRecord`): `tmp/<SHA-256 of the project root>/chats/session-<start minute>-<first
/// 8 characters of sessionId>.json`. `tokens.input` includes `cached`; `total = input + output
/// + thoughts + tool`.
struct GeminiBuilder {
    var rng: DemoRandom
    var totals = DemoCorpus.Totals()
    var sessions = 0

    init(rng: DemoRandom) {
        self.rng = rng
    }

    /// A chat of `prompts` user prompts; with `fallbackAfter`, Gemini CLI switches from Pro to
    /// Flash after that many prompts (an `info` message, not usage).
    mutating func chat(project: DemoProject, start: Int64, prompts: Int, model: String, fallbackAfter: Int? = nil) -> (path: String, json: DemoJSON) {
        let sessionID = rng.uuid()
        let hash = DemoSHA256.hex(project.root)
        let task = DemoWorld.task(&rng, in: project)
        var model = model
        var messages: [DemoJSON] = []
        var t = start
        var context = rng.int(8_000...12_000)
        var cached = 0
        var lastMessageAt = start
        for p in 0..<prompts {
            if p == fallbackAfter {
                messages.append(.obj([
                    "id": .string(rng.uuid()), "timestamp": .string(DemoCalendar.iso(t)), "type": "info",
                    "content": .string("Automatically switching from \(model) to gemini-2.5-flash for faster responses for the remainder of this session."),
                ]))
                model = "gemini-2.5-flash"
                t += Int64(rng.int(5_000...15_000))
            }
            let prompt = p == 0 ? task.prompt : rng.pick(DemoWorld.followUps)
            messages.append(.obj(["id": .string(rng.uuid()), "timestamp": .string(DemoCalendar.iso(t)), "type": "user", "content": .string(prompt)]))
            context += prompt.count / 4 + rng.int(10...60)
            let replies = rng.int(1...3)
            for r in 0..<replies {
                let isLast = r == replies - 1
                let thinkingAt = t + Int64(rng.int(2_000...8_000))
                t = thinkingAt + Int64(rng.int(3_000...15_000))
                let thoughts = rng.chance(0.85) ? rng.int(100...2_600) : 0
                let output = isLast ? rng.int(150...1_600) : rng.int(60...500)
                let tool = rng.chance(0.15) ? rng.int(1...4) * 64 : 0
                let input = context
                let cachedNow = cached / 1024 * 1024
                cached = input
                context += output
                totals.add(DemoUsage(input: input - cachedNow + tool, output: output, reasoning: thoughts, cacheRead: cachedNow), model: model)
                var fields: [(String, DemoJSON)] = [
                    ("id", .string(rng.uuid())), ("timestamp", .string(DemoCalendar.iso(t))), ("type", "gemini"),
                    ("content", .string(isLast ? DemoWorld.answer(&rng, task) : rng.pick(["Let me read the code first.", "Running the tests.", "Applying the change."]))),
                    ("thoughts", thoughts == 0 ? [] : [.obj([
                        "subject": .string(rng.pick(["Scanning the code", "Finding the cause", "Verifying", "Planning the change"])),
                        "description": .string(DemoWorld.reasoning(&rng, task)), "timestamp": .string(DemoCalendar.iso(thinkingAt)),
                    ])]),
                    ("tokens", .obj([
                        "input": .int(input), "output": .int(output), "cached": .int(cachedNow), "thoughts": .int(thoughts),
                        "tool": .int(tool), "total": .int(input + output + thoughts + tool),
                    ])),
                    ("model", .string(model)),
                ]
                if !isLast {
                    let call = toolCall(project, at: t)
                    fields.append(("toolCalls", [call.json]))
                    context += call.tokens
                    t += Int64(rng.int(500...5_000))
                }
                messages.append(.object(fields))
                lastMessageAt = t
            }
            t += Int64(rng.int(60_000...900_000))
        }
        sessions += 1
        let iso = DemoCalendar.iso(start)
        let name = "session-" + String(iso.prefix(16)).replacingOccurrences(of: ":", with: "-") + "-" + sessionID.prefix(8) + ".json"
        let json = DemoJSON.obj([
            "sessionId": .string(sessionID), "projectHash": .string(hash), "startTime": .string(iso),
            "lastUpdated": .string(DemoCalendar.iso(lastMessageAt + 4)), "messages": .array(messages),
        ])
        return ("\(hash)/chats/\(name)", json)
    }

    private mutating func toolCall(_ project: DemoProject, at t: Int64) -> (json: DemoJSON, tokens: Int) {
        let (name, display): (String, String) = rng.pick([("read_file", "ReadFile"), ("run_shell_command", "Shell"), ("replace", "Edit"), ("search_file_content", "SearchText")])
        let id = "\(name)-\(t)-\(rng.hex(2))"
        let path = project.path(rng.pick(project.files))
        let args: DemoJSON
        let output: String
        switch name {
        case "read_file":
            args = .obj(["absolute_path": .string(path)])
            output = DemoWorld.code(&rng, project, count: rng.int(8...30))
        case "run_shell_command":
            let command = rng.pick(project.commands)
            args = .obj(["command": .string(command)])
            output = DemoWorld.commandOutput(&rng, command)
        case "replace":
            let old = rng.pick(project.code)
            args = .obj(["file_path": .string(path), "old_string": .string(old), "new_string": .string(old + "\n" + rng.pick(project.code))])
            output = "Successfully modified file: \(path) (1 replacements)."
        default:
            args = .obj(["pattern": .string(rng.pick(["TODO", "func ", "total"]))])
            output = "Found \(rng.int(1...9)) matches"
        }
        let json = DemoJSON.obj([
            "id": .string(id), "name": .string(name), "args": args,
            "result": [.obj(["functionResponse": .obj(["id": .string(id), "name": .string(name), "response": .obj(["output": .string(output)])])])],
            "status": "success", "timestamp": .string(DemoCalendar.iso(t + Int64(rng.int(200...3_000)))),
            "resultDisplay": .string(output), "displayName": .string(display), "description": "",
            "renderOutputAsMarkdown": .bool(name != "run_shell_command"),
        ])
        return (json, 20 + output.count / 4)
    }
}

extension DemoCorpus {
    /// Three Gemini CLI chats in two projects; one falls back from Pro to Flash.
    static func writeGemini(seed: UInt64, projects: [DemoProject], out: inout DemoOutput, manifest: inout Manifest) throws {
        var builder = GeminiBuilder(rng: DemoRandom(seed: seed, stream: 40))
        let plan: [(DemoProject, Int64, String, Int, Int?)] = [
            (projects[0], DemoCalendar.ms(2026, 1, 21), "gemini-2.5-pro", 2, nil),
            (projects[2], DemoCalendar.ms(2026, 2, 17), "gemini-2.5-pro", 4, 2),
            (projects[0], DemoCalendar.ms(2026, 3, 12), "gemini-2.5-flash", 3, nil),
        ]
        for (project, day, model, prompts, fallback) in plan {
            let start = day + 10 * 3_600_000 + Int64(builder.rng.int(0...20_000_000))
            let chat = builder.chat(project: project, start: start, prompts: prompts, model: model, fallbackAfter: fallback)
            try out.write(chat.json.bytes(.pretty) + [0x0A], to: "gemini/tmp/" + chat.path)
        }
        manifest.gemini.sessions = builder.sessions
        manifest.gemini.totals = builder.totals
    }
}
