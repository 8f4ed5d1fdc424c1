import Foundation

extension Periods {
    /// The ISO-8601 calendar (weeks from Monday, week 1 holding the year's first Thursday), as
    /// `tz_period` counts weeks, in `timeZone`.
    static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The instants a period label covers in `timeZone`, from the start of its first day to the
    /// start of the day after its last; nil when the label is not one of `unit`'s
    /// (`2026-03-05`, `2026-W10`, `2026-03`).
    public static func interval(of label: String, by unit: Unit, timeZone: TimeZone) -> DateInterval? {
        let calendar = calendar(timeZone)
        let parts = label.split(separator: "-", omittingEmptySubsequences: false)
        var components = DateComponents()
        let step: DateComponents
        switch unit {
        case .day:
            guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
            (components.year, components.month, components.day) = (y, m, d)
            step = DateComponents(day: 1)
        case .week:
            guard parts.count == 2, parts[1].hasPrefix("W"), let y = Int(parts[0]), let w = Int(parts[1].dropFirst())
            else { return nil }
            (components.yearForWeekOfYear, components.weekOfYear, components.weekday) = (y, w, 2)
            step = DateComponents(day: 7)
        case .month:
            guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]) else { return nil }
            (components.year, components.month, components.day) = (y, m, 1)
            step = DateComponents(month: 1)
        }
        guard let start = calendar.date(from: components), let end = calendar.date(byAdding: step, to: start),
            labels(from: Timestamps.iso(start), through: Timestamps.iso(start), by: unit, timeZone: timeZone) == [label]
        else { return nil }
        return DateInterval(start: start, end: end)
    }

    /// The start of the period `count` periods before the one holding `date` (a `--since` pulled
    /// back by a baseline window).
    public static func start(_ count: Int, periodsBefore date: Date, by unit: Unit, timeZone: TimeZone) -> Date {
        let calendar = calendar(timeZone)
        let component: Calendar.Component
        switch unit {
        case .day: component = .day
        case .week: component = .weekOfYear
        case .month: component = .month
        }
        let start = calendar.dateInterval(of: component, for: date)?.start ?? date
        return calendar.date(byAdding: component, value: -count, to: start) ?? start
    }
}
