import Foundation

/// Prices calls as the indexer writes them: the cost columns `CostEngine.reprice` would store
/// in `auto` mode, computed in Swift before the insert, so that no second pass updates the rows
/// just written (that pass was a quarter of the writer's time).
///
/// Model matching and price periods are looked up in the book once per (model, provider) pair
/// and kept; each call then costs a scan of its pair's few periods and the Pricer's arithmetic.
/// The book must not change while a CallPricer is in use (the indexer loads one per run).
public final class CallPricer {
    /// The cost columns of one call (`calls.computed_cost_nanos`, `pricing_id`, `cost_fallback`,
    /// `cost_nanos`, `cost_source`).
    public struct Costs: Hashable, Sendable {
        public var computed: Int64?
        public var pricingID: Int64?
        public var fallback: Bool
        /// The cost used: computed when a price is known, else the source's own.
        public var cost: Int64?
        public var source: String?

        /// The columns of a call no price applies to: its reported cost, if any.
        public static func reported(_ nanos: Int64?) -> Costs {
            Costs(computed: nil, pricingID: nil, fallback: false, cost: nanos, source: nanos == nil ? nil : "reported")
        }
    }

    let book: PriceBook
    private var periods: [Pair: [Period]] = [:]

    private struct Pair: Hashable {
        var model: String
        var provider: String?
    }

    /// `[from, to)` as CostEngine's rate table holds it: '' and '~' for unbounded ends.
    private struct Period {
        var from: String
        var to: String
        var card: RateCard
    }

    public init(book: PriceBook) {
        self.book = book
    }

    /// The cost columns of `call`, as `CostEngine.reprice(.., mode: .auto)` computes them.
    public func costs(of call: CallRecord) -> Costs {
        guard let model = call.model, let card = card(model: model, provider: call.provider, at: call.startedAt) else {
            return .reported(call.reportedCostNanos)
        }
        let t = call.tokens
        let usage = TokenUsage(
            input: t.input, output: t.output, reasoning: t.reasoning, cacheRead: t.cacheRead, cacheWrite: t.cacheWrite,
            cacheWrite1h: t.cacheWrite1h)
        guard let priced = Pricer.cost(of: usage, at: card) else { return .reported(call.reportedCostNanos) }
        return Costs(
            computed: priced.nanos, pricingID: priced.pricingID, fallback: priced.usedFallback, cost: priced.nanos,
            source: "computed")
    }

    /// The rate card of `model` served by `provider` at `time`; nil when the model has no price.
    private func card(model: String, provider: String?, at time: String) -> RateCard? {
        let pair = Pair(model: model, provider: provider)
        let known = periods[pair] ?? load(pair)
        return known.first { time >= $0.from && time < $0.to }?.card
    }

    private func load(_ pair: Pair) -> [Period] {
        var loaded: [Period] = []
        if let match = book.matcher.match(pair.model, provider: pair.provider) {
            loaded = book.segments(for: match.key, provider: pair.provider).map {
                Period(from: $0.from ?? "", to: $0.to ?? "~", card: RateCard($0.record))
            }
        }
        periods[pair] = loaded
        return loaded
    }
}
