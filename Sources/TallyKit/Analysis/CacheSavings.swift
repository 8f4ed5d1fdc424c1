import Foundation

/// Money a prompt cache saved: cache-read tokens × (input price − cache-read price), the tier's
/// prices with fallbacks applied (`Rates`), summed exactly and rounded half up to the
/// nano-dollar once, at the end, as the Pricer rounds a call's cost once.
///
/// Counts are split as `q × 10^6 + r` like the Pricer's (prices are nano-dollars per million
/// tokens): `q × price` is whole nano-dollars, the `r × price` remainders (millionths of a
/// nano-dollar) are carried, so no sum passes through floating point.
public struct CacheSavings: Hashable, Sendable {
    private var whole: Int64 = 0
    /// Millionths of a nano-dollar, kept within ±10^6 after each step so sums cannot overflow.
    private var remainder: Int64 = 0

    public init() {}

    /// Adds `tokens` cache-read tokens billed at `rates` instead of the input price.
    public mutating func add(cacheReadTokens tokens: Int64, rates: Rates) {
        let perMillion = rates.input - rates.cacheRead
        whole += tokens / 1_000_000 * perMillion
        remainder += tokens % 1_000_000 * perMillion
        carry()
    }

    /// Adds another sum (exactly: remainders are added before rounding).
    public mutating func add(_ other: CacheSavings) {
        whole += other.whole
        remainder += other.remainder
        carry()
    }

    /// The saving in nano-dollars, rounded half up (a saving can be negative when a cache-read
    /// price exceeds the input price; it then rounds towards +∞ at exactly half too).
    public var nanos: Int64 {
        let shifted = remainder + 500_000
        let floor = shifted >= 0 ? shifted / 1_000_000 : -((-shifted + 999_999) / 1_000_000)
        return whole + floor
    }

    private mutating func carry() {
        whole += remainder / 1_000_000
        remainder %= 1_000_000
    }
}
