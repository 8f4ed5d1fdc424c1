import Foundation
import GRDB
import TallyKit

/// `cost-by-model`: tokens and cost per provider and model, with each model's share of the cost.
public enum CostByModel: Analysis {
    public static let name = "cost-by-model"
    public static let summary = "Tokens and cost per model, with each model's share of the cost."
    public static let discussion = """
        Reads the costs stored on calls (--cost-mode auto: computed when a price is known, else the \
        source's reported cost). A model without a cost shows cost_usd empty, never $0, and a note \
        names it with its token volume; total-only calls and fallback cache prices are noted too.
        """
    public static let parameters = CallFilter.parameters
    public static let examples = [
        Example("cost-by-model", "Every model, most expensive first.", fixture: "priced", expected: """
            provider,model,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,reported_cost_usd,share_pct
            google,gemini-2.5-pro,2,500000,20000,0,0,0,520000,1.25,,88.98
            anthropic,claude-sonnet-4-5,3,3000,1500,0,20000,20000,44500,0.135,0.2,9.61
            openai,gpt-5,4,2000,1000,300,1000,2000,15300,0.019875,0.005,1.41
            acme,acme-internal-7b,1,1000,500,0,0,0,1500,,,
            """),
        Example("cost-by-model --since 2026-03-04 --cost-mode reported", "Only the costs the sources reported.",
                fixture: "priced", expected: """
            provider,model,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,reported_cost_usd,share_pct
            anthropic,claude-sonnet-4-5,1,1000,500,0,0,10000,11500,0.2,0.2,98.52
            openai,gpt-5,2,1000,500,0,0,2000,8500,0.003,0.003,1.48
            google,gemini-2.5-pro,1,300000,10000,0,0,0,310000,,,
            acme,acme-internal-7b,1,1000,500,0,0,0,1500,,,
            """),
        Example("cost-by-model --provider openai --project tally", "One provider's calls in one project.",
                fixture: "priced", expected: """
            provider,model,calls,input_tokens,output_tokens,reasoning_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost_usd,reported_cost_usd,share_pct
            openai,gpt-5,3,1000,500,300,1000,0,11800,0.012375,0.005,100
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let filter = CallFilter(arguments)
        let usage = try ModelUsage.fetch(context.db, filter: filter, per: .none)
        let total = usage.reduce(Int64(0)) { $0 + ($1.costNanos ?? 0) }
        let sorted = usage.sorted {
            ($0.costNanos ?? -1, $0.totalTokens, $1.provider ?? "", $1.model ?? "")
                > ($1.costNanos ?? -1, $1.totalTokens, $0.provider ?? "", $0.model ?? "")
        }
        let rows: [[Value]] = sorted.map { u in
            [.string(u.provider), .string(u.model), .integer(u.calls), .integer(u.inputTokens), .integer(u.outputTokens),
             .integer(u.reasoningTokens), .integer(u.cacheReadTokens), .integer(u.cacheWriteTokens),
             .integer(u.totalTokens), .usd(u.costNanos), .usd(u.reportedCostNanos), .share(u.costNanos, of: total)]
        }
        let columns = [
            Column("provider", .text), Column("model", .text), Column("calls", .integer),
            Column("input_tokens", .tokens), Column("output_tokens", .tokens), Column("reasoning_tokens", .tokens),
            Column("cache_read_tokens", .tokens), Column("cache_write_tokens", .tokens), Column("total_tokens", .tokens),
            Column("cost_usd", .money), Column("reported_cost_usd", .money), Column("share_pct", .percent),
        ]
        return ResultSet(columns: columns, rows: rows, notes: ModelUsage.notes(usage, mode: filter.costMode))
    }
}
