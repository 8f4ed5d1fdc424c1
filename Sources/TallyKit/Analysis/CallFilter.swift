import Foundation
import GRDB

/// The filters every cost analysis takes over `calls` (SPEC §5 dates, §6 cost mode): declared
/// once here so that every analysis spells and documents them alike.
public struct CallFilter {
    /// `--since --until --project --source --provider --cost-mode`.
    public static let parameters: [Parameter] = [
        Parameter("since", .date, help: "Only calls at or after this date (inclusive)."),
        Parameter("until", .date, help: "Only calls before this date (exclusive)."),
        Parameter("project", .string, help: "Only calls of this project (its id or name)."),
        Parameter("source", .string, help: "Only calls from this source (opencode, claude, codex, gemini, events, ...)."),
        Parameter("provider", .string, help: "Only calls served by this provider (anthropic, openai, google, ...)."),
        Parameter(
            "cost-mode", .choice(CostMode.allCases.map(\.rawValue)), default: "auto",
            help: "auto: computed cost when a price is known, else reported; computed or reported: only that one."),
    ]

    public var since: Date?
    public var until: Date?
    public var project: String?
    public var source: String?
    public var provider: String?
    public var costMode: CostMode

    public init(_ arguments: Arguments) {
        since = arguments.date("since")
        until = arguments.date("until")
        project = arguments.string("project")
        source = arguments.string("source")
        provider = arguments.string("provider")
        costMode = arguments.string("cost-mode").flatMap(CostMode.init(rawValue:)) ?? .auto
    }

    /// The condition on calls aliased `c`.
    public var condition: SQL {
        var parts: [SQL] = []
        if let since { parts.append("c.started_at >= \(Timestamps.iso(since))") }
        if let until { parts.append("c.started_at < \(Timestamps.iso(until))") }
        return Self.conjunction(parts + dimensionConditions)
    }

    /// The same condition on `call_rollup` aliased `c`, or nil when a date falls inside a quarter
    /// hour (the rollup cannot split one). Dates from `--since`/`--until` are local midnights, and
    /// every time zone's offset is a whole number of quarter hours.
    public var rollupCondition: SQL? {
        var parts: [SQL] = []
        for (date, op) in [(since, ">="), (until, "<")] {
            guard let date else { continue }
            let seconds = date.timeIntervalSince1970
            guard seconds == seconds.rounded(), Int64(seconds) % 900 == 0 else { return nil }
            parts.append("c.quarter \(sql: op) \(Int64(seconds) / 900)")
        }
        return Self.conjunction(parts + dimensionConditions)
    }

    /// The conditions on the columns `calls` and `call_rollup` share (a NULL dimension is `x''`
    /// in the rollup, which equals no text either).
    private var dimensionConditions: [SQL] {
        var parts: [SQL] = []
        if let project { parts.append("c.project_id IN (SELECT id FROM projects WHERE id = \(project) OR name = \(project))") }
        if let source { parts.append("c.source = \(source)") }
        if let provider { parts.append("c.provider = \(provider) COLLATE NOCASE") }
        return parts
    }

    private static func conjunction(_ parts: [SQL]) -> SQL {
        parts.isEmpty ? "1" : parts.joined(separator: " AND ")
    }

    /// The cost column this mode reads, on `c` (never a price: analyses read stored costs).
    public var costColumn: SQL { SQL(sql: "c." + costMode.column) }

    /// 1 when a call's cost used a fallback cache price.
    /// The cost mode's columns of a rollup aliased `c` (schema v2's measures): cost, priced
    /// calls, unpriced tokens, unpriced total-only calls and tokens.
    var rollupCostColumns: String {
        let p = rollupPrefix
        return "c.\(p)_nanos, c.\(p)_calls, c.\(p)_unpriced_tokens, c.\(p)_unpriced_total_only_calls, c.\(p)_unpriced_total_only_tokens"
    }

    /// The rollup's fallback calls in this cost mode (reported costs use no price: 0).
    var rollupFallbackColumn: String { costMode == .reported ? "0" : "c.\(rollupPrefix)_fallback_calls" }

    private var rollupPrefix: String { Schema.rollupCostModes.first { $0.column == costMode.column }!.prefix }

    public var fallbackColumn: SQL {
        switch costMode {
        case .auto: return "(c.cost_fallback AND c.cost_source = 'computed')"
        case .computed: return "(c.cost_fallback AND c.computed_cost_nanos IS NOT NULL)"
        case .reported: return "0"
        }
    }
}
