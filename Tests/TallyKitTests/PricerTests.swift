import Foundation
import Testing
@testable import TallyKit

/// Per-million price in nano-dollars from its decimal text.
func mtok(_ text: String) -> Int64 { PriceRecord.perMillion(text)! }

/// SPEC §6's formula on hand-computed values; each test states the prices it uses.
@Suite struct PricerTests {
    @Test func inputOutputAndCacheRead() throws {
        // $1.25 input, $10 output, $0.125 cache read per million:
        // 1,000 × 1.25 + 500 × 10 + 200 × 0.125 = 1,250 + 5,000 + 25 = 6,275 millionths of a dollar.
        let card = RateCard(PriceRecord(id: 1, model: "gpt-5", input: mtok("1.25"), output: mtok("10"), cacheRead: mtok("0.125")))
        let cost = try #require(Pricer.cost(of: TokenUsage(input: 1000, output: 500, cacheRead: 200), at: card))
        #expect(cost.nanos == 6_275_000)  // $0.006275
        #expect(Money.usd(nanos: cost.nanos) == Decimal(string: "0.006275"))
        #expect(!cost.usedFallback && !cost.aboveTier && cost.pricingID == 1)
    }

    /// Gemini 2.5 Pro: $1.25/$10 up to 200k prompt tokens, $2.50/$15 above, for the whole call.
    static let gemini = PriceRecord(
        id: 2, model: "gemini-2.5-pro", input: mtok("1.25"), output: mtok("10"), cacheRead: mtok("0.125"),
        tierThreshold: 200_000, inputAbove: mtok("2.5"), outputAbove: mtok("15"), cacheReadAbove: mtok("0.25"))

    @Test func aLongPromptIsBilledEntirelyAtTheAboveTierPrices() throws {
        // 300,000 × 2.50 + 10,000 × 15 = 750,000 + 150,000 millionths = $0.90.
        let cost = try #require(Pricer.cost(of: TokenUsage(input: 300_000, output: 10_000), at: RateCard(Self.gemini)))
        #expect(cost.nanos == 900_000_000)
        #expect(cost.aboveTier)
    }

    @Test func aPromptAtTheThresholdStaysAtTheBasePrice() throws {
        // 200,000 is not above 200,000: 200,000 × 1.25 + 10,000 × 10 = 250,000 + 100,000 millionths = $0.35.
        let cost = try #require(Pricer.cost(of: TokenUsage(input: 200_000, output: 10_000), at: RateCard(Self.gemini)))
        #expect(cost.nanos == 350_000_000)
        #expect(!cost.aboveTier)
        // Cache reads count toward the prompt: 150,000 + 60,000 cached = 210,000 > 200,000, so
        // 150,000 × 2.50 + 60,000 × 0.25 + 1,000 × 15 = 375,000 + 15,000 + 15,000 millionths = $0.405.
        let cached = try #require(
            Pricer.cost(of: TokenUsage(input: 150_000, output: 1_000, cacheRead: 60_000), at: RateCard(Self.gemini)))
        #expect(cached.nanos == 405_000_000)
        #expect(cached.aboveTier)
    }

    @Test func oneHourCacheWriteOnClaudeSonnet45() throws {
        // claude-sonnet-4-5: $3 input, $15 output, $3.75 5-minute write, $6 1-hour write per million.
        // 10,000 × 6 = 60,000 millionths = $0.06.
        let record = PriceRecord(
            id: 3, model: "claude-sonnet-4-5", input: mtok("3"), output: mtok("15"), cacheRead: mtok("0.3"),
            cacheWrite: mtok("3.75"), cacheWrite1h: mtok("6"))
        let usage = TokenUsage(input: 0, output: 0, cacheWrite: 10_000, cacheWrite1h: 10_000)
        #expect(Pricer.cost(of: usage, at: RateCard(record))?.nanos == 60_000_000)
        // The shipped snapshot has the same prices.
        let snapshot = try #require(PriceSnapshot.records.first { $0.model == "claude-sonnet-4-5" })
        #expect(Pricer.cost(of: usage, at: RateCard(snapshot))?.nanos == 60_000_000)
        // Mixed: 4,000 of 10,000 written for an hour: 6,000 × 3.75 + 4,000 × 6 = 22,500 + 24,000 = $0.0465.
        let mixed = TokenUsage(input: 0, output: 0, cacheWrite: 10_000, cacheWrite1h: 4_000)
        #expect(Pricer.cost(of: mixed, at: RateCard(record))?.nanos == 46_500_000)
    }

    @Test func missingCachePricesFallBackAndSaySo() throws {
        // $2 input, $8 output, no cache prices: read 0.1 × 2 = $0.20, write 1.25 × 2 = $2.50,
        // 1-hour write 2 × 2 = $4 per million.
        let card = RateCard(PriceRecord(id: 4, model: "acme-1", input: mtok("2"), output: mtok("8")))
        #expect(card.base.cacheRead == mtok("0.2"))
        #expect(card.base.cacheWrite == mtok("2.5"))
        #expect(card.base.cacheWrite1h == mtok("4"))
        // 1,000 × 2 + 1,000 × 0.20 + (3,000 − 1,000) × 2.50 + 1,000 × 4 = 2,000 + 200 + 5,000 + 4,000
        // = 11,200 millionths = $0.0112.
        let usage = TokenUsage(input: 1000, output: 0, cacheRead: 1000, cacheWrite: 3000, cacheWrite1h: 1000)
        let cost = try #require(Pricer.cost(of: usage, at: card))
        #expect(cost.nanos == 11_200_000)
        #expect(cost.fallbacks == [.cacheRead, .cacheWrite, .cacheWrite1h])
        // Without cache tokens no fallback price is used, so none is reported.
        let plain = try #require(Pricer.cost(of: TokenUsage(input: 1000, output: 100), at: card))
        #expect(plain.nanos == 2_800_000)
        #expect(!plain.usedFallback)
    }

    @Test func reasoningIsBilledAtTheOutputPriceUnlessItHasItsOwn() throws {
        // $1 input, $4 output: 1,000 reasoning tokens at $4 = $0.004; with a $2 reasoning price, $0.002.
        let usage = TokenUsage(input: 0, output: 0, reasoning: 1000)
        let plain = RateCard(PriceRecord(id: 5, model: "m", input: mtok("1"), output: mtok("4")))
        let own = RateCard(PriceRecord(id: 6, model: "m", input: mtok("1"), output: mtok("4"), reasoning: mtok("2")))
        #expect(Pricer.cost(of: usage, at: plain)?.nanos == 4_000_000)
        #expect(Pricer.cost(of: usage, at: own)?.nanos == 2_000_000)
    }

    @Test func totalOnlyCallsHaveNoComputedCost() {
        let card = RateCard(PriceRecord(id: 7, model: "m", input: mtok("1"), output: mtok("4")))
        #expect(Pricer.cost(of: TokenUsage(), at: card) == nil)
        // A source without cache counts (NULL) still prices what it gave.
        #expect(Pricer.cost(of: TokenUsage(input: 1000, output: 1000), at: card)?.nanos == 5_000_000)
    }

    @Test func roundsHalfUpOncePerCall() {
        // $0.0015 per million: one token is 1.5 nano-dollars → 2; three tokens 4.5 → 5.
        let card = RateCard(PriceRecord(id: 8, model: "m", input: mtok("0.0015"), output: 0))
        #expect(Pricer.cost(of: TokenUsage(input: 1, output: 0), at: card)?.nanos == 2)
        #expect(Pricer.cost(of: TokenUsage(input: 3, output: 0), at: card)?.nanos == 5)
        // Rounded once, not per kind: 1 input + 1 output at $0.0015 = 3 nano-dollars, not 2 + 2.
        let both = RateCard(PriceRecord(id: 9, model: "m", input: mtok("0.0015"), output: mtok("0.0015")))
        #expect(Pricer.cost(of: TokenUsage(input: 1, output: 1), at: both)?.nanos == 3)
    }

    @Test func exactAtTheBounds() throws {
        // 999,999,999,999 tokens of each kind at $999.999999999 per million: compare with Decimal.
        let price = PriceRecord.priceLimit - 1
        let tokens = Pricer.tokenLimit - 1
        let card = RateCard(PriceRecord(
            id: 10, model: "m", input: price, output: price, reasoning: price, cacheRead: price, cacheWrite: price,
            cacheWrite1h: price))
        let usage = TokenUsage(input: tokens, output: tokens, reasoning: tokens, cacheRead: tokens, cacheWrite: tokens)
        let cost = try #require(Pricer.cost(of: usage, at: card))
        let exact = Decimal(tokens) * Decimal(price) * 5 / 1_000_000
        #expect(Decimal(cost.nanos) - exact < 1 && exact - Decimal(cost.nanos) <= Decimal(string: "0.5")!)
        #expect(Pricer.cost(of: TokenUsage(input: Pricer.tokenLimit, output: 0), at: card) == nil)
    }

    @Test func randomCallsAgreeWithDecimalArithmetic() throws {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let prices = (0..<6).map { _ in Int64.random(in: 0..<(200 * Money.nanosPerDollar), using: &rng) }
            let record = PriceRecord(
                id: 1, model: "m", input: prices[0], output: prices[1], reasoning: prices[2], cacheRead: prices[3],
                cacheWrite: prices[4], cacheWrite1h: prices[5])
            let cw = Int64.random(in: 0..<5_000_000, using: &rng)
            let usage = TokenUsage(
                input: .random(in: 0..<3_000_000, using: &rng), output: .random(in: 0..<100_000, using: &rng),
                reasoning: .random(in: 0..<50_000, using: &rng), cacheRead: .random(in: 0..<9_000_000, using: &rng),
                cacheWrite: cw, cacheWrite1h: .random(in: 0...cw, using: &rng))
            let cost = try #require(Pricer.cost(of: usage, at: RateCard(record)))
            let millionths = Decimal(usage.input!) * Decimal(prices[0]) + Decimal(usage.output!) * Decimal(prices[1])
                + Decimal(usage.reasoning!) * Decimal(prices[2]) + Decimal(usage.cacheRead!) * Decimal(prices[3])
                + Decimal(cw - usage.cacheWrite1h!) * Decimal(prices[4]) + Decimal(usage.cacheWrite1h!) * Decimal(prices[5])
            var exact = millionths / 1_000_000 + Decimal(string: "0.5")!
            var floor = Decimal()
            NSDecimalRound(&floor, &exact, 0, .down)
            #expect(Decimal(cost.nanos) == floor)
        }
    }
}

/// A small deterministic generator (SplitMix64) so random tests repeat.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
