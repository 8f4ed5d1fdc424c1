import Foundation
import GRDB
import Testing
@testable import TallyKit

/// WorkflowsReader against Tests/Samples/workflows (README "workflows/") and constructed runs.
@Suite struct WorkflowsReaderTests {
    private static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples")
    private static let workflows = samples.appendingPathComponent("workflows")

    private let reader = WorkflowsReader()

    private func readAll() throws -> (runs: [String: WorkflowRunRecord], costs: [WorkflowCostRecord], summaries: [WorkflowSummaryRecord], batches: [String: ReadBatch]) {
        var runs: [String: WorkflowRunRecord] = [:]
        var costs: [WorkflowCostRecord] = []
        var summaries: [WorkflowSummaryRecord] = []
        var batches: [String: ReadBatch] = [:]
        for input in try reader.inputs(under: Self.workflows) {
            let batch = try reader.read(input)
            batches[String(input.path.dropFirst(Self.workflows.path.count + 1))] = batch
            for run in batch.workflowRuns { runs[run.runID] = run }
            costs += batch.workflowCosts
            summaries += batch.workflowSummaries
        }
        return (runs, costs, summaries, batches)
    }

    // MARK: - The README tables

    @Test func inputsAreEachRunFileAndTheSummaryDatabase() throws {
        let inputs = try reader.inputs(under: Self.workflows)
        #expect(inputs.map { String($0.path.dropFirst(Self.workflows.path.count + 1)) } == [
            "runs/7f3c21aa/costs.jsonl", "runs/7f3c21aa/run.json",
            "runs/a91e04d2/costs.jsonl", "runs/a91e04d2/run.json",
            "runs/c5d8e713/costs.jsonl", "runs/c5d8e713/run.json",
            "runs/e2b64f90/costs.jsonl", "runs/e2b64f90/run.json",
            "workflow_history.db",
        ])
        // the other samples' SQLite files have no workflow_history table
        #expect(try reader.inputs(under: Self.samples) == inputs)
    }

    @Test func costLinesPerModelMatchTheReadmeTable() throws {
        let all = try readAll()
        #expect(all.costs.count == 37)
        let table = Dictionary(grouping: all.costs) { $0.model ?? "" }.mapValues(CostTotals.init)
        #expect(table == [
            "claude-haiku-4-5": CostTotals(calls: 8, input: 11_080, output: 1_630, cacheRead: 21_000, cacheWrite: 0, total: 33_710, costNanos: 21_330_000),
            "claude-opus-4-5": CostTotals(calls: 3, input: 24_900, output: 31_000, cacheRead: 262_000, cacheWrite: 35_400, total: 353_300, costNanos: 1_251_750_000),
            "claude-sonnet-4-5": CostTotals(calls: 26, input: 126_200, output: 296_800, cacheRead: 2_225_300, cacheWrite: 157_100, total: 2_805_400, costNanos: 6_087_315_000),
        ])
        // All 37 source calls: $7.360395
        #expect(CostTotals(all.costs).costNanos == 7_360_395_000)
        // workflow costs are not calls
        #expect(all.batches.values.allSatisfy { $0.calls.isEmpty && $0.sessions.isEmpty })
    }

    @Test func runsMatchTheReadmeTable() throws {
        let all = try readAll()
        let perRun = Dictionary(grouping: all.costs, by: \.runID).mapValues(CostTotals.init)
        let agents = Dictionary(grouping: all.costs, by: \.runID).mapValues { Set($0.compactMap(\.agent)).count }
        #expect(perRun == [
            "7f3c21aa": CostTotals(calls: 12, input: 53_420, output: 139_460, cacheRead: 947_100, cacheWrite: 79_400, total: 1_219_380, costNanos: 3_050_000_000),
            "a91e04d2": CostTotals(calls: 5, input: 23_150, output: 43_610, cacheRead: 265_400, cacheWrite: 19_700, total: 351_860, costNanos: 871_695_000),
            "c5d8e713": CostTotals(calls: 4, input: 18_110, output: 20_430, cacheRead: 171_800, cacheWrite: 11_400, total: 221_740, costNanos: 449_350_000),
            "e2b64f90": CostTotals(calls: 16, input: 67_500, output: 125_930, cacheRead: 1_124_000, cacheWrite: 82_000, total: 1_399_430, costNanos: 2_989_350_000),
        ])
        #expect(agents == ["7f3c21aa": 8, "a91e04d2": 4, "c5d8e713": 3, "e2b64f90": 12])
        #expect(all.runs.mapValues(\.issueNumber) == ["7f3c21aa": 23, "a91e04d2": 27, "c5d8e713": 31, "e2b64f90": 35])
        #expect(all.runs.mapValues(\.status) == ["7f3c21aa": .completed, "a91e04d2": .running, "c5d8e713": .failed, "e2b64f90": .completed])
        #expect(all.runs["7f3c21aa"] == WorkflowRunRecord(
            runID: "7f3c21aa", issueNumber: 23, workflow: "adw_plan_build_test_review", status: .completed,
            startedAt: "2026-03-02T09:00:12.000Z", updatedAt: "2026-03-02T10:41:30.000Z"))
        // records: one per run.json, one per costs.jsonl line
        #expect(all.batches["runs/7f3c21aa/run.json"]?.records == 1)
        #expect(all.batches["runs/7f3c21aa/costs.jsonl"]?.records == 12)
        #expect(all.batches.values.allSatisfy { $0.rejections.isEmpty })
    }

    @Test func costLinesKeepTheirLineAndAbsentCountsAreZero() throws {
        let batch = try reader.read(Self.workflows.appendingPathComponent("runs/7f3c21aa/costs.jsonl"))
        #expect(batch.workflowCosts.map(\.line) == Array(1...12))
        #expect(batch.workflowCosts[0] == WorkflowCostRecord(
            runID: "7f3c21aa", line: 1, at: "2026-03-02T09:00:41.000Z", agent: "issue_classifier", model: "claude-haiku-4-5",
            tokens: TokenCounts(input: 1_820, output: 240, cacheRead: 0, cacheWrite: 0, total: 2_060),
            reportedCostNanos: 3_020_000))
        #expect(batch.workflowCosts[0].tokens.reasoning == nil)
        #expect(batch.workflowCosts[11].tokens == TokenCounts(input: 600, output: 120, cacheRead: 9_000, cacheWrite: 0))
        // the batch carries its run so the cost records' run exists
        #expect(batch.workflowRuns.map(\.runID) == ["7f3c21aa"])
    }

    @Test func storedSummariesMatchTheReadmeTables() throws {
        let batch = try reader.read(Self.workflows.appendingPathComponent("workflow_history.db"))
        #expect(batch.records == 5)
        #expect(batch.rejections.isEmpty)
        #expect(batch.workflowSummaries.map(\.runID) == ["0b9d5e21", "7f3c21aa", "a91e04d2", "c5d8e713", "e2b64f90"])
        let s = Dictionary(uniqueKeysWithValues: batch.workflowSummaries.map { ($0.runID, $0) })
        #expect(s.mapValues(\.issueNumber) == ["0b9d5e21": 19, "7f3c21aa": 23, "a91e04d2": 27, "c5d8e713": 31, "e2b64f90": 35])
        #expect(s.mapValues(\.status) == ["0b9d5e21": "completed", "7f3c21aa": "completed", "a91e04d2": "running", "c5d8e713": "failed", "e2b64f90": "completed"])
        #expect(s.mapValues(\.storedCostNanos) == [
            "0b9d5e21": 974_925_000, "7f3c21aa": 110_000_000, "a91e04d2": 375_420_000, "c5d8e713": 0, "e2b64f90": 2_989_350_000,
        ])
        #expect(s.mapValues(\.updatedAt) == [
            "0b9d5e21": "2026-02-27T17:12:09.000Z", "7f3c21aa": "2026-03-02T10:41:30.000Z", "a91e04d2": "2026-03-04T15:30:05.000Z",
            "c5d8e713": "2026-03-05T11:24:30.000Z", "e2b64f90": "2026-03-06T10:08:00.000Z",
        ])
        func tokens(_ r: WorkflowSummaryRecord) -> [Int64?] {
            [r.inputTokens, r.cachedTokens, r.cacheHitTokens, r.cacheMissTokens, r.outputTokens, r.totalTokens]
        }
        #expect(s.mapValues(tokens) == [
            "0b9d5e21": [19_400, 27_500, 234_500, 19_400, 36_500, 317_900],
            "7f3c21aa": [9_820, 2_400, 21_600, 9_820, 4_740, 38_560],
            "a91e04d2": [14_450, 10_000, 79_400, 14_450, 18_410, 122_260],
            "c5d8e713": [0, 0, 0, 0, 0, 0],
            "e2b64f90": [67_500, 82_000, 1_124_000, 67_500, 125_930, 1_399_430],
        ])
        #expect(s.mapValues(\.cacheEfficiencyPercent) == ["0b9d5e21": 89.5, "7f3c21aa": 90.0, "a91e04d2": 88.81, "c5d8e713": 0.0, "e2b64f90": 93.2])
        #expect(s["c5d8e713"]?.costBreakdown == #"{"actual_total":0,"by_phase":{},"estimated_total":1.1}"#)
        #expect(s["7f3c21aa"]?.costBreakdown == #"{"actual_total":0.11,"by_phase":{"issue_classifier":0.00302,"sdlc_planner":0.10698},"estimated_total":2.4}"#)

        // The README's stale-cost table: source (Σ cost_usd of the run's lines) against stored.
        let all = try readAll()
        let source = Dictionary(grouping: all.costs, by: \.runID).mapValues { $0.reduce(Int64(0)) { $0 + ($1.reportedCostNanos ?? 0) } }
        #expect(source["0b9d5e21"] == nil)  // a stored row with no run folder
        var delta: [String: Int64] = [:]
        var ratio: [String: String] = [:]
        for (id, summary) in s {
            guard let actual = source[id], let stored = summary.storedCostNanos else { continue }
            delta[id] = actual - stored
            ratio[id] = stored == 0 ? "NULL" : String(format: "%.4f", Double(actual) / Double(stored))
        }
        #expect(delta == ["7f3c21aa": 2_940_000_000, "a91e04d2": 496_275_000, "c5d8e713": 449_350_000, "e2b64f90": 0])
        #expect(ratio == ["7f3c21aa": "27.7273", "a91e04d2": "2.3219", "c5d8e713": "NULL", "e2b64f90": "1.0000"])
    }

    @Test func readingTwiceGivesTheSameBatchAndLeavesTheDatabaseAlone() throws {
        let db = Self.workflows.appendingPathComponent("workflow_history.db")
        let before = try Data(contentsOf: db)
        let a = try readAll()
        let b = try readAll()
        #expect(a.costs == b.costs)
        #expect(a.summaries == b.summaries)
        #expect(a.runs == b.runs)
        #expect(try Data(contentsOf: db) == before)
    }

    // MARK: - Bad input

    @Test func badCostLinesAreRejectedWithReasons() throws {
        let dir = try Folder()
        defer { dir.remove() }
        try dir.write("runs/r1/run.json", #"{"run_id":"r1","status":"running","started_at":"2026-03-02 09:00:00"}"#)
        let costs = try dir.write("runs/r1/costs.jsonl", """
            {"at":"2026-03-02T09:00:41Z","agent":"a","model":"m","input_tokens":10,"output_tokens":5,"cost_usd":0.001}
            {"at":"2026-03-02T09:00:41Z","agent":"a","model":"m","input_tokens":-5,"output_tokens":5}
            {"at":"2026-03-02T09:00:41Z","agent":"a","model":"m","input_tok
            {"at":"2026-03-02T09:00:41Z","agent":"a","model":"m","input_tokens":1,"output_tokens":"12"}
            {"at":"2026-03-02T09:00:41Z","agent":"a","model":"m","input_tokens":1,"cost_usd":-0.1}
            {"at":"noon","agent":"a","model":"m","input_tokens":1}
            {"at":"2026-03-02T09:00:41Z","agent":"a","model":"m","input_tokens":1,"cost_usd":"0.1"}
            {"at":"2026-03-02T09:00:41Z","agent":"a","model":5,"input_tokens":1}

            {"agent":"a","model":"m","cache_read_tokens":1.5}
            {"agent":"b","model":"m","output_tokens":7}
            """)
        let batch = try reader.read(costs)
        #expect(batch.records == 10)
        #expect(batch.records == batch.workflowCosts.count + batch.rejections.count)
        #expect(batch.workflowCosts.map(\.line) == [1, 11])
        #expect(batch.workflowCosts[1] == WorkflowCostRecord(
            runID: "r1", line: 11, agent: "b", model: "m",
            tokens: TokenCounts(input: 0, output: 7, cacheRead: 0, cacheWrite: 0)))
        #expect(batch.workflowRuns == [WorkflowRunRecord(runID: "r1", status: .running, startedAt: "2026-03-02T09:00:00.000Z")])
        let reasons = Dictionary(uniqueKeysWithValues: batch.rejections.map { ($0.line!, $0.reason) })
        #expect(reasons == [
            2: "invalid token count input_tokens: negative (-5)",
            3: "not valid JSON: the line ends before its object closes (cut off?)",
            4: #"invalid token count output_tokens: a string ("12"), not a number"#,
            5: "invalid cost_usd: negative (-0.1)",
            6: #"at not understood: "noon" (expected ISO-8601, e.g. 2026-03-05T10:02:11Z)"#,
            7: "cost_usd must be a number",
            8: "model must be text",
            10: "invalid token count cache_read_tokens: not an integer (1.5)",
        ])
        #expect(batch.rejections.first { $0.line == 3 }?.raw == .text(#"{"at":"2026-03-02T09:00:41Z","agent":"a","model":"m","input_tok"#))
    }

    @Test func unusableRunFilesThrow() throws {
        let dir = try Folder()
        defer { dir.remove() }
        func message(_ url: URL) -> String? {
            #expect(throws: ReaderError.self) { try reader.read(url) }?.message
        }
        let lonely = try dir.write("runs/r2/costs.jsonl", #"{"model":"m","input_tokens":1}"#)
        #expect(message(lonely) == "\(lonely.path): no run.json beside it, so the run's status is unknown: add \(dir.url("runs/r2/run.json").path)")

        let pending = try dir.write("runs/r3/run.json", #"{"run_id":"r3","status":"pending"}"#)
        #expect(message(pending) == #"\#(pending.path): status "pending" is not one of running, completed, failed"#)
        let costs = try dir.write("runs/r3/costs.jsonl", #"{"model":"m","input_tokens":1}"#)
        #expect(message(costs) == #"\#(costs.path): its run.json cannot be read (\#(pending.path): status "pending" is not one of running, completed, failed)"#)

        let moved = try dir.write("runs/r4/run.json", #"{"run_id":"r9","status":"failed"}"#)
        #expect(message(moved) == "\(moved.path): run_id r9 differs from its folder r4: the folder must be named after the run")
        let cut = try dir.write("runs/r5/run.json", #"{"run_id":"r5","status":"fail"#)
        #expect(message(cut) == "\(cut.path): not valid JSON: the file ends before its object closes (cut off?)")
        let noStatus = try dir.write("runs/r6/run.json", #"{"run_id":"r6"}"#)
        #expect(message(noStatus) == "\(noStatus.path): missing status")
        let badIssue = try dir.write("runs/r7/run.json", #"{"status":"running","issue_number":"12"}"#)
        #expect(message(badIssue) == "\(badIssue.path): issue_number must be a number")
        // without run_id the folder names the run
        let unnamed = try dir.write("runs/r8/run.json", #"{"status":"completed"}"#)
        #expect(try reader.read(unnamed).workflowRuns == [WorkflowRunRecord(runID: "r8", status: .completed)])
    }

    @Test func badSummaryRowsAreRejectedWithReasons() throws {
        let dir = try Folder()
        defer { dir.remove() }
        let url = dir.url("history.db")
        let queue = try DatabaseQueue(path: url.path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE workflow_history (id INTEGER PRIMARY KEY, adw_id TEXT, issue_number, status TEXT,
                    cost_breakdown TEXT, actual_cost_total, input_tokens, output_tokens, updated_at TEXT);
                INSERT INTO workflow_history (adw_id, issue_number, status, cost_breakdown, actual_cost_total, input_tokens, output_tokens, updated_at) VALUES
                    ('a1', 1, 'pending', 'not json', 0.5, 10, 5, '2026-03-02 10:00:00'),
                    ('a2', 2, 'bogus', NULL, 0.5, 10, 5, NULL),
                    ('a3', 3, 'running', NULL, -0.5, 10, 5, NULL),
                    (NULL, 4, 'running', NULL, 0.5, 10, 5, NULL),
                    ('a5', 5, 'running', NULL, 0.5, -1, 5, NULL),
                    ('a6', 6, 'running', NULL, 0.5, 10, 5, 'later'),
                    ('a7', 'seven', 'running', NULL, 0.5, 10, 5, NULL),
                    ('a1', 8, 'completed', NULL, 0.7, 10, 5, NULL);
                """)
        }
        try queue.close()
        let batch = try reader.read(url)
        #expect(batch.records == 8)
        #expect(batch.records == batch.workflowSummaries.count + batch.rejections.count)
        #expect(batch.workflowSummaries == [WorkflowSummaryRecord(
            runID: "a1", issueNumber: 1, status: "pending", storedCostNanos: 500_000_000, inputTokens: 10,
            outputTokens: 5, costBreakdown: #"{"raw":"not json"}"#, updatedAt: "2026-03-02T10:00:00.000Z")])
        #expect(batch.rejections.map(\.key) == [nil, "a1", "a2", "a3", "a5", "a6", "a7"])
        #expect(batch.rejections.map(\.reason) == [
            "missing adw_id",
            "duplicate adw_id a1: the first row is kept",
            #"status "bogus" is not one of pending, running, completed, failed"#,
            "invalid actual_cost_total: negative (-0.5)",
            "invalid token count input_tokens: negative (-1)",
            #"updated_at not understood: "later" (expected ISO-8601 text, e.g. 2026-03-05 10:02:11)"#,
            #"issue_number is not an integer ("seven")"#,
        ])
    }
}

/// Sums of cost lines (absent splits are 0 in this format).
private struct CostTotals: Equatable {
    var calls = 0
    var input: Int64 = 0
    var output: Int64 = 0
    var cacheRead: Int64 = 0
    var cacheWrite: Int64 = 0
    var total: Int64 = 0
    var costNanos: Int64 = 0

    init(calls: Int, input: Int64, output: Int64, cacheRead: Int64, cacheWrite: Int64, total: Int64, costNanos: Int64) {
        (self.calls, self.input, self.output, self.cacheRead, self.cacheWrite, self.total, self.costNanos) =
            (calls, input, output, cacheRead, cacheWrite, total, costNanos)
    }

    init(_ records: [WorkflowCostRecord]) {
        for r in records {
            calls += 1
            input += r.tokens.input ?? 0
            output += r.tokens.output ?? 0
            cacheRead += r.tokens.cacheRead ?? 0
            cacheWrite += r.tokens.cacheWrite ?? 0
            total += r.tokens.total
            costNanos += r.reportedCostNanos ?? 0
        }
    }
}

private struct Folder {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tally-workflows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    @discardableResult
    func write(_ path: String, _ text: String) throws -> URL {
        let u = url(path)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: u)
        return u
    }
}
