import Foundation

/// List prices of the demo's models in nano-dollars per token, copied from LiteLLM's
/// `model_prices_and_context_window.json` 1.110.2 (`input_cost_per_token`,
/// `output_cost_per_token`, `cache_read_input_token_cost`, `cache_creation_input_token_cost`,
/// `cache_creation_input_token_cost_above_1hr`). Every one is a whole number of nano-dollars, so
/// the costs written into the corpus are exact decimals. The demo keeps prompts below 200K
/// tokens: no long-context tier applies.
struct DemoPrice {
    var input: Int64
    var output: Int64
    var cacheRead: Int64
    var cacheWrite: Int64 = 0
    var cacheWrite1h: Int64 = 0

    static func of(_ model: String) -> DemoPrice? {
        switch model {
        case "claude-sonnet-4-5": DemoPrice(input: 3000, output: 15000, cacheRead: 300, cacheWrite: 3750, cacheWrite1h: 6000)
        case "claude-opus-4-5": DemoPrice(input: 5000, output: 25000, cacheRead: 500, cacheWrite: 6250, cacheWrite1h: 10000)
        case "claude-haiku-4-5": DemoPrice(input: 1000, output: 5000, cacheRead: 100, cacheWrite: 1250, cacheWrite1h: 2000)
        case "gpt-5", "gpt-5-codex": DemoPrice(input: 1250, output: 10000, cacheRead: 125)
        case "gpt-5-mini": DemoPrice(input: 250, output: 2000, cacheRead: 25)
        case "gpt-4.1-mini": DemoPrice(input: 400, output: 1600, cacheRead: 100)
        case "gemini-2.5-pro": DemoPrice(input: 1250, output: 10000, cacheRead: 125)
        case "gemini-2.5-flash": DemoPrice(input: 300, output: 2500, cacheRead: 30)
        default: nil
        }
    }
}

/// One LLM call's tokens in Tally's canonical kinds (SPEC §6): uncached input, output without
/// reasoning, reasoning, cache reads, cache writes (of which `cacheWrite1h` had a 1-hour TTL).
struct DemoUsage {
    var input = 0
    var output = 0
    var reasoning = 0
    var cacheRead = 0
    var cacheWrite = 0
    var cacheWrite1h = 0

    var total: Int { input + output + reasoning + cacheRead + cacheWrite }

    /// The list-price cost (reasoning at the output price); 0 for a model without a price.
    func cost(_ model: String) -> Int64 {
        guard let p = DemoPrice.of(model) else { return 0 }
        return Int64(input) * p.input + Int64(output + reasoning) * p.output + Int64(cacheRead) * p.cacheRead
            + Int64(cacheWrite - cacheWrite1h) * p.cacheWrite + Int64(cacheWrite1h) * p.cacheWrite1h
    }
}

extension DemoCorpus {
    /// What a correct reader indexes from one format: LLM calls and their canonical tokens, and
    /// their cost at list price (nano-dollars; models without a price add nothing).
    public struct Totals: Codable, Sendable, Equatable {
        public var calls = 0
        public var input = 0
        public var output = 0
        public var reasoning = 0
        public var cacheRead = 0
        public var cacheWrite = 0
        public var cacheWrite1h = 0
        /// Σ total_tokens (for total-only records, the source's total).
        public var totalTokens = 0
        public var listCostNanos: Int64 = 0
        /// Σ of the costs the source itself reports (0 where it reports none).
        public var reportedCostNanos: Int64 = 0

        public init() {}

        mutating func add(_ usage: DemoUsage, model: String) {
            calls += 1
            input += usage.input
            output += usage.output
            reasoning += usage.reasoning
            cacheRead += usage.cacheRead
            cacheWrite += usage.cacheWrite
            cacheWrite1h += usage.cacheWrite1h
            totalTokens += usage.total
            listCostNanos += usage.cost(model)
        }

        /// A call known only by its total.
        mutating func addTotalOnly(_ total: Int) {
            calls += 1
            totalTokens += total
        }
    }
}
