import Foundation
import GRDB

/// One row of the `pricing` table: a model's prices per million tokens over a period.
///
/// Prices are held as integer nano-dollars per million tokens (`1.25` USD → `1_250_000_000`), the
/// unit the Pricer multiplies by, so no price ever passes through binary floating point on its
/// way into a cost. The table stores them as `REAL` (readable in plain SQL); a `REAL` read back
/// gives its shortest decimal text, which is the decimal that was written (see `Money`).
public struct PriceRecord: Hashable, Sendable {
    public var id: Int64?
    public var model: String
    public var provider: String?
    public var input: Int64
    public var output: Int64
    /// NULL: reasoning is billed at the output price.
    public var reasoning: Int64?
    /// NULL: unknown, the Pricer falls back (0.1 × input) and flags the cost.
    public var cacheRead: Int64?
    /// NULL: unknown, the Pricer falls back (1.25 × input) and flags the cost.
    public var cacheWrite: Int64?
    /// NULL: unknown, the Pricer falls back (2 × input) and flags the cost.
    public var cacheWrite1h: Int64?
    /// Above this prompt size (input + cache read + cache write) the `*Above` prices apply to the
    /// whole call.
    public var tierThreshold: Int64?
    public var inputAbove: Int64?
    public var outputAbove: Int64?
    public var cacheReadAbove: Int64?
    public var cacheWriteAbove: Int64?
    public var maxInputTokens: Int64?
    public var maxOutputTokens: Int64?
    /// Canonical timestamps; a NULL start is undated (snapshot, import): valid until a dated
    /// price supersedes it.
    public var effectiveFrom: String?
    public var effectiveTo: String?
    /// `snapshot`, `litellm` or `user`.
    public var source: String?
    public var createdAt: String

    public init(
        id: Int64? = nil, model: String, provider: String? = nil, input: Int64, output: Int64,
        reasoning: Int64? = nil, cacheRead: Int64? = nil, cacheWrite: Int64? = nil, cacheWrite1h: Int64? = nil,
        tierThreshold: Int64? = nil, inputAbove: Int64? = nil, outputAbove: Int64? = nil,
        cacheReadAbove: Int64? = nil, cacheWriteAbove: Int64? = nil, maxInputTokens: Int64? = nil,
        maxOutputTokens: Int64? = nil, effectiveFrom: String? = nil, effectiveTo: String? = nil,
        source: String? = nil, createdAt: String = "1970-01-01T00:00:00.000Z"
    ) {
        self.id = id
        self.model = model
        self.provider = provider
        self.input = input
        self.output = output
        self.reasoning = reasoning
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
        self.cacheWrite1h = cacheWrite1h
        self.tierThreshold = tierThreshold
        self.inputAbove = inputAbove
        self.outputAbove = outputAbove
        self.cacheReadAbove = cacheReadAbove
        self.cacheWriteAbove = cacheWriteAbove
        self.maxInputTokens = maxInputTokens
        self.maxOutputTokens = maxOutputTokens
        self.effectiveFrom = effectiveFrom
        self.effectiveTo = effectiveTo
        self.source = source
        self.createdAt = createdAt
    }

    /// Prices at or above this (USD 1,000 per million tokens) are refused: the cost arithmetic
    /// keeps every intermediate product inside `Int64` below it (see `Pricer`).
    public static let priceLimit: Int64 = 1_000 * Money.nanosPerDollar

    /// The prices that decide a cost, in a fixed order: two records with equal `prices` bill
    /// every call alike (limits, dates, ids and provenance aside).
    public var prices: [Int64?] {
        [input, output, reasoning, cacheRead, cacheWrite, cacheWrite1h, tierThreshold,
         inputAbove, outputAbove, cacheReadAbove, cacheWriteAbove]
    }

    /// Copies the prices (and token limits) of another record, keeping identity and period.
    public mutating func takePrices(of other: PriceRecord) {
        input = other.input
        output = other.output
        reasoning = other.reasoning
        cacheRead = other.cacheRead
        cacheWrite = other.cacheWrite
        cacheWrite1h = other.cacheWrite1h
        tierThreshold = other.tierThreshold
        inputAbove = other.inputAbove
        outputAbove = other.outputAbove
        cacheReadAbove = other.cacheReadAbove
        cacheWriteAbove = other.cacheWriteAbove
        maxInputTokens = other.maxInputTokens ?? maxInputTokens
        maxOutputTokens = other.maxOutputTokens ?? maxOutputTokens
    }
}

// MARK: - Per-million prices as text

extension PriceRecord {
    /// Nano-dollars per million tokens of a decimal USD amount (`"1.25"`, `"0.075"`), rounded to
    /// the nano-dollar; nil when not a non-negative numeral below `priceLimit`.
    public static func perMillion(_ text: String) -> Int64? {
        guard let nanos = Money.nanos(fromDecimal: text), nanos >= 0, nanos < priceLimit else { return nil }
        return nanos
    }

    /// The exact decimal USD amount of a per-million price.
    public static func usd(_ perMillion: Int64) -> Decimal {
        Money.usd(nanos: perMillion)
    }

    /// The `REAL` a per-million price is stored as: the double nearest its decimal value, whose
    /// shortest text reads back as that decimal.
    static func real(_ perMillion: Int64?) -> Double? {
        perMillion.map { Double($0) / Double(Money.nanosPerDollar) }
    }

    static func perMillion(real: Double?) -> Int64? {
        real.flatMap { Money.nanos(usd: $0) }
    }
}

// MARK: - Database

extension PriceRecord: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "pricing"

    public init(row: Row) throws {
        id = row["id"]
        model = row["model"]
        provider = row["provider"]
        input = Self.perMillion(real: row["input_per_mtok"]) ?? 0
        output = Self.perMillion(real: row["output_per_mtok"]) ?? 0
        reasoning = Self.perMillion(real: row["reasoning_per_mtok"])
        cacheRead = Self.perMillion(real: row["cache_read_per_mtok"])
        cacheWrite = Self.perMillion(real: row["cache_write_per_mtok"])
        cacheWrite1h = Self.perMillion(real: row["cache_write_1h_per_mtok"])
        tierThreshold = row["tier_threshold_tokens"]
        inputAbove = Self.perMillion(real: row["input_above_per_mtok"])
        outputAbove = Self.perMillion(real: row["output_above_per_mtok"])
        cacheReadAbove = Self.perMillion(real: row["cache_read_above_per_mtok"])
        cacheWriteAbove = Self.perMillion(real: row["cache_write_above_per_mtok"])
        maxInputTokens = row["max_input_tokens"]
        maxOutputTokens = row["max_output_tokens"]
        effectiveFrom = row["effective_from"]
        effectiveTo = row["effective_to"]
        source = row["source"]
        createdAt = row["created_at"]
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["model"] = model
        container["provider"] = provider
        container["input_per_mtok"] = Self.real(input)
        container["output_per_mtok"] = Self.real(output)
        container["reasoning_per_mtok"] = Self.real(reasoning)
        container["cache_read_per_mtok"] = Self.real(cacheRead)
        container["cache_write_per_mtok"] = Self.real(cacheWrite)
        container["cache_write_1h_per_mtok"] = Self.real(cacheWrite1h)
        container["tier_threshold_tokens"] = tierThreshold
        container["input_above_per_mtok"] = Self.real(inputAbove)
        container["output_above_per_mtok"] = Self.real(outputAbove)
        container["cache_read_above_per_mtok"] = Self.real(cacheReadAbove)
        container["cache_write_above_per_mtok"] = Self.real(cacheWriteAbove)
        container["max_input_tokens"] = maxInputTokens
        container["max_output_tokens"] = maxOutputTokens
        container["effective_from"] = effectiveFrom
        container["effective_to"] = effectiveTo
        container["source"] = source
        container["created_at"] = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
