import Foundation
import Testing
@testable import TallyKit

struct MatchCase: CustomTestStringConvertible, Sendable {
    var model: String
    var provider: String?
    /// The priced model it must match; nil: unpriced.
    var expected: String?
    var rule: ModelMatch.Rule?

    init(_ model: String, provider: String? = nil, _ expected: String?, _ rule: ModelMatch.Rule? = nil) {
        self.model = model
        self.provider = provider
        self.expected = expected
        self.rule = rule
    }

    var testDescription: String { (provider.map { "\($0): " } ?? "") + model }
}

/// Real model ids as the source formats write them, against the shipped snapshot (SPEC §6).
@Suite struct ModelMatcherTests {
    static let book = PriceBook(records: PriceSnapshot.records)

    static let cases: [MatchCase] = [
        // Claude Code, OpenCode (Anthropic)
        MatchCase("claude-sonnet-4-5", provider: "anthropic", "claude-sonnet-4-5", .exact),
        MatchCase("claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929", .exact),
        MatchCase("claude-haiku-4-5", "claude-haiku-4-5", .exact),
        MatchCase("claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001", .exact),
        MatchCase("claude-opus-4-5", "claude-opus-4-5", .exact),
        MatchCase("claude-opus-4-5@20251101", "claude-opus-4-5-20251101", .normalized),
        MatchCase("anthropic/claude-sonnet-4.5", "claude-sonnet-4-5", .normalized),
        MatchCase("claude-sonnet-4-5[1m]", "claude-sonnet-4-5", .normalized),
        MatchCase("claude-sonnet-4-20250514", "anthropic.claude-sonnet-4-20250514-v1:0", .normalized),
        MatchCase("claude-opus-4-1-20250805", "anthropic.claude-opus-4-1-20250805-v1:0", .normalized),
        MatchCase("claude-3-5-haiku-20241022", "anthropic.claude-3-5-haiku-20241022-v1:0", .normalized),
        MatchCase("claude-3-7-sonnet-20250219", "anthropic.claude-3-7-sonnet-20250219-v1:0", .normalized),
        MatchCase("anthropic/claude-3-5-sonnet-latest", "vertex_ai/claude-3-5-sonnet", .normalized),
        MatchCase("claude-3.5-sonnet", "vertex_ai/claude-3-5-sonnet", .normalized),
        MatchCase("claude-3-7-sonnet-latest", "anthropic.claude-3-7-sonnet-20250219-v1:0", .undated),
        MatchCase("claude-opus-4", "anthropic.claude-opus-4-20250514-v1:0", .undated),
        MatchCase("claude-haiku-4-5-20991231", "claude-haiku-4-5", .undated),
        MatchCase("claude-4-sonnet", "anthropic.claude-sonnet-4-20250514-v1:0", .fuzzy),
        MatchCase("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", .exact),
        MatchCase("anthropic.claude-3-5-sonnet-20241022-v2:0", "anthropic.claude-3-5-sonnet-20241022-v2:0", .exact),
        // A trailing version never matches another version.
        MatchCase("claude-opus-4-9", nil),
        MatchCase("claude-opus-4-50", nil),
        MatchCase("claude-sonnet-4-7", nil),
        MatchCase("<synthetic>", nil),
        // Codex, OpenCode (OpenAI)
        MatchCase("gpt-5", provider: "openai", "gpt-5", .exact),
        MatchCase("gpt-5-codex", "gpt-5-codex", .exact),
        MatchCase("gpt-5.1-codex-max", "gpt-5.1-codex-max", .exact),
        MatchCase("gpt-5.1-codex-mini", "gpt-5.1-codex-mini", .exact),
        MatchCase("openai/gpt-5.1-codex", "gpt-5.1-codex", .normalized),
        MatchCase("gpt-5-codex-high", "gpt-5-codex", .fuzzy),
        MatchCase("gpt-5-mini-2025-08-07", "gpt-5-mini-2025-08-07", .exact),
        MatchCase("gpt-5-nano", "gpt-5-nano", .exact),
        MatchCase("gpt-5-2099-01-01", "gpt-5", .undated),
        MatchCase("gpt-4o-2024-08-06", "gpt-4o-2024-08-06", .exact),
        MatchCase("GPT-4o", "gpt-4o", .exact),
        MatchCase("gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18", .exact),
        MatchCase("gpt-4.1", provider: "github-copilot", "gpt-4.1", .exact),
        MatchCase("gpt-4-1", "gpt-4.1", .normalized),
        MatchCase("o3", "o3", .exact),
        MatchCase("o4-mini-2025-04-16", "o4-mini-2025-04-16", .exact),
        MatchCase("gpt-6", nil),
        MatchCase("gpt-5.9-codex", nil),
        // Gemini CLI
        MatchCase("gemini-2.5-pro", "gemini-2.5-pro", .exact),
        MatchCase("gemini-2.5-flash", "gemini-2.5-flash", .exact),
        MatchCase("gemini-2.5-flash-lite", "gemini-2.5-flash-lite", .exact),
        MatchCase("models/gemini-2.5-pro", "gemini-2.5-pro", .normalized),
        MatchCase("gemini-3-pro-preview", "vertex_ai/gemini-3-pro-preview", .normalized),
        MatchCase("gemini-2.5-flash-preview-05-20", nil),
        // Others seen in OpenCode and usage events
        MatchCase("grok-code", provider: "opencode", nil),
        MatchCase("grok-code-fast-1", provider: "xai", "xai/grok-code-fast-1", .exact),
        MatchCase("grok-code-fast-1", "xai/grok-code-fast-1", .normalized),
        MatchCase("deepseek-chat", "deepseek-chat", .exact),
        MatchCase("deepseek-reasoner", provider: "deepseek", "deepseek/deepseek-reasoner", .exact),
        MatchCase("kimi-k2.5", provider: "moonshot", "moonshot/kimi-k2.5", .exact),
        MatchCase("kimi-k2", nil),
        MatchCase("acme-internal-7b", nil),
    ]

    @Test(arguments: cases)
    func matches(_ c: MatchCase) {
        let match = Self.book.matcher.match(c.model, provider: c.provider)
        #expect(match?.key == c.expected)
        if let rule = c.rule { #expect(match?.rule == rule) }
    }

    /// One matcher shared by threads (the parameterized test above runs its cases in parallel
    /// on one book): its cache and lazy indexes used to be written unguarded, and the test
    /// process crashed about one run in ten.
    @Test func oneMatcherServesManyThreadsAtOnce() {
        let book = PriceBook(records: PriceSnapshot.records)
        let names = Self.cases.map(\.model) + (0..<400).map { "claude-sonnet-4-5-2025\($0)" }
        var keys = [String?](repeating: nil, count: names.count)
        keys.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: names.count) { i in
                out[i] = book.matcher.match(names[i])?.key
            }
        }
        let fresh = PriceBook(records: PriceSnapshot.records)
        #expect(keys == names.map { fresh.matcher.match($0)?.key })
    }

    @Test func atLeastFortyRealIds() {
        #expect(Self.cases.count >= 40)
        #expect(Self.cases.filter { $0.expected == nil }.count >= 8)
    }

    @Test func normalisation() {
        #expect(ModelMatcher.normalize("anthropic/claude-3.5-sonnet-20241022") == "claude-3-5-sonnet")
        #expect(ModelMatcher.normalize("claude-opus-4-5@20251101") == "claude-opus-4-5")
        #expect(ModelMatcher.normalize("gpt-4o-2024-08-06") == "gpt-4o")
        #expect(ModelMatcher.normalize("openrouter/anthropic/claude-3-5-sonnet-latest") == "claude-3-5-sonnet")
        #expect(ModelMatcher.normalize("us.anthropic.claude-haiku-4-5-20251001-v1:0") == "claude-haiku-4-5")
        #expect(ModelMatcher.normalize("gpt-5-0613") == "gpt-5-0613")  // not a date
        #expect(ModelMatcher.normalize("claude-opus-4-5") == "claude-opus-4-5")
    }

    @Test func aliases() {
        let book = PriceBook(
            records: [PriceRecord(id: 1, model: "claude-sonnet-4-5", input: 3, output: 15)],
            aliases: ["sonnet": "claude-sonnet-4-5", "my-model": "anthropic/claude-sonnet-4.5"])
        #expect(book.matcher.match("sonnet") == ModelMatch(key: "claude-sonnet-4-5", rule: .alias))
        #expect(book.matcher.match("Sonnet") == ModelMatch(key: "claude-sonnet-4-5", rule: .alias))
        #expect(book.matcher.match("my-model") == ModelMatch(key: "claude-sonnet-4-5", rule: .alias))
        #expect(book.matcher.match("opus") == nil)
    }

    @Test func resellersMatchOnlyTheirOwnCalls() {
        let book = PriceBook(records: [
            PriceRecord(id: 1, model: "deepinfra/acme/acme-2", provider: "deepinfra", input: 1, output: 2)
        ])
        #expect(book.matcher.match("acme-2") == nil)
        #expect(book.matcher.match("acme-2", provider: "deepinfra")?.key == "deepinfra/acme/acme-2")
    }
}
