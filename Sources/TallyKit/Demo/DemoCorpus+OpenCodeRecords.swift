import Foundation

/// OpenCode's identifiers (`src/id/id.ts`): prefix, 12 hex digits of `ms × 0x1000 + counter`
/// (bit-inverted for sessions, so the newest sorts first), then 14 random base62 characters.
struct OpenCodeIDs {
    private var lastMs: Int64 = -1
    private var counter: UInt64 = 0

    mutating func make(_ prefix: String, at ms: Int64, descending: Bool = false, _ rng: inout DemoRandom) -> String {
        if ms != lastMs {
            lastMs = ms
            counter = 0
        }
        counter += 1
        var value = UInt64(ms) &* 0x1000 &+ counter
        if descending { value = ~value }
        return prefix + "_" + DemoRandom.hex(value & 0xFFFF_FFFF_FFFF, width: 12) + rng.base62(14)
    }
}

/// One stored OpenCode object: its id, its database times and its JSON as the tree stores it.
struct OpenCodeRecord {
    var id: String
    var created: Int64
    var updated: Int64
    var json: DemoJSON
}

struct OpenCodeMessage {
    var record: OpenCodeRecord
    var parts: [OpenCodeRecord]
    /// The message's own `tokens` (the last step's) and `cost` (Σ steps), for session rollups.
    var tokens = DemoUsage()
    var cost: Int64 = 0
    var stepCount = 0
}

struct OpenCodeSession {
    var id: String
    var project: DemoProject
    var parentID: String?
    var slug: String
    var title: String
    var version: String
    var created: Int64
    var updated: Int64
    var summary: (additions: Int, deletions: Int, files: Int)?
    var messages: [OpenCodeMessage] = []
    var children: [OpenCodeSession] = []
    /// `session_diff/<id>.json` entries and `todo/<id>.json` items (roots only).
    var diffs: [DemoJSON] = []
    var todos: [DemoJSON] = []

    /// The session object as `session/<projectID>/<id>.json` holds it.
    var json: DemoJSON {
        .obj([
            "id": .string(id), "version": .string(version), "projectID": .string(project.openCodeID),
            "directory": .string(project.root), "parentID": parentID.map(DemoJSON.string), "title": .string(title),
            "time": .obj(["created": .int(Int(created)), "updated": .int(Int(updated))]),
            "summary": summary.map { .obj(["additions": .int($0.additions), "deletions": .int($0.deletions), "files": .int($0.files)]) },
        ])
    }

    /// This session and all its descendants, parents first.
    var tree: [OpenCodeSession] {
        [self] + children.flatMap(\.tree)
    }

    /// Σ of the messages' own cost and tokens: the naive rollup (last-step tokens only).
    var naiveRollup: (cost: Int64, tokens: DemoUsage) {
        var tokens = DemoUsage()
        var cost: Int64 = 0
        for m in messages {
            cost += m.cost
            tokens.input += m.tokens.input
            tokens.output += m.tokens.output
            tokens.reasoning += m.tokens.reasoning
            tokens.cacheRead += m.tokens.cacheRead
            tokens.cacheWrite += m.tokens.cacheWrite
        }
        return (cost, tokens)
    }
}

/// A provider and model as OpenCode names them, with the list-priced model its tokens are
/// billed as (nil `listModel` never happens for the demo's models) and whether the provider
/// reports a cost (subscriptions such as GitHub Copilot store 0).
struct OpenCodeModel {
    enum Family { case anthropic, openai, google }
    var providerID: String
    var modelID: String
    var listModel: String
    var family: Family
    var reportsCost = true

    static let sonnet = OpenCodeModel(providerID: "anthropic", modelID: "claude-sonnet-4-5", listModel: "claude-sonnet-4-5", family: .anthropic)
    static let opus = OpenCodeModel(providerID: "anthropic", modelID: "claude-opus-4-5", listModel: "claude-opus-4-5", family: .anthropic)
    static let haiku = OpenCodeModel(providerID: "anthropic", modelID: "claude-haiku-4-5", listModel: "claude-haiku-4-5", family: .anthropic)
    static let gpt5 = OpenCodeModel(providerID: "openai", modelID: "gpt-5", listModel: "gpt-5", family: .openai)
    static let gpt5mini = OpenCodeModel(providerID: "openai", modelID: "gpt-5-mini", listModel: "gpt-5-mini", family: .openai)
    static let geminiPro = OpenCodeModel(providerID: "google", modelID: "gemini-2.5-pro", listModel: "gemini-2.5-pro", family: .google)
    static let geminiFlash = OpenCodeModel(providerID: "google", modelID: "gemini-2.5-flash", listModel: "gemini-2.5-flash", family: .google)
    static let copilotSonnet = OpenCodeModel(providerID: "github-copilot", modelID: "claude-sonnet-4.5", listModel: "claude-sonnet-4-5", family: .anthropic, reportsCost: false)
    static let copilotMini = OpenCodeModel(providerID: "github-copilot", modelID: "gpt-5-mini", listModel: "gpt-5-mini", family: .openai, reportsCost: false)

    static let mix: [(OpenCodeModel, Int)] = [
        (.sonnet, 34), (.opus, 10), (.haiku, 5), (.gpt5, 14), (.gpt5mini, 7), (.geminiPro, 10), (.geminiFlash, 6),
        (.copilotSonnet, 9), (.copilotMini, 5),
    ]

    /// The model a sub-agent of this one runs on.
    var subagent: OpenCodeModel {
        switch (providerID, family) {
        case ("anthropic", _): .haiku
        case ("openai", _): .gpt5mini
        case ("google", _): .geminiFlash
        default: self
        }
    }
}

extension DemoCorpus.Totals {
    /// Adds another format's or builder's totals.
    mutating func merge(_ other: DemoCorpus.Totals) {
        calls += other.calls
        input += other.input
        output += other.output
        reasoning += other.reasoning
        cacheRead += other.cacheRead
        cacheWrite += other.cacheWrite
        cacheWrite1h += other.cacheWrite1h
        totalTokens += other.totalTokens
        listCostNanos += other.listCostNanos
        reportedCostNanos += other.reportedCostNanos
    }
}
