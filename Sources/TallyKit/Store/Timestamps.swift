import Foundation

/// Tally's one timestamp form: ISO-8601 UTC with milliseconds (`2026-03-05T10:02:11.123Z`).
///
/// Every stored instant uses exactly this fixed-width form (the schema's CHECKs insist), so text
/// comparison in SQL orders instants and `--since`/`--until` bounds compare correctly.
public enum Timestamps {
    /// The canonical text of an instant; sub-millisecond precision is truncated.
    public static func iso(_ date: Date) -> String {
        let microseconds = (date.timeIntervalSince1970 * 1_000_000).rounded()
        return fromEpochMilliseconds(Int64((microseconds / 1000).rounded(.down)))
    }

    /// The canonical text of milliseconds since the Unix epoch (OpenCode's times).
    public static func fromEpochMilliseconds(_ ms: Int64) -> String {
        CivilTime.canonical(epochMilliseconds: ms)
    }

    /// The canonical form of a source's timestamp: `T` or space, optional seconds and fraction,
    /// `Z`, `±HH:MM`, `±HHMM` or no zone (naive times are UTC, as sources write them). Nil for
    /// anything else, including a date without a time.
    public static func normalize(_ text: String) -> String? {
        guard case .instant(let ms)? = CivilTime.parse(text) else { return nil }
        return fromEpochMilliseconds(ms)
    }

    /// Parses what a user types: a date (`2026-01-31`, that day's start in `timeZone`), an
    /// ISO-8601 timestamp with `Z` or an offset, or a naive `YYYY-MM-DD HH:MM[:SS[.fff]]`
    /// (read in `timeZone`).
    public static func parse(_ text: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> Date? {
        let trimmed = String(text.trimmedSpaces)
        switch CivilTime.parse(trimmed) {
        case nil:
            return nil
        case .date(let day)?:
            let (y, m, d) = CivilTime.civil(day: day)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            return calendar.date(from: DateComponents(year: y, month: m, day: d))
        case .instant(let ms)?:
            let asUTC = Date(timeIntervalSince1970: Double(ms) / 1000)
            if hasZone(trimmed) { return asUTC }
            // A naive time is wall-clock time in `timeZone`: subtract the zone's offset, taken
            // at the instant itself (a first guess of it settles which side of a DST change).
            let guess = asUTC.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: asUTC)))
            return asUTC.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: guess)))
        }
    }

    /// True when the text ends with a zone designator (`Z`, `+01:00`, `-0500`, `+01`).
    static func hasZone(_ text: String) -> Bool {
        guard let last = text.last else { return false }
        if last == "Z" || last == "z" { return true }
        guard let t = text.firstIndex(where: { $0 == "T" || $0 == "t" || $0 == " " }) else { return false }
        return text[t...].contains { $0 == "+" || $0 == "-" }
    }
}

// MARK: - Calendar arithmetic

/// ISO-8601 parsing and proleptic Gregorian arithmetic on day numbers (days since 1970-01-01),
/// without `Calendar` or formatters: cheap enough to run per row inside SQL functions.
enum CivilTime {
    /// A parsed timestamp: an instant, or a bare calendar date (which has no time zone).
    enum Parsed: Equatable {
        case instant(epochMilliseconds: Int64)
        case date(day: Int)
    }

    static let millisecondsPerDay: Int64 = 86_400_000

    /// Parses `YYYY-MM-DD` or `YYYY-MM-DD[T ]HH:MM[:SS[.fff…]][Z|±HH:MM|±HHMM|±HH]`.
    static func parse(_ text: String) -> Parsed? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.skip("-"),
              let month = scanner.digits(2), scanner.skip("-"),
              let day = scanner.digits(2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        let dayNumber = days(year: year, month: month, day: day)
        if scanner.atEnd { return .date(day: dayNumber) }

        guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
              let hour = scanner.digits(2), scanner.skip(":"),
              let minute = scanner.digits(2),
              hour <= 23, minute <= 59
        else { return nil }
        var second = 0
        var millisecond = 0
        if scanner.skip(":") {
            guard let s = scanner.digits(2), s <= 60 else { return nil }
            second = s
            if scanner.skip(".") || scanner.skip(",") {
                let fraction = scanner.digitRun()
                guard !fraction.isEmpty else { return nil }
                millisecond = (fraction + [0, 0, 0]).prefix(3).reduce(0) { $0 * 10 + $1 }
            }
        }
        var offsetMinutes = 0
        if scanner.skip("Z") || scanner.skip("z") {
            // UTC
        } else if let sign = scanner.sign() {
            guard let hours = scanner.digits(2), hours <= 23 else { return nil }
            var minutes = 0
            if scanner.skip(":") {
                guard let m = scanner.digits(2) else { return nil }
                minutes = m
            } else if let m = scanner.digits(2) {
                minutes = m
            }
            guard minutes <= 59 else { return nil }
            offsetMinutes = sign * (hours * 60 + minutes)
        }
        guard scanner.atEnd else { return nil }

        let seconds = Int64(dayNumber) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
            - Int64(offsetMinutes * 60)
        return .instant(epochMilliseconds: seconds * 1000 + Int64(millisecond))
    }

    /// `YYYY-MM-DDTHH:MM:SS.sssZ` of an instant.
    static func canonical(epochMilliseconds: Int64) -> String {
        let (day, millisecondOfDay) = split(epochMilliseconds)
        let ms = Int(millisecondOfDay)
        return dateText(day: day) + "T" + pad(ms / 3_600_000, 2) + ":" + pad(ms / 60_000 % 60, 2)
            + ":" + pad(ms / 1000 % 60, 2) + "." + pad(ms % 1000, 3) + "Z"
    }

    /// Day number and millisecond of that day (floor division, so times before 1970 work).
    static func split(_ epochMilliseconds: Int64) -> (day: Int, millisecondOfDay: Int64) {
        let day = epochMilliseconds >= 0
            ? epochMilliseconds / millisecondsPerDay
            : -((-epochMilliseconds - 1) / millisecondsPerDay) - 1
        return (Int(day), epochMilliseconds - day * millisecondsPerDay)
    }

    /// `YYYY-MM-DD` of a day number.
    static func dateText(day: Int) -> String {
        let (y, m, d) = civil(day: day)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// `YYYY-MM` of a day number.
    static func monthText(day: Int) -> String {
        let (y, m, _) = civil(day: day)
        return pad(y, 4) + "-" + pad(m, 2)
    }

    /// `YYYY-Www`: the ISO-8601 week (Monday first; week 1 holds the year's first Thursday).
    static func isoWeekText(day: Int) -> String {
        let weekday = ((day + 3) % 7 + 7) % 7 + 1  // Monday = 1 … Sunday = 7; 1970-01-01 was a Thursday
        let thursday = day + 4 - weekday
        let year = civil(day: thursday).year
        let week = (thursday - days(year: year, month: 1, day: 1)) / 7 + 1
        return pad(year, 4) + "-W" + pad(week, 2)
    }

    /// Day number of a civil date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Civil date of a day number (Howard Hinnant's `civil_from_days`).
    static func civil(day: Int) -> (year: Int, month: Int, day: Int) {
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let d = dayOfYear - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// A cursor over ASCII bytes.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// Exactly `count` digits as a number.
        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }

        /// All digits from here, one value per digit.
        mutating func digitRun() -> [Int] {
            var run: [Int] = []
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                run.append(Int(bytes[index] - UInt8(ascii: "0")))
                index += 1
            }
            return run
        }

        /// +1 or -1 for a `+` or `-` here.
        mutating func sign() -> Int? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }
    }
}
