import Foundation

/// The type of a plugin parameter: decides parsing, validation, help text and completion.
public enum ParameterType: Hashable, Sendable {
    case string
    case int
    case decimal
    case bool
    case date
    case duration
    case path
    /// One of a fixed set of words (`enum(day,week,month)` in help and SQL headers).
    case choice([String])

    /// How the type is written in help and in SQL-file headers.
    public var name: String {
        switch self {
        case .string: return "string"
        case .int: return "int"
        case .decimal: return "decimal"
        case .bool: return "bool"
        case .date: return "date"
        case .duration: return "duration"
        case .path: return "path"
        case .choice(let values): return "enum(" + values.joined(separator: ",") + ")"
        }
    }

    /// Parses a type name as written in help (`int`, `enum(a,b)`); nil when unknown.
    public init?(name: String) {
        let n = name.trimmingCharacters(in: .whitespaces)
        switch n.lowercased() {
        case "string", "text": self = .string
        case "int", "integer": self = .int
        case "decimal", "number", "real": self = .decimal
        case "bool", "boolean": self = .bool
        case "date": self = .date
        case "duration": self = .duration
        case "path", "file": self = .path
        default:
            guard n.lowercased().hasPrefix("enum("), n.hasSuffix(")") else { return nil }
            let inner = n.dropFirst(5).dropLast()
            let values = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !values.isEmpty, !values.contains(where: \.isEmpty) else { return nil }
            self = .choice(values)
        }
    }
}

/// One declared parameter of a plugin. Help, completion, validation and notebooks all read this.
public struct Parameter: Hashable, Sendable {
    /// The name as typed after `--` (kebab-case), and the `.set` name that provides its default.
    public var name: String
    public var type: ParameterType
    /// The default as the user would type it (`-30d`, `14`); parsed like user input.
    public var defaultValue: String?
    public var help: String
    /// Positional parameters are given without `--name`, in declaration order.
    public var positional: Bool
    public var required: Bool
    /// Takes every word no other parameter takes — unknown `--options` and their values
    /// included — in order, as one string of quoted words (`Words.split` gives them back):
    /// `export`'s target invocation. A rest parameter is positional, at most one per plugin.
    public var rest: Bool

    public init(
        _ name: String, _ type: ParameterType, default defaultValue: String? = nil, help: String,
        positional: Bool = false, required: Bool = false, rest: Bool = false
    ) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.help = help
        self.positional = positional || rest
        self.required = required
        self.rest = rest
    }
}

/// A relative amount of calendar time: `-30d`, `12w`, `6m`, `2h`.
public struct Duration: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, Sendable, CaseIterable {
        case second = "s", minute = "min", hour = "h", day = "d", week = "w", month = "m", year = "y"
    }
    public var amount: Int
    public var unit: Unit

    public init(amount: Int, unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    /// Parses `30d`, `-12w`, `6m`, `90min`, `1y`; nil when the text is not a duration.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        var digitsEnd = t.startIndex
        if digitsEnd < t.endIndex, t[digitsEnd] == "-" || t[digitsEnd] == "+" { digitsEnd = t.index(after: digitsEnd) }
        let numberStart = digitsEnd
        while digitsEnd < t.endIndex, t[digitsEnd].isASCII, t[digitsEnd].isNumber { digitsEnd = t.index(after: digitsEnd) }
        guard digitsEnd > numberStart, let amount = Int(t[..<digitsEnd]),
            let unit = Unit(rawValue: String(t[digitsEnd...]))
        else { return nil }
        self.amount = amount
        self.unit = unit
    }

    public var description: String { "\(amount)\(unit.rawValue)" }

    /// The date this duration away from `date` in the given calendar.
    public func added(to date: Date, calendar: Calendar) -> Date {
        let component: Calendar.Component
        switch unit {
        case .second: component = .second
        case .minute: component = .minute
        case .hour: component = .hour
        case .day: component = .day
        case .week: component = .weekOfYear
        case .month: component = .month
        case .year: component = .year
        }
        return calendar.date(byAdding: component, value: amount, to: date) ?? date
    }

    /// The length in seconds when the unit has a fixed length (months and years use 30 and 365 days).
    public var seconds: Double {
        let unitSeconds: Double
        switch unit {
        case .second: unitSeconds = 1
        case .minute: unitSeconds = 60
        case .hour: unitSeconds = 3600
        case .day: unitSeconds = 86400
        case .week: unitSeconds = 7 * 86400
        case .month: unitSeconds = 30 * 86400
        case .year: unitSeconds = 365 * 86400
        }
        return Double(amount) * unitSeconds
    }
}

/// A parsed, typed parameter value.
public enum ParameterValue: Hashable, Sendable {
    case string(String)
    case int(Int)
    case decimal(Decimal)
    case bool(Bool)
    case date(Date)
    case duration(Duration)
    case path(String)
    case choice(String)

    /// The value as an SQL argument: dates as ISO-8601 UTC text, durations as text.
    public var sqlValue: Value {
        switch self {
        case .string(let s), .path(let s), .choice(let s): return .text(s)
        case .int(let i): return .integer(Int64(i))
        case .decimal(let d): return .decimal(d)
        case .bool(let b): return .integer(b ? 1 : 0)
        case .date(let d): return .text(Timestamps.iso(d))
        case .duration(let d): return .text(d.description)
        }
    }
}

/// Parsing of user text into typed values, relative to a clock and a time zone.
public struct ValueParser: Sendable {
    public var now: Date
    public var timeZone: TimeZone

    public init(now: Date, timeZone: TimeZone) {
        self.now = now
        self.timeZone = timeZone
    }

    var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        c.firstWeekday = 2
        return c
    }

    /// Parses `text` as `type`, or explains what was expected.
    public func parse(_ text: String, as type: ParameterType) -> Result<ParameterValue, ParameterTypeError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch type {
        case .string: return .success(.string(text))
        case .path: return .success(.path(Self.expandTilde(text)))
        case .int:
            guard let i = Int(t.replacingOccurrences(of: "_", with: "")) else {
                return .failure(.init(expected: "an integer", got: text))
            }
            return .success(.int(i))
        case .decimal:
            let cleaned = t.hasPrefix("$") ? String(t.dropFirst()) : t
            guard cleaned.range(of: #"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil,
                let d = Decimal(string: cleaned, locale: Locale(identifier: "en_US_POSIX"))
            else { return .failure(.init(expected: "a decimal number", got: text)) }
            return .success(.decimal(d))
        case .bool:
            switch t.lowercased() {
            case "true", "yes", "on", "1": return .success(.bool(true))
            case "false", "no", "off", "0": return .success(.bool(false))
            default: return .failure(.init(expected: "true or false", got: text))
            }
        case .duration:
            guard let d = Duration(parsing: t) else {
                return .failure(.init(expected: "a duration such as 30d, 12w, 6m or 2h", got: text))
            }
            return .success(.duration(d))
        case .date:
            guard let d = date(t) else {
                return .failure(
                    .init(expected: "a date (2026-01-31, an ISO timestamp, today, yesterday, -30d, -12w, -6m)", got: text))
            }
            return .success(.date(d))
        case .choice(let values):
            if let match = values.first(where: { $0.caseInsensitiveCompare(t) == .orderedSame }) {
                return .success(.choice(match))
            }
            return .failure(.init(expected: "one of " + values.joined(separator: ", "), got: text))
        }
    }

    /// A date from the forms SPEC §5 lists; relative forms count whole days from today's start.
    public func date(_ text: String) -> Date? {
        let cal = calendar
        let startOfToday = cal.startOfDay(for: now)
        switch text.lowercased() {
        case "today": return startOfToday
        case "yesterday": return cal.date(byAdding: .day, value: -1, to: startOfToday)
        case "tomorrow": return cal.date(byAdding: .day, value: 1, to: startOfToday)
        case "now": return now
        default: break
        }
        if let d = Duration(parsing: text), text.hasPrefix("-") || text.hasPrefix("+") {
            switch d.unit {
            case .second, .minute, .hour: return d.added(to: now, calendar: cal)
            default: return d.added(to: startOfToday, calendar: cal)
            }
        }
        return Timestamps.parse(text, timeZone: timeZone)
    }

    /// `~/x` as an absolute path.
    public static func expandTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return FileManager.default.homeDirectoryForCurrentUser.path + path.dropFirst()
    }
}

/// A value that does not parse as its parameter's type.
public struct ParameterTypeError: Error, Hashable, Sendable {
    public var expected: String
    public var got: String
}
