import Foundation

/// The token counts of one call in SPEC §6's canonical kinds; nil where the source gave none.
public struct TokenUsage: Hashable, Sendable {
    public var input: Int64?
    public var output: Int64?
    public var reasoning: Int64?
    public var cacheRead: Int64?
    /// All cache writes; `cacheWrite1h` is the part written with a 1-hour lifetime.
    public var cacheWrite: Int64?
    public var cacheWrite1h: Int64?

    public init(
        input: Int64? = nil, output: Int64? = nil, reasoning: Int64? = nil, cacheRead: Int64? = nil,
        cacheWrite: Int64? = nil, cacheWrite1h: Int64? = nil
    ) {
        self.input = input
        self.output = output
        self.reasoning = reasoning
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
        self.cacheWrite1h = cacheWrite1h
    }

    /// No split at all: the source gave only a total, so no cost can be computed from tokens.
    public var isTotalOnly: Bool {
        input == nil && output == nil && reasoning == nil && cacheRead == nil && cacheWrite == nil
    }

    /// The prompt size a long-context tier is decided on: input + cache read + cache write.
    public var promptTokens: Int64 { (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0) }
}

/// A token kind whose price may be missing and fall back (SPEC §6).
public enum CacheKind: String, Sendable, CaseIterable {
    case cacheRead = "cache_read"
    case cacheWrite = "cache_write"
    case cacheWrite1h = "cache_write_1h"
}

/// The prices one tier bills at, in nano-dollars per million tokens, with the fallbacks applied.
public struct Rates: Hashable, Sendable {
    public var input: Int64
    public var output: Int64
    public var reasoning: Int64
    public var cacheRead: Int64
    public var cacheWrite: Int64
    public var cacheWrite1h: Int64
    /// The cache kinds whose price was missing and derived from the input price.
    public var fallbacks: Set<CacheKind>
}

/// A price row turned into the rates of its tiers: the part of pricing that both the Pricer and
/// `CostEngine`'s set-based SQL use, so the two cannot disagree on a price.
public struct RateCard: Hashable, Sendable {
    public var pricingID: Int64
    public var base: Rates
    /// Above `threshold` prompt tokens; nil when the model has no long-context tier.
    public var above: Rates?
    public var threshold: Int64?

    /// Missing cache prices fall back to 0.1 × input (read), 1.25 × input (write) and
    /// 2 × input (1-hour write). Above the tier, each price is its above-tier price; a missing
    /// above-tier input or output price keeps the base price, a missing above-tier cache price
    /// falls back from the above-tier input price (flagged like any fallback), and reasoning
    /// without its own price is billed at the tier's output price.
    public init(_ record: PriceRecord) {
        pricingID = record.id ?? 0
        base = Self.rates(
            input: record.input, output: record.output, reasoning: record.reasoning, cacheRead: record.cacheRead,
            cacheWrite: record.cacheWrite, cacheWrite1h: record.cacheWrite1h)
        threshold = record.tierThreshold
        if record.tierThreshold != nil {
            above = Self.rates(
                input: record.inputAbove ?? record.input, output: record.outputAbove ?? record.output,
                reasoning: record.reasoning, cacheRead: record.cacheReadAbove, cacheWrite: record.cacheWriteAbove,
                cacheWrite1h: nil)
        }
    }

    private static func rates(
        input: Int64, output: Int64, reasoning: Int64?, cacheRead: Int64?, cacheWrite: Int64?, cacheWrite1h: Int64?
    ) -> Rates {
        var fallbacks: Set<CacheKind> = []
        func price(_ given: Int64?, _ kind: CacheKind, times numerator: Int64, over denominator: Int64) -> Int64 {
            if let given { return given }
            fallbacks.insert(kind)
            return (input * numerator + denominator / 2) / denominator
        }
        return Rates(
            input: input, output: output, reasoning: reasoning ?? output,
            cacheRead: price(cacheRead, .cacheRead, times: 1, over: 10),
            cacheWrite: price(cacheWrite, .cacheWrite, times: 5, over: 4),
            cacheWrite1h: price(cacheWrite1h, .cacheWrite1h, times: 2, over: 1),
            fallbacks: fallbacks)
    }

    /// The tier a call is billed at: above the threshold, the whole call (SPEC §6).
    public func tier(for usage: TokenUsage) -> (rates: Rates, isAbove: Bool) {
        if let threshold, let above, usage.promptTokens > threshold { return (above, true) }
        return (base, false)
    }
}

/// A computed cost and where it comes from.
public struct PricedCost: Hashable, Sendable {
    public var nanos: Int64
    /// The `pricing` row used.
    public var pricingID: Int64
    /// True when the long-context tier's prices applied.
    public var aboveTier: Bool
    /// The cache kinds billed at a fallback price (only kinds the call has tokens of).
    public var fallbacks: Set<CacheKind>

    public var usedFallback: Bool { !fallbacks.isEmpty }
}

/// Tokens × prices → cost: a pure function (ARCHITECTURE.md, "Money").
///
/// `cost = input × p_input + output × p_output + reasoning × p_reasoning + cache_read ×
/// p_cache_read + (cache_write − cache_write_1h) × p_cache_write + cache_write_1h ×
/// p_cache_write_1h`, with prices in nano-dollars per million tokens, computed exactly in
/// integers and rounded half up to the nano-dollar once per call.
///
/// To stay exact inside `Int64`, each count is split as `q × 10^6 + r`: `q × price` is already
/// nano-dollars, and the `r × price` remainders are summed before the one division. That holds
/// for counts below 10^12 and prices below `PriceRecord.priceLimit`; a call outside those bounds
/// (no real call is) gets no computed cost. `CostEngine` runs the same arithmetic in SQL.
public enum Pricer {
    /// Token counts at or above this are not priced (they would overflow; see above).
    public static let tokenLimit: Int64 = 1_000_000_000_000

    /// The cost of a call at a rate card; nil for a total-only call or counts out of bounds.
    public static func cost(of usage: TokenUsage, at card: RateCard) -> PricedCost? {
        guard !usage.isTotalOnly else { return nil }
        let (rates, isAbove) = card.tier(for: usage)
        let cacheWrite = usage.cacheWrite ?? 0
        let cacheWrite1h = min(usage.cacheWrite1h ?? 0, cacheWrite)
        let terms: [(tokens: Int64, price: Int64)] = [
            (usage.input ?? 0, rates.input),
            (usage.output ?? 0, rates.output),
            (usage.reasoning ?? 0, rates.reasoning),
            (usage.cacheRead ?? 0, rates.cacheRead),
            (cacheWrite - cacheWrite1h, rates.cacheWrite),
            (cacheWrite1h, rates.cacheWrite1h),
        ]
        guard cacheWrite < tokenLimit,
            terms.allSatisfy({ $0.tokens >= 0 && $0.tokens < tokenLimit && $0.price < PriceRecord.priceLimit })
        else { return nil }
        var whole: Int64 = 0
        var remainder: Int64 = 0
        for (tokens, price) in terms {
            whole += tokens / 1_000_000 * price
            remainder += tokens % 1_000_000 * price
        }
        var fallbacks: Set<CacheKind> = []
        if (usage.cacheRead ?? 0) > 0, rates.fallbacks.contains(.cacheRead) { fallbacks.insert(.cacheRead) }
        if cacheWrite - cacheWrite1h > 0, rates.fallbacks.contains(.cacheWrite) { fallbacks.insert(.cacheWrite) }
        if cacheWrite1h > 0, rates.fallbacks.contains(.cacheWrite1h) { fallbacks.insert(.cacheWrite1h) }
        return PricedCost(
            nanos: whole + (remainder + 500_000) / 1_000_000, pricingID: card.pricingID, aboveTier: isAbove,
            fallbacks: fallbacks)
    }

    /// The cost of a call of `model` served by `provider` at `timestamp` (nil: the latest price);
    /// nil when the model has no price or the call is total-only.
    public static func cost(
        of usage: TokenUsage, model: String, provider: String?, at timestamp: String?, in book: PriceBook
    ) -> PricedCost? {
        guard let match = book.matcher.match(model, provider: provider),
            let record = book.record(for: match.key, provider: provider, at: timestamp)
        else { return nil }
        return cost(of: usage, at: RateCard(record))
    }
}
