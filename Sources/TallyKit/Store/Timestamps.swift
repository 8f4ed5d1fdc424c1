import Foundation

/// Tally's one timestamp form: ISO-8601 UTC with milliseconds (`2026-03-05T10:02:11.123Z`).
///
/// Every stored instant uses exactly this form, so text comparison in SQL orders instants and
/// `--since`/`--until` bounds compare correctly against stored values.
public enum Timestamps {
    /// The canonical text of an instant.
    public static func iso(_ date: Date) -> String {
        let msTotal = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = Int64((msTotal / 1000).rounded(.down))
        let ms = Int(msTotal - Double(seconds) * 1000)
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), ms)
    }

    /// Parses a date (`2026-01-31`, the day's start in `timeZone`), an ISO-8601 timestamp with
    /// `Z` or an offset, or a naive `YYYY-MM-DD HH:MM[:SS[.fff]]` (read in `timeZone`).
    public static func parse(_ text: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        let s = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        var i = 0
        func number(_ digits: Int) -> Int? {
            guard i + digits <= s.count else { return nil }
            var v = 0
            for k in 0..<digits {
                let c = s[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += digits
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < s.count, s[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var zone: TimeZone? = nil
        if i < s.count {
            guard s[i] == 84 || s[i] == 116 || s[i] == 32 else { return nil }  // T, t or space
            i += 1
            guard let h = number(2), expect(58), let m = number(2) else { return nil }
            hour = h
            minute = m
            if expect(58) {
                guard let sec = number(2) else { return nil }
                second = sec
                if i < s.count, s[i] == 46 || s[i] == 44 {  // . or ,
                    i += 1
                    var scale = 0.1
                    let start = i
                    while i < s.count, s[i] >= 48, s[i] <= 57 {
                        fraction += Double(s[i] - 48) * scale
                        scale /= 10
                        i += 1
                    }
                    guard i > start else { return nil }
                }
            }
            guard hour < 24, minute < 60, second < 61 else { return nil }
            if i < s.count {
                if s[i] == 90 || s[i] == 122 {  // Z
                    i += 1
                    zone = TimeZone(identifier: "UTC")
                } else if s[i] == 43 || s[i] == 45 {  // + or -
                    let sign = s[i] == 43 ? 1 : -1
                    i += 1
                    guard let oh = number(2) else { return nil }
                    _ = expect(58)
                    let om = number(2) ?? 0
                    zone = TimeZone(secondsFromGMT: sign * (oh * 3600 + om * 60))
                }
            }
            guard i == s.count else { return nil }
        }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone ?? timeZone
        let comps = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let base = cal.date(from: comps), cal.component(.day, from: base) == day else { return nil }
        return base.addingTimeInterval(fraction)
    }

    /// Canonical text for source timestamps: ISO text (any offset), or epoch seconds/milliseconds.
    public static func normalize(_ text: String) -> String? {
        parse(text).map(iso)
    }

    /// Canonical text for an epoch value in milliseconds.
    public static func fromEpochMilliseconds(_ ms: Int64) -> String {
        iso(Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
