import Foundation
import GRDB

/// Reads workflow runs (FORMATS.md, "Workflow runs") in either shape, or both:
///
/// - **Source records.** `<dir>/<run_id>/run.json` → one ``WorkflowRunRecord``;
///   `<dir>/<run_id>/costs.jsonl` → one ``WorkflowCostRecord`` per line (its 1-based line number
///   kept; token counts absent = 0, as the format's `?` fields say "none"; `cost_usd` → reported
///   cost). The run id is the folder's name; a run.json naming another id is an error.
///   A costs.jsonl batch also carries its run's ``WorkflowRunRecord`` (read from the run.json
///   beside it, not counted as a record) so `workflow_cost_records.run_id` always has its run;
///   without a readable run.json the costs cannot be indexed (the run's status is unknown).
/// - **Stored summaries.** An SQLite file with a `workflow_history` table (opened read-only) →
///   one ``WorkflowSummaryRecord`` per row, kept as found (possibly stale): stored cost =
///   `actual_cost_total`, status `pending`/`running`/`completed`/`failed`, `cost_breakdown` as JSON.
///
/// Workflow costs live in `workflow_cost_records` only: no ``CallRecord``s are made from them, so
/// they are never counted twice with the agents' own logs.
public struct WorkflowsReader: SourceReader {
    public static let source = "workflows"
    static let table = "workflow_history"

    public init() {}

    /// Every `run.json`, every `costs.jsonl` and every SQLite file with a `workflow_history` table
    /// (a file named directly is taken as is).
    public func inputs(under root: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return [root]
        }
        return try SourceFiles.files(under: root) { name in
            name == "run.json" || name == "costs.jsonl" || Self.isDatabaseName(name)
        }.filter { url in
            !Self.isDatabaseName(url.lastPathComponent) || SQLiteSourceFile.hasTable(Self.table, in: url)
        }
    }

    public func read(_ input: URL) throws -> ReadBatch {
        switch input.lastPathComponent {
        case "run.json":
            var batch = ReadBatch()
            batch.records = 1
            batch.workflowRuns = [try Self.run(input)]
            return batch
        case "costs.jsonl":
            return try readCosts(input)
        default:
            return try readSummaries(input)
        }
    }

    static func isDatabaseName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".db") || lower.hasSuffix(".sqlite") || lower.hasSuffix(".sqlite3")
    }
}

// MARK: - run.json

extension WorkflowsReader {
    struct RunFile: Decodable {
        var run_id: String?
        var issue_number: Int64?
        var workflow: String?
        var status: String
        var started_at: String?
        var updated_at: String?
    }

    /// The run of a `<run_id>/run.json`; a file that cannot be used throws (one rejection).
    static func run(_ url: URL) throws -> WorkflowRunRecord {
        let folder = url.deletingLastPathComponent().lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ReaderError("\(url.path): cannot read the file (\(error.localizedDescription))")
        }
        let file: RunFile
        do {
            file = try JSONDecoder().decode(RunFile.self, from: data)
        } catch {
            throw ReaderError("\(url.path): \(describe(error, bytes: data, unit: "file"))")
        }
        if let id = file.run_id, id != folder {
            throw ReaderError("\(url.path): run_id \(id) differs from its folder \(folder): the folder must be named after the run")
        }
        guard let status = WorkflowStatus(rawValue: file.status) else {
            throw ReaderError("\(url.path): status \"\(file.status)\" is not one of running, completed, failed")
        }
        func time(_ text: String?, _ field: String) throws -> String? {
            guard let text else { return nil }
            guard let t = Timestamps.normalize(text) else {
                throw ReaderError("\(url.path): \(field) not understood: \"\(text.prefix(40))\" (expected ISO-8601, e.g. 2026-03-05T10:02:11Z)")
            }
            return t
        }
        return WorkflowRunRecord(
            runID: folder, issueNumber: file.issue_number, workflow: file.workflow, status: status,
            startedAt: try time(file.started_at, "started_at"), updatedAt: try time(file.updated_at, "updated_at"))
    }

    /// A decoding error in words: the field and what it should be.
    static func describe(_ error: Error, bytes: Data, unit: String) -> String {
        if String(data: bytes, encoding: .utf8) == nil { return "not valid UTF-8" }
        guard let error = error as? DecodingError else {
            return (error as? ReaderError)?.message ?? "\(error)"
        }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return "not a JSON object"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let expected = type == String.self ? "text" : (type == Double.self || type == Int64.self) ? "a number" : "\(type)"
            return "\(path(context)) must be \(expected)"
        case .keyNotFound(let key, _):
            return "missing \(key.stringValue)"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return EventsReader.jsonSyntaxProblem(bytes, unit: unit)
        case .dataCorrupted(let context):
            return "\(path(context)) is not valid: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

// MARK: - costs.jsonl

extension WorkflowsReader {
    struct CostLine: Decodable {
        var at: String?
        var agent: String?
        var model: String?
        var input_tokens: TokenField?
        var output_tokens: TokenField?
        var reasoning_tokens: TokenField?
        var cache_read_tokens: TokenField?
        var cache_write_tokens: TokenField?
        var cost_usd: Double?
    }

    func readCosts(_ url: URL) throws -> ReadBatch {
        let runURL = url.deletingLastPathComponent().appendingPathComponent("run.json")
        guard FileManager.default.fileExists(atPath: runURL.path) else {
            throw ReaderError("\(url.path): no run.json beside it, so the run's status is unknown: add \(runURL.path)")
        }
        let run: WorkflowRunRecord
        do {
            run = try Self.run(runURL)
        } catch let error as ReaderError {
            throw ReaderError("\(url.path): its run.json cannot be read (\(error.message))")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ReaderError("\(url.path): cannot read the file (\(error.localizedDescription))")
        }

        var batch = ReadBatch()
        batch.workflowRuns = [run]
        let decoder = JSONDecoder()
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            lineNumber += 1
            let newline = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            var end = newline
            if end > start, data[end - 1] == 0x0D { end -= 1 }
            let bytes = data[start..<end]
            start = newline < data.endIndex ? newline + 1 : newline
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            batch.records += 1
            do {
                let line = try decoder.decode(CostLine.self, from: bytes)
                batch.workflowCosts.append(try Self.cost(line, run: run.runID, line: lineNumber))
            } catch {
                batch.rejections.append(Rejection(
                    line: lineNumber, reason: Self.describe(error, bytes: bytes, unit: "line"), raw: RawText(Data(bytes))))
            }
        }
        return batch
    }

    static func cost(_ line: CostLine, run: String, line number: Int) throws -> WorkflowCostRecord {
        if let problem = TokenValidation.problem([
            "input_tokens": line.input_tokens, "output_tokens": line.output_tokens,
            "reasoning_tokens": line.reasoning_tokens, "cache_read_tokens": line.cache_read_tokens,
            "cache_write_tokens": line.cache_write_tokens,
        ]) {
            throw ReaderError(problem)
        }
        var at: String?
        if let text = line.at {
            guard let t = Timestamps.normalize(text) else {
                throw ReaderError("at not understood: \"\(text.prefix(40))\" (expected ISO-8601, e.g. 2026-03-05T10:02:11Z)")
            }
            at = t
        }
        var cost: Int64?
        if let usd = line.cost_usd {
            guard let nanos = Money.nanos(usd: usd) else { throw ReaderError("invalid cost_usd: out of range (\(usd))") }
            guard nanos >= 0 else { throw ReaderError("invalid cost_usd: negative (\(usd))") }
            cost = nanos
        }
        // Absent counts are none (0); reasoning is not part of the format: NULL unless given.
        let tokens = TokenCounts(
            input: line.input_tokens?.value ?? 0, output: line.output_tokens?.value ?? 0,
            reasoning: line.reasoning_tokens?.value, cacheRead: line.cache_read_tokens?.value ?? 0,
            cacheWrite: line.cache_write_tokens?.value ?? 0)
        return WorkflowCostRecord(
            runID: run, line: number, at: at, agent: line.agent.flatMap { $0.isEmpty ? nil : $0 },
            model: line.model.flatMap { $0.isEmpty ? nil : $0 }, tokens: tokens, reportedCostNanos: cost)
    }
}

// MARK: - workflow_history

extension WorkflowsReader {
    static let statuses: Set<String> = ["pending", "running", "completed", "failed"]

    func readSummaries(_ url: URL) throws -> ReadBatch {
        let queue = try SQLiteSourceFile.open(url)
        return try queue.read { db -> ReadBatch in
            guard let table = try SQLiteSourceFile.tableName(Self.table, in: db) else {
                throw ReaderError("\(url.path): no \(Self.table) table: not a workflow summaries database")
            }
            let columns = Set(try db.columns(in: table).map { $0.name.lowercased() })
            for required in ["adw_id", "status"] where !columns.contains(required) {
                throw ReaderError("\(url.path): \(table) has no \(required) column")
            }
            var batch = ReadBatch()
            var seen: Set<String> = []
            var index: [String: Int]?
            // rowid breaks ties between repeated adw_ids (the first row wins); WITHOUT ROWID tables have none.
            let select = "SELECT * FROM \(table.quotedDatabaseIdentifier) ORDER BY adw_id"
            let rows = try (try? Row.fetchCursor(db, sql: select + ", rowid")) ?? Row.fetchCursor(db, sql: select)
            while let row = try rows.next() {
                batch.records += 1
                let columnIndex = index ?? SQLiteSourceFile.columnIndex(row)
                index = columnIndex
                func value(_ column: String) -> DatabaseValue {
                    columnIndex[column].map { row[$0] } ?? .null
                }
                let id = try? SQLiteSourceFile.text(value("adw_id"), column: "adw_id").get()
                do {
                    let summary = try Self.summary(value)
                    guard seen.insert(summary.runID).inserted else {
                        throw ReaderError("duplicate adw_id \(summary.runID): the first row is kept")
                    }
                    batch.workflowSummaries.append(summary)
                } catch {
                    batch.rejections.append(Rejection(
                        key: id.flatMap { $0 }, reason: (error as? ReaderError)?.message ?? "\(error)",
                        raw: .text(SQLiteSourceFile.rowText(row))))
                }
            }
            return batch
        }
    }

    static func summary(_ value: (String) -> DatabaseValue) throws -> WorkflowSummaryRecord {
        guard let runID = try SQLiteSourceFile.text(value("adw_id"), column: "adw_id").get() else {
            throw ReaderError("missing adw_id")
        }
        guard let status = try SQLiteSourceFile.text(value("status"), column: "status").get() else {
            throw ReaderError("missing status")
        }
        guard statuses.contains(status) else {
            throw ReaderError("status \"\(status)\" is not one of pending, running, completed, failed")
        }
        var issue: Int64?
        switch value("issue_number").storage {
        case .null: break
        case .int64(let i): issue = i
        default: throw ReaderError("issue_number is not an integer (\(SQLiteSourceFile.json(value("issue_number")).jsonText.prefix(40)))")
        }
        let names = ["input_tokens", "cached_tokens", "cache_hit_tokens", "cache_miss_tokens", "output_tokens", "total_tokens"]
        var counts: [String: TokenField] = [:]
        for name in names { counts[name] = SQLiteSourceFile.tokenField(value(name)) }
        for name in names {
            if let problem = counts[name]?.problem { throw ReaderError("invalid token count \(name): \(problem)") }
        }
        var efficiency: Double?
        switch value("cache_efficiency_percent").storage {
        case .null: break
        case .int64(let i): efficiency = Double(i)
        case .double(let d): efficiency = d
        default:
            throw ReaderError("cache_efficiency_percent is not a number (\(SQLiteSourceFile.json(value("cache_efficiency_percent")).jsonText.prefix(40)))")
        }
        var breakdown: String?
        switch value("cost_breakdown").storage {
        case .null: break
        case .string(let s): breakdown = s.isEmpty ? nil : JSONValue.payload(s)
        default: breakdown = JSONValue.payload(SQLiteSourceFile.json(value("cost_breakdown")).jsonText)
        }
        return WorkflowSummaryRecord(
            runID: runID, issueNumber: issue, status: status,
            storedCostNanos: try SQLiteSourceFile.money(value("actual_cost_total"), column: "actual_cost_total").get(),
            inputTokens: counts["input_tokens"]?.value, cachedTokens: counts["cached_tokens"]?.value,
            cacheHitTokens: counts["cache_hit_tokens"]?.value, cacheMissTokens: counts["cache_miss_tokens"]?.value,
            outputTokens: counts["output_tokens"]?.value, totalTokens: counts["total_tokens"]?.value,
            cacheEfficiencyPercent: efficiency, costBreakdown: breakdown,
            updatedAt: try SQLiteSourceFile.timestamp(value("updated_at"), column: "updated_at").get())
    }
}
