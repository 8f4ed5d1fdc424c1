import Foundation

/// OpenCode tool parts: the tool calls of a step, with the input, output, title and metadata
/// each OpenCode tool records (`tool/*.ts`), and `task` delegations to sub-agent sessions.
extension OpenCodeBuilder {
    struct ToolResult {
        var record: OpenCodeRecord
        var outputTokens: Int
        var edit: (file: String, before: String, after: String)?
    }

    mutating func toolPart(
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
