import Foundation

/// ISO-8601 UTC text for instants shown to people: `2026-03-05T10:02:11Z`, or
/// `2026-03-05T10:02:11.123Z` when the milliseconds are not zero. Built on `Timestamps`, so the
/// output does not depend on the locale, the time zone or the Foundation version.
public enum TimestampFormat {
    /// Milliseconds since 1970-01-01T00:00:00Z (how integers in a `timestamp` column are read).
    public static func iso8601(epochMilliseconds ms: Int64) -> String {
        let canonical = Timestamps.fromEpochMilliseconds(ms)
        return canonical.hasSuffix(".000Z") ? String(canonical.dropLast(5)) + "Z" : canonical
    }

    /// Seconds since the epoch (how reals in a `timestamp` column are read), rounded to the
    /// millisecond; nil when not finite or out of range.
    public static func iso8601(epochSeconds seconds: Double) -> String? {
        let ms = (seconds * 1000).rounded()
        guard ms.isFinite, abs(ms) < 9.0e18 else { return nil }
        return iso8601(epochMilliseconds: Int64(ms))
    }
}
