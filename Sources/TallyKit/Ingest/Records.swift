import Foundation

// The normalised records readers produce (ARCHITECTURE.md: Reader → records → StoreWriter).
// Field names follow the schema's columns; timestamps are canonical text (`Timestamps`), JSON
// payloads are JSON text, money is integer nano-dollars.

/// Token counts in Tally's canonical kinds (SPEC §6). A nil split means the source did not give
/// it (a total-only record); `total` is never nil.
public struct TokenCounts: Hashable, Sendable {
    public var input: Int64?
    public var output: Int64?
    public var reasoning: Int64?
    public var cacheRead: Int64?
    public var cacheWrite: Int64?
    /// The part of `cacheWrite` written with a 1-hour lifetime, where the source says so.
    public var cacheWrite1h: Int64?
    public var total: Int64

    public init(
        input: Int64? = nil, output: Int64? = nil, reasoning: Int64? = nil, cacheRead: Int64? = nil,
        cacheWrite: Int64? = nil, cacheWrite1h: Int64? = nil, total: Int64? = nil
    ) {
        self.input = input
        self.output = output
        self.reasoning = reasoning
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
        self.cacheWrite1h = cacheWrite1h
        self.total = total ?? TokenCounts.sum(input, output, reasoning, cacheRead, cacheWrite)
    }

    /// The sum of the given splits (nil ones count 0).
    public static func sum(_ parts: Int64?...) -> Int64 {
        parts.reduce(0) { $0 + ($1 ?? 0) }
    }

    /// True when the source gave no split at all, only a total.
    public var isTotalOnly: Bool {
        input == nil && output == nil && reasoning == nil && cacheRead == nil && cacheWrite == nil
    }

    /// The splits' sum (nil ones count 0).
    public var splitSum: Int64 { TokenCounts.sum(input, output, reasoning, cacheRead, cacheWrite) }
}

public struct ProjectRecord: Hashable, Sendable {
    public var id: String
    public var source: String
    public var name: String?
    public var directory: String?
    public var createdAt: String?
    public var attributes: String?

    public init(id: String, source: String, name: String? = nil, directory: String? = nil, createdAt: String? = nil, attributes: String? = nil) {
        self.id = id
        self.source = source
        self.name = name
        self.directory = directory
        self.createdAt = createdAt
        self.attributes = attributes
    }
}

/// Totals a source stores on a session itself (OpenCode ≥ 1.16 `session.cost`/`tokens_*`):
/// kept as given, possibly stale; `backfill rollups` recomputes them.
public struct StoredRollup: Hashable, Sendable {
    public var tokens: TokenCounts
    public var costNanos: Int64?
    public var messageCount: Int64?
    public var toolCallCount: Int64?
    public var durationMs: Int64?

    public init(tokens: TokenCounts, costNanos: Int64? = nil, messageCount: Int64? = nil, toolCallCount: Int64? = nil, durationMs: Int64? = nil) {
        self.tokens = tokens
        self.costNanos = costNanos
        self.messageCount = messageCount
        self.toolCallCount = toolCallCount
        self.durationMs = durationMs
    }
}

public struct SessionRecord: Hashable, Sendable {
    /// The source's own session id.
    public var id: String
    public var source: String
    public var projectID: String?
    /// The parent session (sub-agents). May name a session not indexed yet.
    public var parentID: String?
    public var title: String?
    public var agent: String?
    public var directory: String?
    public var version: String?
    public var startedAt: String?
    public var updatedAt: String?
    public var archivedAt: String?
    public var rollup: StoredRollup?
    public var attributes: String?

    public init(
        id: String, source: String, projectID: String? = nil, parentID: String? = nil, title: String? = nil,
        agent: String? = nil, directory: String? = nil, version: String? = nil, startedAt: String? = nil,
        updatedAt: String? = nil, archivedAt: String? = nil, rollup: StoredRollup? = nil, attributes: String? = nil
    ) {
        self.id = id
        self.source = source
        self.projectID = projectID
        self.parentID = parentID
        self.title = title
        self.agent = agent
        self.directory = directory
        self.version = version
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.archivedAt = archivedAt
        self.rollup = rollup
        self.attributes = attributes
    }
}

public enum MessageRole: String, Sendable {
    case user, assistant, system, tool
}

public struct MessageRecord: Hashable, Sendable {
    public var id: String
    public var sessionID: String
    public var role: MessageRole
    /// The message this one answers (OpenCode `parentID`, Claude `parentUuid`).
    public var parentID: String?
    public var createdAt: String
    public var completedAt: String?
    public var provider: String?
    public var model: String?
    public var agent: String?
    public var mode: String?
    public var finish: String?
    /// The message's error as JSON (`{"name": ..., "data": ...}`).
    public var error: String?
    /// 1-based line in a JSONL source.
    public var sourceLine: Int?
    public var attributes: String?

    public init(
        id: String, sessionID: String, role: MessageRole, parentID: String? = nil, createdAt: String,
        completedAt: String? = nil, provider: String? = nil, model: String? = nil, agent: String? = nil,
        mode: String? = nil, finish: String? = nil, error: String? = nil, sourceLine: Int? = nil, attributes: String? = nil
    ) {
        self.id = id
        self.sessionID = sessionID
        self.role = role
        self.parentID = parentID
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.provider = provider
        self.model = model
        self.agent = agent
        self.mode = mode
        self.finish = finish
        self.error = error
        self.sourceLine = sourceLine
        self.attributes = attributes
    }
}

/// One LLM API request with its usage.
public struct CallRecord: Hashable, Sendable {
    /// The source key, unique across sources (prefix ids that are not globally unique).
    public var id: String
    public var source: String
    public var sessionID: String?
    public var messageID: String?
    public var projectID: String?
    public var provider: String?
    public var model: String?
    public var agent: String?
    public var startedAt: String
    public var completedAt: String?
    public var tokens: TokenCounts
    /// The source's own cost for this call, when it gives one.
    public var reportedCostNanos: Int64?
    /// An OpenCode message's own tokens, used only when the message has no step-finish parts:
    /// the indexer drops it when step calls exist for the same message.
    public var isMessageFallback: Bool
    public var sourceLine: Int?
    public var attributes: String?

    public init(
        id: String, source: String, sessionID: String? = nil, messageID: String? = nil, projectID: String? = nil,
        provider: String? = nil, model: String? = nil, agent: String? = nil, startedAt: String,
        completedAt: String? = nil, tokens: TokenCounts, reportedCostNanos: Int64? = nil,
        isMessageFallback: Bool = false, sourceLine: Int? = nil, attributes: String? = nil
    ) {
        self.id = id
        self.source = source
        self.sessionID = sessionID
        self.messageID = messageID
        self.projectID = projectID
        self.provider = provider
        self.model = model
        self.agent = agent
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.tokens = tokens
        self.reportedCostNanos = reportedCostNanos
        self.isMessageFallback = isMessageFallback
        self.sourceLine = sourceLine
        self.attributes = attributes
    }
}

/// What a part holds beyond its core row, normalised into the part tables (SPEC §6).
public enum PartDetail: Hashable, Sendable {
    case none
    case text(String?, synthetic: Bool)
    case thinking(String?, startedAt: String?, endedAt: String?)
    case tool(ToolCallDetail)
    case error(name: String?, payload: String)
}

public struct ToolCallDetail: Hashable, Sendable {
    public var callID: String?
    public var tool: String
    /// pending, running, completed or error (nil when the source does not say).
    public var status: String?
    public var input: String?
    public var output: String?
    public var title: String?
    public var metadata: String?
    public var startedAt: String?
    public var endedAt: String?
    public var durationMs: Int64?
    /// The sub-agent session a delegation (task tool) started.
    public var childSessionID: String?
    /// The error payload of a failed call, as JSON (`{"raw": "..."}` when it was plain text).
    public var error: String?

    public init(
        callID: String? = nil, tool: String, status: String? = nil, input: String? = nil, output: String? = nil,
        title: String? = nil, metadata: String? = nil, startedAt: String? = nil, endedAt: String? = nil,
        durationMs: Int64? = nil, childSessionID: String? = nil, error: String? = nil
    ) {
        self.callID = callID
        self.tool = tool
        self.status = status
        self.input = input
        self.output = output
        self.title = title
        self.metadata = metadata
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.durationMs = durationMs
        self.childSessionID = childSessionID
        self.error = error
    }
}

public struct FileOperationRecord: Hashable, Sendable {
    public var path: String
    public var operation: String?
    public var additions: Int64?
    public var deletions: Int64?

    public init(path: String, operation: String? = nil, additions: Int64? = nil, deletions: Int64? = nil) {
        self.path = path
        self.operation = operation
        self.additions = additions
        self.deletions = deletions
    }
}

public struct PartRecord: Hashable, Sendable {
    public var id: String
    public var messageID: String
    public var sessionID: String
    /// Position within the message (0-based).
    public var ordinal: Int
    /// The source's part type (text, reasoning, tool, step-finish, patch, tool_use, thinking, ...).
    public var type: String
    public var createdAt: String?
    /// The part's own JSON, minus what the detail tables hold, for analyses that need more.
    public var data: String?
    public var detail: PartDetail
    public var fileOperations: [FileOperationRecord]

    public init(
        id: String, messageID: String, sessionID: String, ordinal: Int, type: String, createdAt: String? = nil,
        data: String? = nil, detail: PartDetail = .none, fileOperations: [FileOperationRecord] = []
    ) {
        self.id = id
        self.messageID = messageID
        self.sessionID = sessionID
        self.ordinal = ordinal
        self.type = type
        self.createdAt = createdAt
        self.data = data
        self.detail = detail
        self.fileOperations = fileOperations
    }
}

public enum WorkflowStatus: String, Sendable {
    case running, completed, failed
}

public struct WorkflowRunRecord: Hashable, Sendable {
    public var runID: String
    public var issueNumber: Int64?
    public var workflow: String?
    public var status: WorkflowStatus
    public var startedAt: String?
    public var updatedAt: String?

    public init(runID: String, issueNumber: Int64? = nil, workflow: String? = nil, status: WorkflowStatus, startedAt: String? = nil, updatedAt: String? = nil) {
        self.runID = runID
        self.issueNumber = issueNumber
        self.workflow = workflow
        self.status = status
        self.startedAt = startedAt
        self.updatedAt = updatedAt
    }
}

/// One line of a run's `costs.jsonl`: the source of truth for the run's cost.
public struct WorkflowCostRecord: Hashable, Sendable {
    public var runID: String
    public var line: Int
    public var at: String?
    public var agent: String?
    public var model: String?
    public var tokens: TokenCounts
    public var reportedCostNanos: Int64?

    public init(runID: String, line: Int, at: String? = nil, agent: String? = nil, model: String? = nil, tokens: TokenCounts, reportedCostNanos: Int64? = nil) {
        self.runID = runID
        self.line = line
        self.at = at
        self.agent = agent
        self.model = model
        self.tokens = tokens
        self.reportedCostNanos = reportedCostNanos
    }
}

/// A stored (possibly stale) summary from a `workflow_history` table.
public struct WorkflowSummaryRecord: Hashable, Sendable {
    public var runID: String
    public var issueNumber: Int64?
    /// pending, running, completed or failed.
    public var status: String
    public var storedCostNanos: Int64?
    public var inputTokens: Int64?
    public var cachedTokens: Int64?
    public var cacheHitTokens: Int64?
    public var cacheMissTokens: Int64?
    public var outputTokens: Int64?
    public var totalTokens: Int64?
    public var cacheEfficiencyPercent: Double?
    public var costBreakdown: String?
    public var updatedAt: String?

    public init(
        runID: String, issueNumber: Int64? = nil, status: String, storedCostNanos: Int64? = nil, inputTokens: Int64? = nil,
        cachedTokens: Int64? = nil, cacheHitTokens: Int64? = nil, cacheMissTokens: Int64? = nil, outputTokens: Int64? = nil,
        totalTokens: Int64? = nil, cacheEfficiencyPercent: Double? = nil, costBreakdown: String? = nil, updatedAt: String? = nil
    ) {
        self.runID = runID
        self.issueNumber = issueNumber
        self.status = status
        self.storedCostNanos = storedCostNanos
        self.inputTokens = inputTokens
        self.cachedTokens = cachedTokens
        self.cacheHitTokens = cacheHitTokens
        self.cacheMissTokens = cacheMissTokens
        self.outputTokens = outputTokens
        self.totalTokens = totalTokens
        self.cacheEfficiencyPercent = cacheEfficiencyPercent
        self.costBreakdown = costBreakdown
        self.updatedAt = updatedAt
    }
}

/// A record that could not be indexed, kept in `rejected_records` with its reason (SPEC §7).
public struct Rejection: Hashable, Sendable {
    /// 1-based line in a JSONL/CSV source; nil for whole files and database rows.
    public var line: Int?
    /// The record's key where it has one (an id, a database row id).
    public var key: String?
    /// What is wrong and, where it helps, what to do.
    public var reason: String
    /// The raw text (or bytes, when not UTF-8) of the record.
    public var raw: RawText?

    public init(line: Int? = nil, key: String? = nil, reason: String, raw: RawText? = nil) {
        self.line = line
        self.key = key
        self.reason = reason
        self.raw = raw
    }
}

public enum RawText: Hashable, Sendable {
    case text(String)
    case bytes(Data)

    /// Text when the bytes are valid UTF-8, else the bytes.
    public init(_ data: Data) {
        if let s = String(data: data, encoding: .utf8) { self = .text(s) } else { self = .bytes(data) }
    }
}

/// Everything a reader found in one input (a file, a database).
public struct ReadBatch: Sendable {
    public var projects: [ProjectRecord] = []
    public var sessions: [SessionRecord] = []
    public var messages: [MessageRecord] = []
    public var calls: [CallRecord] = []
    public var parts: [PartRecord] = []
    public var workflowRuns: [WorkflowRunRecord] = []
    public var workflowCosts: [WorkflowCostRecord] = []
    public var workflowSummaries: [WorkflowSummaryRecord] = []
    public var rejections: [Rejection] = []
    /// Source records read (SPEC §7: a session, message, part, JSONL line or CSV row), whether
    /// indexed or rejected: `indexed = records - rejections.count`.
    public var records = 0

    public init() {}

    public var indexed: Int { records - rejections.count }

    /// Adds another batch's records (readers that read several units at once).
    public mutating func append(_ other: ReadBatch) {
        projects += other.projects
        sessions += other.sessions
        messages += other.messages
        calls += other.calls
        parts += other.parts
        workflowRuns += other.workflowRuns
        workflowCosts += other.workflowCosts
        workflowSummaries += other.workflowSummaries
        rejections += other.rejections
        records += other.records
    }
}
