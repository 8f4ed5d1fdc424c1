import Foundation
import Testing
@testable import TallyKit

/// `ClaudeProjectsReader` against Tests/Samples/claude (totals computed by hand from the lines)
/// and small constructed transcripts for the traps and bad input.
@Suite struct ClaudeProjectsReaderTests {
    static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/claude")
    static let projects = samples.appendingPathComponent("projects")
    static let realExcerpt = projects.appendingPathComponent("-Users-dev-src-agent-workflows/cfa1e878-62b5-4e40-b281-bbf9b250d766.jsonl")
    static let tokenbench = projects.appendingPathComponent("-Users-dev-src-tokenbench")
    static let mainSession = tokenbench.appendingPathComponent("7d1c2f0e-5b8a-4c3e-9f21-0a6b4d8e2c17.jsonl")
    static let subagent = tokenbench.appendingPathComponent("7d1c2f0e-5b8a-4c3e-9f21-0a6b4d8e2c17/subagents/agent-a3f9c21.jsonl")
    static let legacy = tokenbench.appendingPathComponent("2f6a9c1e-0d3b-4e7a-b5c8-9e1f2a3b4c5d.jsonl")
    static let parentID = "7d1c2f0e-5b8a-4c3e-9f21-0a6b4d8e2c17"
    static let childID = "7d1c2f0e-5b8a-4c3e-9f21-0a6b4d8e2c17/agent-a3f9c21"

    let reader = ClaudeProjectsReader()

    // MARK: Helpers

    struct Totals: Equatable, CustomStringConvertible {
        var calls = 0
        var input: Int64 = 0
        var output: Int64 = 0
        var reasoning: Int64 = 0
        var cacheRead: Int64 = 0
        var cacheWrite: Int64 = 0
        var cacheWrite1h: Int64 = 0
        var total: Int64 = 0
        var description: String {
            "calls \(calls) in \(input) out \(output) reasoning \(reasoning) read \(cacheRead) write \(cacheWrite) write1h \(cacheWrite1h) total \(total)"
        }
    }

    func totals(_ calls: [CallRecord]) -> [String: Totals] {
        var out: [String: Totals] = [:]
        for call in calls {
            var t = out[call.model ?? "?", default: Totals()]
            t.calls += 1
            t.input += call.tokens.input ?? 0
            t.output += call.tokens.output ?? 0
            t.reasoning += call.tokens.reasoning ?? 0
            t.cacheRead += call.tokens.cacheRead ?? 0
            t.cacheWrite += call.tokens.cacheWrite ?? 0
            t.cacheWrite1h += call.tokens.cacheWrite1h ?? 0
            t.total += call.tokens.total
            out[call.model ?? "?"] = t
        }
        return out
    }

    func readAll(_ root: URL) throws -> ReadBatch {
        var batch = ReadBatch()
        for input in try reader.inputs(under: root) { batch.append(try reader.read(input)) }
        return batch
    }

    func tool(_ batch: ReadBatch, _ callID: String) -> ToolCallDetail? {
        for part in batch.parts {
            if case .tool(let detail) = part.detail, detail.callID == callID { return detail }
        }
        return nil
    }

    /// A temporary folder holding the given files (path relative to it → lines or bytes).
    func fixture(_ files: [String: [String]], bytes: [String: Data] = [:]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("claude-reader-\(UUID().uuidString)")
        for (path, lines) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        }
        for (path, data) in bytes {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        return root
    }

    static let envelope = #""isSidechain":false,"cwd":"/Users/dev/src/fx","sessionId":"11111111-1111-4111-8111-111111111111","version":"2.0.76""#

    /// An assistant line; `usage` is the JSON text of the usage object.
    static func assistant(
        uuid: String, at: String = "2026-03-05T10:00:01.000Z", id: String? = "msg_A", request: String? = "req_A",
        model: String = "claude-sonnet-4-5-20250929", usage: String = #"{"input_tokens":10,"output_tokens":20,"cache_creation_input_tokens":30,"cache_read_input_tokens":40}"#,
        content: String = #"[{"type":"text","text":"ok"}]"#, extra: String = ""
    ) -> String {
        let idField = id.map { #""id":"\#($0)","# } ?? ""
        let requestField = request.map { #","requestId":"\#($0)""# } ?? ""
        return #"{"parentUuid":null,\#(envelope),"type":"assistant","uuid":"\#(uuid)","timestamp":"\#(at)","message":{\#(idField)"type":"message","role":"assistant","model":"\#(model)","content":\#(content),"stop_reason":null,"usage":\#(usage)}\#(requestField)\#(extra)}"#
    }

    static func user(uuid: String, at: String = "2026-03-05T10:00:00.000Z", content: String = #""hello""#, extra: String = "") -> String {
        #"{"parentUuid":null,\#(envelope),"type":"user","uuid":"\#(uuid)","timestamp":"\#(at)","message":{"role":"user","content":\#(content)}\#(extra)}"#
    }

    // MARK: - The samples

    @Test func inputsUnderClaudeHomeProjectsFolderAndSingleFile() throws {
        let expected = [
            Self.realExcerpt, Self.legacy, Self.subagent, Self.mainSession,
        ].map(\.path).sorted()
        #expect(try reader.inputs(under: Self.samples).map(\.path) == expected)  // like ~/.claude
        #expect(try reader.inputs(under: Self.projects).map(\.path) == expected)
        #expect(try reader.inputs(under: Self.legacy).map(\.path) == [Self.legacy.path])
        #expect(try reader.inputs(under: Self.subagent.deletingPathExtension().appendingPathExtension("meta.json")).isEmpty)
    }

    @Test func realExcerptCountsEachResponseOnce() throws {
        let batch = try reader.read(Self.realExcerpt)
        // 10 lines, 7 of them assistant lines, written by 4 API responses.
        #expect(batch.records == 10)
        #expect(batch.rejections.isEmpty)
        #expect(batch.messages.filter { $0.role == .assistant }.count == 7)
        #expect(batch.calls.map(\.id) == [
            "msg_01UEW7khEaq2scDXdByVaATi:req_011CUKdBDkx47fo5CR13SAns",
            "msg_01XjvytSLtruAi4HVpMs4LJc:req_011CUKdBSiJvj1e7o692Gw9d",
            "msg_016s5eVR2dEB4RbiJkWPwgMf:req_011CUKdDSzjdQDj5azZsPxFW",
            "msg_01Fug8GaAX9QhQZkU8jDdRYU:req_011CUKdDyVHp1kgp5xL7WFV5",
        ])
        // Counting every line would give 7 calls and 103,754 tokens.
        #expect(totals(batch.calls) == ["claude-sonnet-4-5-20250929": Totals(
            calls: 4, input: 19, output: 33, reasoning: 0, cacheRead: 51_306, cacheWrite: 7_853, cacheWrite1h: 0, total: 59_211)])

        let first = try #require(batch.calls.first)
        #expect(first.messageID == "1962a5d2-635d-460b-b663-6e7208ddff76")
        #expect(first.sessionID == "cfa1e878-62b5-4e40-b281-bbf9b250d766")
        #expect(first.projectID == "-Users-dev-src-agent-workflows")
        #expect(first.provider == "anthropic")
        #expect(first.startedAt == "2025-10-21T03:21:29.233Z")
        #expect(first.completedAt == "2025-10-21T03:21:29.990Z")
        #expect(first.sourceLine == 2)
        #expect(first.reportedCostNanos == nil)
        #expect(batch.calls[1].completedAt == nil)  // a response written on one line
    }

    @Test func realExcerptSessionMessagesAndTools() throws {
        let batch = try reader.read(Self.realExcerpt)
        #expect(batch.projects == [ProjectRecord(
            id: "-Users-dev-src-agent-workflows", source: "claude", name: "agent-workflows", directory: "/Users/dev/src/agent-workflows")])
        let session = try #require(batch.sessions.first)
        #expect(batch.sessions.count == 1)
        #expect(session.id == "cfa1e878-62b5-4e40-b281-bbf9b250d766")
        #expect(session.parentID == nil)
        #expect(session.title == nil)
        #expect(session.version == "2.0.14")
        #expect(session.startedAt == "2025-10-21T03:21:27.040Z")
        #expect(session.updatedAt == "2025-10-21T03:22:08.688Z")
        #expect(session.attributes == #"{"gitBranch":"main"}"#)

        #expect(batch.messages.map(\.role) == [.user, .assistant, .assistant, .tool, .assistant, .assistant, .assistant, .tool, .assistant, .assistant])
        #expect(batch.messages.map(\.sourceLine) == Array(1...10))
        let reply = batch.messages[1]
        #expect(reply.id == "1962a5d2-635d-460b-b663-6e7208ddff76")
        #expect(reply.parentID == "40100391-dfab-4f01-8ce8-7c6f2b1a5e8c")
        #expect(reply.model == "claude-sonnet-4-5-20250929")
        #expect(reply.createdAt == "2025-10-21T03:21:29.233Z")

        // 3 text parts and 5 tool uses; the two tool results completed their tool uses.
        #expect(batch.parts.map(\.type) == ["text", "text", "tool_use", "text", "tool_use", "tool_use", "tool_use", "tool_use"])
        #expect(batch.parts.first?.detail == .text("Hey", synthetic: false))
        let title = try #require(tool(batch, "toolu_01VZ4mZBZtXjHzEgB2dFd6Bs"))
        #expect(title.tool == "mcp__happy__change_title")
        #expect(title.input == #"{"title":"New Chat Session"}"#)
        #expect(title.status == "completed")
        #expect(title.output == #"Successfully changed chat title to: "New Chat Session""#)
        #expect(title.startedAt == "2025-10-21T03:21:29.990Z")
        #expect(title.endedAt == "2025-10-21T03:21:30.144Z")
        #expect(title.durationMs == 154)
        let todo = try #require(tool(batch, "toolu_0116WEyb81Mah8Hb9u29YXyW"))
        #expect(todo.status == "completed")
        #expect(todo.durationMs == 323)
        #expect(todo.metadata == #"{"newTodos":[{"activeForm":"Exploring codebase structure and understanding project layout","content":"Explore codebase structure and understand project layout","status":"in_progress"}],"oldTodos":[]}"#)
        #expect(tool(batch, "toolu_011YYBysX3VvgEUTM9L2iWCJ")?.status == nil)  // its result is not in the excerpt
        let read = try #require(batch.parts.last)
        #expect(read.fileOperations == [FileOperationRecord(path: "/Users/dev/src/agent-workflows/package.json", operation: "read")])
        #expect(read.id == "6ea1e438-5f17-4209-8c2d-aa8f85c32839:0")
    }

    @Test func tokenbenchSessionWithSummaryThinkingTaskAndSynthetic() throws {
        let batch = try reader.read(Self.mainSession)
        // summary, file-history-snapshot, 2 user, 4 assistant and 1 <synthetic> line: all indexed.
        #expect(batch.records == 9)
        #expect(batch.indexed == 9)
        #expect(batch.messages.count == 7)
        let session = try #require(batch.sessions.first)
        #expect(session.id == Self.parentID)
        #expect(session.title == "Add JSON output to report command")
        #expect(session.startedAt == "2025-12-10T10:03:21.000Z")
        #expect(session.updatedAt == "2025-12-10T10:05:00.000Z")

        // Thinking, text and Task tool use are one response (3 lines): one call. <synthetic> is none.
        #expect(batch.calls.map(\.id) == [
            "msg_01Tq8JzXkP4mWc2nR7sVb9aD:req_011CVw3Jd8mK2pQx7rT5nY1Z",
            "msg_01Lk3Vb7Yn2Qw8Ep5Rt1Zx6C:req_011CVw3N1aB2cD3eF4gH5iJ6",
        ])
        #expect(totals(batch.calls) == ["claude-sonnet-4-5-20250929": Totals(
            calls: 2, input: 9, output: 513, reasoning: 0, cacheRead: 33_540, cacheWrite: 5_940, cacheWrite1h: 0, total: 40_002)])
        #expect(!batch.calls.contains { $0.model == "<synthetic>" })
        let synthetic = try #require(batch.messages.last)
        #expect(synthetic.model == "<synthetic>")
        #expect(synthetic.error == #"{"data":{"message":"API Error: 529 Overloaded"},"name":"APIError"}"#)
        #expect(batch.parts.last?.detail == .text("API Error: 529 Overloaded", synthetic: true))

        #expect(batch.parts.map(\.type) == ["text", "thinking", "text", "tool_use", "text", "text"])
        #expect(batch.parts[1].detail == .thinking("Need to find the command first.", startedAt: nil, endedAt: nil))
        // The Task tool use names the sub-agent session its result's toolUseResult.agentId started.
        let task = try #require(tool(batch, "toolu_01Se7Hq2Wk9Lm4Nb6Vc8Xz3R"))
        #expect(task.tool == "Task")
        #expect(task.childSessionID == Self.childID)
        #expect(task.status == "completed")
        #expect(task.output == "ReportCommand is in Sources/Report/ReportCommand.swift:12")
        #expect(task.durationMs == 32_703)
        #expect(task.metadata == #"{"agentId":"a3f9c21","prompt":"Locate the report subcommand definition","status":"completed","totalDurationMs":32710,"totalTokens":18342,"totalToolUseCount":2,"usage":{"cache_creation_input_tokens":1210,"cache_read_input_tokens":16990,"input_tokens":4,"output_tokens":138}}"#)
    }

    @Test func subagentTranscriptIsAChildSession() throws {
        let batch = try reader.read(Self.subagent)
        #expect(batch.records == 3)
        #expect(batch.rejections.isEmpty)
        let session = try #require(batch.sessions.first)
        #expect(session.id == Self.childID)
        #expect(session.parentID == Self.parentID)
        #expect(session.agent == "Explore")
        #expect(session.projectID == "-Users-dev-src-tokenbench")
        #expect(session.attributes == #"{"agentId":"a3f9c21","gitBranch":"main","meta":{"agentType":"Explore","spawnDepth":1}}"#)
        #expect(batch.messages.allSatisfy { $0.sessionID == Self.childID && $0.agent == "Explore" })
        #expect(batch.messages.first?.attributes == #"{"isSidechain":true}"#)
        #expect(batch.calls.allSatisfy { $0.sessionID == Self.childID && $0.agent == "Explore" })
        #expect(batch.calls.allSatisfy { $0.attributes == #"{"isSidechain":true}"# })
        // Its calls add up to what the parent's Task result reports (totalTokens 18,342), and that
        // report is not counted again as a call of the parent.
        #expect(totals(batch.calls) == ["claude-haiku-4-5-20251001": Totals(
            calls: 2, input: 4, output: 138, reasoning: 0, cacheRead: 16_990, cacheWrite: 1_210, cacheWrite1h: 0, total: 18_342)])
    }

    @Test func legacyLineKeepsItsReportedCost() throws {
        let batch = try reader.read(Self.legacy)
        let call = try #require(batch.calls.first)
        #expect(batch.calls.count == 1)
        #expect(call.id == "msg_01AbCdEfGhIjKlMnOpQrStUv:req_011CQ1aB2cD3eF4gH5iJ6kL7")
        #expect(call.reportedCostNanos == 12_521_100)  // costUSD 0.0125211
        #expect(call.tokens == TokenCounts(input: 4, output: 97, reasoning: 0, cacheRead: 11_200, cacheWrite: 2_048))
        #expect(call.tokens.cacheWrite1h == nil)  // 1.0.x gives no cache_creation split
        #expect(call.tokens.total == 13_349)
        #expect(batch.messages.first?.parentID == "c0000000-0000-4c00-8000-000000000000")
        #expect(batch.sessions.first?.version == "1.0.17")
    }

    @Test func wholeSampleTree() throws {
        let batch = try readAll(Self.samples)
        #expect(batch.records == 23)  // 10 + 1 + 9 + 3 lines
        #expect(batch.rejections.isEmpty)
        #expect(totals(batch.calls) == [
            "claude-sonnet-4-5-20250929": Totals(calls: 6, input: 28, output: 546, cacheRead: 84_846, cacheWrite: 13_793, total: 99_213),
            "claude-haiku-4-5-20251001": Totals(calls: 2, input: 4, output: 138, cacheRead: 16_990, cacheWrite: 1_210, total: 18_342),
            "claude-sonnet-4-20250514": Totals(calls: 1, input: 4, output: 97, cacheRead: 11_200, cacheWrite: 2_048, total: 13_349),
        ])
        #expect(batch.calls.reduce(0) { $0 + $1.tokens.total } == 130_904)
        #expect(Set(batch.calls.map(\.id)).count == batch.calls.count)
        #expect(batch.calls.compactMap(\.reportedCostNanos) == [12_521_100])
        #expect(batch.sessions.map(\.id).sorted() == [
            "2f6a9c1e-0d3b-4e7a-b5c8-9e1f2a3b4c5d", Self.parentID, Self.childID, "cfa1e878-62b5-4e40-b281-bbf9b250d766",
        ].sorted())
        #expect(Set(batch.messages.map(\.id)).count == batch.messages.count)
        #expect(Set(batch.parts.map(\.id)).count == batch.parts.count)
    }

    @Test func readingTwiceGivesTheSameRecords() throws {
        let a = try reader.read(Self.mainSession)
        let b = try reader.read(Self.mainSession)
        #expect(a.messages == b.messages && a.parts == b.parts && a.calls == b.calls && a.sessions == b.sessions)
    }

    // MARK: - Traps

    @Test func oneHourCacheWritesAreKeptApart() throws {
        let root = try fixture(["projects/-Users-dev-src-fx/s1.jsonl": [
            Self.assistant(uuid: "a1", usage: #"{"input_tokens":5,"output_tokens":7,"cache_creation_input_tokens":3000,"cache_read_input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000}}"#),
            Self.assistant(uuid: "a2", id: "msg_B", request: "req_B", usage: #"{"input_tokens":5,"output_tokens":7,"cache_creation_input_tokens":300,"cache_read_input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":400}}"#),
        ]])
        defer { try? FileManager.default.removeItem(at: root) }
        let batch = try readAll(root)
        #expect(batch.calls.map(\.tokens) == [
            TokenCounts(input: 5, output: 7, reasoning: 0, cacheRead: 100, cacheWrite: 3000, cacheWrite1h: 2000)
        ])
        #expect(batch.calls.first?.tokens.total == 3112)
        #expect(batch.rejections.map(\.reason) == ["usage.cache_creation.ephemeral_1h_input_tokens (400) exceeds the cache writes (300)"])
        #expect(batch.rejections.map(\.line) == [2])
    }

    @Test func aStreamingSnapshotIsTheSameCallWithItsFinalUsage() throws {
        let early = #"{"input_tokens":2,"output_tokens":5,"cache_read_input_tokens":45958,"cache_creation_input_tokens":0}"#
        let final = #"{"input_tokens":2,"output_tokens":90,"cache_read_input_tokens":45958,"cache_creation_input_tokens":0}"#
        let root = try fixture(["projects/-Users-dev-src-fx/s1.jsonl": [
            Self.assistant(uuid: "a1", at: "2026-03-05T10:00:01.000Z", usage: early),
            Self.assistant(uuid: "a2", at: "2026-03-05T10:00:03.500Z", usage: final, content: #"[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]"#),
            Self.assistant(uuid: "a3", at: "2026-03-05T10:00:04.000Z", id: "msg_N", request: nil),
            Self.assistant(uuid: "a4", at: "2026-03-05T10:00:04.100Z", id: "msg_N", request: nil),
        ]])
        defer { try? FileManager.default.removeItem(at: root) }
        let batch = try readAll(root)
        #expect(batch.calls.map(\.id) == ["msg_A:req_A", "msg_N"])  // no requestId: the message id alone
        let call = try #require(batch.calls.first)
        #expect(call.tokens == TokenCounts(input: 2, output: 90, reasoning: 0, cacheRead: 45958, cacheWrite: 0))
        #expect(call.messageID == "a1")
        #expect(call.startedAt == "2026-03-05T10:00:01.000Z")
        #expect(call.completedAt == "2026-03-05T10:00:03.500Z")
        #expect(batch.messages.count == 4)
    }

    @Test func sidechainCopiesOfAParentResponseAreNotNewUsage() throws {
        let sid = "11111111-1111-4111-8111-111111111111"
        let parent = Self.assistant(uuid: "p1", id: "msg_P", request: "req_P")
        let copy = Self.assistant(uuid: "c1", id: "msg_P", request: "req_P", extra: #","agentId":"x1""#)
            .replacingOccurrences(of: #""isSidechain":false"#, with: #""isSidechain":true"#)
        let own = Self.assistant(uuid: "c2", id: "msg_S", request: "req_S", model: "claude-haiku-4-5-20251001", extra: #","agentId":"x1""#)
        let root = try fixture([
            "projects/-Users-dev-src-fx/\(sid).jsonl": [Self.user(uuid: "u1"), parent],
            // The sub-agent transcript repeats the parent's response, twice, before its own.
            "projects/-Users-dev-src-fx/\(sid)/subagents/agent-x1.jsonl": [copy, copy.replacingOccurrences(of: #""uuid":"c1""#, with: #""uuid":"c0""#), own],
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let batch = try readAll(root)
        #expect(batch.records == 5)
        // The sub-agent file yields its copy under the same id as the parent's call: the writer's
        // upsert by call id keeps one. Within the file the copy counts once.
        #expect(batch.calls.map(\.id) == ["msg_P:req_P", "msg_P:req_P", "msg_S:req_S"])
        #expect(batch.calls.map(\.attributes) == [nil, #"{"isSidechain":true}"#, nil])  // `own` says isSidechain:false
        var byID: [String: CallRecord] = [:]
        for call in batch.calls { byID[call.id] = call }
        #expect(totals(Array(byID.values)) == [
            "claude-sonnet-4-5-20250929": Totals(calls: 1, input: 10, output: 20, cacheRead: 40, cacheWrite: 30, total: 100),
            "claude-haiku-4-5-20251001": Totals(calls: 1, input: 10, output: 20, cacheRead: 40, cacheWrite: 30, total: 100),
        ])
        let child = try #require(batch.sessions.first { $0.parentID != nil })
        #expect(child.id == "\(sid)/agent-x1")
        #expect(child.parentID == sid)
        #expect(child.agent == nil)  // no .meta.json
    }

    @Test func delegationsLinkThroughMetaFilesAndEarlySubagentFiles() throws {
        let sid = "22222222-2222-4222-8222-222222222222"
        let spawn = Self.assistant(uuid: "p1", content: #"[{"type":"tool_use","id":"toolu_X","name":"Agent","input":{"subagent_type":"general-purpose","prompt":"Do X"}}]"#)
        let result = Self.user(uuid: "p2", at: "2026-03-05T10:00:09.000Z", content: #"[{"type":"tool_result","tool_use_id":"toolu_X","content":"done"}]"#)
        let root = try fixture([
            "projects/-Users-dev-src-fx/\(sid).jsonl": [spawn, result],
            "projects/-Users-dev-src-fx/\(sid)/subagents/agent-x2.jsonl": [Self.user(uuid: "c1", content: #""Do X""#)],
            "projects/-Users-dev-src-fx/\(sid)/subagents/agent-x2.meta.json": [#"{"agentType":"general-purpose","description":"Do X","toolUseId":"toolu_X"}"#],
            // Early 2.0.x: sub-agent transcripts beside the sessions, the parent named by the lines.
            "projects/-Users-dev-src-fx/agent-x3.jsonl": [Self.user(uuid: "d1", content: #""Warmup""#)],
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let batch = try readAll(root)
        #expect(tool(batch, "toolu_X")?.childSessionID == "\(sid)/agent-x2")
        let child = try #require(batch.sessions.first { $0.id == "\(sid)/agent-x2" })
        #expect(child.agent == "general-purpose")
        #expect(child.title == "Do X")
        let early = try #require(batch.sessions.first { $0.id == "11111111-1111-4111-8111-111111111111/agent-x3" })
        #expect(early.parentID == "11111111-1111-4111-8111-111111111111")
        #expect(early.projectID == "-Users-dev-src-fx")
    }

    @Test func toolResultsCompleteTheirCallOrStandAlone() throws {
        let root = try fixture(["projects/-Users-dev-src-fx/s1.jsonl": [
            Self.assistant(uuid: "a1", content: #"[{"type":"tool_use","id":"toolu_E","name":"Edit","input":{"file_path":"/x/a.swift","old_string":"a","new_string":"b"}},{"type":"tool_use","id":"toolu_F","name":"Bash","input":{"command":"false"}}]"#),
            Self.user(uuid: "u1", at: "2026-03-05T10:00:02.000Z", content: #"[{"type":"tool_result","tool_use_id":"toolu_E","content":[{"type":"text","text":"edited"}]}]"#,
                      extra: #","toolUseResult":{"filePath":"/x/a.swift","originalFile":"a\nc\n","structuredPatch":[{"oldStart":1,"oldLines":2,"newStart":1,"newLines":3,"lines":["-a","+b","+b2"," c"]}],"userModified":false}"#),
            Self.user(uuid: "u2", at: "2026-03-05T10:00:03.000Z", content: #"[{"type":"tool_result","tool_use_id":"toolu_F","content":"Exit code 1","is_error":true}]"#, extra: #","toolUseResult":"Error: Exit code 1""#),
            Self.user(uuid: "u3", content: #"[{"type":"tool_result","tool_use_id":"toolu_elsewhere","content":"orphan","is_error":true}]"#),
            Self.user(uuid: "u4", content: #"[{"type":"tool_result","tool_use_id":"toolu_shot","content":[{"type":"text","text":"a screenshot"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]"#),
        ]])
        defer { try? FileManager.default.removeItem(at: root) }
        let batch = try readAll(root)
        #expect(batch.rejections.isEmpty)
        let edit = try #require(tool(batch, "toolu_E"))
        #expect(edit.status == "completed")
        #expect(edit.output == "edited")
        #expect(edit.metadata == #"{"filePath":"/x/a.swift","userModified":false}"#)
        #expect(batch.parts.first?.fileOperations == [FileOperationRecord(path: "/x/a.swift", operation: "edit", additions: 2, deletions: 1)])
        let bash = try #require(tool(batch, "toolu_F"))
        #expect(bash.status == "error")
        #expect(bash.output == nil)
        #expect(bash.error == #"{"raw":"Exit code 1"}"#)
        #expect(bash.durationMs == 2000)
        let orphan = try #require(batch.parts.first { $0.id == "u3:0" })
        #expect(orphan.id == "u3:0")
        #expect(orphan.type == "tool_result")
        #expect(orphan.data == #"{"content":"orphan","is_error":true,"tool_use_id":"toolu_elsewhere"}"#)
        #expect(orphan.detail == .error(name: "tool_result", payload: #"{"raw":"orphan"}"#))
        #expect(batch.parts.last?.data == #"{"content":[{"text":"a screenshot","type":"text"},{"source":{"media_type":"image/png","type":"base64"},"type":"image"}],"tool_use_id":"toolu_shot"}"#)
        #expect(batch.parts.last?.detail == PartDetail.none)
        #expect(batch.messages.map(\.role) == [.assistant, .tool, .tool, .tool, .tool])
    }

    @Test func otherLineTypesAreReadAsWhatTheyAre() throws {
        let root = try fixture(["elsewhere/session.jsonl": [
            #"{"type":"summary","summary":"Old summary","leafUuid":"u1"}"#,
            #"{"type":"queue-operation","operation":"dequeue","timestamp":"2026-03-05T09:59:59.000Z","sessionId":"s"}"#,
            #"{"parentUuid":"u1",\#(Self.envelope),"type":"system","subtype":"compact_boundary","content":"Conversation compacted","level":"info","uuid":"y1","timestamp":"2026-03-05T10:00:05Z"}"#,
            Self.user(uuid: "u1", content: #""typed""#),
            Self.user(uuid: "u2", content: #"[{"type":"text","text":"Caveat"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]"#, extra: #","isMeta":true"#),
            Self.user(uuid: "u1", content: #""typed""#),  // the same line again (a resumed transcript)
            #"{"type":"custom-title","customTitle":"My title","sessionId":"s"}"#,
        ]])
        defer { try? FileManager.default.removeItem(at: root) }
        let batch = try readAll(root)
        #expect(batch.records == 7)
        #expect(batch.indexed == 7)
        let session = try #require(batch.sessions.first)
        #expect(session.id == "session")
        #expect(session.title == "My title")
        #expect(session.startedAt == "2026-03-05T09:59:59.000Z")
        // Not under projects/: the project is the slug of the working directory.
        #expect(session.projectID == "-Users-dev-src-fx")
        #expect(batch.messages.map(\.id) == ["y1", "u1", "u2"])
        #expect(batch.messages.first?.role == .system)
        #expect(batch.messages.first?.attributes == #"{"level":"info","subtype":"compact_boundary"}"#)
        #expect(batch.parts.map(\.type) == ["text", "text", "text", "image"])
        #expect(batch.parts[2].detail == .text("Caveat", synthetic: true))
        #expect(batch.parts[3].data == #"{"source":{"media_type":"image/png","type":"base64"}}"#)
        #expect(batch.calls.isEmpty)
    }

    // MARK: - Bad input

    @Test func badLinesAreRejectedWithReasonsAndTheRestIsIndexed() throws {
        let good = Self.assistant(uuid: "a9", id: "msg_OK", request: "req_OK")
        func usage(_ field: String, _ value: String) -> String {
            var counts = ["input_tokens": "1", "output_tokens": "2", "cache_creation_input_tokens": "3", "cache_read_input_tokens": "4"]
            counts[field] = value
            return "{" + counts.keys.sorted().map { #""\#($0)":\#(counts[$0]!)"# }.joined(separator: ",") + "}"
        }
        var invalidUTF8 = Data(Self.user(uuid: "u8", content: #""caf_""#).utf8)
        let badByte = invalidUTF8.firstIndex(of: UInt8(ascii: "_"))!
        invalidUTF8[badByte] = 0xE9  // Latin-1 é
        let lines: [Data] = [
            Self.user(uuid: "u1"),
            String(good.prefix(good.count / 2)),  // cut in half
            Self.assistant(uuid: "a3", id: "msg_3", usage: usage("input_tokens", "-5")),
            Self.assistant(uuid: "a4", id: "msg_4", usage: usage("output_tokens", "12.5")),
            Self.assistant(uuid: "a5", id: "msg_5", usage: usage("cache_read_input_tokens", #""12""#)),
            Self.assistant(uuid: "a6", id: "msg_6", usage: usage("input_tokens", "1e30")),
            Self.assistant(uuid: "a7", id: nil),
        ].map { Data($0.utf8) } + [invalidUTF8] + [
            good,
            "[1,2]",
            Self.assistant(uuid: "a11", id: "msg_11", usage: #"{"input_tokens":1,"output_tokens":2,"cache_creation":5}"#),
            Self.assistant(uuid: "a12", id: "msg_12", extra: #","costUSD":-0.5"#),
            Self.user(uuid: "u13").replacingOccurrences(of: #""uuid":"u13","#, with: ""),
            Self.user(uuid: "u14", at: "yesterday"),
            "",
            "   ",
        ].map { Data($0.utf8) }
        var file = Data()
        for line in lines { file.append(line); file.append(0x0A) }
        let root = try fixture([:], bytes: ["projects/-Users-dev-src-fx/s1.jsonl": file])
        defer { try? FileManager.default.removeItem(at: root) }
        let batch = try readAll(root)

        #expect(batch.records == 14)  // blank lines are no records
        #expect(batch.indexed == 2)
        #expect(batch.rejections.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14])
        #expect(batch.rejections.map(\.key) == [nil, "a3", "a4", "a5", "a6", "a7", nil, nil, nil, "a12", nil, "u14"])
        let reasons = batch.rejections.map(\.reason)
        #expect(reasons == [
            "not valid JSON: Unexpected end of file during JSON parse. The line is cut short.",
            "invalid token count usage.input_tokens: negative (-5)",
            "invalid token count usage.output_tokens: not an integer (12.5)",
            #"invalid token count usage.cache_read_input_tokens: a string ("12"), not a number"#,
            "invalid token count usage.input_tokens: out of range (1e+30)",
            "missing message id: an assistant line with usage needs message.id to count its API call once",
            "not valid UTF-8: byte \(badByte + 1) of the line (E9); re-save the file as UTF-8",
            "not a JSON object (each line must be one JSON object)",
            "unexpected value at message.usage.cache_creation: expected an object",
            "invalid costUSD: negative (-0.5)",
            "missing uuid",
            #"invalid timestamp "yesterday""#,
        ])
        #expect(batch.rejections[1].raw == .text(Self.assistant(uuid: "a3", id: "msg_3", usage: usage("input_tokens", "-5"))))
        #expect(batch.rejections[6].raw == .bytes(invalidUTF8))
        #expect(batch.messages.map(\.id) == ["u1", "a9"])
        #expect(batch.calls.map(\.id) == ["msg_OK:req_OK"])
        #expect(batch.calls.first?.sourceLine == 9)
    }

    @Test func anUnreadableFileThrows() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).jsonl")
        #expect(throws: ReaderError.self) { try reader.read(missing) }
    }
}
