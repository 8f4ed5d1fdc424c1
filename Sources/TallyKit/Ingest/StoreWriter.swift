import Foundation
import GRDB

/// The single place that writes source data (ARCHITECTURE.md): replace-by-file, upserts by
/// source key, reused statements. Runs inside the caller's write transaction.
public struct StoreWriter {
    let db: Database
    /// Written as `indexed_at` / `at`: the run's clock, so a run's rows share one instant.
    let now: String
    /// Prices calls as they are written; without it a call's cost is its reported cost until a
    /// `CostEngine.reprice`.
    let pricer: CallPricer?
    /// Calls take their model, provider, agent and project from the stored message and session
    /// as they are written (``withStoredContext(_:)``); off, the derive step alone fills them
    /// (tests compare both).
    var fillsContext = true

    public init(db: Database, now: String, pricer: CallPricer? = nil) {
        self.db = db
        self.now = now
        self.pricer = pricer
    }

    // MARK: - Replacing a file's records

    /// Removes every row previously read from `path`, so that re-reading a changed file replaces
    /// its records (in the caller's transaction: all or nothing).
    public func forget(path: String) throws {
        try db.execute(
            literal: """
                DELETE FROM calls WHERE source_path = \(path);
                DELETE FROM parts WHERE source_path = \(path);
                DELETE FROM workflow_cost_records WHERE source_path = \(path);
                DELETE FROM rejected_records WHERE path = \(path);
                """)
        // Messages go last and only when nothing from another file still points at them (an
        // OpenCode part file refers to its message file).
        try db.execute(
            literal: """
                DELETE FROM messages WHERE source_path = \(path)
                  AND NOT EXISTS (SELECT 1 FROM parts WHERE parts.message_id = messages.id)
                  AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.message_id = messages.id)
                """)
    }

    // MARK: - Writing a batch

    /// Writes one input's records. Rows keep `path` as their provenance.
    public func write(_ batch: ReadBatch, path: String, source: String) throws {
        try write([(batch, path)], source: source)
    }

    /// Writes several new inputs' records table by table, each table's rows in the inputs'
    /// order, many rows to a statement: an OpenCode tree's files hold a record or two each, and
    /// written one file at a time their statements cost more than their rows. The rows are those
    /// the inputs give one by one when none of them was indexed before (placeholders only ever
    /// stand in for rows a later input fills in completely).
    public func write(_ inputs: [(batch: ReadBatch, path: String)], source: String) throws {
        for input in inputs { for p in input.batch.projects { try upsert(p) } }
        for input in inputs { for s in input.batch.sessions { try upsert(s) } }
        if inputs.count == 1, let (batch, path) = inputs.first {
            // One input (a streamed piece of 20,000 events): its arrays as they are, not copied.
            try upsert(messages: batch.messages.lazy.map { ($0, path) })
            try upsert(parts: batch.parts.lazy.map { ($0, path) })
            try upsert(calls: batch.calls.lazy.map { ($0, path) })
        } else {
            try upsert(messages: inputs.flatMap { i in i.batch.messages.map { ($0, i.path) } })
            try upsert(parts: inputs.flatMap { i in i.batch.parts.map { ($0, i.path) } })
            try upsert(calls: inputs.flatMap { i in i.batch.calls.map { ($0, i.path) } })
        }
        for (batch, path) in inputs { for r in batch.workflowRuns { try upsert(r, path: path) } }
        for (batch, path) in inputs { for c in batch.workflowCosts { try upsert(c, path: path) } }
        for (batch, path) in inputs { for s in batch.workflowSummaries { try upsert(s, path: path) } }
        for (batch, path) in inputs { for r in batch.rejections { try insert(r, path: path, source: source) } }
        try ensureReferences(inputs.map(\.batch), source: source)
    }

    /// Rows that records point at but that no input gave (a sub-agent's parent not indexed, a
    /// part whose message file was malformed): minimal placeholders, so foreign keys hold and
    /// nothing already read is dropped. A later input with the real row fills them in.
    func ensureReferences(_ batch: ReadBatch, source: String) throws {
        try ensureReferences([batch], source: source)
    }

    func ensureReferences(_ batches: [ReadBatch], source: String) throws {
        var sessions = Set<String>()
        var projects = Set<String>()
        for s in batches.lazy.flatMap(\.sessions) {
            if let p = s.parentID { sessions.insert(p) }
            if let p = s.projectID { projects.insert(p) }
        }
        for m in batches.lazy.flatMap(\.messages) { sessions.insert(m.sessionID) }
        for p in batches.lazy.flatMap(\.parts) { sessions.insert(p.sessionID) }
        for c in batches.lazy.flatMap(\.calls) {
            if let s = c.sessionID { sessions.insert(s) }
            if let p = c.projectID { projects.insert(p) }
        }
        // One statement per table over a JSON array of the ids (a statement per id cost an
        // eighth of a tree's write time).
        // Cached statements: `execute(literal:)` splits and prepares its SQL on every call,
        // which cost more than the inserts.
        if !projects.isEmpty {
            try db.cachedStatement(
                sql: "INSERT INTO projects (id, source) SELECT value, ? FROM json_each(?) WHERE true ON CONFLICT DO NOTHING"
            ).execute(arguments: [source, Self.jsonArray(projects.sorted())])
        }
        if !sessions.isEmpty {
            try db.cachedStatement(
                sql: """
                    INSERT INTO sessions (id, source, attributes)
                    SELECT value, ?, '{"placeholder":true}' FROM json_each(?) WHERE true ON CONFLICT DO NOTHING
                    """
            ).execute(arguments: [source, Self.jsonArray(sessions.sorted())])
        }

        // The first reference of each message gives its placeholder, as inputs one by one would:
        // parts before calls within an input.
        var messages: [String: (session: String, at: String?)] = [:]
        for batch in batches {
            for p in batch.parts { messages[p.messageID] = messages[p.messageID] ?? (p.sessionID, p.createdAt) }
            for c in batch.calls {
                if let m = c.messageID, let s = c.sessionID { messages[m] = messages[m] ?? (s, c.startedAt) }
            }
        }
        guard !messages.isEmpty else { return }
        let rows = JSONValue.array(messages.sorted(by: { $0.key < $1.key }).map { id, ref in
            .array([.string(id), .string(ref.session), ref.at.map(JSONValue.string) ?? .null])
        }).jsonText
        try db.cachedStatement(
            sql: """
                INSERT INTO messages (id, session_id, role, created_at, attributes)
                SELECT m.value ->> 0, m.value ->> 1, 'assistant',
                       coalesce(m.value ->> 2, (SELECT started_at FROM sessions WHERE id = m.value ->> 1),
                                '1970-01-01T00:00:00.000Z'),
                       '{"placeholder":true}'
                FROM json_each(?) m
                WHERE true ON CONFLICT DO NOTHING
                """
        ).execute(arguments: [rows])
    }

    /// A JSON array of strings.
    static func jsonArray(_ texts: [String]) -> String {
        JSONValue.array(texts.map(JSONValue.string)).jsonText
    }

    // MARK: - Upserts

    func upsert(_ p: ProjectRecord) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO projects (id, source, name, directory, created_at, attributes) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                  source = excluded.source, name = coalesce(excluded.name, name),
                  directory = coalesce(excluded.directory, directory),
                  created_at = coalesce(excluded.created_at, created_at),
                  attributes = coalesce(excluded.attributes, attributes)
                """
        ).execute(arguments: [p.id, p.source, p.name, p.directory, p.createdAt, p.attributes])
    }

    func upsert(_ s: SessionRecord) throws {
        let r = s.rollup
        try db.cachedStatement(
            sql: """
                INSERT INTO sessions (id, source, project_id, parent_id, title, agent, directory, version, started_at,
                  updated_at, archived_at, source_path, rollup_input_tokens, rollup_output_tokens,
                  rollup_reasoning_tokens, rollup_cache_read_tokens, rollup_cache_write_tokens, rollup_total_tokens,
                  rollup_cost_nanos, rollup_message_count, rollup_tool_call_count, rollup_duration_ms, rollup_origin,
                  attributes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                  source = excluded.source,
                  project_id = coalesce(excluded.project_id, project_id),
                  parent_id = coalesce(excluded.parent_id, parent_id),
                  title = coalesce(excluded.title, title),
                  agent = coalesce(excluded.agent, agent),
                  directory = coalesce(excluded.directory, directory),
                  version = coalesce(excluded.version, version),
                  started_at = CASE WHEN started_at IS NULL OR excluded.started_at < started_at
                                    THEN coalesce(excluded.started_at, started_at) ELSE started_at END,
                  updated_at = CASE WHEN updated_at IS NULL OR excluded.updated_at > updated_at
                                    THEN coalesce(excluded.updated_at, updated_at) ELSE updated_at END,
                  archived_at = coalesce(excluded.archived_at, archived_at),
                  rollup_input_tokens = CASE WHEN excluded.rollup_origin = 'source' THEN excluded.rollup_input_tokens ELSE rollup_input_tokens END,
                  rollup_output_tokens = CASE WHEN excluded.rollup_origin = 'source' THEN excluded.rollup_output_tokens ELSE rollup_output_tokens END,
                  rollup_reasoning_tokens = CASE WHEN excluded.rollup_origin = 'source' THEN excluded.rollup_reasoning_tokens ELSE rollup_reasoning_tokens END,
                  rollup_cache_read_tokens = CASE WHEN excluded.rollup_origin = 'source' THEN excluded.rollup_cache_read_tokens ELSE rollup_cache_read_tokens END,
                  rollup_cache_write_tokens = CASE WHEN excluded.rollup_origin = 'source' THEN excluded.rollup_cache_write_tokens ELSE rollup_cache_write_tokens END,
                  rollup_total_tokens = CASE WHEN excluded.rollup_origin = 'source' THEN excluded.rollup_total_tokens ELSE rollup_total_tokens END,
                  rollup_cost_nanos = CASE WHEN excluded.rollup_origin = 'source' THEN excluded.rollup_cost_nanos ELSE rollup_cost_nanos END,
                  rollup_message_count = CASE WHEN excluded.rollup_origin = 'source' THEN excluded.rollup_message_count ELSE rollup_message_count END,
                  rollup_tool_call_count = CASE WHEN excluded.rollup_origin = 'source' THEN excluded.rollup_tool_call_count ELSE rollup_tool_call_count END,
                  rollup_duration_ms = CASE WHEN excluded.rollup_origin = 'source' THEN excluded.rollup_duration_ms ELSE rollup_duration_ms END,
                  rollup_origin = coalesce(excluded.rollup_origin, rollup_origin),
                  attributes = CASE WHEN excluded.attributes IS NOT NULL THEN excluded.attributes
                                    WHEN attributes = '{"placeholder":true}' THEN NULL ELSE attributes END
                """
        ).execute(
            arguments: [
                s.id, s.source, s.projectID, s.parentID, s.title, s.agent, s.directory, s.version, s.startedAt,
                s.updatedAt, s.archivedAt, r?.tokens.input, r?.tokens.output, r?.tokens.reasoning, r?.tokens.cacheRead,
                r?.tokens.cacheWrite, r?.tokens.total, r?.costNanos, r?.messageCount, r?.toolCallCount, r?.durationMs,
                r == nil ? nil : "source", s.attributes,
            ])
    }

    /// Upserts messages, `rowsPerStatement` rows to a statement.
    func upsert<Rows: Collection<(MessageRecord, String)>>(messages: Rows) throws {
        try execute(Self.messageUpsert, messages) { row, values in
            let (m, path) = row
            values += [
                m.id, m.sessionID, m.role.rawValue, m.parentID, m.createdAt, m.completedAt, m.provider, m.model, m.agent,
                m.mode, m.finish, m.error, path, m.sourceLine, m.attributes,
            ]
        }
    }

    static let messageUpsert = MultiRowInsert(
        """
        INSERT INTO messages (id, session_id, role, parent_id, created_at, completed_at, provider, model, agent,
          mode, finish, error, source_path, source_line, attributes)
        """,
        columns: 15,
        tail: """
            ON CONFLICT(id) DO UPDATE SET
              session_id = excluded.session_id, role = excluded.role, parent_id = excluded.parent_id,
              created_at = excluded.created_at, completed_at = excluded.completed_at, provider = excluded.provider,
              model = excluded.model, agent = excluded.agent, mode = excluded.mode, finish = excluded.finish,
              error = excluded.error, source_path = excluded.source_path, source_line = excluded.source_line,
              attributes = excluded.attributes
            """)

    /// Upserts parts and their detail rows. New parts (the common case: a changed file's parts
    /// were removed by `forget`) go `rowsPerStatement` rows to a statement, table by table in
    /// the parts' order, which gives the detail rows the ids one by one would. A batch with a
    /// part already stored, or one part twice, goes part by part (its old details are replaced).
    func upsert<Rows: Collection<(PartRecord, String)>>(parts rows: Rows) throws {
        guard rows.count > 1 else { return try rows.forEach { try upsert($0.0, path: $0.1) } }
        let ids = rows.map(\.0.id)
        let stored = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM parts WHERE id IN (SELECT value FROM json_each(?)))"),
            arguments: [Self.jsonArray(ids)]) ?? false
        if stored || Set(ids).count < ids.count {
            for (p, path) in rows { try upsert(p, path: path) }
            return
        }
        try execute(Self.partUpsert, rows) { row, values in values += Self.values(of: row.0, path: row.1) }
        try insertDetails(of: rows.map(\.0))
    }

    /// Inserts the detail rows of parts, table by table in the parts' order.
    private func insertDetails(of parts: [PartRecord]) throws {
        var texts: [(id: String, text: String?, synthetic: Bool)] = []
        var thinking: [(id: String, text: String?, startedAt: String?, endedAt: String?)] = []
        var tools: [(id: String, tool: ToolCallDetail)] = []
        var errors: [(part: PartRecord, name: String?, payload: String)] = []
        var operations: [(id: String, operation: FileOperationRecord)] = []
        for p in parts {
            switch p.detail {
            case .none: break
            case .text(let text, let synthetic): texts.append((p.id, text, synthetic))
            case .thinking(let text, let startedAt, let endedAt): thinking.append((p.id, text, startedAt, endedAt))
            case .tool(let t):
                tools.append((p.id, t))
                if let error = t.error { errors.append((p, t.tool, error)) }
            case .error(let name, let payload): errors.append((p, name, payload))
            }
            operations += p.fileOperations.map { (p.id, $0) }
        }
        try execute(Self.textInsert, texts) { t, values in values += [t.id, t.text, t.synthetic ? 1 : 0] }
        try execute(Self.thinkingInsert, thinking) { t, values in values += [t.id, t.text, t.startedAt, t.endedAt] }
        try execute(Self.toolInsert, tools) { t, values in values += Self.values(of: t.tool, part: t.id) }
        try execute(Self.errorInsert, errors) { e, values in values += Self.values(ofError: e.payload, name: e.name, part: e.part) }
        try execute(Self.fileOperationInsert, operations) { o, values in
            values += [o.id, o.operation.path, o.operation.operation, o.operation.additions, o.operation.deletions]
        }
    }

    static let partUpsert = MultiRowInsert(
        "INSERT INTO parts (id, message_id, session_id, ordinal, type, created_at, data, source_path)",
        columns: 8,
        tail: """
            ON CONFLICT(id) DO UPDATE SET
              message_id = excluded.message_id, session_id = excluded.session_id, ordinal = excluded.ordinal,
              type = excluded.type, created_at = excluded.created_at, data = excluded.data,
              source_path = excluded.source_path
            """)
    static let textInsert = MultiRowInsert("INSERT INTO text_parts (part_id, text, synthetic)", columns: 3)
    static let thinkingInsert = MultiRowInsert(
        "INSERT INTO thinking_blocks (part_id, text, started_at, ended_at)", columns: 4)
    static let toolInsert = MultiRowInsert(
        """
        INSERT INTO tool_calls (part_id, call_id, tool, status, input, output, title, metadata, started_at,
          ended_at, duration_ms, child_session_id)
        """,
        columns: 12)
    static let errorInsert = MultiRowInsert(
        "INSERT INTO errors (part_id, message_id, session_id, name, payload)", columns: 5)
    static let fileOperationInsert = MultiRowInsert(
        "INSERT INTO file_operations (part_id, path, operation, additions, deletions)", columns: 5)

    static func values(of p: PartRecord, path: String) -> [(any DatabaseValueConvertible)?] {
        [p.id, p.messageID, p.sessionID, p.ordinal, p.type, p.createdAt, p.data, path]
    }

    static func values(of t: ToolCallDetail, part: String) -> [(any DatabaseValueConvertible)?] {
        [part, t.callID, t.tool, t.status, t.input, t.output, t.title, t.metadata, t.startedAt, t.endedAt, t.durationMs,
         t.childSessionID]
    }

    static func values(ofError payload: String, name: String?, part p: PartRecord) -> [(any DatabaseValueConvertible)?] {
        [p.id, p.messageID, p.sessionID, name, JSONValue.payload(payload)]
    }

    /// Upserts one part: detail rows are owned by the part, so an existing part's are replaced.
    func upsert(_ p: PartRecord, path: String) throws {
        let existed = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM parts WHERE id = ?"), arguments: [p.id]) ?? false
        try execute(Self.partUpsert, row: Self.values(of: p, path: path))
        if existed {
            for table in ["text_parts", "thinking_blocks", "tool_calls", "errors", "file_operations"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE part_id = ?").execute(arguments: [p.id])
            }
        }
        try insertDetails(of: [p])
    }

    // MARK: - Multi-row statements

    /// Rows per statement. Every upsert may abort (CHECK constraints), so SQLite journals each
    /// page a statement changes before changing it: one call per statement copied ~10 pages
    /// (40 KB) per call, most of the writer's time. 64 rows share those pages, and the
    /// statement's per-execution costs (reset, bind, journal) are paid once for them.
    static let rowsPerStatement = 64

    /// A multi-row `INSERT`: `head VALUES (?, …), (?, …) tail`, its texts for 1, 2, 4, …
    /// `rowsPerStatement` rows made once.
    struct MultiRowInsert {
        let columns: Int
        private let texts: [Int: String]

        init(_ head: String, columns: Int, tail: String = "") {
            self.columns = columns
            let sizes = sequence(first: 1) { $0 < StoreWriter.rowsPerStatement ? $0 * 2 : nil }
            texts = Dictionary(uniqueKeysWithValues: sizes.map { ($0, Self.sql(head, columns: columns, tail: tail, rows: $0)) })
        }

        /// The statement's text for 1, 2, 4, … `rowsPerStatement` rows.
        func sql(rows: Int) -> String {
            guard let text = texts[rows] else { preconditionFailure("\(rows) rows: not a statement size") }
            return text
        }

        private static func sql(_ head: String, columns: Int, tail: String, rows: Int) -> String {
            let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
            return head + "\nVALUES " + Array(repeating: row, count: rows).joined(separator: ",\n") + "\n" + tail
        }
    }

    /// Runs `insert` over `items`, `rowsPerStatement` rows to a statement; rows apply in order,
    /// as they would one by one (a later upsert of the same key sees the earlier row). The rows
    /// left over go in statements of 32, 16, … 1 rows: a statement per row count stays cached,
    /// and the 63 sizes of each table's statement held 30 MB more.
    func execute<Items: Collection>(
        _ insert: MultiRowInsert, _ items: Items,
        values append: (Items.Element, inout [(any DatabaseValueConvertible)?]) -> Void
    ) throws {
        var values: [(any DatabaseValueConvertible)?] = []
        values.reserveCapacity(Self.rowsPerStatement * insert.columns)
        var rest = items[...]
        while !rest.isEmpty {
            let count = rest.count
            let size = count >= Self.rowsPerStatement ? Self.rowsPerStatement : 1 << (Int.bitWidth - 1 - count.leadingZeroBitCount)
            let chunk = rest.prefix(size)
            rest = rest.dropFirst(chunk.count)
            values.removeAll(keepingCapacity: true)
            for item in chunk { append(item, &values) }
            assert(values.count == chunk.count * insert.columns)
            try db.cachedStatement(sql: insert.sql(rows: chunk.count)).execute(arguments: StatementArguments(values))
        }
    }

    /// Runs `insert` for one row.
    func execute(_ insert: MultiRowInsert, row: [(any DatabaseValueConvertible)?]) throws {
        try execute(insert, CollectionOfOne(row)) { row, values in values += row }
    }

    /// Upserts calls, priced when the writer has a pricer.
    func upsert<Rows: Collection<(CallRecord, String)>>(calls rows: Rows) throws {
        if fillsContext, let filled = try withStoredContext(rows) {
            try execute(Self.callUpsert, filled, values: append)
        } else {
            try execute(Self.callUpsert, rows, values: append)
        }
    }

    /// One call's values for ``callUpsert``.
    private func append(_ row: (CallRecord, String), to values: inout [(any DatabaseValueConvertible)?]) {
            let (c, path) = row
            let t = c.tokens
            let costs = pricer?.costs(of: c) ?? .reported(c.reportedCostNanos)
            values += [
                c.id, c.source, c.sessionID, c.messageID, c.projectID, c.provider, c.model, c.agent, c.startedAt,
                c.completedAt, t.input, t.output, t.reasoning, t.cacheRead, t.cacheWrite, t.cacheWrite1h, t.total,
                c.reportedCostNanos, costs.computed, costs.pricingID, costs.fallback ? 1 : 0, costs.cost,
                costs.source, c.isMessageFallback ? 1 : 0, path, c.sourceLine, c.attributes,
            ]
    }

    /// Calls of a session that do not know their model, provider or agent (OpenCode step-finish
    /// parts know only their message) take them from their message already stored, and a call
    /// without a project its session's: the values the derive step's `fillCallContext` would
    /// give them from the same rows. Filled here, a call is priced as it is written and never
    /// rewritten by the derive step (an update that moved its rollup row and its tool steps,
    /// and a reprice). A message or project not stored yet is left to the derive step.
    /// Nil when no call takes anything (the rows are written as they are).
    func withStoredContext<Rows: Collection<(CallRecord, String)>>(_ rows: Rows) throws -> [(CallRecord, String)]? {
        var messageIDs = Set<String>()
        var sessionIDs = Set<String>()
        for (c, _) in rows {
            guard let session = c.sessionID else { continue }
            if let m = c.messageID, c.model == nil || c.provider == nil || c.agent == nil { messageIDs.insert(m) }
            if c.projectID == nil { sessionIDs.insert(session) }
        }
        guard !messageIDs.isEmpty || !sessionIDs.isEmpty else { return nil }
        var messages: [String: (model: String?, provider: String?, agent: String?)] = [:]
        if !messageIDs.isEmpty {
            let statement = try db.cachedStatement(sql: """
                SELECT id, model, provider, coalesce(agent, mode) FROM messages
                WHERE id IN (SELECT value FROM json_each(?))
                """)
            let cursor = try Row.fetchCursor(statement, arguments: [Self.jsonArray(messageIDs.sorted())])
            while let row = try cursor.next() { messages[row[0]] = (row[1], row[2], row[3]) }
        }
        var projects: [String: String] = [:]
        if !sessionIDs.isEmpty {
            let statement = try db.cachedStatement(sql: """
                SELECT id, project_id FROM sessions
                WHERE id IN (SELECT value FROM json_each(?)) AND project_id IS NOT NULL
                """)
            let cursor = try Row.fetchCursor(statement, arguments: [Self.jsonArray(sessionIDs.sorted())])
            while let row = try cursor.next() { projects[row[0]] = row[1] }
        }
        guard !messages.isEmpty || !projects.isEmpty else { return nil }
        return rows.map { row in
            var (c, path) = row
            guard let session = c.sessionID else { return row }
            if let m = c.messageID.flatMap({ messages[$0] }) {
                c.model = c.model ?? m.model
                c.provider = c.provider ?? m.provider
                c.agent = c.agent ?? m.agent
            }
            if c.projectID == nil { c.projectID = projects[session] }
            return (c, path)
        }
    }

    static let callUpsert = MultiRowInsert(
        """
        INSERT INTO calls (id, source, session_id, message_id, project_id, provider, model, agent, started_at,
          completed_at, input_tokens, output_tokens, reasoning_tokens, cache_read_tokens, cache_write_tokens,
          cache_write_1h_tokens, total_tokens, reported_cost_nanos, computed_cost_nanos, pricing_id, cost_fallback,
          cost_nanos, cost_source, message_fallback, source_path, source_line, attributes)
        """,
        columns: 27,
        tail: """
            ON CONFLICT(id) DO UPDATE SET
              source = excluded.source, session_id = excluded.session_id, message_id = excluded.message_id,
              project_id = excluded.project_id, provider = excluded.provider, model = excluded.model,
              agent = excluded.agent, started_at = excluded.started_at, completed_at = excluded.completed_at,
              input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
              reasoning_tokens = excluded.reasoning_tokens, cache_read_tokens = excluded.cache_read_tokens,
              cache_write_tokens = excluded.cache_write_tokens, cache_write_1h_tokens = excluded.cache_write_1h_tokens,
              total_tokens = excluded.total_tokens, reported_cost_nanos = excluded.reported_cost_nanos,
              computed_cost_nanos = excluded.computed_cost_nanos, pricing_id = excluded.pricing_id,
              cost_fallback = excluded.cost_fallback, cost_nanos = excluded.cost_nanos, cost_source = excluded.cost_source,
              message_fallback = excluded.message_fallback, source_path = excluded.source_path,
              source_line = excluded.source_line, attributes = excluded.attributes
            -- A sub-agent transcript repeating its parent's response is not new usage, nor the
            -- call's home: the parent's row stays (FORMATS.md, Claude Code traps).
            WHERE json_extract(excluded.attributes, '$.isSidechain') IS NOT 1
               OR json_extract(calls.attributes, '$.isSidechain') IS 1
            """)

    func upsert(_ r: WorkflowRunRecord, path: String) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO workflow_runs (run_id, issue_number, workflow, status, started_at, updated_at, source_path)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(run_id) DO UPDATE SET
                  issue_number = excluded.issue_number, workflow = excluded.workflow, status = excluded.status,
                  started_at = excluded.started_at, updated_at = excluded.updated_at, source_path = excluded.source_path
                """
        ).execute(arguments: [r.runID, r.issueNumber, r.workflow, r.status.rawValue, r.startedAt, r.updatedAt, path])
    }

    func upsert(_ c: WorkflowCostRecord, path: String) throws {
        // A cost file may be read before its run.json: the run row is completed when that arrives.
        try db.cachedStatement(sql: "INSERT INTO workflow_runs (run_id, status) VALUES (?, 'running') ON CONFLICT DO NOTHING")
            .execute(arguments: [c.runID])
        let t = c.tokens
        let cost = c.reportedCostNanos
        try db.cachedStatement(
            sql: """
                INSERT INTO workflow_cost_records (run_id, line, at, agent, model, input_tokens, output_tokens,
                  reasoning_tokens, cache_read_tokens, cache_write_tokens, total_tokens, reported_cost_nanos, cost_nanos,
                  cost_source, source_path)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(run_id, line) DO UPDATE SET
                  at = excluded.at, agent = excluded.agent, model = excluded.model, input_tokens = excluded.input_tokens,
                  output_tokens = excluded.output_tokens, reasoning_tokens = excluded.reasoning_tokens,
                  cache_read_tokens = excluded.cache_read_tokens, cache_write_tokens = excluded.cache_write_tokens,
                  total_tokens = excluded.total_tokens, reported_cost_nanos = excluded.reported_cost_nanos,
                  cost_nanos = excluded.cost_nanos, cost_source = excluded.cost_source, source_path = excluded.source_path
                """
        ).execute(
            arguments: [
                c.runID, c.line, c.at, c.agent, c.model, t.input, t.output, t.reasoning, t.cacheRead, t.cacheWrite,
                t.total, c.reportedCostNanos, cost, cost == nil ? nil : "reported", path,
            ])
    }

    func upsert(_ s: WorkflowSummaryRecord, path: String) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO workflow_summaries (run_id, issue_number, status, stored_cost_nanos, input_tokens,
                  cached_tokens, cache_hit_tokens, cache_miss_tokens, output_tokens, total_tokens,
                  cache_efficiency_percent, cost_breakdown, updated_at, source_path)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(run_id) DO UPDATE SET
                  issue_number = excluded.issue_number, status = excluded.status,
                  stored_cost_nanos = excluded.stored_cost_nanos, input_tokens = excluded.input_tokens,
                  cached_tokens = excluded.cached_tokens, cache_hit_tokens = excluded.cache_hit_tokens,
                  cache_miss_tokens = excluded.cache_miss_tokens, output_tokens = excluded.output_tokens,
                  total_tokens = excluded.total_tokens, cache_efficiency_percent = excluded.cache_efficiency_percent,
                  cost_breakdown = excluded.cost_breakdown, updated_at = excluded.updated_at,
                  source_path = excluded.source_path
                """
        ).execute(
            arguments: [
                s.runID, s.issueNumber, s.status, s.storedCostNanos, s.inputTokens, s.cachedTokens, s.cacheHitTokens,
                s.cacheMissTokens, s.outputTokens, s.totalTokens, s.cacheEfficiencyPercent, s.costBreakdown, s.updatedAt,
                path,
            ])
    }

    func insert(_ r: Rejection, path: String, source: String) throws {
        let raw: DatabaseValue
        switch r.raw {
        case .text(let s)?: raw = s.databaseValue
        case .bytes(let d)?: raw = d.databaseValue
        case nil: raw = .null
        }
        try db.cachedStatement(
            sql: "INSERT INTO rejected_records (source, path, line, key, reason, raw, at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [source, path, r.line, r.key, r.reason, raw, now])
    }
}
