import Foundation
import Testing
@testable import TallyKit

/// The Gemini sample chat (Tests/Samples/README.md, "gemini/"), the JSONL layout and bad input.
@Suite struct GeminiChatsReaderTests {
    typealias ModelTotals = CodexSessionsReaderTests.ModelTotals
    typealias TempFolder = CodexSessionsReaderTests.TempFolder

    static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/gemini/tmp")
    static let hash = "88fc2271c02035459a6dcf36cd4179ade6a65ffe3698264e8a62f6a4661e76f6"
    static let chat = samples.appendingPathComponent("\(hash)/chats/session-2026-03-07T09-12-5c1d7e9a.json")
    static let session = "5c1d7e9a-3b2f-4a6e-9d08-71f4c2b8e153"

    let reader = GeminiChatsReader()

    // MARK: - The hand-computed table

    @Test func findsTheChat() throws {
        #expect(try reader.inputs(under: Self.samples) == [Self.chat])
        #expect(try reader.inputs(under: Self.chat) == [Self.chat])
        #expect(GeminiChatsReader.source == "gemini")
    }

    @Test func perModelTable() throws {
        let batch = try reader.read(Self.chat)
        let byModel = ModelTotals.of(batch.calls)
        #expect(byModel["gemini-2.5-flash"] == ModelTotals(
            calls: 2, input: 26_756, output: 943, reasoning: 512, cacheRead: 23_552, cacheWrite: 0, total: 51_763))
        #expect(byModel["gemini-2.5-pro"] == ModelTotals(
            calls: 3, input: 24_854, output: 2_748, reasoning: 3_974, cacheRead: 29_696, cacheWrite: 0, total: 61_272))
        #expect(byModel.count == 2)

        // "Of which tool": the tool-use prompt tokens counted as input, kept in the call's attributes.
        func toolTokens(_ model: String) -> Int64 {
            batch.calls.filter { $0.model == model }
                .compactMap { $0.attributes.flatMap(JSONValue.parse)?["tool_tokens"]?.int64Value }.reduce(0, +)
        }
        #expect(toolTokens("gemini-2.5-flash") == 128)
        #expect(toolTokens("gemini-2.5-pro") == 0)
        // The canonical kinds add up to Gemini's own total.
        #expect(batch.calls.allSatisfy { $0.tokens.splitSum == $0.tokens.total })
    }

    @Test func callsAreGeminiMessagesWithTokens() throws {
        let batch = try reader.read(Self.chat)
        #expect(batch.calls.map(\.id) == [
            "7e2a9d41-5c3b-4f08-a6e2-9b1d0c7f3e85", "c3d58f20-1e7b-4a96-8d24-5f0e9b3a6c71",
            "4f7b2c9e-6a3d-4e15-8c90-1b2e3d4f5a67", "b5d2e8a1-3f6c-4b79-a0d4-8e1f2c3b4a96",
            "6a3e0f9d-4b7c-4d21-8f58-e9a0b1c2d3e4",
        ].map { "\(Self.session):\($0)" })
        #expect(batch.calls.map(\.messageID) == batch.calls.map(\.id))
        #expect(batch.calls.map(\.model) == ["gemini-2.5-pro", "gemini-2.5-pro", "gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash"])
        let last = try #require(batch.calls.last)
        // input 25,870 (23,552 cached) + tool 128; thoughts 0.
        #expect(last.tokens == TokenCounts(input: 2_446, output: 645, reasoning: 0, cacheRead: 23_552, cacheWrite: 0, total: 26_643))
        #expect(last.startedAt == "2026-03-07T09:31:05.880Z")
        #expect(last.attributes == #"{"tool_tokens":128}"#)
        #expect(batch.calls.allSatisfy { $0.provider == "google" && $0.projectID == Self.hash && $0.sessionID == Self.session })
    }

    // MARK: - Sessions, messages, parts

    @Test func sessionMessagesAndParts() throws {
        let batch = try reader.read(Self.chat)
        #expect(batch.records == 9)  // one per message object
        #expect(batch.rejections.isEmpty)
        #expect(batch.projects == [ProjectRecord(id: Self.hash, source: "gemini")])
        #expect(batch.sessions == [SessionRecord(
            id: Self.session, source: "gemini", projectID: Self.hash,
            startedAt: "2026-03-07T09:12:31.207Z", updatedAt: "2026-03-07T09:31:05.884Z")])

        #expect(batch.messages.map(\.role) == [.user, .assistant, .assistant, .user, .assistant, .system, .assistant, .user, .assistant])
        let users = batch.messages.filter { $0.role == .user }.map(\.id)
        #expect(batch.messages.map(\.parentID) == [nil, users[0], users[0], nil, users[1], users[1], users[1], nil, users[2]])
        let info = batch.messages[5]
        #expect(info.attributes == #"{"type":"info"}"#)
        #expect(info.model == nil && info.provider == nil)
        #expect(batch.calls.allSatisfy { call in call.messageID != info.id })

        #expect(batch.parts.count == 16)
        #expect(batch.parts.filter { $0.type == "thought" }.count == 3)
        #expect(batch.parts.filter { $0.type == "tool_call" }.count == 4)
        #expect(batch.parts.filter { $0.type == "text" }.count == 9)

        let first = batch.parts.filter { $0.messageID == batch.messages[1].id }
        #expect(first.map(\.type) == ["thought", "text", "tool_call"])
        #expect(first.map(\.ordinal) == [0, 1, 2])
        #expect(first.map(\.id) == (0..<3).map { "\(batch.messages[1].id):\($0)" })
        #expect(first[0].detail == .thinking(
            "Scanning the importer\n\nI should look at how token_count events are summed.",
            startedAt: "2026-03-07T09:12:40.118Z", endedAt: nil))
        #expect(first[1].detail == .text("Let me read the Codex importer first.", synthetic: false))
        #expect(first[2].detail == .tool(ToolCallDetail(
            callID: "read_file-1772874764902-a1", tool: "read_file", status: "completed",
            input: #"{"absolute_path":"/Users/dev/src/tokenbench/Sources/TokenBench/CodexImporter.swift"}"#,
            output: "(file contents, 212 lines)", metadata: #"{"displayName":"ReadFile","status":"success"}"#,
            startedAt: "2026-03-07T09:12:45.377Z")))
        let infoText = batch.parts.first { $0.messageID == info.id }?.detail
        #expect(infoText == .text("Automatically switching from gemini-2.5-pro to gemini-2.5-flash for faster responses for the remainder of this session.", synthetic: true))
    }

    @Test func readingTwiceGivesTheSameRecords() throws {
        let a = try reader.read(Self.chat)
        let b = try reader.read(Self.chat)
        #expect(a.calls == b.calls && a.messages == b.messages && a.parts == b.parts && a.sessions == b.sessions)
    }

    @Test func inputsAreChatFilesOnly() throws {
        let tmp = try TempFolder()
        try tmp.write("abc/logs.json", "[]")
        try tmp.write("abc/checkpoint-x.json", "[]")
        try tmp.write("abc/chats/session-2026-04-10T10-00-aaaaaaaa.jsonl", "")
        try tmp.write("abc/chats/session-2026-03-07T09-12-bbbbbbbb.json", "{}")
        try tmp.write("abc/chats/aaaaaaaa-1111/sub-1.jsonl", "")
        try tmp.write("abc/chats/notes.txt", "")
        let found = try reader.inputs(under: tmp.url).map { $0.path.replacingOccurrences(of: tmp.url.path + "/", with: "") }
        #expect(found == [
            "abc/chats/aaaaaaaa-1111/sub-1.jsonl",
            "abc/chats/session-2026-03-07T09-12-bbbbbbbb.json",
            "abc/chats/session-2026-04-10T10-00-aaaaaaaa.jsonl",
        ])
    }

    // MARK: - JSONL layout

    static let header = #"{"sessionId":"g-1","projectHash":"ph","startTime":"2026-04-10T10:00:00.000Z","lastUpdated":"2026-04-10T10:00:00.000Z","kind":"main"}"#
    static func gemini(_ id: String, tokens: String?, tools: String = "", at: String = "2026-04-10T10:00:05.000Z") -> String {
        let t = tokens.map { #","tokens":"# + $0 } ?? ""
        return #"{"id":"\#(id)","timestamp":"\#(at)","type":"gemini","content":"","model":"gemini-2.5-flash"\#(t)\#(tools)}"#
    }
    static func tokens(_ input: String, _ output: String, _ cached: String, _ thoughts: String, _ tool: String, _ total: String) -> String {
        #"{"input":\#(input),"output":\#(output),"cached":\#(cached),"thoughts":\#(thoughts),"tool":\#(tool),"total":\#(total)}"#
    }

    @Test func jsonlKeepsTheLastRecordOfEachMessage() throws {
        let tmp = try TempFolder()
        let lines = [
            Self.header,                                                                      // 1
            #"{"id":"u1","timestamp":"2026-04-10T10:00:01.000Z","type":"user","content":[{"text":"Fix "},{"text":"it"}]}"#, // 2
            Self.gemini("m1", tokens: nil),                                                   // 3: no tokens yet
            #"{"$set":{"lastUpdated":"2026-04-10T10:00:05.000Z"}}"#,                          // 4
            Self.gemini("m1", tokens: Self.tokens("1000", "50", "600", "20", "10", "1080")),  // 5: tokens arrive
            Self.gemini("m1", tokens: Self.tokens("1000", "50", "600", "20", "10", "1080"),   // 6: tool calls arrive
                        tools: #","toolCalls":[{"id":"t1","name":"run_shell_command","args":{"command":"ls"},"status":"error","timestamp":"2026-04-10T10:00:06.000Z","result":[{"functionResponse":{"id":"t1","name":"run_shell_command","response":{"error":"exit 1"}}}]}]"#),
            #"{"$set":{"summary":"Fix it","lastUpdated":"2026-04-10T10:00:09.000Z"}}"#,      // 7
            Self.gemini("m2", tokens: Self.tokens("2000", "70", "0", "0", "0", "2070")),      // 8
            #"{"$rewindTo":"m2"}"#,                                                           // 9
            Self.gemini("m3", tokens: Self.tokens("2100", "30", "1024", "0", "0", "2130")),   // 10
        ]
        let url = try tmp.write("ph/chats/session-2026-04-10T10-00-g1.jsonl", lines.joined(separator: "\n") + "\n")
        let batch = try reader.read(url)
        #expect(batch.records == 10)
        #expect(batch.rejections.isEmpty)
        #expect(batch.sessions == [SessionRecord(
            id: "g-1", source: "gemini", projectID: "ph", title: "Fix it", startedAt: "2026-04-10T10:00:00.000Z",
            updatedAt: "2026-04-10T10:00:09.000Z", attributes: #"{"kind":"main"}"#)])
        #expect(batch.calls.map(\.id) == ["g-1:m1", "g-1:m2", "g-1:m3"])
        #expect(batch.calls.map(\.sourceLine) == [6, 8, 10])
        #expect(batch.calls[0].tokens == TokenCounts(input: 410, output: 50, reasoning: 20, cacheRead: 600, cacheWrite: 0, total: 1_080))
        // A rewound message left the conversation but was billed: kept and marked.
        #expect(batch.calls[1].attributes == #"{"rewound":true}"#)
        #expect(batch.calls[2].attributes == nil)
        #expect(batch.messages.map(\.id) == ["g-1:u1", "g-1:m1", "g-1:m2", "g-1:m3"])
        #expect(batch.parts.first?.detail == .text("Fix it", synthetic: false))
        let tool = batch.parts.first { $0.type == "tool_call" }
        #expect(tool?.detail == .tool(ToolCallDetail(
            callID: "t1", tool: "run_shell_command", status: "error", input: #"{"command":"ls"}"#,
            metadata: #"{"status":"error"}"#, startedAt: "2026-04-10T10:00:06.000Z", error: #"{"raw":"exit 1"}"#)))
    }

    @Test func jsonlBadLines() throws {
        let tmp = try TempFolder()
        let lines = [
            Self.header,                                                                          // 1
            Self.gemini("n1", tokens: Self.tokens("-5", "1", "0", "0", "0", "1")),                // 2
            Self.gemini("n2", tokens: Self.tokens("1.5", "1", "0", "0", "0", "1")),               // 3
            Self.gemini("n3", tokens: Self.tokens(#""12""#, "1", "0", "0", "0", "1")),            // 4
            Self.gemini("n4", tokens: Self.tokens("1e30", "1", "0", "0", "0", "1")),              // 5
            Self.gemini("n5", tokens: Self.tokens("10", "1", "20", "0", "0", "11")),              // 6: cached > input
            #"{"timestamp":"2026-04-10T10:00:05.000Z","type":"gemini","content":"x"}"#,          // 7: no id
            #"{"hello":"world"}"#,                                                                // 8
            Self.gemini("n6", tokens: #"{"output":1}"#),                                          // 9
            Self.gemini("n7", tokens: nil, at: "soon"),                                           // 10
            #"{"id":"n8","timestamp":"2026-04-10T10:00:05.000Z","type":"gemini","tokens":{"input":5,"#, // 11: cut
        ]
        let url = try tmp.write("ph/chats/parent-session/sub-1.jsonl", lines.joined(separator: "\n"))
        let batch = try reader.read(url)
        #expect(batch.records == 11)
        #expect(batch.rejections.map(\.line) == Array(2...11))
        #expect(batch.rejections.map(\.key) == ["n1", "n2", "n3", "n4", "n5", nil, nil, "n6", "n7", nil])
        #expect(batch.rejections.map(\.reason) == [
            "invalid token count tokens.input: negative (-5)",
            "invalid token count tokens.input: not an integer (1.5)",
            #"invalid token count tokens.input: a string ("12"), not a number"#,
            "invalid token count tokens.input: out of range (1e+30)",
            "tokens.cached (20) exceeds tokens.input (10)",
            "missing message id",
            "not a message, session metadata, $set or $rewindTo record",
            "missing tokens.input",
            #"invalid timestamp "soon""#,
            "not valid JSON (a cut or corrupted record)",
        ])
        #expect(batch.rejections[0].raw == .text(lines[1]))
        #expect(batch.calls.isEmpty && batch.messages.isEmpty)
        #expect(batch.records == batch.indexed + batch.rejections.count)
        // A sub-agent chat sits in a folder named after its parent session.
        #expect(batch.sessions.first?.parentID == "parent-session")
        #expect(batch.sessions.first?.projectID == "ph")
    }

    // MARK: - Single-JSON bad input

    @Test func singleJSONBadMessages() throws {
        let tmp = try TempFolder()
        let text = """
            {"sessionId": "g-2", "projectHash": "ph", "startTime": "2026-03-07T09:12:31.207Z",
             "messages": [
               {"id": "a", "timestamp": "2026-03-07T09:12:31.210Z", "type": "user", "content": "hi"},
               {"timestamp": "2026-03-07T09:12:32.000Z", "type": "gemini", "content": "no id"},
               {"id": "b", "timestamp": "2026-03-07T09:12:33.000Z", "type": "gemini", "model": "gemini-2.5-pro",
                "tokens": {"input": 10, "output": -1, "cached": 0, "thoughts": 0, "tool": 0, "total": 9}},
               {"id": "c", "timestamp": "2026-03-07T09:12:34.000Z", "type": 7},
               {"id": "d", "timestamp": "2026-03-07T09:12:35.000Z", "type": "gemini", "model": "gemini-2.5-pro",
                "tokens": {"input": 10, "output": 1, "cached": 0, "thoughts": 0, "tool": 0, "total": 11}}
             ]}
            """
        let batch = try reader.read(try tmp.write("ph/chats/session-x.json", text))
        #expect(batch.records == 5)
        #expect(batch.rejections.map(\.key) == ["messages[1]", "b", "messages[3]"])
        #expect(batch.rejections.map(\.line) == [nil, nil, nil])
        #expect(batch.rejections.map(\.reason) == [
            "missing message id",
            "invalid token count tokens.output: negative (-1)",
            "unexpected value at messages[3].type: expected text",
        ])
        #expect(batch.rejections.first?.raw == .text(#"{"content":"no id","timestamp":"2026-03-07T09:12:32.000Z","type":"gemini"}"#))
        #expect(batch.calls.map(\.id) == ["g-2:d"])
        #expect(batch.messages.map(\.id) == ["g-2:a", "g-2:d"])
        #expect(batch.records == batch.indexed + batch.rejections.count)
    }

    @Test func singleJSONKeepsTheLastCopyOfARewrittenMessage() throws {
        let tmp = try TempFolder()
        let message = { (output: Int) in
            #"{"id": "d", "timestamp": "2026-03-07T09:12:35.000Z", "type": "gemini", "model": "gemini-2.5-pro", "tokens": {"input": 10, "output": \#(output), "cached": 0, "thoughts": 0, "tool": 0, "total": \#(10 + output)}}"#
        }
        let text = #"{"sessionId": "g-4", "messages": ["# + message(1) + ", " + message(5) + "]}"
        let batch = try reader.read(try tmp.write("exported/session-y.json", text))
        #expect(batch.records == 2)
        #expect(batch.calls.map(\.tokens.total) == [15])
        #expect(batch.messages.map(\.id) == ["g-4:d"])
        // Not in a chats folder and no projectHash: no project.
        #expect(batch.projects.isEmpty && batch.sessions.first?.projectID == nil)
    }

    @Test func unreadableFilesThrow() throws {
        let tmp = try TempFolder()
        let cut = try tmp.write("ph/chats/session-cut.json", #"{"sessionId": "g-3", "messages": [{"id": "a""#)
        #expect(throws: ReaderError.self) { try reader.read(cut) }
        let noSession = try tmp.write("ph/chats/session-none.json", #"{"messages": []}"#)
        #expect(throws: ReaderError.self) { try reader.read(noSession) }
        let noHeader = try tmp.write("ph/chats/session-none.jsonl", Self.gemini("m1", tokens: nil))
        #expect(throws: ReaderError.self) { try reader.read(noHeader) }
        do {
            _ = try reader.read(cut)
        } catch let error as ReaderError {
            #expect(error.message == "session-cut.json: not valid JSON (a cut or corrupted record)")
        }
    }
}
