import Foundation
import Testing
@testable import TallyKit

/// The Codex sample rollouts (Tests/Samples/README.md, "codex/") and bad input.
@Suite struct CodexSessionsReaderTests {
    static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/codex")
    static let day5 = "sessions/2026/03/05/rollout-2026-03-05T10-02-11-019cbd72-9e9a-7c41-b3d2-5e8f1a6c0d47.jsonl"
    static let day6 = "sessions/2026/03/06/rollout-2026-03-06T14-30-45-019cc38e-da7d-7a13-8f6e-2b9c4d7e1f05.jsonl"
    static let session5 = "019cbd72-9e9a-7c41-b3d2-5e8f1a6c0d47"
    static let session6 = "019cc38e-da7d-7a13-8f6e-2b9c4d7e1f05"

    let reader = CodexSessionsReader()

    func readAll() throws -> ReadBatch {
        var batch = ReadBatch()
        for input in try reader.inputs(under: Self.samples) { batch.append(try reader.read(input)) }
        return batch
    }

    // MARK: - The hand-computed tables

    @Test func findsBothRollouts() throws {
        let inputs = try reader.inputs(under: Self.samples).map { $0.path }
        #expect(inputs == [Self.day5, Self.day6].map { Self.samples.appendingPathComponent($0).path })
        let single = Self.samples.appendingPathComponent(Self.day6)
        #expect(try reader.inputs(under: single) == [single])
        #expect(CodexSessionsReader.source == "codex")
    }

    @Test func perModelTable() throws {
        let byModel = ModelTotals.of(try readAll().calls)
        #expect(byModel["gpt-5"] == ModelTotals(
            calls: 2, input: 5_206, output: 889, reasoning: 1_536, cacheRead: 25_216, cacheWrite: 0, total: 32_847))
        #expect(byModel["gpt-5-codex"] == ModelTotals(
            calls: 7, input: 32_249, output: 1_635, reasoning: 2_240, cacheRead: 79_360, cacheWrite: 0, total: 115_484))
        #expect(byModel.count == 2)
    }

    @Test func perFolderTableAndTheWrongAnswersDoNotHappen() throws {
        let day5 = try reader.read(Self.samples.appendingPathComponent(Self.day5))
        let day6 = try reader.read(Self.samples.appendingPathComponent(Self.day6))
        #expect(day5.calls.count == 5)
        #expect(day5.calls.map(\.tokens.total).reduce(0, +) == 92_984)
        #expect(day6.calls.count == 4)
        #expect(day6.calls.map(\.tokens.total).reduce(0, +) == 55_347)

        let all = try readAll()
        let total = all.calls.map(\.tokens.total).reduce(0, +)
        #expect(all.calls.count == 9)
        #expect(total == 148_331)
        #expect(all.calls.count != 13 && total != 205_647)  // counting the re-emits
        #expect(total != 148_331 - 21_158)  // dropping the line-34 event

        // The last cumulative total of each file equals the sum of its calls.
        #expect(day5.calls.map(\.tokens.total).reduce(0, +) == 92_984)
        #expect(day6.calls.map(\.tokens.total).reduce(0, +) == 55_347)
    }

    @Test func callsAreTheCountedTokenCountLines() throws {
        let day5 = try reader.read(Self.samples.appendingPathComponent(Self.day5))
        let day6 = try reader.read(Self.samples.appendingPathComponent(Self.day6))
        // Lines 8 (info: null) and 15, 22 (re-emits) are skipped; line 34 has no last_token_usage.
        #expect(day5.calls.map(\.id) == [12, 19, 25, 34, 39].map { "\(Self.session5):\($0)" })
        #expect(day5.calls.map(\.sourceLine) == [12, 19, 25, 34, 39])
        // Lines 8 (info: null) and 15, 30 (re-emits) are skipped.
        #expect(day6.calls.map(\.id) == [12, 18, 27, 33].map { "\(Self.session6):\($0)" })
        // A call takes the model of the latest turn_context: `/model gpt-5` before turn 2.
        #expect(day6.calls.map(\.model) == ["gpt-5-codex", "gpt-5-codex", "gpt-5", "gpt-5"])
        #expect(day6.calls[2].attributes == #"{"effort":"high"}"#)
        #expect(day5.calls.allSatisfy { $0.provider == "openai" && $0.source == "codex" && $0.projectID == "/Users/dev/src/tokenbench" })
    }

    @Test func line34DeltaIsTheDifferenceOfCumulativeTotals() throws {
        let day5 = try reader.read(Self.samples.appendingPathComponent(Self.day5))
        let call = try #require(day5.calls.first { $0.sourceLine == 34 })
        // Raw delta: 19,954 in (16,384 cached), 1,204 out (768 reasoning).
        #expect(call.tokens.input! + call.tokens.cacheRead! == 19_954)
        #expect(call.tokens.cacheRead == 16_384)
        #expect(call.tokens.output! + call.tokens.reasoning! == 1_204)
        #expect(call.tokens.reasoning == 768)
        #expect(call.tokens == TokenCounts(input: 3_570, output: 436, reasoning: 768, cacheRead: 16_384, cacheWrite: 0, total: 21_158))
        #expect(call.attributes == #"{"effort":"medium","usage":"cumulative difference"}"#)
    }

    @Test func normalisesTheFirstCall() throws {
        let day5 = try reader.read(Self.samples.appendingPathComponent(Self.day5))
        let first = day5.calls[0]
        // last_token_usage 14,210 in (3,072 cached), 512 out (320 reasoning), total 14,722.
        #expect(first.tokens == TokenCounts(input: 11_138, output: 192, reasoning: 320, cacheRead: 3_072, cacheWrite: 0, total: 14_722))
        #expect(first.startedAt == "2026-03-05T10:02:11.490Z")  // the turn_context before the request
        #expect(first.completedAt == "2026-03-05T10:02:16.131Z")
    }

    // MARK: - Sessions, messages, parts

    @Test func sessionAndProject() throws {
        let batch = try reader.read(Self.samples.appendingPathComponent(Self.day5))
        #expect(batch.records == 40)
        #expect(batch.rejections.isEmpty)
        #expect(batch.indexed == 40)
        #expect(batch.projects == [ProjectRecord(id: "/Users/dev/src/tokenbench", source: "codex", name: "tokenbench", directory: "/Users/dev/src/tokenbench")])
        let session = try #require(batch.sessions.first)
        #expect(batch.sessions.count == 1)
        #expect(session.id == Self.session5)
        #expect(session.projectID == "/Users/dev/src/tokenbench")
        #expect(session.parentID == nil)
        #expect(session.version == "0.107.0")
        #expect(session.startedAt == "2026-03-05T10:02:11.341Z")
        #expect(session.updatedAt == "2026-03-05T10:05:53.452Z")
        let attributes = try #require(session.attributes.flatMap(JSONValue.parse))
        #expect(attributes["originator"] == .string("codex_cli_rs"))
        #expect(attributes["source"] == .string("cli"))
        #expect(attributes["git"]?["branch"] == .string("main"))
    }

    @Test func messagesFormExchanges() throws {
        let batch = try reader.read(Self.samples.appendingPathComponent(Self.day5))
        let id = { (line: Int) in "\(Self.session5):\(line)" }
        let users = batch.messages.filter { $0.role == .user }
        // The typed prompts (user_message events), not the injected <environment_context>.
        #expect(users.map(\.id) == [id(6), id(29)])
        let texts = batch.parts.filter { users.map(\.id).contains($0.messageID) }.map(\.detail)
        #expect(texts == [.text("Add a --json flag to the report command.", synthetic: false), .text("Also add a test for it.", synthetic: false)])

        // One assistant message per model response, holding its items and its call.
        let assistants = batch.messages.filter { $0.role == .assistant }.sorted { $0.sourceLine! < $1.sourceLine! }
        #expect(assistants.map(\.id) == [id(10), id(17), id(24), id(32), id(38)])
        #expect(assistants.map(\.parentID) == [id(6), id(6), id(6), id(29), id(29)])
        #expect(batch.calls.map(\.messageID) == assistants.map(\.id))
        #expect(assistants.allSatisfy { $0.model == "gpt-5-codex" && $0.provider == "openai" })
        #expect(assistants[0].createdAt == "2026-03-05T10:02:16.118Z")
        #expect(assistants[0].completedAt == "2026-03-05T10:02:16.131Z")

        let first = batch.parts.filter { $0.messageID == id(10) }
        #expect(first.map(\.type) == ["reasoning", "function_call"])
        #expect(first.map(\.ordinal) == [0, 1])
        #expect(first[0].detail == .thinking("**Locating the report command**", startedAt: "2026-03-05T10:02:16.118Z", endedAt: nil))
        guard case .tool(let tool) = first[1].detail else {
            Issue.record("not a tool part")
            return
        }
        #expect(tool.callID == "call_Q1w2E3r4T5y6U7i8O9p0aSdF")
        #expect(tool.tool == "exec_command")
        #expect(tool.input == #"{"cmd":"rg -n \"func report\" Sources","workdir":"/Users/dev/src/tokenbench"}"#)
        #expect(tool.output == "Sources/TokenBench/Report.swift:12:func report(_ args: [String]) {")
        #expect(tool.status == "completed")
        #expect(tool.startedAt == "2026-03-05T10:02:16.120Z")
        #expect(tool.endedAt == "2026-03-05T10:02:16.240Z")
        #expect(tool.durationMs == 120)

        let answer = batch.parts.filter { $0.messageID == id(24) }
        #expect(answer.map(\.detail) == [.text("Added `--json` to `report`; it prints one JSON object per row.", synthetic: false)])
        // Every part belongs to a message of the batch; ids are unique.
        let messageIDs = Set(batch.messages.map(\.id))
        #expect(batch.parts.allSatisfy { messageIDs.contains($0.messageID) })
        #expect(Set(batch.parts.map(\.id)).count == batch.parts.count)
        #expect(Set(batch.messages.map(\.id)).count == batch.messages.count)
    }

    @Test func readingTwiceGivesTheSameRecords() throws {
        let input = Self.samples.appendingPathComponent(Self.day6)
        let a = try reader.read(input)
        let b = try reader.read(input)
        #expect(a.calls == b.calls && a.messages == b.messages && a.parts == b.parts)
        #expect(a.sessions == b.sessions && a.projects == b.projects && a.records == b.records)
    }

    // MARK: - Finding inputs

    @Test func inputsUnderCodexHomeAreRolloutsOnly() throws {
        let home = try TempFolder()
        try home.write("history.jsonl", #"{"session_id":"x","ts":1,"text":"hi"}"# + "\n")
        try home.write("sessions/2026/03/05/rollout-2026-03-05T10-02-11-019cbd72-9e9a-7c41-b3d2-5e8f1a6c0d47.jsonl", "")
        try home.write("archived_sessions/rollout-2026-01-02T10-00-00-019cbd72-9e9a-7c41-b3d2-5e8f1a6c0d48.jsonl", "")
        try home.write("sessions/2026/03/05/notes.txt", "")
        let names = try reader.inputs(under: home.url).map(\.lastPathComponent)
        #expect(names == [
            "rollout-2026-01-02T10-00-00-019cbd72-9e9a-7c41-b3d2-5e8f1a6c0d48.jsonl",
            "rollout-2026-03-05T10-02-11-019cbd72-9e9a-7c41-b3d2-5e8f1a6c0d47.jsonl",
        ])
    }

    // MARK: - Bad input

    static let meta = #"{"timestamp":"2026-03-05T10:00:00.000Z","type":"session_meta","payload":{"id":"s-1","timestamp":"2026-03-05T10:00:00.000Z","cwd":"/w","model_provider":"openai"}}"#
    static let context = #"{"timestamp":"2026-03-05T10:00:01.000Z","type":"turn_context","payload":{"model":"gpt-5","cwd":"/w","summary":"auto"}}"#

    static func tokenCount(total: String? = nil, last: String? = nil, at: String = "2026-03-05T10:00:02.000Z") -> String {
        var info: [String] = []
        if let total { info.append(#""total_token_usage":"# + total) }
        if let last { info.append(#""last_token_usage":"# + last) }
        return #"{"timestamp":""# + at + #"","type":"event_msg","payload":{"type":"token_count","info":{"# + info.joined(separator: ",") + "}}}"
    }

    static func usage(_ input: String, _ cached: String, _ output: String, _ reasoning: String, _ total: String) -> String {
        #"{"input_tokens":\#(input),"cached_input_tokens":\#(cached),"output_tokens":\#(output),"reasoning_output_tokens":\#(reasoning),"total_tokens":\#(total)}"#
    }

    func read(_ lines: [String], name: String = "rollout-test.jsonl") throws -> ReadBatch {
        let folder = try TempFolder()
        let url = try folder.write(name, lines.joined(separator: "\n"))
        return try reader.read(url)
    }

    @Test func badCountsAreRejectedWithReasons() throws {
        let good = Self.usage("100", "40", "20", "5", "120")
        let batch = try read([
            Self.meta, Self.context,
            Self.tokenCount(total: good, last: good),                                        // 3: a call
            Self.tokenCount(last: Self.usage("-5", "0", "1", "0", "1")),                      // 4
            Self.tokenCount(last: Self.usage("1.5", "0", "1", "0", "1")),                     // 5
            Self.tokenCount(last: Self.usage(#""12""#, "0", "1", "0", "1")),                  // 6
            Self.tokenCount(last: Self.usage("1e30", "0", "1", "0", "1")),                    // 7
            Self.tokenCount(total: Self.usage("100", "40", "20", "5", "-1"), last: good),     // 8
            Self.tokenCount(last: Self.usage("10", "20", "1", "0", "11")),                    // 9: cached > input
            Self.tokenCount(last: Self.usage("10", "0", "1", "2", "11")),                     // 10: reasoning > output
            Self.tokenCount(last: #"{"cached_input_tokens":0,"output_tokens":1}"#),          // 11
            #"{"timestamp":"2026-03-05T10:00:03.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":10"#, // 12: cut
        ])
        #expect(batch.records == 12)
        #expect(batch.calls.map(\.sourceLine) == [3])
        #expect(batch.rejections.map(\.line) == [4, 5, 6, 7, 8, 9, 10, 11, 12])
        #expect(batch.rejections.map(\.reason) == [
            "invalid token count info.last_token_usage.input_tokens: negative (-5)",
            "invalid token count info.last_token_usage.input_tokens: not an integer (1.5)",
            #"invalid token count info.last_token_usage.input_tokens: a string ("12"), not a number"#,
            "invalid token count info.last_token_usage.input_tokens: out of range (1e+30)",
            "invalid token count info.total_token_usage.total_tokens: negative (-1)",
            "info.last_token_usage: cached_input_tokens (20) exceeds input_tokens (10)",
            "info.last_token_usage: reasoning_output_tokens (2) exceeds output_tokens (1)",
            "missing info.last_token_usage.input_tokens",
            "not valid JSON (a cut or corrupted record)",
        ])
        #expect(batch.rejections.last?.raw == .text(#"{"timestamp":"2026-03-05T10:00:03.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":10"#))
        #expect(batch.records == batch.indexed + batch.rejections.count)
        #expect(batch.indexed == 3)
    }

    @Test func aCumulativeThatGoesBackwardsIsRejected() throws {
        let batch = try read([
            Self.meta, Self.context,
            Self.tokenCount(total: Self.usage("100", "40", "20", "5", "120")),     // 3: +120
            Self.tokenCount(total: Self.usage("90", "40", "30", "5", "120")),      // 4: input went down
            Self.tokenCount(total: Self.usage("150", "60", "30", "5", "180")),     // 5: +60 from line 3
            Self.tokenCount(total: Self.usage("150", "60", "30", "5", "180")),     // 6: re-emit
            // 7: with last_token_usage the delta is given, whatever the cumulative does
            Self.tokenCount(total: Self.usage("10", "0", "1", "0", "11"), last: Self.usage("10", "0", "1", "0", "11")),
        ])
        #expect(batch.rejections.map(\.line) == [4])
        #expect(batch.rejections.map(\.reason) == [
            "info.total_token_usage went backwards and there is no last_token_usage: input_tokens 100 → 90",
        ])
        #expect(batch.calls.map(\.sourceLine) == [3, 5, 7])
        #expect(batch.calls.map(\.tokens) == [
            TokenCounts(input: 60, output: 15, reasoning: 5, cacheRead: 40, cacheWrite: 0, total: 120),
            TokenCounts(input: 30, output: 10, reasoning: 0, cacheRead: 20, cacheWrite: 0, total: 60),
            TokenCounts(input: 10, output: 1, reasoning: 0, cacheRead: 0, cacheWrite: 0, total: 11),
        ])
        #expect(batch.records == 7 && batch.indexed == 6)
    }

    @Test func missingIdsAndOrphans() throws {
        // No session_meta: the UUID in the file name is the session id, the turn_context's cwd the project.
        let named = try read([
            Self.context,
            #"{"timestamp":"2026-03-05T10:00:02.000Z","type":"response_item","payload":{"type":"function_call","arguments":"{}","call_id":"c1"}}"#,
            #"{"timestamp":"2026-03-05T10:00:02.000Z","type":"response_item","payload":{"type":"function_call_output","output":"ok"}}"#,
            #"{"timestamp":"2026-03-05T10:00:02.000Z","type":"response_item","payload":{"type":"function_call_output","call_id":"nope","output":"ok"}}"#,
            #"{"timestamp":"yesterday","type":"response_item","payload":{"type":"reasoning","summary":[]}}"#,
            #"{"type":"event_msg","payload":{"type":"user_message","message":"hi"}}"#,
        ], name: "rollout-2026-03-05T10-00-00-019cbd72-9e9a-7c41-b3d2-5e8f1a6c0d47.jsonl")
        #expect(named.sessions.map(\.id) == ["019cbd72-9e9a-7c41-b3d2-5e8f1a6c0d47"])
        #expect(named.sessions.first?.projectID == "/w")
        #expect(named.rejections.map(\.line) == [2, 3, 4, 5, 6])
        #expect(named.rejections.map(\.reason) == [
            "function_call without a name",
            "function_call_output without call_id",
            "function_call_output for call_id nope, which no earlier tool call in this file has",
            #"invalid timestamp "yesterday""#,
            "missing timestamp",
        ])
        #expect(named.records == named.indexed + named.rejections.count)

        // Neither a session_meta id nor a UUID in the name: the file cannot be read.
        #expect(throws: ReaderError.self) { try read([Self.context], name: "rollout-test.jsonl") }
    }

    @Test func notUTF8AndNotAnObject() throws {
        let folder = try TempFolder()
        var data = Data((Self.meta + "\n").utf8)
        data.append(contentsOf: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D, 0x0A])  // {"\xFF\xFE"}
        data.append(Data("[1,2]\n\n   \n".utf8))
        let url = folder.url.appendingPathComponent("rollout-x.jsonl")
        try data.write(to: url)
        let batch = try reader.read(url)
        #expect(batch.records == 3)  // blank lines are not records
        #expect(batch.rejections.map(\.line) == [2, 3])
        #expect(batch.rejections.map(\.reason) == ["not valid UTF-8", "unexpected value at the top level: expected an object"])
        #expect(batch.rejections.first?.raw == .bytes(Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D])))
    }

    @Test func otherToolsErrorsAndPromptsWithoutUserMessageEvents() throws {
        let batch = try read([
            Self.meta,
            #"{"timestamp":"2026-03-05T10:00:00.500Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>x</environment_context>"}]}}"#,
            #"{"timestamp":"2026-03-05T10:00:00.600Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"Patch it"}]}}"#,
            Self.context,
            #"{"timestamp":"2026-03-05T10:00:01.500Z","type":"response_item","payload":{"type":"custom_tool_call","status":"completed","call_id":"c9","name":"apply_patch","input":"*** Begin Patch"}}"#,
            #"{"timestamp":"2026-03-05T10:00:01.750Z","type":"response_item","payload":{"type":"custom_tool_call_output","call_id":"c9","output":"Done!"}}"#,
            #"{"timestamp":"2026-03-05T10:00:01.800Z","type":"event_msg","payload":{"type":"error","message":"stream disconnected"}}"#,
            Self.tokenCount(last: Self.usage("10", "0", "1", "0", "11")),
        ])
        #expect(batch.rejections.isEmpty)
        // Without user_message events the prompt is the user item that is not injected context.
        #expect(batch.messages.filter { $0.role == .user }.map(\.id) == ["s-1:3"])
        let parts = batch.parts.filter { $0.messageID == "s-1:5" }
        #expect(parts.map(\.type) == ["custom_tool_call", "error"])
        #expect(parts[0].detail == .tool(ToolCallDetail(
            callID: "c9", tool: "apply_patch", status: "completed", input: #"{"raw":"*** Begin Patch"}"#, output: "Done!",
            startedAt: "2026-03-05T10:00:01.500Z", endedAt: "2026-03-05T10:00:01.750Z", durationMs: 250)))
        #expect(parts[1].detail == .error(name: "error", payload: #"{"raw":"stream disconnected"}"#))
        #expect(batch.calls.first?.messageID == "s-1:5")
        #expect(batch.calls.first?.startedAt == "2026-03-05T10:00:01.000Z")
    }

    @Test func aTokenCountWithoutAResponseStillHasAMessage() throws {
        let batch = try read([Self.meta, Self.context, Self.tokenCount(last: Self.usage("10", "0", "1", "0", "11"))])
        #expect(batch.calls.count == 1)
        #expect(batch.messages.map(\.id) == ["s-1:3"])
        #expect(batch.calls.first?.messageID == "s-1:3")
        #expect(batch.calls.first?.model == "gpt-5")
    }
}

// MARK: - Helpers (shared with GeminiChatsReaderTests)

extension CodexSessionsReaderTests {
    /// Per-model sums of calls, as the sample README's tables give them.
    struct ModelTotals: Equatable {
        var calls = 0
        var input: Int64 = 0
        var output: Int64 = 0
        var reasoning: Int64 = 0
        var cacheRead: Int64 = 0
        var cacheWrite: Int64 = 0
        var total: Int64 = 0

        static func of(_ calls: [CallRecord]) -> [String: ModelTotals] {
            var byModel: [String: ModelTotals] = [:]
            for call in calls {
                var t = byModel[call.model ?? "", default: ModelTotals()]
                t.calls += 1
                t.input += call.tokens.input ?? 0
                t.output += call.tokens.output ?? 0
                t.reasoning += call.tokens.reasoning ?? 0
                t.cacheRead += call.tokens.cacheRead ?? 0
                t.cacheWrite += call.tokens.cacheWrite ?? 0
                t.total += call.tokens.total
                byModel[call.model ?? ""] = t
            }
            return byModel
        }
    }

    /// A temporary folder removed when the value is released.
    final class TempFolder {
        let url: URL

        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("tally-reader-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }

        @discardableResult
        func write(_ path: String, _ text: String) throws -> URL {
            let file = url.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
            return file
        }

        deinit { try? FileManager.default.removeItem(at: url) }
    }
}
