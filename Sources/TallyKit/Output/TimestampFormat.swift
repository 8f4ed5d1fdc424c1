import Foundation

/// ISO-8601 UTC text for instants: `2026-03-05T10:02:11Z`, or `2026-03-05T10:02:11.123Z` when
/// the milliseconds are not zero.
///
/// Computed with integer calendar arithmetic rather than `DateFormatter`, so the output does not
/// depend on the locale, the time zone or the Foundation version.
public enum TimestampFormat {
    /// Milliseconds since 1970-01-01T00:00:00Z (how integers in a `timestamp` column are read).
    public static func iso8601(epochMilliseconds ms: Int64) -> String {
        let (seconds, millis) = floorDivMod(ms, 1000)
        let (days, secondOfDay) = floorDivMod(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        let time = pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":"
            + pad(secondOfDay % 60, 2)
        let fraction = millis == 0 ? "" : "." + pad(millis, 3)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + time + fraction + "Z"
    }

    /// Seconds since the epoch (how reals in a `timestamp` column are read), rounded to the
    /// millisecond; nil when not finite or out of range.
    public static func iso8601(epochSeconds seconds: Double) -> String? {
        let ms = (seconds * 1000).rounded()
        guard ms.isFinite, abs(ms) < 9.0e18 else { return nil }
        return iso8601(epochMilliseconds: Int64(ms))
    }

    // MARK: - Calendar arithmetic

    /// Year, month, day of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
    private static func civil(fromDays z: Int64) -> (Int64, Int64, Int64) {
        let shifted = z + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad(_ n: Int64, _ width: Int) -> String {
        let digits = String(n.magnitude)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return (n < 0 ? "-" : "") + padded
    }
}
