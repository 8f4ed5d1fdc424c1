import Foundation
import Testing
@testable import TallyKit

/// EventsReader against Tests/Samples/events (README "events/": hand-computed tables) and
/// constructed bad input.
@Suite struct EventsReaderTests {
    private static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/events")

    private let reader = EventsReader()

    // MARK: - The README tables

    @Test func usageJSONLMatchesTheReadmeTable() throws {
        let batch = try reader.read(Self.samples.appendingPathComponent("usage.jsonl"))
        #expect(batch.records == 20)
        #expect(batch.rejections.isEmpty)
        #expect(batch.calls.count == 20)
        let table = ModelTotals.table(batch.calls)
        #expect(table["acme-internal-7b"] == ModelTotals(calls: 2, input: 4_000, output: 800, total: 7_400, totalOnly: 1))
        #expect(table["claude-haiku-4-5"] == ModelTotals(
            calls: 3, input: 4_860, output: 715, cacheRead: 7_200, cacheWrite: 4_096, total: 16_871,
            withCost: 2, costNanos: 12_820_000))
        #expect(table["claude-sonnet-4-5"] == ModelTotals(
            calls: 7, input: 4_950, output: 4_388, cacheRead: 84_400, cacheWrite: 9_600, total: 145_838,
            totalOnly: 2, withCost: 4, costNanos: 142_720_000))
        #expect(table["gemini-2.5-flash"] == ModelTotals(
            calls: 4, input: 18_000, output: 2_110, reasoning: 3_300, cacheRead: 4_000, total: 36_410,
            totalOnly: 1, withCost: 2, costNanos: 17_610_000))
        #expect(table["gpt-5"] == ModelTotals(
            calls: 4, input: 9_020, output: 1_530, reasoning: 1_536, cacheRead: 30_720, total: 91_016,
            totalOnly: 1, withCost: 2, costNanos: 37_025_000))
        #expect(table.count == 5)
        #expect(ModelTotals(batch.calls) == ModelTotals(
            calls: 20, input: 40_830, output: 9_543, reasoning: 4_836, cacheRead: 126_320, cacheWrite: 13_696,
            total: 297_535, totalOnly: 5, withCost: 10, costNanos: 210_175_000))

        // rows 20; without id 3; without total_tokens 4; total-only 5; with cost_usd 10; with parent_session_id 2
        let lines = try Self.lines(of: "usage.jsonl")
        #expect(batch.calls.filter { $0.id.hasPrefix("events:fnv1a64:") }.map(\.sourceLine) == [7, 8, 13])
        let withoutTotal = lines.indices.filter { !lines[$0].contains("\"total_tokens\"") }.map { $0 + 1 }
        #expect(withoutTotal == [6, 8, 13, 17])
        for call in batch.calls where withoutTotal.contains(call.sourceLine!) {
            #expect(call.tokens.total == call.tokens.splitSum)
        }
        let children = Set(batch.sessions.filter { $0.parentID != nil }.map(\.id))
        #expect(batch.calls.filter { children.contains($0.sessionID ?? "") }.count == 2)
    }

    @Test func usageCSVMatchesTheReadmeTable() throws {
        let batch = try reader.read(Self.samples.appendingPathComponent("usage.csv"))
        #expect(batch.records == 20)
        #expect(batch.rejections.isEmpty)
        let table = ModelTotals.table(batch.calls)
        #expect(table["acme-internal-7b"] == ModelTotals(calls: 2, input: 3_500, output: 700, total: 6_100, totalOnly: 1))
        #expect(table["claude-haiku-4-5"] == ModelTotals(
            calls: 3, input: 4_400, output: 610, cacheRead: 6_900, cacheWrite: 4_200, total: 16_110,
            withCost: 2, costNanos: 12_000_000))
        #expect(table["claude-sonnet-4-5"] == ModelTotals(
            calls: 7, input: 4_750, output: 3_915, cacheRead: 79_000, cacheWrite: 9_300, total: 135_465,
            totalOnly: 2, withCost: 4, costNanos: 136_000_000))
        #expect(table["gemini-2.5-flash"] == ModelTotals(
            calls: 4, input: 14_500, output: 1_710, reasoning: 2_800, cacheRead: 3_500, total: 30_510,
            totalOnly: 1, withCost: 2, costNanos: 14_540_000))
        #expect(table["gpt-5"] == ModelTotals(
            calls: 4, input: 7_800, output: 1_420, reasoning: 1_024, cacheRead: 26_624, total: 72_868,
            totalOnly: 1, withCost: 2, costNanos: 29_768_000))
        #expect(table.count == 5)
        #expect(ModelTotals(batch.calls) == ModelTotals(
            calls: 20, input: 34_950, output: 8_355, reasoning: 3_824, cacheRead: 116_024, cacheWrite: 13_500,
            total: 261_053, totalOnly: 5, withCost: 10, costNanos: 192_308_000))

        // rows 20; without id 3; without total_tokens 5; total-only 5; with cost_usd 10; with parent_session_id 2
        // (data row n is on line n + 1)
        #expect(batch.calls.filter { $0.id.hasPrefix("events:fnv1a64:") }.map(\.sourceLine) == [5, 8, 14])
        let withoutTotal = [5, 7, 9, 14, 18]
        for call in batch.calls where withoutTotal.contains(call.sourceLine!) {
            #expect(!call.tokens.isTotalOnly)
            #expect(call.tokens.total == call.tokens.splitSum)
        }
        let children = Set(batch.sessions.filter { $0.parentID != nil }.map(\.id))
        #expect(batch.calls.filter { children.contains($0.sessionID ?? "") }.count == 2)
    }

    @Test func bothFilesHoldDifferentCalls() throws {
        let inputs = try reader.inputs(under: Self.samples)
        #expect(inputs.map(\.lastPathComponent) == ["usage.csv", "usage.jsonl"])
        var all = ReadBatch()
        for input in inputs { all.append(try reader.read(input)) }
        #expect(Set(all.calls.map(\.id)).count == 40)
    }

    // MARK: - Field by field

    @Test func jsonlFieldsAreNormalised() throws {
        let batch = try reader.read(Self.samples.appendingPathComponent("usage.jsonl"))
        let byLine = Dictionary(uniqueKeysWithValues: batch.calls.map { ($0.sourceLine!, $0) })

        let first = try #require(byLine[1])
        #expect(first.id == "events:id:evt-0001")
        #expect(first.source == "events")
        #expect(first.startedAt == "2026-03-02T09:15:04.000Z")
        #expect(first.provider == "anthropic")
        #expect(first.agent == "build")
        #expect(first.sessionID == "events:sess-a1")
        #expect(first.projectID == "events:tokenbench")
        #expect(first.tokens == TokenCounts(input: 1_200, output: 340, reasoning: 0, cacheRead: 18_000, cacheWrite: 2_400, total: 21_940))
        #expect(first.reportedCostNanos == 23_100_000)
        #expect(first.attributes == nil)

        #expect(byLine[2]?.startedAt == "2026-03-02T09:15:31.250Z")
        #expect(byLine[2]?.attributes == #"{"tool":"edit"}"#)
        #expect(byLine[2]?.reportedCostNanos == nil)
        // +01:00 → 13:00Z
        #expect(byLine[7]?.startedAt == "2026-03-03T13:00:00.000Z")
        // "reasoning_tokens": null is absent; no total: the sum of the given splits
        #expect(byLine[8]?.tokens == TokenCounts(input: 2_200, output: 310, total: 2_510))
        #expect(byLine[8]?.tokens.reasoning == nil)
        // a total-only row with a reported cost that cannot be recomputed
        let nine = try #require(byLine[9])
        #expect(nine.id == "events:id:evt-0009")
        #expect(nine.tokens == TokenCounts(total: 30_500))
        #expect(nine.tokens.isTotalOnly)
        #expect(nine.reportedCostNanos == 41_200_000)
        // no session: no session id, project kept
        #expect(byLine[10]?.sessionID == nil)
        #expect(byLine[10]?.projectID == "events:billing")
        #expect(byLine[20]?.startedAt == "2026-03-05T23:59:59.999Z")
    }

    @Test func sessionsFormATreeAndProjectsAreNamed() throws {
        let batch = try reader.read(Self.samples.appendingPathComponent("usage.jsonl"))
        #expect(batch.sessions.map(\.id) == [
            "events:sess-a1", "events:sess-a2", "events:sess-a3", "events:sess-a4", "events:sess-a5",
            "events:sess-b1", "events:sess-b2", "events:sess-c1", "events:sess-c2",
        ])
        let a1 = try #require(batch.sessions.first { $0.id == "events:sess-a1" })
        #expect(a1 == SessionRecord(
            id: "events:sess-a1", source: "events", projectID: "events:tokenbench",
            startedAt: "2026-03-02T09:15:04.000Z", updatedAt: "2026-03-04T08:41:17.000Z"))
        let a2 = try #require(batch.sessions.first { $0.id == "events:sess-a2" })
        #expect(a2.parentID == "events:sess-a1")
        #expect(batch.projects == [
            ProjectRecord(id: "events:billing", source: "events", name: "billing"),
            ProjectRecord(id: "events:tokenbench", source: "events", name: "tokenbench"),
        ])
    }

    @Test func aParentWithoutCallsGetsAPlaceholderSession() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = try dir.write("tree.jsonl", """
            {"id":"c1","timestamp":"2026-03-02T09:00:00Z","model":"m","session_id":"child","parent_session_id":"root","total_tokens":10}
            {"id":"c2","timestamp":"2026-03-02T09:01:00Z","model":"m","session_id":"child2","parent_session_id":"child","total_tokens":5}
            {"id":"c3","timestamp":"2026-03-02T09:02:00Z","model":"m","parent_session_id":"orphan","total_tokens":1}
            """)
        let batch = try reader.read(url)
        #expect(batch.rejections.isEmpty)
        #expect(batch.sessions == [
            SessionRecord(id: "events:child", source: "events", parentID: "events:root",
                          startedAt: "2026-03-02T09:00:00.000Z", updatedAt: "2026-03-02T09:00:00.000Z"),
            SessionRecord(id: "events:child2", source: "events", parentID: "events:child",
                          startedAt: "2026-03-02T09:01:00.000Z", updatedAt: "2026-03-02T09:01:00.000Z"),
            SessionRecord(id: "events:root", source: "events"),
        ])
        // a parent with no session to hang on stays in the call's attributes
        #expect(batch.calls[2].sessionID == nil)
        #expect(batch.calls[2].attributes == #"{"parent_session_id":"orphan"}"#)
    }

    @Test func csvFieldsAreNormalised() throws {
        let batch = try reader.read(Self.samples.appendingPathComponent("usage.csv"))
        let byLine = Dictionary(uniqueKeysWithValues: batch.calls.map { ($0.sourceLine!, $0) })
        // an explicit 0 is 0, an empty field is NULL
        #expect(byLine[2]?.tokens == TokenCounts(input: 1_500, output: 420, reasoning: 0, cacheRead: 16_000, cacheWrite: 3_000, total: 20_920))
        #expect(byLine[2]?.reportedCostNanos == 26_850_000)
        #expect(byLine[9]?.tokens == TokenCounts(input: 1_800, output: 260, total: 2_060))
        #expect(byLine[9]?.tokens.reasoning == nil)
        #expect(byLine[9]?.agent == nil)
        #expect(byLine[9]?.attributes == nil)
        #expect(byLine[3]?.attributes == #"{"tool":"edit"}"#)
        // -05:00 → 17:00Z
        #expect(byLine[8]?.startedAt == "2026-03-04T17:00:00.000Z")
        #expect(byLine[10]?.tokens == TokenCounts(total: 27_500))
        #expect(byLine[10]?.reportedCostNanos == 38_800_000)
        // the quoted field with a comma
        #expect(byLine[15]?.projectID == "events:client-site, v2")
        #expect(batch.projects.map(\.name) == ["billing", "client-site, v2", "tokenbench"])
        #expect(batch.sessions.first { $0.id == "events:s-102" }?.parentID == "events:s-101")
    }

    // MARK: - Keys

    @Test func fnv1a64MatchesTheReferenceVectors() {
        #expect(EventsReader.fnv1a64Hex("") == "cbf29ce484222325")
        #expect(EventsReader.fnv1a64Hex("a") == "af63dc4c8601ec8c")
        #expect(EventsReader.fnv1a64Hex("foobar") == "85944171f73967e8")
    }

    @Test func theHashCoversTheNormalisedRecord() throws {
        let batch = try reader.read(Self.samples.appendingPathComponent("usage.jsonl"))
        let eight = try #require(batch.calls.first { $0.sourceLine == 8 })
        let canonical = #"{"input_tokens":2200,"model":"gemini-2.5-flash","output_tokens":310,"project":"tokenbench","provider":"google","session_id":"sess-c1","timestamp":"2026-03-03T13:02:30.000Z","total_tokens":2510}"#
        #expect(eight.id == "events:fnv1a64:" + EventsReader.fnv1a64Hex(canonical))

        // Key order, spacing, the zone, a written-out total and CSV vs JSONL do not change it.
        let dir = try TempDir()
        defer { dir.remove() }
        let jsonl = try dir.write("same.jsonl", """
            {"total_tokens": 2510, "reasoning_tokens": null, "output_tokens": 310, "input_tokens": 2200, "project": "tokenbench", "session_id": "sess-c1", "model": "gemini-2.5-flash", "provider": "google", "timestamp": "2026-03-03T14:02:30+01:00"}
            """)
        let csv = try dir.write("same.csv", """
            timestamp,provider,model,session_id,project,input_tokens,output_tokens,reasoning_tokens
            2026-03-03 13:02:30,google,gemini-2.5-flash,sess-c1,tokenbench,2200,310,

            """)
        #expect(try reader.read(jsonl).calls.map(\.id) == [eight.id])
        #expect(try reader.read(csv).calls.map(\.id) == [eight.id])
    }

    @Test func theCanonicalTextIsTheSortedJSONOfTheNormalisedRecord() throws {
        var lines = try Self.lines(of: "usage.jsonl")
        lines.append(#"{"id":"q\"1","timestamp":"2026-03-02T09:00:00Z","model":"m\\x","tool":"a\nb","cost_usd":1.5,"zone":{"b":1,"a":[true,null]},"agent":"é","total_tokens":3}"#)
        let decoder = JSONDecoder()
        for line in lines {
            let fields = try decoder.decode(EventsReader.Line.self, from: Data(line.utf8)).fields
            let event = try EventsReader.validate(fields).get()
            var o: [String: JSONValue] = ["timestamp": .string(event.startedAt), "model": .string(event.model)]
            let texts: [(String, String?)] = [
                ("id", event.id), ("provider", event.provider), ("session_id", event.sessionID),
                ("parent_session_id", event.parentSessionID), ("project", event.project), ("agent", event.agent),
                ("tool", event.tool),
            ]
            for (name, value) in texts { if let value { o[name] = .string(value) } }
            let counts: [(String, Int64?)] = [
                ("input_tokens", event.tokens.input), ("output_tokens", event.tokens.output),
                ("reasoning_tokens", event.tokens.reasoning), ("cache_read_tokens", event.tokens.cacheRead),
                ("cache_write_tokens", event.tokens.cacheWrite), ("total_tokens", event.tokens.total),
            ]
            for (name, value) in counts { if let value { o[name] = .integer(value) } }
            if let cost = event.costNanos { o["cost_nanos"] = .integer(cost) }
            if !event.extras.isEmpty { o["extra"] = .object(event.extras) }
            #expect(event.canonicalText == JSONValue.object(o).jsonText)
        }
    }

    @Test func readingTwiceGivesTheSameBatch() throws {
        for name in ["usage.jsonl", "usage.csv"] {
            let url = Self.samples.appendingPathComponent(name)
            let a = try reader.read(url)
            let b = try reader.read(url)
            #expect(a.calls == b.calls)
            #expect(a.sessions == b.sessions)
            #expect(a.projects == b.projects)
        }
    }

    @Test func duplicatesInOneFile() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = try dir.write("dups.jsonl", """
            {"id":"e1","timestamp":"2026-03-02T09:00:00Z","model":"m","total_tokens":10}
            {"id":"e1","timestamp":"2026-03-02T09:00:00.000Z","model":"m","total_tokens":10}
            {"id":"e1","timestamp":"2026-03-02T09:00:00Z","model":"m","total_tokens":11}
            {"timestamp":"2026-03-02T09:00:00Z","model":"m","input_tokens":3}
            {"timestamp":"2026-03-02T09:00:00Z","model":"m","input_tokens":3,"total_tokens":3}
            """)
        let batch = try reader.read(url)
        #expect(batch.records == 5)
        #expect(batch.calls.map(\.sourceLine) == [1, 4])
        #expect(batch.rejections == [TallyKit.Rejection(
            line: 3, key: "events:id:e1",
            reason: "duplicate id e1 (first on line 1) with different values: give each event its own id",
            raw: .text(#"{"id":"e1","timestamp":"2026-03-02T09:00:00Z","model":"m","total_tokens":11}"#))])
    }

    @Test func headersMapCaseInsensitivelyAndUnknownColumnsAreAttributes() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = try dir.write("mixed.csv", "\u{FEFF}Region, MODEL ,Timestamp,Total_Tokens,Tool\r\neu-west,m,2026-03-02T09:00:00Z,42,grep\r\n")
        let batch = try reader.read(url)
        #expect(batch.rejections.isEmpty)
        #expect(batch.calls.count == 1)
        #expect(batch.calls[0].model == "m")
        #expect(batch.calls[0].tokens == TokenCounts(total: 42))
        #expect(batch.calls[0].attributes == #"{"Region":"eu-west","tool":"grep"}"#)

        let jsonl = try dir.write("mixed.jsonl", #"{"Model":"m","TIMESTAMP":"2026-03-02T09:00:00Z","Input_Tokens":4,"region":"eu","tags":["a",1]}"#)
        let j = try reader.read(jsonl)
        #expect(j.calls.first?.tokens == TokenCounts(input: 4))
        #expect(j.calls.first?.attributes == #"{"region":"eu","tags":["a",1]}"#)
    }

    // MARK: - Bad input

    @Test func badJSONLLinesAreRejectedWithReasons() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let t = #""timestamp":"2026-03-02T09:00:00Z""#
        var lines = [
            #"{"id":"ok",\#(t),"model":"m","input_tokens":5}"#,
            #"{"id":"b2",\#(t),"model":"m","input_tokens":-5}"#,
            #"{"id":"b3",\#(t),"model":"m","output_tokens":1.5}"#,
            #"{"id":"b4",\#(t),"model":"m","total_tokens":"12"}"#,
            #"{"id":"b5",\#(t),"model":"m","cache_read_tokens":1e30}"#,
            #"{"id":"b6","timestamp":"2026-03-0"#,
            #"{"id":"b7","model":"m","input_tokens":5}"#,
            #"{"id":"b8",\#(t),"input_tokens":5}"#,
            #"{"id":"b9","timestamp":"yesterday","model":"m","input_tokens":5}"#,
            #"[1,2]"#,
            "",
            #"{"id":"b12",\#(t),"model":"m","input_tokens":5,"cost_usd":-0.5}"#,
            #"{"id":"b13",\#(t),"model":7,"input_tokens":5}"#,
            #"{"id":"b14",\#(t),"model":"m","cost_usd":0.01}"#,
            #"{"id":"b15",\#(t),"model":"m","cache_write_tokens":9007199254740993}"#,
            #"{"id":"b16",\#(t),"model":"m","reasoning_tokens":true}"#,
            #"{"id":"b17",\#(t),"model":"m","session_id":"s","parent_session_id":"s","total_tokens":1}"#,
            #"{"id":"b18",\#(t),"model":"m","cost_usd":"0.01","total_tokens":1}"#,
        ].joined(separator: "\n").data(using: .utf8)!
        // line 19: a Latin-1 byte inside a string
        lines += Data("\n{\"id\":\"b19\",\(t),\"model\":\"caf".utf8) + Data([0xE9]) + Data("\",\"total_tokens\":1}\n".utf8)
        let url = dir.url("bad.jsonl")
        try lines.write(to: url)

        let batch = try reader.read(url)
        #expect(batch.records == 18)  // 19 lines, one blank
        #expect(batch.calls.map(\.id) == ["events:id:ok"])
        #expect(batch.records == batch.calls.count + batch.rejections.count)
        let reasons = Dictionary(uniqueKeysWithValues: batch.rejections.map { ($0.line!, $0.reason) })
        #expect(reasons[2] == "invalid token count input_tokens: negative (-5)")
        #expect(reasons[3] == "invalid token count output_tokens: not an integer (1.5)")
        #expect(reasons[4] == #"invalid token count total_tokens: a string ("12"), not a number"#)
        #expect(reasons[5] == "invalid token count cache_read_tokens: out of range (1e+30)")
        #expect(reasons[6] == "not valid JSON: the line ends before its object closes (cut off?)")
        #expect(reasons[7] == "missing timestamp")
        #expect(reasons[8] == "missing model")
        #expect(reasons[9] == #"timestamp not understood: "yesterday" (expected ISO-8601, e.g. 2026-03-05T10:02:11Z)"#)
        #expect(reasons[10] == "not a JSON object")
        #expect(reasons[11] == nil)
        #expect(reasons[12] == "invalid cost_usd: negative (-0.5)")
        #expect(reasons[13] == "model must be text, not 7")
        #expect(reasons[14] == "no token counts: give total_tokens or at least one of input_tokens, output_tokens, reasoning_tokens, cache_read_tokens, cache_write_tokens")
        #expect(reasons[15] == "invalid token count cache_write_tokens: above 2^53 (9007199254740993)")
        #expect(reasons[16] == "invalid token count reasoning_tokens: not a number")
        #expect(reasons[17] == "parent_session_id is the session itself (s)")
        #expect(reasons[18] == #"invalid cost_usd: "0.01" is not a number"#)
        #expect(reasons[19] == "not valid UTF-8")

        let cut = try #require(batch.rejections.first { $0.line == 6 })
        #expect(cut.raw == .text(#"{"id":"b6","timestamp":"2026-03-0"#))
        #expect(batch.rejections.first { $0.line == 2 }?.key == "events:id:b2")
        if case .bytes = batch.rejections.first(where: { $0.line == 19 })?.raw {} else {
            Issue.record("invalid UTF-8 must be kept as bytes")
        }
    }

    @Test func badCSVRowsAreRejectedWithReasons() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = try dir.write("bad.csv", """
            id,timestamp,model,input_tokens,output_tokens,total_tokens,cost_usd,note
            ok,2026-03-02T09:00:00Z,m,5,,,,
            b2,2026-03-02T09:00:00Z,m,-5,,,,
            b3,2026-03-02T09:00:00Z,m,,abc,,,
            b4,2026-03-02T09:00:00Z,m,,1.5,,,
            b5,2026-03-02T09:00:00Z,m,,,1e30,,
            b6,,m,5,,,,
            b7,2026-03-02T09:00:00Z,,5,,,,
            b8,2026-03-02T09:00:00Z,m,5
            b9,2026-03-02T09:00:00Z,m,5,,,abc,"a note
            over two lines"

            b11,2026-03-02T09:00:00Z,m,5,,,0.25,"say ""hi"", twice"
            b12,2026-03-02T09:00:00Z,m,,,,,

            """)
        let batch = try reader.read(url)
        #expect(batch.records == 11)
        #expect(batch.records == batch.calls.count + batch.rejections.count)
        #expect(batch.calls.map(\.id) == ["events:id:ok", "events:id:b11"])
        #expect(batch.calls.map(\.sourceLine) == [2, 13])
        #expect(batch.calls[1].attributes == #"{"note":"say \"hi\", twice"}"#)
        #expect(batch.calls[1].reportedCostNanos == 250_000_000)
        let reasons = Dictionary(uniqueKeysWithValues: batch.rejections.map { ($0.line!, $0.reason) })
        #expect(reasons == [
            3: "invalid token count input_tokens: negative (-5)",
            4: #"invalid token count output_tokens: not a number ("abc")"#,
            5: "invalid token count output_tokens: not an integer (1.5)",
            6: "invalid token count total_tokens: out of range (1e30)",
            7: "missing timestamp",
            8: "missing model",
            9: "row has 4 fields, the header has 8",
            10: #"invalid cost_usd: not a number ("abc")"#,
            14: "no token counts: give total_tokens or at least one of input_tokens, output_tokens, reasoning_tokens, cache_read_tokens, cache_write_tokens",
        ])
        #expect(batch.rejections.first { $0.line == 3 }?.raw == .text("b2,2026-03-02T09:00:00Z,m,-5,,,,"))
        #expect(batch.rejections.first { $0.line == 10 }?.raw == .text("b9,2026-03-02T09:00:00Z,m,5,,,abc,\"a note\nover two lines\""))
    }

    @Test func unreadableCSVFilesThrow() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let noModel = try dir.write("nomodel.csv", "timestamp,total_tokens\n2026-03-02T09:00:00Z,5\n")
        #expect(throws: ReaderError.self) { try reader.read(noModel) }
        let twice = try dir.write("twice.csv", "timestamp,model,Model\n2026-03-02T09:00:00Z,m,n\n")
        let repeated = #expect(throws: ReaderError.self) { try reader.read(twice) }
        #expect(repeated?.message == "twice.csv: column `Model` appears twice in the header row")
        let latin1 = dir.url("latin1.csv")
        try (Data("timestamp,model,total_tokens\n2026-03-02T09:00:00Z,m,5\n2026-03-02T09:00:00Z,caf".utf8) + Data([0xE9, 0x0A])).write(to: latin1)
        let notUTF8 = #expect(throws: ReaderError.self) { try reader.read(latin1) }
        #expect(notUTF8?.message == latin1.path + ": line 3: not valid UTF-8: the rest of the file cannot be read")
        let empty = try dir.write("empty.csv", "")
        #expect(try reader.read(empty).records == 0)
        let headerOnly = try dir.write("header.csv", "timestamp,model,total_tokens")
        #expect(try reader.read(headerOnly).records == 0)
        let noFinalNewline = try dir.write("last.csv", "timestamp,model,total_tokens\n2026-03-02T09:00:00Z,m,5")
        #expect(try reader.read(noFinalNewline).calls.map(\.tokens.total) == [5])
    }

    @Test func aMalformedLineThatIsNotCutSaysSo() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let url = try dir.write("syntax.jsonl", #"{"id":"x" "model":"m"}"# + "\n")
        #expect(try reader.read(url).rejections.map(\.reason) == ["not valid JSON: check the quotes, commas and brackets"])
    }

    // MARK: - Helpers

    private static func lines(of name: String) throws -> [String] {
        try String(contentsOf: samples.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }
}

/// Per-model sums as the README tables show them (NULL splits count 0).
private struct ModelTotals: Equatable {
    var calls = 0
    var input: Int64 = 0
    var output: Int64 = 0
    var reasoning: Int64 = 0
    var cacheRead: Int64 = 0
    var cacheWrite: Int64 = 0
    var total: Int64 = 0
    var totalOnly = 0
    var withCost = 0
    var costNanos: Int64 = 0

    init(calls: Int = 0, input: Int64 = 0, output: Int64 = 0, reasoning: Int64 = 0, cacheRead: Int64 = 0,
         cacheWrite: Int64 = 0, total: Int64 = 0, totalOnly: Int = 0, withCost: Int = 0, costNanos: Int64 = 0) {
        self.calls = calls
        self.input = input
        self.output = output
        self.reasoning = reasoning
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
        self.total = total
        self.totalOnly = totalOnly
        self.withCost = withCost
        self.costNanos = costNanos
    }

    init(_ calls: [CallRecord]) {
        for call in calls {
            self.calls += 1
            input += call.tokens.input ?? 0
            output += call.tokens.output ?? 0
            reasoning += call.tokens.reasoning ?? 0
            cacheRead += call.tokens.cacheRead ?? 0
            cacheWrite += call.tokens.cacheWrite ?? 0
            total += call.tokens.total
            if call.tokens.isTotalOnly { totalOnly += 1 }
            if let cost = call.reportedCostNanos {
                withCost += 1
                costNanos += cost
            }
        }
    }

    static func table(_ calls: [CallRecord]) -> [String: ModelTotals] {
        Dictionary(grouping: calls) { $0.model ?? "" }.mapValues(ModelTotals.init)
    }
}

/// A temporary folder for constructed fixtures (`defer { dir.remove() }`).
private struct TempDir {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tally-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func url(_ name: String) -> URL { root.appendingPathComponent(name) }

    func write(_ name: String, _ text: String) throws -> URL {
        let u = url(name)
        try Data(text.utf8).write(to: u)
        return u
    }
}

/// A large JSONL file is read in pieces that add up to the whole.
@Suite struct EventsStreamingTests {
    @Test func piecesAddUpToTheWholeFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tally-stream-\(UUID().uuidString).jsonl")
        var text = ""
        for i in 0..<45_000 {
            text += #"{"id":"e\#(i)","timestamp":"2026-03-05T10:00:00Z","model":"gpt-5","session_id":"s\#(i % 3)","input_tokens":\#(i % 100)}"# + "\n"
        }
        text += "{cut\n"
        try Data(text.utf8).write(to: url)
        var pieces: [ReadBatch] = []
        try EventsReader().stream(url) { pieces.append($0) }
        #expect(pieces.count == 3)
        #expect(pieces.map(\.calls.count) == [20_000, 20_000, 5_000])
        #expect(pieces.reduce(0) { $0 + $1.records } == 45_001)
        #expect(pieces.last?.rejections.count == 1)
        #expect(pieces.last?.sessions.count == 3)
        let whole = try EventsReader().read(url)
        #expect(whole.calls == pieces.flatMap(\.calls))
    }
}

/// Plain JSONL lines are read with `JSONSerialization` (``EventsReader/plainFields(_:)``): the
/// fields are those the `Decodable` path gives, and any line it cannot read the same way goes
/// that path.
@Suite struct EventsPlainLineTests {
    func decoded(_ line: String) -> EventsReader.Fields? {
        try? JSONDecoder().decode(EventsReader.Line.self, from: Data(line.utf8)).fields
    }

    @Test func plainLinesGiveTheFieldsOfTheDecodablePath() throws {
        let plain = [
            #"{"id":"evt-0001","timestamp":"2026-01-05T08:00:00Z","provider":"anthropic","model":"claude-haiku-4-5","session_id":"sess-a5","project":"billing-api","agent":"build","input_tokens":14440,"output_tokens":1295,"reasoning_tokens":0,"cache_read_tokens":25600,"cache_write_tokens":0,"total_tokens":41335,"cost_usd":0.023475}"#,
            #"{ "timestamp" : "2026-01-05T08:00:50.941Z", "model": "gpt-5", "total_tokens": 12, "cost_usd": 2 }"#,
            #"{"Model":"  gpt-5  ","TIMESTAMP":"2026-01-05T08:00:00Z","input_tokens":null,"output_tokens":-5,"session_id":"","cost_usd":-0.5}"#,
            #"{"model":"m","timestamp":"t","total_tokens":9007199254740993,"cost_usd":1e300}"#,
            #"{"model":"m","timestamp":"t","total_tokens":3,"cost_usd":0.1,"parent_session_id":"a:b","tool":"x"}"#,
        ]
        for line in plain {
            let fast = EventsReader.plainFields(Data(line.utf8))
            #expect(fast != nil, "\(line)")
            #expect(fast == decoded(line), "\(line)")
        }
    }

    @Test func eachColumnHasItsOwnPosition() {
        #expect(EventsReader.Column.allCases.map(\.index) == Array(0..<EventsReader.Column.allCases.count))
        #expect(EventsReader.Column.allCases.count <= 32)  // a bit each in plainFields
    }

    @Test func otherLinesGoTheDecodablePath() {
        let other = [
            #"{"model":"m","model":"n","timestamp":"t","total_tokens":1}"#,  // a repeated key
            #"{"model":"m","MODEL":"n","timestamp":"t","total_tokens":1}"#,  // two keys of one column
            #"{"model":"m","timestamp":"t","total_tokens":1.0}"#,
            #"{"model":"m","timestamp":"t","total_tokens":1e3}"#,
            #"{"model":"m","timestamp":"t","total_tokens":true}"#,
            #"{"model":"m","timestamp":"t","total_tokens":"12"}"#,
            #"{"model":"m","timestamp":"t","total_tokens":12345678901234567890}"#,
            #"{"model":"m","timestamp":"t","total_tokens":1,"cost_usd":true}"#,
            #"{"model":"m","timestamp":"t","total_tokens":1,"cost_usd":"0.5"}"#,
            #"{"model":"m","timestamp":"t","total_tokens":1,"cost_usd":1e400}"#,
            #"{"id":42,"model":"m","timestamp":"t","total_tokens":1}"#,
            #"{"model":"m","timestamp":"t","total_tokens":1,"region":"eu"}"#,  // an unknown column
            #"{"model":"m","timestamp":"t","total_tokens":1,"agent":{"name":"x"}}"#,
            #"{"model":"caf\u00e9","timestamp":"t","total_tokens":1}"#,
            #"{"model":"café","timestamp":"t","total_tokens":1}"#,
            #"{"model":"m","timestamp":"t","total_tokens":1"#,
            #"["model"]"#,
            #"{}"#,
        ]
        for line in other {
            #expect(EventsReader.plainFields(Data(line.utf8)) == nil, "\(line)")
        }
    }
}
