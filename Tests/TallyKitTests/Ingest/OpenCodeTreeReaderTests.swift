import Foundation
import Testing
@testable import TallyKit

/// The sample tree `Tests/Samples/opencode/storage` (Tests/Samples/README.md): 1 project, 2
/// sessions (root + explore sub-agent), 6 messages, 27 parts, all `claude-sonnet-4-5`.
/// Expected numbers are summed by hand from the step-finish files.
enum OpenCodeSamples {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples/opencode")
    static let storage = root.appendingPathComponent("storage")
    static let database = root.appendingPathComponent("sqlite/opencode.db")
    static let excerpt = root.appendingPathComponent("real-excerpt-v0.x/assistant-with-parts.json")

    static let rootSession = "ses_4f848e1bfffeKy9Pf34qY6Nb3w"
    static let childSession = "ses_4f848cd6fffeWD25RQ4F5ZR3qa"
    static let project = "4b0ea68d7af9a6031a7ffda7ad66e0cb83315750"
    /// Root session, first prompt: 3 steps (task delegation, edit, final text).
    static let buildMessage = "msg_b07b722be001Zs8IQ9Y7aJZqhB"
    /// Child session: 2 steps (grep + read, final text).
    static let exploreMessage = "msg_b07b73358001MzN5E6EUCLDUdv"
    /// Root session, second prompt: 1 step (bash refused), then aborted.
    static let abortedMessage = "msg_b07b83014001VhYRnKTbxTNJFo"

    static func readTree(_ root: URL = storage) throws -> ReadBatch {
        let reader = OpenCodeTreeReader()
        var batch = ReadBatch()
        for input in try reader.inputs(under: root) { batch.append(try reader.read(input)) }
        return batch
    }

    /// The calls the indexer keeps: a message's fallback call only when it has no step calls;
    /// step calls take model, provider and agent from their message (as the writer does).
    static func effectiveCalls(_ batch: ReadBatch) -> [CallRecord] {
        let messages = Dictionary(uniqueKeysWithValues: batch.messages.map { ($0.id, $0) })
        let stepped = Set(batch.calls.filter { !$0.isMessageFallback }.compactMap(\.messageID))
        return batch.calls
            .filter { !($0.isMessageFallback && stepped.contains($0.messageID ?? "")) }
            .map { call in
                var call = call
                if let message = messages[call.messageID ?? ""] {
                    call.model = call.model ?? message.model
                    call.provider = call.provider ?? message.provider
                    call.agent = call.agent ?? message.agent ?? message.mode
                }
                return call
            }
            .sorted { $0.id < $1.id }
    }

    /// Token sums of calls (nil splits as 0) and their reported cost.
    static func sum(_ calls: [CallRecord]) -> (tokens: TokenCounts, costNanos: Int64) {
        var t = TokenCounts(input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0)
        var cost: Int64 = 0
        for call in calls {
            t.input! += call.tokens.input ?? 0
            t.output! += call.tokens.output ?? 0
            t.reasoning! += call.tokens.reasoning ?? 0
            t.cacheRead! += call.tokens.cacheRead ?? 0
            t.cacheWrite! += call.tokens.cacheWrite ?? 0
            t.total += call.tokens.total
            cost += call.reportedCostNanos ?? 0
        }
        return (t, cost)
    }

    static func tokens(_ input: Int64, _ output: Int64, _ reasoning: Int64, _ cacheRead: Int64, _ cacheWrite: Int64) -> TokenCounts {
        TokenCounts(input: input, output: output, reasoning: reasoning, cacheRead: cacheRead, cacheWrite: cacheWrite)
    }
}

@Suite struct OpenCodeTreeReaderTests {
    typealias S = OpenCodeSamples

    // MARK: - Inputs and record counts

    @Test func inputsAreTheObjectFilesOnly() throws {
        let inputs = try OpenCodeTreeReader().inputs(under: S.storage)
        #expect(inputs.count == 36)  // 1 project + 2 sessions + 6 messages + 27 parts
        #expect(inputs.allSatisfy { !$0.path.contains("session_diff") && !$0.path.contains("/todo/") })
        #expect(!inputs.contains { $0.lastPathComponent == "migration" })
        // Parents before children, each folder sorted.
        let folders = inputs.map { $0.path.dropFirst(S.storage.path.count + 1).prefix { $0 != "/" } }
        #expect(folders.first == "project" && folders.last == "part")
        #expect(inputs.filter { $0.path.contains("/part/") } == inputs.filter { $0.path.contains("/part/") }.sorted { $0.path < $1.path })
        // The folder that holds storage/ gives the same files.
        #expect(try OpenCodeTreeReader().inputs(under: S.root) == inputs)
        // One object folder alone.
        #expect(try OpenCodeTreeReader().inputs(under: S.storage.appendingPathComponent("part")).count == 27)
    }

    @Test func everyFileIsOneRecord() throws {
        let batch = try S.readTree()
        #expect(batch.records == 36)
        #expect(batch.rejections.isEmpty)
        #expect(batch.indexed == 36)
        #expect(batch.projects.count == 1)
        #expect(batch.sessions.count == 2)
        #expect(batch.messages.count == 6)
        #expect(batch.parts.count == 27)
        // 6 step-finish parts + 3 assistant messages' fallbacks.
        #expect(batch.calls.filter { !$0.isMessageFallback }.count == 6)
        #expect(batch.calls.filter(\.isMessageFallback).count == 3)
    }

    // MARK: - TRAP 1: step-finish parts are the calls

    @Test func messageTotalsAreTheSumOfItsStepFinishParts() throws {
        let batch = try S.readTree()
        func steps(_ message: String) -> [CallRecord] {
            batch.calls.filter { $0.messageID == message && !$0.isMessageFallback }
        }
        func fallback(_ message: String) -> CallRecord? {
            batch.calls.first { $0.id == message && $0.isMessageFallback }
        }

        // 4+1830+6 in, 212+388+143 out, 96 reasoning, 0+15312+17422 read, 15312+2110+1790 write.
        let build = S.sum(steps(S.buildMessage))
        #expect(steps(S.buildMessage).count == 3)
        #expect(build.tokens == S.tokens(1_840, 743, 96, 32_734, 19_212))
        #expect(build.tokens.total == 54_625)
        #expect(build.costNanos == 99_970_200)  // = the message's own cost 0.0999702
        // The message's own tokens are its last step only: 19,361, not 54,625.
        #expect(fallback(S.buildMessage)?.tokens == S.tokens(6, 143, 0, 17_422, 1_790))
        #expect(fallback(S.buildMessage)?.tokens.total == 19_361)
        #expect(fallback(S.buildMessage)?.reportedCostNanos == 99_970_200)

        let explore = S.sum(steps(S.exploreMessage))
        #expect(explore.tokens == S.tokens(2_412, 205, 0, 9_820, 9_820))
        #expect(explore.tokens.total == 22_257)
        #expect(explore.costNanos == 50_082_000)
        #expect(fallback(S.exploreMessage)?.tokens.total == 12_315)

        let aborted = S.sum(steps(S.abortedMessage))
        #expect(aborted.tokens == S.tokens(3, 95, 0, 19_212, 260))
        #expect(aborted.tokens.total == 19_570)
        #expect(aborted.costNanos == 8_172_600)
        #expect(fallback(S.abortedMessage)?.tokens.total == 19_570)
    }

    @Test func callsPerModelAndTotals() throws {
        let calls = S.effectiveCalls(try S.readTree())
        #expect(calls.count == 6)
        #expect(calls.allSatisfy { !$0.isMessageFallback })
        #expect(Set(calls.map(\.model)) == ["claude-sonnet-4-5"])
        #expect(Set(calls.map(\.provider)) == ["anthropic"])
        let total = S.sum(calls)
        #expect(total.tokens == S.tokens(4_255, 1_043, 96, 61_766, 29_292))
        #expect(total.tokens.total == 96_452)
        #expect(total.costNanos == 158_224_800)
        // Summing the messages' own tokens would undercount: 19,361 + 12,315 + 19,570.
        #expect(try S.readTree().calls.filter(\.isMessageFallback).map(\.tokens.total).reduce(0, +) == 51_246)
    }

    @Test func stepCallFields() throws {
        let batch = try S.readTree()
        let call = try #require(batch.calls.first { $0.id == "prt_b07b79be0001PPwtV5ASPZHu8q" })
        #expect(call.source == "opencode")
        #expect(call.sessionID == S.rootSession)
        #expect(call.messageID == S.buildMessage)
        #expect(call.tokens == S.tokens(4, 212, 96, 0, 15_312))
        #expect(call.reportedCostNanos == 62_052_000)
        // Dated by its id (created when the step finished); the message names the model.
        #expect(call.startedAt == "2025-12-10T10:03:52.160Z")
        #expect(call.model == nil && call.provider == nil && call.agent == nil)
        #expect(!call.isMessageFallback)

        let fallback = try #require(batch.calls.first { $0.id == S.buildMessage })
        #expect(fallback.isMessageFallback)
        #expect(fallback.model == "claude-sonnet-4-5")
        #expect(fallback.provider == "anthropic")
        #expect(fallback.agent == "build")
        #expect(fallback.startedAt == "2025-12-10T10:03:21.150Z")
        #expect(fallback.completedAt == "2025-12-10T10:04:20.850Z")
    }

    // MARK: - Sessions, projects, messages

    @Test func sessionTree() throws {
        let batch = try S.readTree()
        let root = try #require(batch.sessions.first { $0.id == S.rootSession })
        let child = try #require(batch.sessions.first { $0.id == S.childSession })
        #expect(root.parentID == nil)
        #expect(child.parentID == S.rootSession)
        #expect(root.projectID == S.project && child.projectID == S.project)
        #expect(root.title == "Add --json flag to report command")
        #expect(child.title == "Find report command code (@explore subagent)")
        #expect(root.version == "1.0.150")
        #expect(root.directory == "/Users/dev/src/tokenbench")
        #expect(root.startedAt == "2025-12-10T10:03:20.000Z")
        #expect(root.updatedAt == "2025-12-10T10:04:55.000Z")
        #expect(child.startedAt == "2025-12-10T10:03:25.200Z")
        #expect(root.archivedAt == nil)
        #expect(root.rollup == nil)
        #expect(root.attributes == #"{"summary":{"additions":1,"deletions":0,"files":1}}"#)
        #expect(child.attributes == nil)

        // The root's task tool part names the child.
        let task = try #require(batch.parts.first { $0.id == "prt_b07b72e76001yTMAd7V3DnI8lF" })
        guard case .tool(let detail) = task.detail else { Issue.record("not a tool part"); return }
        #expect(detail.tool == "task")
        #expect(detail.childSessionID == S.childSession)
    }

    @Test func project() throws {
        let project = try #require(try S.readTree().projects.first)
        #expect(project == ProjectRecord(
            id: S.project, source: "opencode", directory: "/Users/dev/src/tokenbench",
            createdAt: "2025-12-09T10:03:20.000Z", attributes: #"{"vcs":"git"}"#))
    }

    @Test func messages() throws {
        let messages = Dictionary(uniqueKeysWithValues: try S.readTree().messages.map { ($0.id, $0) })
        let user = try #require(messages["msg_b07b722280017yEeeby3abP3E2"])
        #expect(user.role == .user)
        #expect(user.sessionID == S.rootSession)
        #expect(user.model == "claude-sonnet-4-5" && user.provider == "anthropic")  // from model{}
        #expect(user.agent == "build")
        #expect(user.parentID == nil)
        #expect(user.attributes == #"{"summaryTitle":"Add --json flag to report command"}"#)

        let build = try #require(messages[S.buildMessage])
        #expect(build.role == .assistant)
        #expect(build.parentID == "msg_b07b722280017yEeeby3abP3E2")
        #expect(build.model == "claude-sonnet-4-5" && build.provider == "anthropic")
        #expect(build.agent == "build" && build.mode == "build")
        #expect(build.finish == "stop")
        #expect(build.createdAt == "2025-12-10T10:03:21.150Z")
        #expect(build.completedAt == "2025-12-10T10:04:20.850Z")
        #expect(build.error == nil)

        let aborted = try #require(messages[S.abortedMessage])
        #expect(aborted.error == #"{"data":{"message":"The operation was aborted."},"name":"MessageAbortedError"}"#)
        #expect(aborted.finish == nil)
        #expect(messages[S.exploreMessage]?.agent == "explore")
    }

    // MARK: - Parts

    @Test func toolCalls() throws {
        let tools = try S.readTree().parts.compactMap { part -> ToolCallDetail? in
            if case .tool(let detail) = part.detail { return detail }
            return nil
        }
        #expect(tools.map(\.tool).sorted() == ["bash", "edit", "grep", "read", "task"])
        #expect(tools.filter { $0.status == "completed" }.count == 4)

        let bash = try #require(tools.first { $0.tool == "bash" })
        #expect(bash.status == "error")
        #expect(bash.callID == "toolu_01VbW2sXo9Hn4kLq7Rt3Ea1C")
        #expect(bash.input == #"{"command":"swift test","description":"Run unit tests"}"#)
        #expect(bash.output == nil)
        let error = try #require(bash.error)
        #expect(error == #"{"raw":"Error: The user rejected permission to use this specific tool call."}"#)
        #expect(JSONValue.parse(error) != nil)
        #expect(bash.startedAt == "2025-12-10T10:04:35.100Z")
        #expect(bash.endedAt == "2025-12-10T10:04:39.200Z")
        #expect(bash.durationMs == 4_100)

        let task = try #require(tools.first { $0.tool == "task" })
        #expect(task.durationMs == 28_000)  // state.time, not a top-level time (TRAP 4)
        #expect(task.title == "Find report command code")
        #expect(task.output?.hasPrefix("task_id: ses_4f848cd6fffeWD25RQ4F5ZR3qa") == true)
        #expect(task.error == nil)

        let grep = try #require(tools.first { $0.tool == "grep" })
        #expect(grep.metadata == #"{"matches":1,"truncated":false}"#)
        #expect(grep.childSessionID == nil)
    }

    @Test func textReasoningAndSynthetic() throws {
        let parts = Dictionary(uniqueKeysWithValues: try S.readTree().parts.map { ($0.id, $0) })
        let typed = try #require(parts["prt_b07b72229001BinF5aJXVuLkSI"])
        #expect(typed.detail == .text(
            "Add a --json flag to the `report` command and update the tests. See @Sources/Report/ReportCommand.swift",
            synthetic: false))
        let synthetic = try #require(parts["prt_b07b7222a001c47WQAmL9xVQ2z"])
        guard case .text(let text, let isSynthetic) = synthetic.detail else { Issue.record("not text"); return }
        #expect(isSynthetic)
        #expect(text?.hasPrefix("Called the Read tool") == true)

        let reasoning = try #require(parts["prt_b07b72458001iJfahqSIjOugM1"])
        #expect(reasoning.type == "reasoning")
        #expect(reasoning.detail == .thinking(
            "The user wants a --json flag. I should look at how ReportCommand is wired; delegate a quick search to the explore subagent.",
            startedAt: "2025-12-10T10:03:21.560Z", endedAt: "2025-12-10T10:03:24.050Z"))
        #expect(reasoning.messageID == S.buildMessage && reasoning.sessionID == S.rootSession)
        #expect(reasoning.createdAt == "2025-12-10T10:03:21.560Z")

        #expect(parts.values.filter { if case .thinking = $0.detail { return true } else { return false } }.count == 1)
        #expect(parts.values.filter { if case .text = $0.detail { return true } else { return false } }.count == 6)
    }

    @Test func patchAndToolFileOperations() throws {
        let parts = Dictionary(uniqueKeysWithValues: try S.readTree().parts.map { ($0.id, $0) })
        let file = "/Users/dev/src/tokenbench/Sources/Report/ReportCommand.swift"
        let patch = try #require(parts["prt_b07b7afcc001hl3TvtnythpZPP"])
        #expect(patch.type == "patch")
        #expect(patch.fileOperations == [FileOperationRecord(path: file, operation: "patch")])
        #expect(patch.data == #"{"hash":"a1f0c3de9b7e44d1c0ffee00112233445566778a"}"#)
        #expect(parts["prt_b07b7af5e001B9EgE0VrbBGI09"]?.fileOperations
            == [FileOperationRecord(path: file, operation: "edit", additions: 1, deletions: 0)])
        #expect(parts["prt_b07b73d80001bvTpf9dqcUgxM9"]?.fileOperations
            == [FileOperationRecord(path: "/Users/dev/src/tokenbench/Sources/Report/TablePrinter.swift", operation: "read")])
    }

    @Test func otherPartTypes() throws {
        let parts = Dictionary(uniqueKeysWithValues: try S.readTree().parts.map { ($0.id, $0) })
        // A file part keeps its object (minus ids) as data.
        let file = try #require(parts["prt_b07b7222b001g4mZaouqKLiMcV"])
        #expect(file.type == "file")
        let data = try #require(file.data.flatMap(JSONValue.parse))
        #expect(data["mime"]?.stringValue == "text/plain")
        #expect(data["filename"]?.stringValue == "Sources/Report/ReportCommand.swift")
        #expect(data["url"]?.stringValue == "file:///Users/dev/src/tokenbench/Sources/Report/ReportCommand.swift")
        #expect(data["source"]?["text"]?["start"] == .integer(65))
        #expect(data["id"] == nil && data["messageID"] == nil && data["type"] == nil)

        let retry = try #require(parts["prt_b07b834c4001iAX1DyyXN9iYw1"])
        #expect(retry.detail == .error(
            name: "APIError", payload: #"{"data":{"isRetryable":true,"message":"Overloaded","statusCode":529},"name":"APIError"}"#))
        #expect(retry.data == #"{"attempt":1,"time":{"created":1765361071300}}"#)

        let finish = try #require(parts["prt_b07b80b8e001DdO9eGzMcNU77s"])
        #expect(finish.data == #"{"reason":"stop","snapshot":"b2e1d4ef0c8f55e2d1ffee11223344556677889b"}"#)
        #expect(parts["prt_b07b7244e001bpT4r5yHUig43k"]?.type == "step-start")
        #expect(Set(parts.values.map(\.ordinal)) == [0])
        #expect(parts.values.allSatisfy { $0.createdAt != nil })
    }

    // MARK: - Old 0.x data

    @Test func oldMessageWithParts() throws {
        let batch = try OpenCodeTreeReader().read(OpenCodeSamples.excerpt)
        #expect(batch.records == 5)  // the message and its 4 parts
        #expect(batch.rejections.isEmpty)
        let message = try #require(batch.messages.first)
        #expect(message.id == "msg_95521bfdd001ZM07GcDYAneK54")
        #expect(message.sessionID == "ses_6aade4081ffe216ygZUgcUQdR1")
        #expect(message.role == .assistant)
        #expect(message.parentID == nil && message.agent == nil)
        #expect(message.mode == "build")
        #expect(message.model == "grok-code" && message.provider == "opencode")
        #expect(message.createdAt == "2025-09-17T00:44:59.229Z")
        #expect(batch.parts.map(\.type) == ["step-start", "reasoning", "text", "step-finish"])

        let step = try #require(batch.calls.first { !$0.isMessageFallback })
        #expect(step.id == "prt_95521c8a3001evp0nG98h6rQwV")
        #expect(step.tokens == S.tokens(9_640, 12, 266, 9_600, 0))
        #expect(step.tokens.total == 19_518)
        #expect(step.reportedCostNanos == 0)  // a free provider: priced from tokens later
        #expect(step.startedAt == "2025-09-17T00:45:01.475Z")
        #expect(batch.parts.last?.data == nil)  // no reason in 0.x
        let fallback = try #require(batch.calls.first { $0.isMessageFallback })
        #expect(fallback.model == "grok-code" && fallback.agent == "build")
        #expect(S.effectiveCalls(batch).map(\.id) == [step.id])
    }

    @Test func oldObjectsAsStorageFiles() throws {
        // The same objects written as the storage tree holds them, one file each.
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: S.excerpt))
        let dir = try OpenCodeTempDir()
        let info = try #require(json["info"])
        dir.write("message/ses_6aade4081ffe216ygZUgcUQdR1/msg_95521bfdd001ZM07GcDYAneK54.json", info.jsonText)
        guard case .array(let parts)? = json["parts"] else { Issue.record("no parts"); return }
        for part in parts {
            dir.write("part/msg_95521bfdd001ZM07GcDYAneK54/\(part["id"]!.stringValue!).json", part.jsonText)
        }
        let batch = try S.readTree(dir.url)
        #expect(batch.records == 5)
        #expect(batch.rejections.isEmpty)
        #expect(batch.calls.filter { !$0.isMessageFallback }.map(\.tokens.total) == [19_518])
    }

    // MARK: - Bad input

    @Test func truncatedFileIsOneRejection() throws {
        let dir = try OpenCodeTempDir()
        let text = String(try String(contentsOf: S.storage.appendingPathComponent(
            "message/ses_4f848e1bfffeKy9Pf34qY6Nb3w/msg_b07b722be001Zs8IQ9Y7aJZqhB.json"), encoding: .utf8).prefix(200))
        let file = dir.write("message/ses_x/msg_b07b722be001Zs8IQ9Y7aJZqhB.json", text)
        let batch = try OpenCodeTreeReader().read(file)
        #expect(batch.records == 1)
        #expect(batch.rejections.count == 1)
        #expect(batch.indexed == 0)
        let rejection = try #require(batch.rejections.first)
        #expect(rejection.reason == "not valid JSON: Unexpected end of file during JSON parse.")
        #expect(rejection.raw == .text(text))
        #expect(batch.messages.isEmpty && batch.calls.isEmpty)
    }

    @Test func syntaxErrorAndInvalidUTF8() throws {
        let dir = try OpenCodeTempDir()
        let doubled = dir.write("part/msg_1/prt_1.json", #"{"id": "prt_1",, "type": "text"}"#)
        #expect(try OpenCodeTreeReader().read(doubled).rejections.map(\.reason) == ["not valid JSON: Invalid value around character 15."])
        let bytes = Data([0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D])  // {"id":"\xFF"}
        let file = dir.url.appendingPathComponent("part/msg_1/prt_2.json")
        try bytes.write(to: file)
        let batch = try OpenCodeTreeReader().read(file)
        #expect(batch.records == 1 && batch.rejections.count == 1)
        #expect(batch.rejections.first?.reason.hasPrefix("not valid JSON") == true)
        #expect(batch.rejections.first?.raw == .bytes(bytes))
        let empty = dir.write("message/ses_1/msg_1.json", "")
        #expect(try OpenCodeTreeReader().read(empty).rejections.map(\.reason) == ["not valid JSON: Unexpected end of file during JSON parse."])
    }

    @Test func invalidTokenCountsRejectTheStepFinishPart() throws {
        let cases: [(String, String)] = [
            ("-5", "invalid token count tokens.input: negative (-5)"),
            ("12.5", "invalid token count tokens.input: not an integer (12.5)"),
            ("1e30", "invalid token count tokens.input: out of range (1e+30)"),
            (#""12""#, #"invalid token count tokens.input: a string ("12"), not a number"#),
        ]
        for (value, reason) in cases {
            let dir = try OpenCodeTempDir()
            let file = dir.write("part/msg_b07b722be001Zs8IQ9Y7aJZqhB/prt_b07b79be0001PPwtV5ASPZHu8q.json", """
                {"id": "prt_b07b79be0001PPwtV5ASPZHu8q", "sessionID": "ses_4f848e1bfffeKy9Pf34qY6Nb3w",
                 "messageID": "msg_b07b722be001Zs8IQ9Y7aJZqhB", "type": "step-finish", "reason": "stop", "cost": 0.01,
                 "tokens": {"input": \(value), "output": 1, "reasoning": 0, "cache": {"read": 0, "write": 0}}}
                """)
            let batch = try OpenCodeTreeReader().read(file)
            #expect(batch.records == 1)
            #expect(batch.rejections.map(\.reason) == [reason])
            #expect(batch.rejections.first?.key == "prt_b07b79be0001PPwtV5ASPZHu8q")
            #expect(batch.calls.isEmpty && batch.parts.isEmpty)
        }
    }

    @Test func negativeCacheCountInAMessage() throws {
        let dir = try OpenCodeTempDir()
        let file = dir.write("message/ses_a/msg_b07b722be001Zs8IQ9Y7aJZqhB.json", """
            {"id": "msg_b07b722be001Zs8IQ9Y7aJZqhB", "sessionID": "ses_a", "role": "assistant",
             "time": {"created": 1765361001150}, "cost": 0.1,
             "tokens": {"input": 1, "output": 2, "reasoning": 0, "cache": {"read": -40, "write": 0}}}
            """)
        let batch = try OpenCodeTreeReader().read(file)
        #expect(batch.rejections.map(\.reason) == ["invalid token count tokens.cache.read: negative (-40)"])
        #expect(batch.indexed == 0)
    }

    @Test func missingIds() throws {
        let dir = try OpenCodeTempDir()
        let noID = dir.write("message/ses_a/msg_1.json", #"{"sessionID": "ses_a", "role": "user", "time": {"created": 1765361001000}}"#)
        let noMessage = dir.write("part/msg_1/prt_b07b72229001BinF5aJXVuLkSI.json",
            #"{"id": "prt_b07b72229001BinF5aJXVuLkSI", "sessionID": "ses_a", "type": "text", "text": "hi"}"#)
        let noSession = dir.write("part/msg_1/prt_b07b7222a001c47WQAmL9xVQ2z.json",
            #"{"id": "prt_b07b7222a001c47WQAmL9xVQ2z", "messageID": "msg_1", "type": "text", "text": "hi"}"#)
        let noPartID = dir.write("part/msg_1/prt_x.json", #"{"messageID": "msg_1", "sessionID": "ses_a", "type": "text"}"#)
        let noSessionID = dir.write("session/global/ses_x.json", #"{"projectID": "global", "title": "t"}"#)
        let badRole = dir.write("message/ses_a/msg_2.json",
            #"{"id": "msg_2", "sessionID": "ses_a", "role": "system", "time": {"created": 1765361001000}}"#)
        let noTime = dir.write("message/ses_a/msg_3.json", #"{"id": "msg_3", "sessionID": "ses_a", "role": "user"}"#)
        let wrongType = dir.write("message/ses_a/msg_4.json",
            #"{"id": "msg_4", "sessionID": "ses_a", "role": "user", "time": {"created": "yesterday"}}"#)
        let reader = OpenCodeTreeReader()
        #expect(try reader.read(noID).rejections.map(\.reason) == ["missing message id"])
        #expect(try reader.read(noMessage).rejections.map(\.reason) == ["part has no messageID"])
        #expect(try reader.read(noMessage).rejections.first?.key == "prt_b07b72229001BinF5aJXVuLkSI")
        #expect(try reader.read(noSession).rejections.map(\.reason) == ["part has no sessionID"])
        #expect(try reader.read(noPartID).rejections.map(\.reason) == ["missing part id"])
        #expect(try reader.read(noSessionID).rejections.map(\.reason) == ["missing session id"])
        #expect(try reader.read(badRole).rejections.map(\.reason) == [#"unknown message role "system" (expected user or assistant)"#])
        #expect(try reader.read(noTime).rejections.map(\.reason) == ["message has no time.created"])
        #expect(try reader.read(wrongType).rejections.map(\.reason) == ["unexpected value at time.created: expected a number"])

        let all = try S.readTree(dir.url)
        #expect(all.records == 8)
        #expect(all.rejections.count == 8)
        #expect(all.records == all.indexed + all.rejections.count)
    }

    @Test func globalProjectAndUnreadableInputs() throws {
        let dir = try OpenCodeTempDir()
        dir.write("storage/project/global.json", #"{"id": "global", "worktree": "/", "time": {"created": 1765274600000}}"#)
        dir.write("storage/session/global/ses_4f848e1bfffeKy9Pf34qY6Nb3w.json",
            #"{"id": "ses_4f848e1bfffeKy9Pf34qY6Nb3w", "projectID": "global", "title": "t", "time": {"created": 1765361000000, "archived": 1765361095000}}"#)
        dir.write("storage/todo/ses_4f848e1bfffeKy9Pf34qY6Nb3w.json", "[]")
        let batch = try S.readTree(dir.url)  // the folder holding storage/
        #expect(batch.records == 2)
        #expect(batch.projects.map(\.id) == ["global"])
        #expect(batch.sessions.first?.projectID == "global")
        #expect(batch.sessions.first?.archivedAt == "2025-12-10T10:04:55.000Z")
        #expect(throws: ReaderError.self) { try OpenCodeTreeReader().read(dir.url.appendingPathComponent("missing.json")) }
        #expect(throws: ReaderError.self) { try OpenCodeTreeReader().inputs(under: dir.url.appendingPathComponent("nowhere")) }
    }

    // MARK: - Ids

    @Test func idsEncodeTheirCreationTime() {
        // Session ids count down, message and part ids up; 2^36 ms cycles resolved near a reference.
        #expect(OpenCode.ID.milliseconds(S.rootSession, near: OpenCode.ID.treeEra) == 1_765_361_000_000)
        #expect(OpenCode.ID.milliseconds(S.buildMessage, near: OpenCode.ID.treeEra) == 1_765_361_001_150)
        #expect(OpenCode.ID.milliseconds("prt_95521c8a3001evp0nG98h6rQwV", near: OpenCode.ID.treeEra) == 1_758_069_901_475)
        let later = 1_765_361_001_150 + OpenCode.ID.cycle
        #expect(OpenCode.ID.milliseconds(S.buildMessage, near: later - 1_000_000) == later)
        #expect(OpenCode.ID.milliseconds("prt_xyz", near: 0) == nil)
        #expect(OpenCode.ID.milliseconds("global", near: 0) == nil)
    }

    @Test func handWrittenDataIsJSONValueText() {
        let odd = "a\"b\\c\nd\u{1}é🙂"
        #expect(OpenCode.stringObject(["reason": odd, "snapshot": nil, "z": "1"])
            == JSONValue.object(["reason": .string(odd), "z": .string("1")]).jsonText)
        #expect(OpenCode.stringObject(["hash": nil]) == nil)
    }

    @Test func anyJSONDecodesLikeJSONValue() throws {
        let text = #"{"b": true, "f": false, "i": 1, "d": 1.5, "e": 1e30, "z": -0, "n": null, "s": "h\u00e9\n", "a": [1, "x", {"k": 2.0}, [], {}], "one": 1.0, "neg": -7}"#
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONDecoder().decode(OpenCode.AnyJSON.self, from: Data(text.utf8)).value == expected)
        #expect(try JSONDecoder().decode(OpenCode.ObjectJSON.self, from: Data(text.utf8)).value == expected)
        #expect(try JSONDecoder().decode(OpenCode.ObjectJSON.self, from: Data("[1, true]".utf8)).value == .array([.integer(1), .bool(true)]))
    }

    @Test func sameBytesSameBatch() throws {
        let a = try S.readTree(), b = try S.readTree()
        #expect(a.calls == b.calls && a.parts == b.parts && a.messages == b.messages && a.sessions == b.sessions)
    }
}

/// A temporary folder for constructed fixtures, removed when the test ends.
final class OpenCodeTempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tally-opencode-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ path: String, _ text: String) -> URL {
        let file = url.appendingPathComponent(path)
        try! FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! Data(text.utf8).write(to: file)
        return file
    }
}
