import Foundation

extension Value {
    /// Text, or NULL.
    public static func string(_ text: String?) -> Value {
        text.map(Value.text) ?? .null
    }

    /// The exact USD amount of nano-dollars, or NULL (unpriced is never $0).
    public static func usd(_ nanos: Int64?) -> Value {
        nanos.map { .decimal(Money.usd(nanos: $0)) } ?? .null
    }

    /// `part` as a percentage of `whole`, to two decimals; NULL when either is unknown or the
    /// whole is 0.
    public static func share(_ part: Int64?, of whole: Int64) -> Value {
        guard let part, whole != 0 else { return .null }
        // Integers when part × 10,000 fits: hundredths of a percent, rounded half away from zero.
        let (scaled, overflow) = part.multipliedReportingOverflow(by: 10_000)
        if !overflow, whole > 0 {
            let (quotient, remainder) = scaled.quotientAndRemainder(dividingBy: whole)
            let away: Int64 = remainder.magnitude * 2 >= whole.magnitude ? (scaled < 0 ? -1 : 1) : 0
            return .decimal(Money.scaled(quotient + away, exponent: -2))
        }
        var exact = Decimal(part) * 100 / Decimal(whole)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 2, .plain)
        return .decimal(rounded)
    }
}
