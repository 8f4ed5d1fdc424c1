import Foundation
import GRDB
import TallyKit

/// `pricing`: list, show, set and import model prices, and find the models without one.
public enum Pricing: Command {
    public static let name = "pricing"
    public static let summary = "List, show, set or import model prices; list models without a price."
    public static let discussion = """
        pricing list [PATTERN]     prices whose model contains PATTERN (or matches it as a glob: claude-*)
        pricing show MODEL         the prices that apply to MODEL now, and their history
        pricing set MODEL --input X --output Y [--cache-read X] [--cache-write X] [--cache-write-1h X]
                    [--reasoning X] [--from DATE]
                                   USD per million tokens; without --from it replaces the undated price,
                                   with --from a new period starts that day. Affected calls are repriced.
        pricing import FILE        LiteLLM's model_prices_and_context_window.json; prices set by hand are kept
        pricing missing            models seen in the data that no price matches
        """
    public static let parameters = [
        Parameter("action", .choice(["list", "show", "set", "import", "missing"]), help: "What to do.", positional: true, required: true),
        Parameter("target", .string, help: "The model pattern (list), model (show, set) or file (import).", positional: true),
        Parameter("input", .decimal, help: "set: USD per million input tokens."),
        Parameter("output", .decimal, help: "set: USD per million output tokens."),
        Parameter("cache-read", .decimal, help: "set: per million cache-read tokens (default: 0.1 × input, noted as fallback)."),
        Parameter("cache-write", .decimal, help: "set: per million cache-write tokens (default: 1.25 × input)."),
        Parameter("cache-write-1h", .decimal, help: "set: per million 1-hour cache-write tokens (default: 2 × input)."),
        Parameter("reasoning", .decimal, help: "set: per million reasoning tokens (default: the output price)."),
        Parameter("from", .date, help: "set: the day the price starts (default: undated, for calls of any date)."),
    ]
    public static let examples = [
        Example("pricing list gpt-5", "The undated price and a dated one from 2026-03-05.", fixture: "priced", expected: """
            model,provider,input_per_mtok,output_per_mtok,cache_read_per_mtok,cache_write_per_mtok,cache_write_1h_per_mtok,reasoning_per_mtok,tier_threshold_tokens,effective_from,effective_to,source
            gpt-5,openai,1.25,10,0.125,,,,,,,snapshot
            gpt-5,,1,8,0.1,,,,,2026-03-05T00:00:00.000Z,,user
            """),
        Example("pricing missing", "Models seen without a price.", fixture: "priced", expected: """
            model,provider,calls,total_tokens,first_seen,last_seen
            acme-internal-7b,acme,1,1500,2026-03-05T20:00:00.000Z,2026-03-05T20:00:00.000Z
            """),
        Example("pricing set claude-sonnet-4-5 --input 2 --output 10 --from 2026-03-02 --dry-run",
                "What a price change from a date would reprice (calls before it keep their price).", fixture: "priced", expected: """
            model,effective_from,action,examined,updated
            claude-sonnet-4-5,2026-03-02T00:00:00.000Z,would-add,2,2
            """),
        Example("pricing show gpt-9", "A model without a price says how to set one.", fixture: "priced", expected: """
            error: model `gpt-9` has no price: `pricing set gpt-9 --input 1.25 --output 10` sets one (USD per million tokens); `pricing list gpt` shows similar names
            """),
    ]

    /// list, show and missing only read: they work on a `--read-only` database.
    public static func onlyReads(_ arguments: Arguments) -> Bool {
        ["list", "show", "missing"].contains(arguments.string("action") ?? "")
    }

    public static func run(_ arguments: Arguments, context: CommandContext) throws -> ResultSet {
        let db = context.db!
        let target = arguments.string("target")
        func required(_ what: String) throws -> String {
            guard let target else { throw UsageError("pricing \(arguments.string("action")!): missing <target> (\(what))") }
            return target
        }
        let audit = CostAudit(
            command: context.commandName, reason: "pricing \(arguments.string("action")!) \(target ?? "")",
            at: Timestamps.iso(context.environment.now))
        switch arguments.string("action")! {
        case "list":
            return try PricingResults.list(db, pattern: target)
        case "show":
            return try PricingResults.show(db, model: try required("a model"), now: audit.at)
        case "set":
            let model = try required("a model")
            let prices = try PricingResults.prices(arguments)
            let from = arguments.date("from").map(Timestamps.iso)
            let result = try PriceEditing.set(db, model: model, prices: prices, from: from, audit: audit)
            return PricingResults.setSummary(result, prices: prices, dryRun: context.dryRun)
        case "import":
            let path = ValueParser.expandTilde(try required("a LiteLLM JSON file"))
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PricingError.unreadable(path, "cannot read the file")
            }
            let (records, skipped) = try LiteLLMPrices.records(from: data, path: path, createdAt: audit.at)
            let result = try PriceEditing.importRecords(db, records, skipped: skipped, audit: audit)
            return PricingResults.importSummary(result, file: path)
        default:
            return try PricingResults.missing(db)
        }
    }
}
