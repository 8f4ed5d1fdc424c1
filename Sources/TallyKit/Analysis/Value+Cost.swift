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
        var exact = Decimal(part) * 100 / Decimal(whole)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 2, .plain)
        return .decimal(rounded)
    }
}
