import Foundation
import GRDB

/// Tally's SQL functions, for analyses and for analysts typing SQL at the prompt.
///
/// SQLite functions live on a connection, not in the file: install them on every connection
/// (`Configuration.prepareDatabase { db in SQLFunctions.install(in: db) }`). The schema never
/// uses them, so a Tally database still opens in a plain `sqlite3`.
///
/// - Aggregates, ignoring NULLs and returning NULL without input: `stddev(x)` (sample, n − 1;
///   NULL for n < 2), `stddev_pop(x)`, `variance(x)` (sample), `variance_pop(x)`, `median(x)`,
///   `percentile(x, p)` (p from 0 to 100, linear interpolation), `mad(x)` (median absolute
///   deviation, unscaled).
/// - Money: `usd(nanos)` → REAL dollars, `nanos(usd)` → INTEGER nano-dollars, exact from the
///   decimal text and rounded half away from zero.
/// - Text: `regexp(pattern, text)`, so `x REGEXP 'p'` works (NSRegularExpression, unanchored).
/// - Time: `tz_date(ts, tz)` → `YYYY-MM-DD`; `tz_period(ts, unit, tz)` with unit `day`, `week`
///   (ISO, `2026-W10`) or `month` (`2026-03`). tz is an IANA name, `UTC` or `local`.
///
/// NULL arguments give NULL. Invalid ones raise an SQL error naming the function and the value
/// (`tz_date: unknown time zone 'Mars/Base'`).
public enum SQLFunctions {
    /// Registers every Tally function on the connection.
    public static func install(in db: Database) {
        for function in all {
            db.add(function: function)
        }
    }

    /// The names of the functions `install(in:)` adds, for completion and help.
    public static var names: [String] { all.map(\.name) }

    static let all: [DatabaseFunction] = statistics + money + text + time
}

// MARK: - Money

extension SQLFunctions {
    static let money: [DatabaseFunction] = [
        DatabaseFunction("usd", argumentCount: 1, pure: true) { arguments in
            try number(arguments[0], in: "usd").map { $0 / 1e9 }
        },
        DatabaseFunction("nanos", argumentCount: 1, pure: true) { arguments in
            try nanos(arguments[0])
        },
    ]

    private static func nanos(_ value: DatabaseValue) throws -> Int64? {
        let decimalText: String
        switch value.storage {
        case .null:
            return nil
        case .int64(let dollars):
            let (result, overflow) = dollars.multipliedReportingOverflow(by: 1_000_000_000)
            guard !overflow else { throw failure("nanos", "\(dollars) USD is out of range") }
            return result
        case .double(let dollars):
            guard dollars.isFinite else { throw failure("nanos", "not a finite number: \(dollars)") }
            decimalText = "\(dollars)"  // the shortest text that round-trips: 2.37, not 2.36999…
        case .string(let text):
            decimalText = text
        case .blob:
            throw failure("nanos", "not a number: \(describe(value))")
        }
        guard let nanos = Money.nanos(fromDecimal: decimalText) else {
            throw failure("nanos", "not a number in range: \(describe(value))")
        }
        return nanos
    }
}


// MARK: - Text

extension SQLFunctions {
    static let text: [DatabaseFunction] = [
        DatabaseFunction("regexp", argumentCount: 2, pure: true) { arguments in
            guard let pattern = try string(arguments[0], in: "regexp"),
                  let subject = try string(arguments[1], in: "regexp")
            else { return nil }
            let expression = try RegexCache.shared.expression(for: pattern)
            let range = NSRange(subject.startIndex..., in: subject)
            return expression.firstMatch(in: subject, range: range) != nil
        },
    ]
}

/// Compiled patterns by their text: a query calls `regexp` once per row with the same pattern.
private final class RegexCache: @unchecked Sendable {
    static let shared = RegexCache()

    private let lock = NSLock()
    private var expressions: [String: NSRegularExpression] = [:]
    private let capacity = 64

    func expression(for pattern: String) throws -> NSRegularExpression {
        lock.lock()
        defer { lock.unlock() }
        if let cached = expressions[pattern] { return cached }
        let compiled: NSRegularExpression
        do {
            compiled = try NSRegularExpression(pattern: pattern)
        } catch {
            throw SQLFunctions.failure("regexp", "invalid pattern '\(pattern)'")
        }
        if expressions.count >= capacity { expressions.removeAll() }
        expressions[pattern] = compiled
        return compiled
    }
}

// MARK: - Arguments and errors

extension SQLFunctions {
    /// The SQL error a function raises: `name: message`.
    static func failure(_ function: String, _ message: String) -> DatabaseError {
        DatabaseError(resultCode: .SQLITE_ERROR, message: "\(function): \(message)")
    }

    /// A numeric argument (numeric text is accepted), nil for NULL.
    static func number(_ value: DatabaseValue, in function: String) throws -> Double? {
        switch value.storage {
        case .null: return nil
        case .int64(let int): return Double(int)
        case .double(let double): return double
        case .string(let text):
            if let double = Double(text.trimmingCharacters(in: .whitespaces)) { return double }
        case .blob: break
        }
        throw failure(function, "not a number: \(describe(value))")
    }

    /// A text argument (numbers as their text), nil for NULL.
    static func string(_ value: DatabaseValue, in function: String) throws -> String? {
        switch value.storage {
        case .null: return nil
        case .int64(let int): return String(int)
        case .double(let double): return String(double)
        case .string(let text): return text
        case .blob(let data):
            if let text = String(data: data, encoding: .utf8) { return text }
        }
        throw failure(function, "not text: \(describe(value))")
    }

    /// A value as it reads in an error message: `'text'`, `12`, `NULL`, `x'00ff'`.
    static func describe(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return "NULL"
        case .int64(let int): return String(int)
        case .double(let double): return String(double)
        case .string(let text): return "'" + (text.count > 80 ? text.prefix(80) + "…" : text) + "'"
        case .blob(let data): return "x'" + data.prefix(32).map { String(format: "%02x", $0) }.joined() + "'"
        }
    }
}
