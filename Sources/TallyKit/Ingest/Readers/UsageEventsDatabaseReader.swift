import Foundation
import GRDB

/// Reads `llm_usage_events` SQLite databases of LLM pipelines (FORMATS.md, "Usage-event
/// databases"), before or after their `total_tokens` column existed. The database is opened
/// read-only and never changed.
///
/// - **Calls.** One ``CallRecord`` per row, keyed `autopack:<database file name>:<id>`: the integer
///   ids restart in every database, so two databases' rows never merge.
/// - **Tokens.** `prompt_tokens` → input, `completion_tokens` → output; reasoning and cache splits
///   stay NULL: the table does not say how much of the prompt was cached (OpenAI's prompt tokens
///   include cached ones), and SPEC §6 forbids inventing a split, so a cache of 0 would be a guess.
///   Total: old schema (no column) = prompt + completion; both splits NULL = total-only; a
///   `total_tokens` of 0 beside non-zero splits is the default a migration left, not a real zero:
///   the total is the splits' sum and the call's attributes say `"total_from_splits": true`
///   (likewise a NULL total), so `token-audit` can count such rows.
/// - **Sessions.** A `run_id` is a session `autopack:<database file name>:<run_id>` (title = the
///   run id), started at its first call and updated at its last, so analyses can group by run.
/// - **Attributes.** Every other column (`run_id`, `phase_id`, `role`, …) as sorted JSON, NULLs left out.
public struct UsageEventsDatabaseReader: SourceReader {
    public static let source = "autopack"
    static let table = "llm_usage_events"

    public init() {}

    /// SQLite files (`.db`, `.sqlite`, `.sqlite3`) that hold an `llm_usage_events` table. A file
    /// named directly is taken as is, so reading it says what is wrong with it.
    public func inputs(under root: URL) throws -> [URL] {
        let candidates = try SourceFiles.files(under: root) { name in
            let lower = name.lowercased()
            return lower.hasSuffix(".db") || lower.hasSuffix(".sqlite") || lower.hasSuffix(".sqlite3")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return [root]
        }
        return candidates.filter { SQLiteSourceFile.hasTable(Self.table, in: $0) }
    }

    public func read(_ input: URL) throws -> ReadBatch {
        let queue = try SQLiteSourceFile.open(input)
        let database = input.lastPathComponent
        return try queue.read { db -> ReadBatch in
            guard let table = try SQLiteSourceFile.tableName(Self.table, in: db) else {
                throw ReaderError("\(input.path): no \(Self.table) table: not a usage-events database")
            }
            let columns = Set(try db.columns(in: table).map { $0.name.lowercased() })
            for required in ["id", "model", "created_at", "prompt_tokens", "completion_tokens"]
            where !columns.contains(required) {
                throw ReaderError("\(input.path): \(table) has no \(required) column")
            }
            var builder = Builder(database: database, hasTotalColumn: columns.contains("total_tokens"))
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier) ORDER BY id")
            while let row = try rows.next() {
                builder.add(row)
            }
            return builder.finish()
        }
    }
}

// MARK: - Rows

extension UsageEventsDatabaseReader {
    /// The columns mapped to call fields; all others become attributes.
    static let mappedColumns: Set<String> = [
        "id", "provider", "model", "prompt_tokens", "completion_tokens", "total_tokens", "created_at",
    ]

    struct Builder {
        let database: String
        let hasTotalColumn: Bool
        var batch = ReadBatch()
        var sessions: [String: SessionRecord] = [:]
        /// Lowercased column name → index, and the names as the database spells them.
        var index: [String: Int]?
        var names: [String] = []

        init(database: String, hasTotalColumn: Bool) {
            self.database = database
            self.hasTotalColumn = hasTotalColumn
        }

        mutating func add(_ row: Row) {
            batch.records += 1
            let index = self.index ?? SQLiteSourceFile.columnIndex(row)
            if self.index == nil {
                self.index = index
                names = Array(row.columnNames)
            }
            func value(_ column: String) -> DatabaseValue {
                index[column].map { row[$0] } ?? .null
            }
            let idText = try? SQLiteSourceFile.text(value("id"), column: "id").get()
            let key = idText.flatMap { $0 }.map { "autopack:\(database):\($0)" }
            do {
                guard let key else { throw ReaderError("missing id") }
                let (call, runID) = try self.call(key: key, value: value, row: row)
                if let sessionID = call.sessionID {
                    var s = sessions[sessionID]
                        ?? SessionRecord(id: sessionID, source: UsageEventsDatabaseReader.source, title: runID)
                    if s.startedAt.map({ call.startedAt < $0 }) ?? true { s.startedAt = call.startedAt }
                    if s.updatedAt.map({ call.startedAt > $0 }) ?? true { s.updatedAt = call.startedAt }
                    sessions[sessionID] = s
                }
                batch.calls.append(call)
            } catch {
                batch.rejections.append(Rejection(
                    key: key, reason: (error as? ReaderError)?.message ?? "\(error)",
                    raw: .text(SQLiteSourceFile.rowText(row))))
            }
        }

        /// The row's call and its run id, or the reason it cannot be indexed.
        private func call(key: String, value: (String) -> DatabaseValue, row: Row) throws -> (CallRecord, String?) {
            guard let createdAt = try SQLiteSourceFile.timestamp(value("created_at"), column: "created_at").get() else {
                throw ReaderError("missing created_at")
            }
            guard let model = try SQLiteSourceFile.text(value("model"), column: "model").get() else {
                throw ReaderError("missing model")
            }
            let provider = try SQLiteSourceFile.text(value("provider"), column: "provider").get()
            let prompt = SQLiteSourceFile.tokenField(value("prompt_tokens"))
            let completion = SQLiteSourceFile.tokenField(value("completion_tokens"))
            let total = hasTotalColumn ? SQLiteSourceFile.tokenField(value("total_tokens")) : nil
            if let problem = TokenValidation.problem([
                "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": total,
            ]) {
                throw ReaderError(problem)
            }

            var attributes: [String: JSONValue] = [:]
            for (i, name) in names.enumerated() where !UsageEventsDatabaseReader.mappedColumns.contains(name.lowercased()) {
                let v = SQLiteSourceFile.json(row[i])
                if v != .null { attributes[name] = v }
            }

            let input = prompt?.value
            let output = completion?.value
            let splitsGiven = input != nil || output != nil
            let tokens: TokenCounts
            switch total?.value {
            case nil:
                guard splitsGiven else {
                    throw ReaderError("no token counts: prompt_tokens, completion_tokens and total_tokens are all NULL")
                }
                tokens = TokenCounts(input: input, output: output)
                if hasTotalColumn { attributes["total_from_splits"] = .bool(true) }
            case let given? where !splitsGiven:
                tokens = TokenCounts(total: given)
            case 0? where TokenCounts.sum(input, output) > 0:
                tokens = TokenCounts(input: input, output: output)
                attributes["total_from_splits"] = .bool(true)
            case let given?:
                tokens = TokenCounts(input: input, output: output, total: given)
            }

            let runID = try SQLiteSourceFile.text(value("run_id"), column: "run_id").get()
            let call = CallRecord(
                id: key, source: UsageEventsDatabaseReader.source,
                sessionID: runID.map { "autopack:\(database):\($0)" }, provider: provider, model: model,
                startedAt: createdAt, tokens: tokens,
                attributes: attributes.isEmpty ? nil : JSONValue.object(attributes).jsonText)
            return (call, runID)
        }

        func finish() -> ReadBatch {
            var out = batch
            out.sessions = sessions.keys.sorted().map { sessions[$0]! }
            return out
        }
    }
}
