import Foundation

/// Formats numbers and money for people (`table`, `markdown`, `line`) and for machines (`csv`,
/// `tsv`, `json`). Nothing else in Tally formats numbers, so every rule lives here.
///
/// Rounding for display is always half-up (ties away from zero: `1234.565` → `1,234.57`,
/// `0.025` → `0.03`), never banker's rounding: money must read the way a person rounds it.
public enum NumberFormat {
    // MARK: - For people

    /// An integer with thousands separators: `1234567` → `1,234,567`, `-1234` → `-1,234`.
    public static func grouped(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        return (n < 0 ? "-" : "") + group(digits)
    }

    /// US dollars for display.
    ///
    /// - `0` → `$0.00`;
    /// - `|v| ≥ 0.01` → two decimals, half-up, with separators: `1234.565` → `$1,234.57`;
    /// - `0.0001 ≤ |v| < 0.01` → four decimals, half-up, so small costs stay visible:
    ///   `0.006275` → `$0.0063`, `0.005` → `$0.0050`;
    /// - `0 < |v| < 0.0001` → `<$0.0001` (the exact value is in `json`/`csv`);
    /// - negative values put the sign before the dollar: `-0.5` → `-$0.50`, `-0.00002` → `-<$0.0001`.
    public static func money(_ value: Decimal) -> String {
        if value.isNaN { return "NaN" }
        if value == 0 { return "$0.00" }
        let sign = value < 0 ? "-" : ""
        let magnitude = value < 0 ? -value : value
        if magnitude >= Decimal(string: "0.01")! {
            return sign + "$" + fixed(magnitude, fractionDigits: 2)
        }
        if magnitude >= Decimal(string: "0.0001")! {
            return sign + "$" + fixed(magnitude, fractionDigits: 4)
        }
        return sign + "<$0.0001"
    }

    /// A percentage value (12.5 means 12.5 %): one decimal, half-up, with separators: `12.5%`,
    /// `33.3%`, `1,250.0%`. A value that rounds to zero shows no sign (`-0.01` → `0.0%`).
    public static func percent(_ value: Decimal) -> String {
        if value.isNaN { return "NaN" }
        return signed(value) { fixed($0, fractionDigits: 1) } + "%"
    }

    /// A real number for display: at most four decimals (half-up), trailing zeros trimmed, with
    /// separators: `1234.5` → `1,234.5`, `2.0` → `2`, `0.123456` → `0.1235`, `0.00001` → `0`.
    /// Non-finite values show as `NaN`, `Inf`, `-Inf`.
    public static func real(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "Inf" }
        if let exact = Decimal(string: String(value)) { return real(exact) }
        // Beyond Decimal's exponent range (|v| > 1e127 or < 1e-128): printf's rounding is fine.
        let text = String(format: "%.4f", value)
        let negative = text.hasPrefix("-")
        let body = negative ? String(text.dropFirst()) : text
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let grouped = group(String(parts[0])) + (fraction.isEmpty ? "" : "." + fraction)
        return (negative && grouped != "0" ? "-" : "") + grouped
    }

    /// A decimal number for display with the `real` rules (at most four decimals, trimmed).
    public static func real(_ value: Decimal) -> String {
        if value.isNaN { return "NaN" }
        return signed(value) { magnitude in
            var text = fixed(magnitude, fractionDigits: 4)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text
        }
    }

    // MARK: - For machines

    /// A decimal's exact digits, plain (no exponent, no separators): `0.006275`, `1234.5`, `-2`.
    /// Used for money in `csv`, `tsv` and `json`.
    public static func plain(_ value: Decimal) -> String {
        digits(value) ?? value.description
    }

    /// `Decimal.description` for the decimals that cells hold (a significand that fits in 64
    /// bits, an exponent within ±18), written from the integer significand: `description`
    /// divides the 128-bit mantissa by ten per digit, 3 µs a number (a fifth of a 70,000-row
    /// export). nil for anything else. Tests check both give the same text.
    static func digits(_ value: Decimal) -> String? {
        let exponent = value.exponent
        guard (-18...18).contains(exponent), !value.isNaN else { return nil }
        let significand = value.significand
        var magnitude = NSDecimalNumber(decimal: significand).uint64Value
        guard Decimal(magnitude) == significand else { return nil }
        if magnitude == 0 { return "0" }
        // Right to left into a buffer: up to 20 digits, 18 zeros of exponent, a point, a sign.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buffer in
            var start = 48
            func put(_ byte: UInt8) {
                start -= 1
                buffer[start] = byte
            }
            func putDigit() {
                put(0x30 + UInt8(magnitude % 10))
                magnitude /= 10
            }
            var places = max(-exponent, 0)
            // Trailing fraction zeros are dropped, as `description` does.
            while places > 0, magnitude % 10 == 0 {
                magnitude /= 10
                places -= 1
            }
            for _ in 0..<max(exponent, 0) { put(0x30) }
            if places > 0 {
                for _ in 0..<places { putDigit() }
                put(0x2E)
                if magnitude == 0 { put(0x30) }
            }
            while magnitude > 0 { putDigit() }
            if value.sign == .minus { put(0x2D) }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<48]), as: UTF8.self)
        }
    }

    /// The shortest text that reads back as the same double (`0.1`, `3.0`, `1e-07`), valid as a
    /// JSON number; nil for NaN and infinities, which JSON cannot express.
    public static func shortest(_ value: Double) -> String? {
        value.isFinite ? value.description : nil
    }

    // MARK: - Helpers

    /// `magnitude` rounded half-up to exactly `fractionDigits` decimals, integer part grouped.
    static func fixed(_ magnitude: Decimal, fractionDigits: Int) -> String {
        var input = magnitude
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, fractionDigits, .plain)
        let parts = plain(rounded).split(separator: ".", omittingEmptySubsequences: false)
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        fraction += String(repeating: "0", count: max(0, fractionDigits - fraction.count))
        return group(String(parts[0])) + (fractionDigits > 0 ? "." + fraction : "")
    }

    /// Formats the magnitude and puts a `-` before it unless the shown digits are all zero.
    private static func signed(_ value: Decimal, _ format: (Decimal) -> String) -> String {
        let text = format(value < 0 ? -value : value)
        let isZero = text.allSatisfy { $0 == "0" || $0 == "." || $0 == "," }
        return (value < 0 && !isZero ? "-" : "") + text
    }

    /// Inserts a `,` every three digits from the right of a string of digits.
    static func group(_ digits: String) -> String {
        guard digits.count > 3 else { return digits }
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }
}
