import Foundation

/// One cell of a result: SQLite's storage classes plus an exact decimal for money.
///
/// Money never travels as `Double`: analyses hand over `.decimal` so that renderers can show
/// full precision in JSON and round only for display.
public enum Value: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case decimal(Decimal)
    case text(String)
    case blob(Data)

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The value as an exact decimal when it is numeric (integers, reals, decimals, numeric text).
    public var decimalValue: Decimal? {
        switch self {
        case .integer(let i): return Decimal(i)
        case .real(let d): return d.isFinite ? Decimal(string: String(d)) : nil
        case .decimal(let d): return d
        case .text(let s): return Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))
        case .null, .blob: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .real(let d): return d
        case .decimal(let d): return NSDecimalNumber(decimal: d).doubleValue
        case .text(let s): return Double(s)
        case .null, .blob: return nil
        }
    }

    public var int64Value: Int64? {
        switch self {
        case .integer(let i): return i
        case .real(let d): return d.rounded() == d && abs(d) < 9.2e18 ? Int64(d) : nil
        case .decimal(let d): return Int64(exactly: NSDecimalNumber(decimal: d).doubleValue)
        case .text(let s): return Int64(s)
        case .null, .blob: return nil
        }
    }

    public var stringValue: String? {
        switch self {
        case .null: return nil
        case .integer(let i): return String(i)
        case .real(let d): return Value.plainString(d)
        case .decimal(let d): return d.description
        case .text(let s): return s
        case .blob(let b): return "x'" + b.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }

    /// Shortest round-tripping text for a double, without exponent for everyday magnitudes.
    static func plainString(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "Inf" }
        if d == d.rounded(), abs(d) < 1e15 { return String(format: "%.1f", d) }
        return "\(d)"
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral,
    ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .real(value) }
}
