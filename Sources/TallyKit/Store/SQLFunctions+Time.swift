import Foundation
import GRDB

// MARK: - Time zones and periods

extension SQLFunctions {
    // Not `pure`: 'local' depends on the process, and zone rules on the system's tz database.
    static let time: [DatabaseFunction] = [
        DatabaseFunction("tz_date", argumentCount: 2) { arguments in
            guard let day = try localDay(arguments[0], arguments[1], in: "tz_date") else { return nil }
            return CivilTime.dateText(day: day)
        },
        DatabaseFunction("tz_period", argumentCount: 3) { arguments in
            guard let unit = try string(arguments[1], in: "tz_period") else { return nil }
            let label: (Int) -> String
            switch unit.lowercased() {
            case "day": label = CivilTime.dateText(day:)
            case "week": label = CivilTime.isoWeekText(day:)
            case "month": label = CivilTime.monthText(day:)
            default: throw failure("tz_period", "unknown unit '\(unit)' (expected day, week or month)")
            }
            guard let day = try localDay(arguments[0], arguments[2], in: "tz_period") else { return nil }
            return label(day)
        },
    ]

    /// The day number of a timestamp in a time zone; a bare date is its own day.
    private static func localDay(_ timestamp: DatabaseValue, _ zone: DatabaseValue, in function: String) throws -> Int? {
        guard let text = try string(timestamp, in: function),
              let zoneName = try string(zone, in: function)
        else { return nil }
        guard let parsed = CivilTime.parse(text) else {
            throw failure(function, "invalid timestamp '\(text)' (expected ISO-8601, e.g. 2026-03-05T10:02:11.123Z)")
        }
        let timeZone = try TimeZoneCache.shared.zone(named: zoneName, in: function)
        switch parsed {
        case .date(let day):
            return day
        case .instant(let milliseconds):
            let offset = timeZone.map {
                Int64($0.secondsFromGMT(for: Date(timeIntervalSince1970: Double(milliseconds) / 1000))) * 1000
            } ?? 0
            return CivilTime.split(milliseconds + offset).day
        }
    }
}

/// Time zones by name; nil stands for UTC (no offset lookups at all).
private final class TimeZoneCache: @unchecked Sendable {
    static let shared = TimeZoneCache()

    private let lock = NSLock()
    private var zones: [String: TimeZone] = [:]

    func zone(named name: String, in function: String) throws -> TimeZone? {
        switch name.lowercased() {
        case "utc", "z", "gmt": return nil
        case "local": return TimeZone.current
        default: break
        }
        lock.lock()
        defer { lock.unlock() }
        if let cached = zones[name] { return cached }
        guard let zone = TimeZone(identifier: name) else {
            throw SQLFunctions.failure(function, "unknown time zone '\(name)'")
        }
        zones[name] = zone
        return zone
    }
}
