import Foundation

/// Errors of the pricing store, with the fix in the message.
public enum PricingError: Error, CustomStringConvertible, Equatable {
    case unpriced(String)
    case unreadable(String, String)
    case priceOutOfRange(String, String)

    public var description: String {
        switch self {
        case .unpriced(let model):
            return "model `\(model)` has no price: `pricing set \(model) --input 1.25 --output 10` sets one "
                + "(USD per million tokens); `pricing list \(model.split(separator: "-").first ?? "")` shows similar names"
        case .unreadable(let path, let reason):
            return "\(path) is not a LiteLLM price file (\(reason)); expected the JSON object of "
                + "model_prices_and_context_window.json, e.g. from the litellm package"
        case .priceOutOfRange(let name, let value):
            return "--\(name) \(value) is not a price Tally can use: give USD per million tokens, at least 0 and below 1000"
        }
    }
}

/// LiteLLM's `model_prices_and_context_window.json` read into price rows, by the same rules as
/// `scripts/generate-price-snapshot.py` (which makes the shipped snapshot from it).
public enum LiteLLMPrices {
    /// The rows of the file's chat, completion and responses models with token prices, and how
    /// many entries were skipped (other modes, no token prices, `sample_spec`).
    public static func records(
        from data: Data, path: String, source: String = "litellm", createdAt: String
    ) throws -> (records: [PriceRecord], skipped: Int) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw PricingError.unreadable(path, "not valid JSON")
        }
        guard let table = object as? [String: Any] else { throw PricingError.unreadable(path, "not a JSON object") }
        var records: [PriceRecord] = []
        var skipped = 0
        for (model, value) in table.sorted(by: { $0.key < $1.key }) {
            guard model != "sample_spec", let spec = value as? [String: Any],
                var record = record(model: model, spec: spec)
            else {
                skipped += 1
                continue
            }
            record.source = source
            record.createdAt = createdAt
            records.append(record)
        }
        return (records, skipped)
    }

    static func record(model: String, spec: [String: Any]) -> PriceRecord? {
        guard let mode = spec["mode"] as? String, ["chat", "completion", "responses"].contains(mode),
            let input = perMillion(spec["input_cost_per_token"]), let output = perMillion(spec["output_cost_per_token"])
        else { return nil }
        var record = PriceRecord(
            model: model, provider: spec["litellm_provider"] as? String, input: input, output: output,
            reasoning: perMillion(spec["output_cost_per_reasoning_token"]),
            cacheRead: perMillion(spec["cache_read_input_token_cost"]),
            cacheWrite: perMillion(spec["cache_creation_input_token_cost"]),
            cacheWrite1h: perMillion(spec["cache_creation_input_token_cost_above_1hr"]),
            maxInputTokens: positive(spec["max_input_tokens"]), maxOutputTokens: positive(spec["max_output_tokens"]))
        let bases = ["input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost", "cache_creation_input_token_cost"]
        let thresholds = spec.keys.compactMap { key -> Int64? in
            guard let base = bases.first(where: { key.hasPrefix($0 + "_above_") }), key.hasSuffix("k_tokens") else { return nil }
            return Int64(key.dropFirst(base.count + 7).dropLast(8))
        }
        if let k = thresholds.min() {
            let above = bases.map { perMillion(spec["\($0)_above_\(k)k_tokens"]) }
            if above.contains(where: { $0 != nil }) {
                record.tierThreshold = k * 1000
                (record.inputAbove, record.outputAbove, record.cacheReadAbove, record.cacheWriteAbove) =
                    (above[0], above[1], above[2], above[3])
            }
        }
        return record
    }

    /// A per-token USD price as nano-dollars per million tokens, through its decimal text.
    static func perMillion(_ value: Any?) -> Int64? {
        guard let number = value as? NSNumber else { return nil }
        let double = number.doubleValue
        guard double.isFinite, let decimal = Decimal(string: "\(double)", locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        return PriceRecord.perMillion((decimal * 1_000_000).description)
    }

    private static func positive(_ value: Any?) -> Int64? {
        guard let number = value as? NSNumber, let n = Int64(exactly: number.doubleValue), n > 0 else { return nil }
        return n
    }
}
