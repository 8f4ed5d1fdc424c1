import Foundation
import GRDB
import Testing
@testable import TallyKit

/// The demo corpus: deterministic, in the real formats, with its planted facts recomputable
/// from the files alone.
@Suite struct DemoCorpusTests {
    /// One corpus shared by the read-only tests (generation takes about a second).
    static let shared: (folder: URL, manifest: DemoCorpus.Manifest) = {
        let folder = DemoTestFiles.freshFolder("shared")
        atexit { DemoTestFiles.remove(DemoCorpusTests.shared.folder) }
        return (folder, try! DemoCorpus.generate(into: folder))
    }()

    var folder: URL { Self.shared.folder }
    var manifest: DemoCorpus.Manifest { Self.shared.manifest }

    // MARK: - Determinism

    @Test func twoGenerationsAreByteIdentical() throws {
        let a = DemoTestFiles.freshFolder("a"), b = DemoTestFiles.freshFolder("b")
        defer { DemoTestFiles.remove(a); DemoTestFiles.remove(b) }
        let first = try DemoCorpus.generate(into: a)
        let second = try DemoCorpus.generate(into: b)
        #expect(first == second)
        let filesA = try DemoTestFiles.list(a), filesB = try DemoTestFiles.list(b)
        #expect(filesA == filesB)
        #expect(filesA.count > 1_000)
        for path in filesA {
            let bytesA = try Data(contentsOf: a.appendingPathComponent(path))
            let bytesB = try Data(contentsOf: b.appendingPathComponent(path))
            #expect(bytesA == bytesB, "\(path) differs between two generations")
        }
    }

    @Test func aDifferentSeedGivesADifferentCorpus() throws {
        let other = DemoTestFiles.freshFolder("seed")
        defer { DemoTestFiles.remove(other) }
        let manifest = try DemoCorpus.generate(into: other, seed: 7)
        #expect(manifest.openCode.zeroRollupSessionID != self.manifest.openCode.zeroRollupSessionID)
        #expect(manifest.workflows.staleRun.sourceCostNanos == 2_370_000_000)
    }

    @Test func refusesAFolderThatIsNotEmpty() throws {
        #expect(throws: DemoCorpus.Error.self) { try DemoCorpus.generate(into: folder) }
    }

    // MARK: - Formats

    @Test func layoutAndCountsMatchTheManifest() throws {
        let files = try DemoTestFiles.list(folder)
        for (top, count) in manifest.fileCounts {
            #expect(files.filter { $0.hasPrefix(top + "/") }.count == count, "\(top)")
        }
        #expect(files.count == manifest.fileCounts.values.reduce(0, +))
        #expect(files.contains("opencode/opencode.db"))
        #expect(files.contains("opencode/storage/migration"))
        #expect(files.contains("usage-events/llm_usage_events.db"))
        #expect(files.contains("events/usage.jsonl"))
        #expect(files.contains("workflows/workflow_history.db"))
        let tree = files.filter { $0.hasPrefix("opencode/storage/") }
        #expect(tree.filter { $0.hasPrefix("opencode/storage/session/") }.count == manifest.openCode.treeSessions)
        #expect(tree.filter { $0.hasPrefix("opencode/storage/message/") }.count == manifest.openCode.treeMessages)
        #expect(tree.filter { $0.hasPrefix("opencode/storage/part/") }.count == manifest.openCode.treeParts)
        #expect(tree.filter { $0.hasPrefix("opencode/storage/project/") }.count == 4)
        // Claude: <slug>/<uuid>.jsonl and <uuid>/subagents/agent-<id>.jsonl + .meta.json.
        let claude = files.filter { $0.hasPrefix("claude/projects/") }
        #expect(Set(claude.map { $0.split(separator: "/")[2] }) == ["-Users-dev-src-tokenbench", "-Users-dev-src-billing-api"])
        #expect(claude.filter { $0.split(separator: "/").count == 4 }.count == manifest.claude.sessions)
        #expect(claude.filter { $0.hasSuffix(".meta.json") }.count == manifest.claude.subagentTranscripts)
        #expect(manifest.claude.subagentTranscripts > 0)
        #expect(files.filter { $0.hasPrefix("codex/sessions/2026/") && $0.contains("/rollout-2026-") }.count == manifest.codex.sessions)
        #expect(files.filter { $0.hasPrefix("gemini/tmp/") && $0.contains("/chats/session-") }.count == manifest.gemini.sessions)
        // A few thousand files, a few MB.
        #expect(files.count < 4_000)
        #expect(manifest.bytes < 8_000_000)
    }

    @Test func everyJSONFileParsesExceptThePlantedTruncation() throws {
        let truncated = manifest.malformed.filter { $0.kind == .truncatedFile }
        #expect(truncated.count == 1)
        var parsed = 0
        for path in try DemoTestFiles.list(folder) where path.hasSuffix(".json") {
            let data = try Data(contentsOf: folder.appendingPathComponent(path))
            let object = try? JSONSerialization.jsonObject(with: data)
            if let planted = truncated.first(where: { $0.location.path == path }) {
                #expect(object == nil, "\(path) should not parse")
                #expect(data.count == planted.bytes)
                #expect(planted.bytes < planted.fullBytes)
            } else {
                #expect(object != nil, "\(path) does not parse")
                parsed += 1
            }
        }
        #expect(parsed > 2_000)
    }

    @Test func everyJSONLLineParsesExceptThePlantedCut() throws {
        let cut = try #require(manifest.malformed.first { $0.kind == .cutLine })
        let negative = try #require(manifest.malformed.first { $0.kind == .negativeTokens })
        var lines = 0
        for path in try DemoTestFiles.list(folder) where path.hasSuffix(".jsonl") {
            let text = try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
            #expect(text.hasSuffix("\n"), "\(path) ends without a newline")
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                if path == cut.location.path, i + 1 == cut.location.line {
                    #expect(object == nil)
                    #expect(line.utf8.count == cut.bytes)
                } else {
                    #expect(object != nil, "\(path):\(i + 1) does not parse")
                    lines += 1
                }
                if path == negative.location.path, i + 1 == negative.location.line {
                    #expect((object?[negative.field!] as? Int) == negative.value)
                    #expect(negative.value! < 0)
                }
            }
        }
        #expect(lines > 800)
    }

    @Test func sqliteFilesHaveTheExpectedTablesAndColumns() throws {
        let opencode = try DemoTestFiles.open(folder.appendingPathComponent("opencode/opencode.db"))
        try opencode.read { db throws in
            #expect(try db.tableExists("project") && db.tableExists("todo"))
            #expect(try db.columns(in: "session").map(\.name).contains("tokens_cache_write"))
            #expect(try db.columns(in: "message").map(\.name) == ["id", "session_id", "time_created", "time_updated", "data"])
            #expect(try db.columns(in: "part").map(\.name) == ["id", "message_id", "session_id", "time_created", "time_updated", "data"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM session") == manifest.openCode.databaseSessions)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM message") == manifest.openCode.databaseMessages)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM part") == manifest.openCode.databaseParts)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM part WHERE json_extract(data, '$.id') IS NOT NULL OR json_extract(data, '$.messageID') IS NOT NULL") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM session WHERE time_created < 1772409600000") == 0, "database sessions are from March")
        }
        let events = try DemoTestFiles.open(folder.appendingPathComponent("usage-events/llm_usage_events.db"))
        try events.read { db throws in
            let columns = try db.columns(in: "llm_usage_events")
            #expect(columns.map(\.name) == ["id", "provider", "model", "run_id", "phase_id", "role", "prompt_tokens", "completion_tokens", "total_tokens", "created_at"])
            let total = try #require(columns.first { $0.name == "total_tokens" })
            #expect(total.isNotNull && total.defaultValueSQL == "0")
            #expect(columns.first { $0.name == "prompt_tokens" }?.isNotNull == false)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM llm_usage_events") == manifest.usageEvents.rows)
        }
        let history = try DemoTestFiles.open(folder.appendingPathComponent("workflows/workflow_history.db"))
        try history.read { db throws in
            #expect(try db.columns(in: "workflow_history").map(\.name) == [
                "id", "adw_id", "issue_number", "status", "cost_breakdown", "actual_cost_total", "input_tokens", "cached_tokens",
                "cache_hit_tokens", "cache_miss_tokens", "output_tokens", "total_tokens", "cache_efficiency_percent", "updated_at",
            ])
        }
    }

    // MARK: - Planted facts

    @Test func zeroRollupRootSessionHasTokensInItsMessagesAndSubAgents() throws {
        let root = manifest.openCode.zeroRollupSessionID
        #expect(root.hasPrefix("ses_"))
        #expect(!manifest.openCode.zeroRollupChildSessionIDs.isEmpty)
        let db = try DemoTestFiles.open(folder.appendingPathComponent("opencode/opencode.db"))
        try db.read { db throws in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM session WHERE id = ?", arguments: [root]))
            #expect(row["parent_id"] == nil as String?)
            for column in ["cost", "tokens_input", "tokens_output", "tokens_reasoning", "tokens_cache_read", "tokens_cache_write"] {
                #expect(row[column] == 0.0 as Double, "\(column)")
            }
            let tokens = """
                SELECT coalesce(sum(json_extract(data, '$.tokens.input') + json_extract(data, '$.tokens.output')
                  + json_extract(data, '$.tokens.cache.read') + json_extract(data, '$.tokens.cache.write')), 0)
                FROM message WHERE session_id = ? AND json_extract(data, '$.role') = 'assistant'
                """
            #expect(try Int.fetchOne(db, sql: tokens, arguments: [root])! > 0)
            let children = try String.fetchAll(db, sql: "SELECT id FROM session WHERE parent_id = ? ORDER BY id", arguments: [root])
            #expect(children == manifest.openCode.zeroRollupChildSessionIDs.sorted())
            for child in children {
                #expect(try Int.fetchOne(db, sql: tokens, arguments: [child])! > 0)
                #expect(try Double.fetchOne(db, sql: "SELECT cost + tokens_input + tokens_cache_write FROM session WHERE id = ?", arguments: [child])! > 0)
                // The parent's task part names the child.
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM part WHERE session_id = ? AND json_extract(data, '$.state.metadata.sessionId') = ?", arguments: [root, child]) == 1)
            }
            // Every other root session has non-zero stored roll-ups.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM session WHERE tokens_cache_write + tokens_input = 0 AND id != ?", arguments: [root]) == 0)
        }
        #expect(manifest.openCode.zeroRollupTotals.calls > 1)
        #expect(manifest.openCode.zeroRollupTotals.reportedCostNanos > 0)
    }

    @Test func openCodeMessageTokensAreTheLastStepWhileStepsSumToMore() throws {
        let storage = folder.appendingPathComponent("opencode/storage")
        var multiStep = 0
        var totals = DemoCorpus.Totals()
        for messagePath in try DemoTestFiles.list(storage.appendingPathComponent("message")) {
            let url = storage.appendingPathComponent("message").appendingPathComponent(messagePath)
            guard let message = try? DemoTestFiles.object(url), message["role"] as? String == "assistant" else { continue }
            let id = try #require(message["id"] as? String)
            let partsFolder = storage.appendingPathComponent("part/\(id)")
            let steps = try DemoTestFiles.list(partsFolder).sorted().compactMap { name -> [String: Any]? in
                let part = try DemoTestFiles.object(partsFolder.appendingPathComponent(name))
                return part["type"] as? String == "step-finish" ? part : nil
            }
            let last = try #require(steps.last)
            #expect(NSDictionary(dictionary: message["tokens"] as! [String: Any]) == NSDictionary(dictionary: last["tokens"] as! [String: Any]))
            let stepCost = steps.reduce(Int64(0)) { $0 + Money.nanos(usd: ($1["cost"] as! NSNumber).doubleValue)! }
            #expect(Money.nanos(usd: (message["cost"] as! NSNumber).doubleValue) == stepCost)
            for step in steps {
                let t = step["tokens"] as! [String: Any], cache = t["cache"] as! [String: Int]
                totals.calls += 1
                totals.totalTokens += (t["input"] as! Int) + (t["output"] as! Int) + (t["reasoning"] as! Int) + cache["read"]! + cache["write"]!
            }
            if steps.count > 1 {
                multiStep += 1
                let output = { (step: [String: Any]) in (step["tokens"] as! [String: Any])["output"] as! Int }
                #expect(steps.reduce(0) { $0 + output($1) } > output(last))
            }
        }
        #expect(multiStep > 50)
        #expect(totals.calls == manifest.openCode.treeTotals.calls)
        #expect(totals.totalTokens == manifest.openCode.treeTotals.totalTokens)
        // Some calls ran on a subscription provider that reports cost 0.
        #expect(manifest.openCode.treeTotals.reportedCostNanos < manifest.openCode.treeTotals.listCostNanos)
    }

    @Test func staleRunSourceSumsToExactly237WhileItsStoredCostIs009() throws {
        let stale = manifest.workflows.staleRun
        #expect(stale.status == "completed")
        #expect(try DemoTestFiles.sourceCost(folder, run: stale.id) == 2_370_000_000)
        #expect(try DemoTestFiles.storedCost(folder, run: stale.id) == 90_000_000)
        #expect(try DemoTestFiles.storedStatus(folder, run: stale.id) == "completed")

        let running = manifest.workflows.runningRun
        let runJSON = try DemoTestFiles.object(folder.appendingPathComponent("workflows/runs/\(running.id)/run.json"))
        #expect(runJSON["status"] as? String == "running")
        #expect(try DemoTestFiles.storedStatus(folder, run: running.id) == "running")
        #expect(try DemoTestFiles.storedCost(folder, run: running.id)! > DemoTestFiles.sourceCost(folder, run: running.id))

        for run in manifest.workflows.upToDateRuns {
            #expect(try DemoTestFiles.storedCost(folder, run: run.id) == DemoTestFiles.sourceCost(folder, run: run.id))
        }
        let storedOnly = manifest.workflows.storedOnlyRunID
        #expect(try DemoTestFiles.storedCost(folder, run: storedOnly) != nil)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("workflows/runs/\(storedOnly)").path))
    }

    @Test func claudeTranscriptsCarryTheirTraps() throws {
        var linesPerResponse: [String: Int] = [:]
        var oneHourWrites = 0, fiveMinuteWrites = 0
        let root = folder.appendingPathComponent("claude/projects")
        for path in try DemoTestFiles.list(root) where path.hasSuffix(".jsonl") {
            let isSubagent = path.contains("/subagents/")
            for line in try DemoTestFiles.jsonLines(root.appendingPathComponent(path)) {
                if isSubagent, line["type"] as? String != nil, line["uuid"] != nil {
                    #expect(line["isSidechain"] as? Bool == true)
                    #expect(line["agentId"] as? String != nil)
                }
                guard line["type"] as? String == "assistant", let message = line["message"] as? [String: Any],
                      message["model"] as? String != "<synthetic>", let usage = message["usage"] as? [String: Any] else { continue }
                let key = (message["id"] as! String) + (line["requestId"] as! String)
                linesPerResponse[key, default: 0] += 1
                guard linesPerResponse[key] == 1 else { continue }
                let creation = usage["cache_creation"] as! [String: Int]
                oneHourWrites += creation["ephemeral_1h_input_tokens"]!
                fiveMinuteWrites += creation["ephemeral_5m_input_tokens"]!
                #expect(creation["ephemeral_1h_input_tokens"]! + creation["ephemeral_5m_input_tokens"]! == usage["cache_creation_input_tokens"] as! Int)
            }
        }
        // One response per call; the cut line's response is still counted through its other lines.
        #expect(linesPerResponse.count == manifest.claude.totals.calls)
        #expect(linesPerResponse.values.contains { $0 > 1 })
        #expect(oneHourWrites == manifest.claude.totals.cacheWrite1h && oneHourWrites > 0)
        #expect(fiveMinuteWrites > 0)

        let synthetic = manifest.claude.syntheticLine
        let lines = try DemoTestFiles.jsonLines(folder.appendingPathComponent(synthetic.path), keepingUnparsable: true)
        let line = try #require(lines[synthetic.line! - 1])
        #expect((line["message"] as? [String: Any])?["model"] as? String == "<synthetic>")
        #expect(line["isApiErrorMessage"] as? Bool == true)
    }

    @Test func codexRolloutsReEmitTokenCounts() throws {
        var reEmits = 0, infoNull = 0, calls = 0
        for path in try DemoTestFiles.list(folder.appendingPathComponent("codex")) {
            var previous: NSDictionary?
            for (i, line) in try DemoTestFiles.jsonLines(folder.appendingPathComponent("codex/" + path)).enumerated() {
                guard let payload = line["payload"] as? [String: Any], payload["type"] as? String == "token_count" else { continue }
                guard let info = payload["info"] as? [String: Any] else { infoNull += 1; continue }
                let total = NSDictionary(dictionary: info["total_token_usage"] as! [String: Any])
                if total == previous { reEmits += 1 } else { calls += 1 }
                previous = total
                if manifest.codex.withoutLastUsage.contains(DemoCorpus.Location(path: "codex/" + path, line: i + 1)) {
                    #expect(info["last_token_usage"] == nil)
                } else {
                    #expect(info["last_token_usage"] != nil)
                }
            }
        }
        #expect(reEmits == manifest.codex.reEmits && reEmits > 0)
        #expect(infoNull == manifest.codex.infoNull && infoNull > 0)
        #expect(calls == manifest.codex.totals.calls)
        #expect(manifest.codex.withoutLastUsage.count == 1)
    }

    @Test func geminiTotalsIncludeCachedInput() throws {
        var calls = 0
        for path in try DemoTestFiles.list(folder.appendingPathComponent("gemini/tmp")) {
            let chat = try DemoTestFiles.object(folder.appendingPathComponent("gemini/tmp/" + path))
            let hash = try #require(chat["projectHash"] as? String)
            #expect(path.hasPrefix(hash + "/chats/session-"))
            #expect(["/Users/dev/src/tokenbench", "/Users/dev/src/web-dashboard"].map(DemoSHA256.hex).contains(hash))
            for message in chat["messages"] as! [[String: Any]] where message["type"] as? String == "gemini" {
                let t = message["tokens"] as! [String: Int]
                #expect(t["total"]! == t["input"]! + t["output"]! + t["thoughts"]! + t["tool"]!)
                #expect(t["cached"]! <= t["input"]!)
                calls += 1
            }
        }
        #expect(calls == manifest.gemini.totals.calls)
    }

    @Test func usageEventsHaveTotalOnlyAndDefaultZeroRows() throws {
        let db = try DemoTestFiles.open(folder.appendingPathComponent("usage-events/llm_usage_events.db"))
        try db.read { db throws in
            let totalOnly = try Int.fetchAll(db, sql: "SELECT id FROM llm_usage_events WHERE prompt_tokens IS NULL AND completion_tokens IS NULL AND total_tokens > 0 ORDER BY id")
            #expect(totalOnly == manifest.usageEvents.totalOnlyIDs)
            let defaultZero = try Int.fetchAll(db, sql: "SELECT id FROM llm_usage_events WHERE total_tokens = 0 AND prompt_tokens > 0 AND completion_tokens > 0 ORDER BY id")
            #expect(defaultZero == manifest.usageEvents.defaultZeroTotalIDs && defaultZero.count == 2)
            let total = try Int.fetchOne(db, sql: "SELECT sum(CASE WHEN total_tokens = 0 THEN coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0) ELSE total_tokens END) FROM llm_usage_events")
            #expect(total == manifest.usageEvents.totals.totalTokens)
        }
    }

    @Test func eventsHaveTotalOnlyRowsAndAnUnpricedModel() throws {
        let lines = try DemoTestFiles.jsonLines(folder.appendingPathComponent("events/usage.jsonl"))
        #expect(lines.count == manifest.events.lines)
        for n in manifest.events.totalOnlyLines {
            #expect(Set(lines[n - 1].keys).isDisjoint(with: ["input_tokens", "output_tokens", "reasoning_tokens", "cache_read_tokens", "cache_write_tokens"]))
            #expect(lines[n - 1]["total_tokens"] as? Int != nil)
        }
        #expect(lines.contains { $0["model"] as? String == "acme-internal-7b" && $0["input_tokens"] == nil })
        #expect(manifest.events.linesWithoutID.allSatisfy { lines[$0 - 1]["id"] == nil })
    }

    // MARK: - Building blocks

    @Test func jsonIsWrittenLikeJavaScript() throws {
        let session = DemoJSON.obj([
            "id": "ses_4f848e1bfffeKy9Pf34qY6Nb3w", "version": "1.0.150", "projectID": "4b0ea68d7af9a6031a7ffda7ad66e0cb83315750",
            "directory": "/Users/dev/src/tokenbench", "parentID": nil, "title": "Add --json flag to report command",
            "time": .obj(["created": 1765361000000, "updated": 1765361095000]),
            "summary": .obj(["additions": 1, "deletions": 0, "files": 1]),
        ])
        let sample = try Data(contentsOf: DemoTestFiles.samples.appendingPathComponent(
            "opencode/storage/session/4b0ea68d7af9a6031a7ffda7ad66e0cb83315750/ses_4f848e1bfffeKy9Pf34qY6Nb3w.json"))
        #expect(session.bytes(.pretty) == Array(sample))
        #expect(DemoJSON.obj(["a": [], "b": .obj([:]), "c": "x\"\n\u{1}é"]).text(.pretty) == "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": \"x\\\"\\n\\u0001é\"\n}")
        #expect(DemoJSON.obj(["a": 1, "b": [1, 2]]).text(.python) == "{\"a\": 1, \"b\": [1, 2]}")
        #expect(DemoJSON.usdText(99_970_200) == "0.0999702")
        #expect(DemoJSON.usdText(2_370_000_000) == "2.37")
        #expect(DemoJSON.usdText(0) == "0")
        #expect(DemoJSON.usdText(500) == "5e-7")
        #expect(DemoJSON.usdText(125) == "1.25e-7")
        #expect(WorkflowsWriter.pythonFloat(2_000_000_000) == "2.0")
    }

    @Test func idsFollowOpenCodeAndGeminiRules() {
        var rng = DemoRandom(seed: 1, stream: 1)
        var ids = OpenCodeIDs()
        let session = ids.make("ses", at: 1_765_361_000_000, descending: true, &rng)
        #expect(session.hasPrefix("ses_4f848e1bfffe") && session.count == 30)
        let message = ids.make("msg", at: 1_765_361_001_000, &rng)
        #expect(message.hasPrefix("msg_b07b72228001"))
        #expect(ids.make("prt", at: 1_765_361_001_000, &rng).hasPrefix("prt_b07b72228002"))
        #expect(DemoSHA256.hex("/Users/dev/src/tokenbench") == "88fc2271c02035459a6dcf36cd4179ade6a65ffe3698264e8a62f6a4661e76f6")
        #expect(DemoSHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let uuid = rng.uuid7(epochMilliseconds: 1_772_704_931_341)
        #expect(uuid.hasPrefix("019cbd72-9e") && uuid.dropFirst(14).first == "7")
    }

    @Test func pricesAreLiteLLMListPrices() {
        // Sample README: the sonnet step of 4 + 212 + 96 reasoning + 15,312 cache writes = $0.062052.
        #expect(DemoUsage(input: 4, output: 212, reasoning: 96, cacheWrite: 15_312).cost("claude-sonnet-4-5") == 62_052_000)
        #expect(DemoUsage(input: 1000, cacheWrite: 1000, cacheWrite1h: 1000).cost("claude-haiku-4-5") == 3_000_000)
        #expect(DemoUsage(input: 1000).cost("acme-internal-7b") == 0)
    }
}

/// File helpers for the demo corpus tests.
enum DemoTestFiles {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Samples")

    /// A new folder under the temporary directory, private to this test process.
    static func freshFolder(_ name: String) -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tally-demo-tests-\(getpid())-\(name)")
        remove(folder)
        return folder
    }

    /// Deletes a folder tree with POSIX calls (FileManager's recursive delete takes seconds for
    /// a few thousand files on Linux).
    static func remove(_ folder: URL) {
        func delete(_ path: String) {
            if let dir = opendir(path) {
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                    if name != ".", name != ".." { delete(path + "/" + name) }
                }
                closedir(dir)
                rmdir(path)
            } else {
                unlink(path)
            }
        }
        delete(folder.path)
    }

    /// Every regular file under `root`, relative to it, sorted.
    static func list(_ root: URL) throws -> [String] {
        try SourceFiles.files(under: root, accept: { _ in true }).map { String($0.path.dropFirst(root.path.count + 1)) }
    }

    static func object(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    static func jsonLines(_ url: URL) throws -> [[String: Any]] {
        try jsonLines(url, keepingUnparsable: true).compactMap { $0 }
    }

    static func jsonLines(_ url: URL, keepingUnparsable: Bool) throws -> [[String: Any]?] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func open(_ url: URL) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: url.path, configuration: configuration)
    }

    /// Σ cost_usd of a run's costs.jsonl, exactly (nano-dollars).
    static func sourceCost(_ folder: URL, run: String) throws -> Int64 {
        try jsonLines(folder.appendingPathComponent("workflows/runs/\(run)/costs.jsonl")).reduce(0) {
            $0 + Money.nanos(usd: ($1["cost_usd"] as! NSNumber).doubleValue)!
        }
    }

    static func storedCost(_ folder: URL, run: String) throws -> Int64? {
        try open(folder.appendingPathComponent("workflows/workflow_history.db")).read { db throws in
            try Double.fetchOne(db, sql: "SELECT actual_cost_total FROM workflow_history WHERE adw_id = ?", arguments: [run]).flatMap(Money.nanos(usd:))
        }
    }

    static func storedStatus(_ folder: URL, run: String) throws -> String? {
        try open(folder.appendingPathComponent("workflows/workflow_history.db")).read { db throws in
            try String.fetchOne(db, sql: "SELECT status FROM workflow_history WHERE adw_id = ?", arguments: [run])
        }
    }
}

/// The benchmark corpora at small sizes (the harness asks for 100K files, 1M rows, 500 MB).
@Suite struct DemoCorpusBenchmarkTests {
    @Test func openCodeTreeStopsAtTheFileCount() throws {
        let folder = DemoTestFiles.freshFolder("bench-tree")
        defer { DemoTestFiles.remove(folder) }
        let summary = try BenchmarkCorpus.openCodeTree(into: folder, files: 2_000)
        let files = try DemoTestFiles.list(folder)
        #expect(files.count == summary.files)
        #expect(summary.files >= 2_000 && summary.files < 2_400)
        #expect(files.allSatisfy { $0.hasPrefix("storage/") })
        for path in files where path.hasSuffix(".json") {
            #expect((try? JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(path)))) != nil, "\(path)")
        }
        #expect(summary.calls > 0)
    }

    @Test func openCodeDatabaseHoldsTheRecords() throws {
        let folder = DemoTestFiles.freshFolder("bench-db")
        defer { DemoTestFiles.remove(folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("opencode.db")
        let summary = try BenchmarkCorpus.openCodeDatabase(at: path, records: 5_000)
        let rows = try DemoTestFiles.open(path).read { db throws in
            try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM message) + (SELECT count(*) FROM part)")!
        }
        #expect(rows == summary.records)
        #expect(rows >= 5_000 && rows < 5_400)
    }

    @Test func claudeTranscriptsReachTheSize() throws {
        let folder = DemoTestFiles.freshFolder("bench-claude")
        defer { DemoTestFiles.remove(folder) }
        let summary = try BenchmarkCorpus.claudeJSONL(into: folder, megabytes: 2)
        #expect(summary.bytes >= 2_000_000 && summary.bytes < 4_000_000)
        var bytes = 0, lines = 0
        for path in try DemoTestFiles.list(folder) {
            let data = try Data(contentsOf: folder.appendingPathComponent(path))
            bytes += data.count
            guard path.hasSuffix(".jsonl") else { continue }
            let parsed = try DemoTestFiles.jsonLines(folder.appendingPathComponent(path), keepingUnparsable: true)
            #expect(parsed.allSatisfy { $0 != nil }, "\(path)")
            lines += parsed.count
        }
        #expect(bytes == summary.bytes)
        #expect(lines == summary.records)
    }

    @Test func eventsAreDeterministicLines() throws {
        let folder = DemoTestFiles.freshFolder("bench-events")
        defer { DemoTestFiles.remove(folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let a = folder.appendingPathComponent("a.jsonl"), b = folder.appendingPathComponent("b.jsonl")
        let summary = try BenchmarkCorpus.eventsJSONL(at: a, lines: 2_000)
        _ = try BenchmarkCorpus.eventsJSONL(at: b, lines: 2_000)
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        let lines = try DemoTestFiles.jsonLines(a, keepingUnparsable: true)
        #expect(lines.count == 2_000 && lines.allSatisfy { $0 != nil })
        #expect(summary.bytes == (try Data(contentsOf: a)).count)
        #expect(lines.contains { $0?["input_tokens"] == nil })
    }
}
