import Foundation

/// Builds Codex CLI rollouts (`sessions/YYYY/MM/DD/rollout-<local time>-<uuidv7>.jsonl`, one
/// `{timestamp, type, payload}` per line) with Codex's real habits: a `token_count` with
/// `info: null` before the first call, and after every tool output plus the next
/// `turn_context`, the previous `token_count` written again with unchanged totals (a re-emit,
/// not a call). Usage counts cached input inside input and reasoning inside output.
struct CodexBuilder {
    var rng: DemoRandom
    var totals = DemoCorpus.Totals()
    var sessions = 0
    var reEmits = 0
    var infoNull = 0

    init(rng: DemoRandom) {
        self.rng = rng
    }

    struct Rollout {
        var path: String
        var lines: [DemoJSON]
        /// 1-based lines of token_count events written without `last_token_usage`.
        var withoutLastUsage: [Int]
    }

    private struct Cumulative {
        var input = 0, cached = 0, output = 0, reasoning = 0
        var json: DemoJSON {
            .obj(["input_tokens": .int(input), "cached_input_tokens": .int(cached), "output_tokens": .int(output),
                  "reasoning_output_tokens": .int(reasoning), "total_tokens": .int(input + output)])
        }
    }

    /// A rollout of user turns; `models[i]` is turn i's model (a `/model` switch changes it).
    /// `dropLastUsage` = (turn, call) whose token_count omits `last_token_usage`.
    mutating func rollout(project: DemoProject, start: Int64, models: [String], dropLastUsage: (Int, Int)? = nil) -> Rollout {
        let id = rng.uuid7(epochMilliseconds: start)
        let iso = DemoCalendar.iso(start)
        let name = "rollout-" + String(iso.prefix(19)).replacingOccurrences(of: ":", with: "-") + "-" + id + ".jsonl"
        let path = "\(iso.prefix(4))/\(iso.dropFirst(5).prefix(2))/\(iso.dropFirst(8).prefix(2))/\(name)"
        var lines: [DemoJSON] = []
        var dropped: [Int] = []
        var t = start + Int64(rng.int(100...200))
        func line(_ type: String, _ payload: DemoJSON) {
            lines.append(.obj(["timestamp": .string(DemoCalendar.iso(t)), "type": .string(type), "payload": payload]))
        }
        line("session_meta", .obj([
            "id": .string(id), "timestamp": .string(DemoCalendar.iso(start)), "cwd": .string(project.root), "originator": "codex_cli_rs",
            "cli_version": "0.107.0", "source": "cli", "model_provider": "openai",
            "base_instructions": .obj(["text": "You are Codex, a coding agent based on GPT-5. (shortened)"]),
            "git": .obj(["commit_hash": .string(rng.hex(40)), "branch": "main", "repository_url": .string("git@github.com:example/\(project.name).git")]),
        ]))
        line("response_item", .obj(["type": "message", "role": "developer", "content": [.obj(["type": "input_text", "text": "<permissions instructions>Sandbox: workspace-write. Approvals: on-request.</permissions instructions>"])]]))
        line("response_item", .obj(["type": "message", "role": "user", "content": [.obj(["type": "input_text", "text": .string("<environment_context>\n  <cwd>\(project.root)</cwd>\n  <shell>zsh</shell>\n</environment_context>")])]]))

        var usedPercent = rng.int(1...20)
        func rateLimits() -> DemoJSON {
            .obj([
                "limit_id": "codex", "limit_name": .null,
                "primary": .obj(["used_percent": .number("\(usedPercent).0"), "window_minutes": 300, "resets_at": .int(Int(start / 1000) + 14_400)]),
                "secondary": .obj(["used_percent": .number("\(usedPercent / 3 + 8).0"), "window_minutes": 10080, "resets_at": .int(Int(start / 1000) + 432_000)]),
                "credits": .obj(["has_credits": false, "unlimited": false, "balance": .null]), "plan_type": .null,
            ])
        }
        let task = DemoWorld.task(&rng, in: project)
        var total = Cumulative()
        var context = rng.int(9_000...13_000)
        var cachedPrefix = 0
        for (turn, model) in models.enumerated() {
            let turnID = rng.uuid7(epochMilliseconds: t)
            let prompt = turn == 0 ? task.prompt : rng.pick(DemoWorld.followUps)
            let turnContext = DemoJSON.obj([
                "turn_id": .string(turnID), "cwd": .string(project.root), "approval_policy": "on-request",
                "sandbox_policy": .obj(["type": "workspace-write", "writable_roots": [.string(project.root)], "network_access": false,
                                        "exclude_tmpdir_env_var": false, "exclude_slash_tmp": false]),
                "model": .string(model), "effort": model == "gpt-5" ? "high" : "medium", "summary": "auto",
                "truncation_policy": .obj(["mode": "tokens", "limit": 10000]),
            ])
            line("event_msg", .obj(["type": "task_started", "turn_id": .string(turnID), "model_context_window": 258400, "collaboration_mode_kind": "default"]))
            line("response_item", .obj(["type": "message", "role": "user", "content": [.obj(["type": "input_text", "text": .string(prompt)])]]))
            line("event_msg", .obj(["type": "user_message", "message": .string(prompt), "images": [], "local_images": [], "text_elements": []]))
            t += Int64(rng.int(4...9))
            line("turn_context", turnContext)
            context += prompt.count / 4 + rng.int(20...120)
            if turn == 0 {
                t += Int64(rng.int(300...500))
                line("event_msg", .obj(["type": "token_count", "info": .null, "rate_limits": rateLimits()]))
                infoNull += 1
            }
            let calls = rng.weighted([(1, 15), (2, 35), (3, 35), (4, 15)])
            for call in 0..<calls {
                let isLast = call == calls - 1
                t += Int64(rng.int(2_000...9_000))
                // The call's usage: cached input is inside input, reasoning inside output.
                var last = Cumulative()
                last.input = context
                last.cached = cachedPrefix / 128 * 128
                last.reasoning = rng.int(1...16) * 64
                last.output = last.reasoning + (isLast ? rng.int(80...700) : rng.int(30...260))
                cachedPrefix = context
                context += last.output - last.reasoning
                total.input += last.input
                total.cached += last.cached
                total.output += last.output
                total.reasoning += last.reasoning
                totals.add(DemoUsage(input: last.input - last.cached, output: last.output - last.reasoning, reasoning: last.reasoning, cacheRead: last.cached), model: model)
                usedPercent += rng.int(0...1)
                let drop = dropLastUsage.map { $0 == (turn, call) } ?? false
                let info = DemoJSON.obj([
                    "total_token_usage": total.json, "last_token_usage": drop ? nil : last.json, "model_context_window": 258400,
                ])
                let summary = "**" + rng.pick(["Locating the code", "Reading the tests", "Patching the parser", "Checking the build", "Summarizing the change"]) + "**"
                if isLast {
                    let answer = DemoWorld.answer(&rng, task)
                    line("event_msg", .obj(["type": "agent_message", "message": .string(answer)]))
                    line("response_item", .obj(["type": "message", "role": "assistant", "content": [.obj(["type": "output_text", "text": .string(answer)])], "phase": "final_answer"]))
                    t += Int64(rng.int(4...9))
                    line("event_msg", .obj(["type": "token_count", "info": info, "rate_limits": rateLimits()]))
                    if drop { dropped.append(lines.count) }
                    t += Int64(rng.int(3...8))
                    line("event_msg", .obj(["type": "task_complete", "turn_id": .string(turnID), "last_agent_message": .string(answer)]))
                } else {
                    let callID = "call_" + rng.base62(24)
                    let command = rng.pick(project.commands)
                    line("event_msg", .obj(["type": "agent_reasoning", "text": .string(summary)]))
                    line("response_item", .obj(["type": "reasoning", "summary": [.obj(["type": "summary_text", "text": .string(summary)])], "content": .null, "encrypted_content": .string("gAAAAAB" + rng.base62(64) + "==")]))
                    t += Int64(rng.int(1...4))
                    let arguments = DemoJSON.obj(["cmd": .string(command), "workdir": .string(project.root)]).text(.python)
                    line("response_item", .obj(["type": "function_call", "name": "exec_command", "arguments": .string(arguments), "call_id": .string(callID)]))
                    t += Int64(rng.int(5...15))
                    line("event_msg", .obj(["type": "token_count", "info": info, "rate_limits": rateLimits()]))
                    if drop { dropped.append(lines.count) }
                    t += Int64(rng.int(100...3_000))
                    let output = DemoWorld.commandOutput(&rng, command)
                    line("response_item", .obj(["type": "function_call_output", "call_id": .string(callID), "output": .string(output)]))
                    context += 20 + output.count / 4
                    t += Int64(rng.int(5...12))
                    line("turn_context", turnContext)
                    t += Int64(rng.int(300...600))
                    // The re-emit: the same totals again (not a call).
                    line("event_msg", .obj(["type": "token_count", "info": info, "rate_limits": rateLimits()]))
                    reEmits += 1
                }
            }
            t += Int64(rng.int(60_000...600_000))
        }
        sessions += 1
        return Rollout(path: path, lines: lines, withoutLastUsage: dropped)
    }
}

extension DemoCorpus {
    /// Four Codex rollouts: one switches model with `/model`, one has a token_count without
    /// `last_token_usage`.
    static func writeCodex(seed: UInt64, projects: [DemoProject], out: inout DemoOutput, manifest: inout Manifest) throws {
        var builder = CodexBuilder(rng: DemoRandom(seed: seed, stream: 30))
        let plan: [(DemoProject, Int64, [String], (Int, Int)?)] = [
            (projects[0], DemoCalendar.ms(2026, 1, 14), ["gpt-5-codex", "gpt-5-codex"], nil),
            (projects[1], DemoCalendar.ms(2026, 2, 4), ["gpt-5-codex", "gpt-5", "gpt-5"], nil),
            (projects[2], DemoCalendar.ms(2026, 2, 24), ["gpt-5"], nil),
            (projects[0], DemoCalendar.ms(2026, 3, 18), ["gpt-5-codex", "gpt-5-codex", "gpt-5-codex"], (1, 0)),
        ]
        for (project, day, models, drop) in plan {
            let start = day + 9 * 3_600_000 + Int64(builder.rng.int(0...25_000_000))
            let rollout = builder.rollout(project: project, start: start, models: models, dropLastUsage: drop)
            var bytes: [UInt8] = []
            for line in rollout.lines {
                line.write(into: &bytes, style: .compact)
                bytes.append(0x0A)
            }
            let path = "codex/sessions/" + rollout.path
            try out.write(bytes, to: path)
            manifest.codex.withoutLastUsage += rollout.withoutLastUsage.map { Location(path: path, line: $0) }
        }
        manifest.codex.sessions = builder.sessions
        manifest.codex.reEmits = builder.reEmits
        manifest.codex.infoNull = builder.infoNull
        manifest.codex.totals = builder.totals
    }
}
