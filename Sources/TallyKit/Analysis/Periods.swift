import Foundation

/// Calendar periods as the SQL function `tz_period` labels them (`2026-03-05`, `2026-W10`,
/// `2026-03`), so an analysis over time can list every period, empty ones included.
public enum Periods {
    public enum Unit: String, CaseIterable, Sendable {
        case day, week, month
    }

    /// Every period label from the one holding `start` through the one holding `end`, in order,
    /// days taken in `timeZone`; empty when `end` is before `start` or either is not a timestamp.
    /// At most `limit` labels.
    public static func labels(
        from start: String, through end: String, by unit: Unit, timeZone: TimeZone, limit: Int = 100_000
    ) -> [String] {
        guard let first = localDay(start, timeZone), let last = localDay(end, timeZone), first <= last else { return [] }
        var labels: [String] = []
        for day in first...last {
            let label: String
            switch unit {
            case .day: label = CivilTime.dateText(day: day)
            case .week: label = CivilTime.isoWeekText(day: day)
            case .month: label = CivilTime.monthText(day: day)
            }
            if labels.last != label {
                labels.append(label)
                if labels.count == limit { break }
            }
        }
        return labels
    }

    /// The day number of a timestamp in a time zone (as `tz_date`); a bare date is its own day.
    static func localDay(_ text: String, _ timeZone: TimeZone) -> Int? {
        switch CivilTime.parse(text) {
        case nil: return nil
        case .date(let day)?: return day
        case .instant(let ms)?:
            let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000))) * 1000
            return CivilTime.split(ms + offset).day
        }
    }

    /// The local period label of a quarter hour (quarter hours since 1970 UTC). Every time zone's
    /// offset is a whole number of quarter hours, so a quarter lies in one local period.
    public static func label(ofQuarter quarter: Int64, by unit: Unit, timeZone: TimeZone) -> String {
        let ms = quarter * 900_000
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000))) * 1000
        let day = CivilTime.split(ms + offset).day
        switch unit {
        case .day: return CivilTime.dateText(day: day)
        case .week: return CivilTime.isoWeekText(day: day)
        case .month: return CivilTime.monthText(day: day)
        }
    }
}
