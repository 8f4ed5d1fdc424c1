import Foundation
import GRDB
import TallyKit

/// `suspicious-tokens`: calls whose token counts or cost are implausible (SPEC §6).
public enum SuspiciousTokens: Analysis {
    public static let name = "suspicious-tokens"
    public static let summary = "Calls over their model's plausibility bounds, outliers, totals that disagree, zero-cost paid calls."
    public static let discussion = """
        One row per suspicious value, by check and worst first within a check: prompt_tokens \
        (input + cache read + cache write) over the model's context window; for a total-only call \
        total_tokens over the context window plus max output; output_tokens over the model's max \
        output; reasoning_tokens over --max-reasoning; total_tokens more than --mad median \
        absolute deviations above its model's median (models with at least --min-calls calls and a \
        MAD above 0); total_tokens that is not the sum of its five splits (or is below the sum of \
        the known ones; bound = that sum); a cost or reported cost of 0 with tokens on a paid model \
        (value 0, no bound). Context window and max output come from the pricing table \
        (max_input_tokens, max_output_tokens); a model without them is judged by the fallback \
        --max-input and --max-output, and giving either explicitly applies it to every model.
        """
    public static let parameters = [
        Parameter("max-input", .int, default: "100000", help: "Fallback prompt bound (input + cache) when no context window is known."),
        Parameter("max-output", .int, default: "50000", help: "Fallback output bound when no max output is known."),
        Parameter("max-reasoning", .int, default: "100000", help: "Reasoning bound for every model."),
        Parameter("mad", .decimal, default: "10", help: "Median absolute deviations above the model's median total to flag."),
        Parameter("min-calls", .int, default: "10", help: "Calls a model needs before its outliers are judged."),
        Parameter("limit", .int, default: "1000", help: "At most this many rows per check, the worst; 0 shows all."),
    ] + CallFilter.parameters.filter { $0.name != "cost-mode" }
    public static let examples = [
        // a1: 120000 + 0 + 0 > fallback 100000 (acme-internal-7b has no price); s1: 150000 + 60000 +
        // 0 = 210000 > 200000; a2: total-only 200000 > 100000 + 50000. s2: output 70000 > 64000;
        // s3: reasoning 120000 > 100000. gpt-5's ten totals 1000…1800 by 100 and 100000: median
        // (1400 + 1500) / 2 = 1450, deviations 450 350 250 150 50 50 150 250 350 98550, MAD
        // (250 + 250) / 2 = 250, bound 1450 + 10 × 250 = 3950. s5: 1000 + 500 = 1500, total 1700.
        // s4: cost 0 for 1500 tokens though claude-sonnet-4-5 is priced; grok-code is free.
        Example("suspicious-tokens", "Every check on its fixture.", fixture: "tokens", expected: """
            call_id,session_id,model,field,value,bound,reason
            a1,,acme-internal-7b,prompt_tokens,120000,100000,prompt over the fallback bound (no context window known for acme-internal-7b)
            s1,ses-1,claude-sonnet-4-5,prompt_tokens,210000,200000,prompt over the context window of claude-sonnet-4-5
            a2,,acme-internal-7b,total_tokens,200000,150000,total-only call over the fallback bounds (no context window known for acme-internal-7b)
            s2,ses-1,claude-sonnet-4-5,output_tokens,70000,64000,output over the max output of claude-sonnet-4-5
            s3,ses-1,claude-sonnet-4-5,reasoning_tokens,120000,100000,reasoning over --max-reasoning
            g10,ses-2,gpt-5,total_tokens,100000,3950,outlier for gpt-5: median 1450 and MAD 250 (bound = median + 10 × MAD)
            s5,ses-1,claude-sonnet-4-5,total_tokens,1700,1500,total_tokens is not the sum of its splits
            s4,ses-1,claude-sonnet-4-5,cost_usd,0,,cost 0 for 1500 tokens on a paid model (claude-sonnet-4-5)
            """),
        // Explicit bounds replace the models' own: s1 210000 > 150000, s2 70000 > 60000; a1
        // (120000) and a2 (200000 ≤ 150000 + 60000) pass.
        Example("suspicious-tokens --max-input 150000 --max-output 60000 --mad 1000", "Explicit bounds for every model.",
                fixture: "tokens", expected: """
            call_id,session_id,model,field,value,bound,reason
            s1,ses-1,claude-sonnet-4-5,prompt_tokens,210000,150000,prompt over --max-input
            s2,ses-1,claude-sonnet-4-5,output_tokens,70000,60000,output over --max-output
            s3,ses-1,claude-sonnet-4-5,reasoning_tokens,120000,100000,reasoning over --max-reasoning
            s5,ses-1,claude-sonnet-4-5,total_tokens,1700,1500,total_tokens is not the sum of its splits
            s4,ses-1,claude-sonnet-4-5,cost_usd,0,,cost 0 for 1500 tokens on a paid model (claude-sonnet-4-5)
            """),
        Example("suspicious-tokens --since 2026-03-04 --until 2026-03-05 --limit 1", "One day, one row per check.",
                fixture: "tokens", expected: """
            call_id,session_id,model,field,value,bound,reason
            a1,,acme-internal-7b,prompt_tokens,120000,100000,prompt over the fallback bound (no context window known for acme-internal-7b)
            a2,,acme-internal-7b,total_tokens,200000,150000,total-only call over the fallback bounds (no context window known for acme-internal-7b)
            """),
        Example("suspicious-tokens --since 2026-04-01", "No calls in range: an empty result and a note.", fixture: "tokens",
                expected: """
            call_id,session_id,model,field,value,bound,reason
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        var checker = Checker(arguments, book: try PriceBook.load(context.db))
        let filter = CallFilter(arguments)
        let calls = try checker.scan(context.db, filter: filter)
        checker.flagOutliers()

        let limit = arguments.int("limit") ?? 1000
        var shown: [Flag] = []
        var notes: [String] = []
        for check in Check.allCases {
            var flags = checker.flags.filter { $0.check == check }
            if limit > 0, flags.count > limit {
                // Only the worst `limit` are sorted: those at or above the limit-th largest severity.
                var severities = flags.map(\.severity)
                Statistics.select(&severities, severities.count - limit)
                let threshold = severities[severities.count - limit]
                flags.removeAll { $0.severity < threshold }
            }
            flags.sort { ($0.severity, $1.rowid) > ($1.severity, $0.rowid) }
            shown += limit > 0 ? Array(flags.prefix(limit)) : flags
            let count = checker.flags.lazy.filter { $0.check == check }.count
            if limit > 0, count > limit {
                notes.append("\(count) \(check.field) rows (\(check.title)): the worst \(limit) shown, --limit 0 shows all")
            }
        }
        let details = try Row.fetchAll(context.db, SQLRequest<Row>(literal: """
            SELECT rowid, id, session_id, model FROM calls WHERE rowid IN (SELECT value FROM json_each(\(
                "[" + Set(shown.map(\.rowid)).map(String.init).joined(separator: ",") + "]")))
            """))
        let byRowid = Dictionary(uniqueKeysWithValues: details.map { ($0[0] as Int64, $0) })
        let rows: [[Value]] = shown.map { flag in
            let call = byRowid[flag.rowid]
            return [.string(call?[1]), .string(call?[2]), .string(call?[3]), .text(flag.check.field), .integer(flag.value),
                    flag.bound.map(Value.integer) ?? .null, .text(checker.reason(flag))]
        }
        if calls == 0 {
            notes.insert("no calls in range", at: 0)
        } else if rows.isEmpty {
            notes.insert("nothing suspicious in \(calls) calls", at: 0)
        }
        notes += checker.notes()
        return ResultSet(
            columns: [Column("call_id", .text), Column("session_id", .text), Column("model", .text), Column("field", .text),
                      Column("value", .tokens), Column("bound", .tokens), Column("reason", .text)],
            rows: rows, notes: notes)
    }
}

/// The checks, in the order their rows are listed.
private enum Check: Int, CaseIterable {
    case prompt, totalOnly, output, reasoning, outlier, mismatch, zeroCost, zeroReported

    var field: String {
        switch self {
        case .prompt: return "prompt_tokens"
        case .totalOnly, .outlier, .mismatch: return "total_tokens"
        case .output: return "output_tokens"
        case .reasoning: return "reasoning_tokens"
        case .zeroCost: return "cost_usd"
        case .zeroReported: return "reported_cost_usd"
        }
    }

    var title: String {
        switch self {
        case .prompt: return "prompt over its bound"
        case .totalOnly: return "total-only call over its bounds"
        case .output: return "output over its bound"
        case .reasoning: return "reasoning over its bound"
        case .outlier: return "outlier"
        case .mismatch: return "total not the sum of splits"
        case .zeroCost, .zeroReported: return "zero cost on a paid model"
        }
    }
}

/// One suspicious value of one call (by rowid: ids are fetched for the rows shown only).
private struct Flag {
    var rowid: Int64
    var check: Check
    var value: Int64
    var bound: Int64?
    var model: Int
    var provider: Int
    /// The call's total tokens.
    var tokens: Int64
    /// How far past the bound, to list the worst first within a check.
    var severity: Double
}

/// A model's bounds as served by a provider, from its price (or the fallbacks): what the scan
/// reads for every call, kept apart from the names only reasons need.
private struct Limits {
    var prompt: Int64
    var output: Int64
    /// The model's price has a non-zero input or output rate.
    var paid: Bool
}

/// Where a model's limits come from, for the reasons and notes.
private struct LimitSource {
    /// The bound is the model's own (else --max-input or --max-output: given, or a fallback).
    var promptKnown: Bool
    var outputKnown: Bool
    /// The bound is a fallback: not given, and the model has none.
    var promptFallback: Bool
    var outputFallback: Bool
    /// The name of the price the model matches.
    var priced: String?
}

/// Reads every call once (`Database.scan`: a million calls in a fraction of a second), checks
/// the per-call bounds as it goes and keeps each model's totals for the outlier test.
private struct Checker {
    let book: PriceBook
    let fallbackPrompt: Int64, fallbackOutput: Int64, maxReasoning: Int64
    let promptGiven: Bool, outputGiven: Bool
    let mad: Double, minCalls: Int
    var models = TextKeys(), providers = TextKeys()
    /// Per model and provider index, once looked up.
    var limits: [[Limits?]] = []
    var sources: [Int: LimitSource] = [:]
    /// Per model index: (rowid, total) of every call.
    var totals: [[(rowid: Int64, total: Int64)]] = []
    var outlierBounds: [Int: (median: Double, mad: Double)] = [:]
    var unjudged: Set<Int> = []
    var flags: [Flag] = []

    init(_ arguments: Arguments, book: PriceBook) {
        self.book = book
        fallbackPrompt = Int64(arguments.int("max-input") ?? 100_000)
        fallbackOutput = Int64(arguments.int("max-output") ?? 50_000)
        maxReasoning = Int64(arguments.int("max-reasoning") ?? 100_000)
        promptGiven = arguments.given.contains("max-input")
        outputGiven = arguments.given.contains("max-output")
        mad = NSDecimalNumber(decimal: arguments.decimal("mad") ?? 10).doubleValue
        minCalls = arguments.int("min-calls") ?? 10
    }

    /// Checks every call `filter` selects; returns how many there were.
    mutating func scan(_ db: Database, filter: CallFilter) throws -> Int {
        var calls = 0
        try db.scan("""
            SELECT c.rowid, c.model, c.provider, c.input_tokens, c.output_tokens, c.reasoning_tokens,
                c.cache_read_tokens, c.cache_write_tokens, c.total_tokens, c.cost_nanos, c.reported_cost_nanos
            FROM calls c WHERE \(filter.condition)
            """
        ) { row in
            calls += 1
            let rowid = row.int64(0), model = models.index(row.bytes(1)), provider = providers.index(row.bytes(2))
            let b = bounds(model, provider)
            let input = row.optionalInt64(3), output = row.optionalInt64(4), reasoning = row.optionalInt64(5)
            let cacheRead = row.optionalInt64(6), cacheWrite = row.optionalInt64(7)
            let total = row.int64(8)
            if model == totals.count { totals.append([]) }
            totals[model].append((rowid, total))
            func flag(_ check: Check, _ value: Int64, _ bound: Int64?, severity: Double) {
                flags.append(Flag(
                    rowid: rowid, check: check, value: value, bound: bound, model: model, provider: provider, tokens: total,
                    severity: severity))
            }
            let known = [input, output, reasoning, cacheRead, cacheWrite].reduce(into: (count: 0, sum: Int64(0))) {
                if let n = $1 { $0 = ($0.count + 1, $0.sum + n) }
            }
            if known.count == 0 {
                let bound = b.prompt + b.output
                if total > bound { flag(.totalOnly, total, bound, severity: Double(total) / Double(bound)) }
            } else {
                let prompt = (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0)
                if prompt > b.prompt { flag(.prompt, prompt, b.prompt, severity: Double(prompt) / Double(b.prompt)) }
                if let output, output > b.output { flag(.output, output, b.output, severity: Double(output) / Double(b.output)) }
                if let reasoning, reasoning > maxReasoning {
                    flag(.reasoning, reasoning, maxReasoning, severity: Double(reasoning) / Double(maxReasoning))
                }
                if (known.count == 5 && total != known.sum) || total < known.sum {
                    flag(.mismatch, total, known.sum, severity: Double(abs(total - known.sum)) / Double(max(known.sum, 1)))
                }
            }
            if b.paid, total > 0 {
                if row.optionalInt64(9) == 0 {
                    flag(.zeroCost, 0, nil, severity: Double(total))
                } else if row.optionalInt64(10) == 0 {
                    flag(.zeroReported, 0, nil, severity: Double(total))
                }
            }
        }
        return calls
    }

    /// Flags each model's totals above median + k × MAD.
    mutating func flagOutliers() {
        for (model, calls) in totals.enumerated() {
            let values = calls.map { Double($0.total) }
            guard values.count >= minCalls, let median = Statistics.median(values),
                let deviation = Statistics.medianAbsoluteDeviation(values), deviation > 0
            else {
                unjudged.insert(model)
                continue
            }
            outlierBounds[model] = (median, deviation)
            let bound = median + mad * deviation
            for call in calls where Double(call.total) > bound {
                flags.append(Flag(
                    rowid: call.rowid, check: .outlier, value: call.total, bound: Int64(bound.rounded(.down)), model: model,
                    provider: 0, tokens: call.total, severity: Double(call.total) / max(bound, 1)))
            }
        }
    }

    /// The limits of a model as served by a provider (its price's, else the fallbacks).
    mutating func bounds(_ model: Int, _ provider: Int) -> Limits {
        if model < limits.count, provider < limits[model].count, let known = limits[model][provider] { return known }
        let name = models.texts[model], via = providers.texts[provider]
        let price = name.flatMap { book.matcher.match($0, provider: via) }.flatMap { book.record(for: $0.key, provider: via, at: nil) }
        let l = Limits(
            prompt: promptGiven ? fallbackPrompt : price?.maxInputTokens ?? fallbackPrompt,
            output: outputGiven ? fallbackOutput : price?.maxOutputTokens ?? fallbackOutput,
            paid: price.map { $0.input > 0 || $0.output > 0 } ?? false)
        sources[model << 24 | provider] = LimitSource(
            promptKnown: !promptGiven && price?.maxInputTokens != nil, outputKnown: !outputGiven && price?.maxOutputTokens != nil,
            promptFallback: !promptGiven && price?.maxInputTokens == nil,
            outputFallback: !outputGiven && price?.maxOutputTokens == nil, priced: price?.model)
        while limits.count <= model { limits.append([]) }
        while limits[model].count <= provider { limits[model].append(nil) }
        limits[model][provider] = l
        return l
    }

    /// Why a value is suspicious, in words.
    func reason(_ flag: Flag) -> String {
        let model = models.texts[flag.model] ?? "(no model)"
        let b = flag.check == .outlier ? nil : sources[flag.model << 24 | flag.provider]
        switch flag.check {
        case .prompt:
            if promptGiven { return "prompt over --max-input" }
            return b?.promptKnown == true ? "prompt over the context window of \(b!.priced!)"
                : "prompt over the fallback bound (no context window known for \(model))"
        case .totalOnly:
            if b?.promptKnown == true || b?.outputKnown == true {
                return "total-only call over the context window plus max output of \(b!.priced!)"
            }
            return "total-only call over the fallback bounds (no context window known for \(model))"
        case .output:
            if outputGiven { return "output over --max-output" }
            return b?.outputKnown == true ? "output over the max output of \(b!.priced!)"
                : "output over the fallback bound (no max output known for \(model))"
        case .reasoning:
            return "reasoning over --max-reasoning"
        case .outlier:
            let o = outlierBounds[flag.model]!
            return "outlier for \(model): median \(Statistics.rounded(o.median, places: 1)!) and MAD "
                + "\(Statistics.rounded(o.mad, places: 1)!) (bound = median + \(Statistics.rounded(mad, places: 2)!) × MAD)"
        case .mismatch:
            return flag.value < flag.bound! ? "total_tokens is below the sum of its known splits" : "total_tokens is not the sum of its splits"
        case .zeroCost, .zeroReported:
            return "\(flag.check == .zeroCost ? "cost" : "reported cost") 0 for \(flag.tokens) tokens on a paid model (\(b?.priced ?? model))"
        }
    }

    /// What was not judged, and how: models judged by the fallback bounds, models without an
    /// outlier test.
    func notes() -> [String] {
        var notes: [String] = []
        let fallback = Set(sources.filter { $0.value.promptFallback || $0.value.outputFallback }
            .map { models.texts[$0.key >> 24] ?? "(no model)" })
        if !fallback.isEmpty {
            notes.append("fallback bounds (--max-input, --max-output) for models without a known context window or max output: "
                + fallback.sorted().joined(separator: ", "))
        }
        let skipped = unjudged.map { models.texts[$0] ?? "(no model)" }.sorted()
        if !skipped.isEmpty {
            notes.append("no outlier test for models with fewer than \(minCalls) calls or a MAD of 0: " + skipped.joined(separator: ", "))
        }
        return notes
    }
}
