import Foundation
import GRDB
import Testing
import TallyKit

@Suite("SQL functions")
struct SQLFunctionsTests {
    let db: DatabaseQueue

    init() throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in SQLFunctions.install(in: db) }
        db = try DatabaseQueue(configuration: configuration)
    }

    /// The one value a query returns.
    func value<T: DatabaseValueConvertible>(_ sql: String, _ arguments: StatementArguments = []) throws -> T? {
        try db.read { db in try T.fetchOne(db, sql: sql, arguments: arguments) }
    }

    /// `expression` aggregated over rows `x` holding `values`.
    func aggregate(_ expression: String, over values: [Double?]) throws -> Double? {
        let rows = values.map { _ in "(?)" }.joined(separator: ", ")
        return try value(
            "WITH t(x) AS (VALUES \(rows)) SELECT \(expression) FROM t",
            StatementArguments(values))
    }

    /// The message of the SQL error `sql` raises.
    func failure(_ sql: String) -> String? {
        let error = #expect(throws: DatabaseError.self, "\(sql)") {
            try db.read { db in try DatabaseValue.fetchOne(db, sql: sql) }
        }
        return error?.message
    }

    // MARK: Aggregates

    @Test func standardDeviationAndVariance() throws {
        let values: [Double?] = [2, 4, 4, 4, 5, 5, 7, 9]
        let stddev = try #require(try aggregate("stddev(x)", over: values))
        #expect(abs(stddev - (32.0 / 7).squareRoot()) < 1e-12)
        #expect(abs(stddev - 2.138089935) < 1e-9)
        #expect(try aggregate("stddev_pop(x)", over: values) == 2)
        #expect(abs(try #require(try aggregate("variance(x)", over: values)) - 32.0 / 7) < 1e-12)
        #expect(try aggregate("variance_pop(x)", over: values) == 4)
        #expect(try aggregate("stddev(x)", over: [3]) == nil)
        #expect(try aggregate("variance(x)", over: [3]) == nil)
        #expect(try aggregate("stddev_pop(x)", over: [3]) == 0)
    }

    @Test func medianPercentileAndMAD() throws {
        #expect(try aggregate("median(x)", over: [1, 3, 2]) == 2)
        #expect(try aggregate("median(x)", over: [1, 2, 3, 4]) == 2.5)
        let oneToTen = (1...10).map { Double($0) as Double? }
        #expect(abs(try #require(try aggregate("percentile(x, 90)", over: oneToTen)) - 9.1) < 1e-12)
        #expect(try aggregate("percentile(x, 0)", over: oneToTen) == 1)
        #expect(try aggregate("percentile(x, 50)", over: oneToTen) == 5.5)
        #expect(try aggregate("percentile(x, 100)", over: oneToTen) == 10)
        #expect(try aggregate("mad(x)", over: [1, 1, 2, 2, 4, 6, 9]) == 1)
        #expect(try aggregate("mad(x)", over: [5]) == 0)
    }

    @Test func aggregatesIgnoreNULLs() throws {
        let values: [Double?] = [2, nil, 4, 4, 4, nil, 5, 5, 7, 9]
        #expect(try aggregate("stddev_pop(x)", over: values) == 2)
        #expect(try aggregate("median(x)", over: [1, nil, 3, 2, nil]) == 2)
        #expect(try aggregate("mad(x)", over: [1, 1, nil, 2, 2, 4, 6, 9]) == 1)
        for function in ["stddev(x)", "stddev_pop(x)", "variance(x)", "median(x)", "percentile(x, 50)", "mad(x)"] {
            #expect(try aggregate(function, over: [nil, nil]) == nil, "\(function)")
            #expect(try value("SELECT \(function) FROM (SELECT 1 AS x) WHERE 0") as Double? == nil, "\(function)")
        }
    }

    @Test func aggregatesKeepOneStatePerGroup() throws {
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: """
                WITH t(g, x) AS (VALUES ('a', 1), ('a', 2), ('a', 3), ('b', 10), ('b', 30))
                SELECT g, median(x) AS m, percentile(x, 50) AS p FROM t GROUP BY g ORDER BY g
                """)
        }
        #expect(rows.map { $0["m"] as Double } == [2, 20])
        #expect(rows.map { $0["p"] as Double } == [2, 20])
    }

    @Test func aggregateErrorsNameTheFunction() {
        #expect(failure("SELECT percentile(x, 150) FROM (SELECT 1 AS x)")
            == "percentile: p must be a number from 0 to 100, got 150")
        #expect(failure("SELECT percentile(x, NULL) FROM (SELECT 1 AS x)")
            == "percentile: p must be a number from 0 to 100, got NULL")
        #expect(failure("SELECT median(x) FROM (SELECT 'lots' AS x)") == "median: not a number: 'lots'")
    }

    // MARK: Money

    @Test func dollarsAndNanos() throws {
        #expect(try value("SELECT usd(2370000000)") == 2.37)
        #expect(try value("SELECT usd(NULL)") as Double? == nil)
        #expect(try value("SELECT typeof(usd(1))") == "real")
        #expect(try value("SELECT nanos(2.37)") == 2_370_000_000 as Int64)
        #expect(try value("SELECT nanos('2.37')") == 2_370_000_000 as Int64)
        #expect(try value("SELECT nanos(3)") == 3_000_000_000 as Int64)
        #expect(try value("SELECT nanos(-2.37)") == -2_370_000_000 as Int64)
        #expect(try value("SELECT nanos(0.1 + 0.2)") == 300_000_000 as Int64)
        #expect(try value("SELECT nanos('0.0000000015')") == 2 as Int64)  // half rounds up
        #expect(try value("SELECT nanos('0.0000000014999')") == 1 as Int64)
        #expect(try value("SELECT nanos('-0.0000000015')") == -2 as Int64)
        #expect(try value("SELECT nanos('1e-9')") == 1 as Int64)
        #expect(try value("SELECT nanos(1e-10)") == 0 as Int64)
        #expect(try value("SELECT nanos(' 12.5 ')") == 12_500_000_000 as Int64)
        #expect(try value("SELECT typeof(nanos(2.37))") == "integer")
        #expect(try value("SELECT nanos(NULL)") as Int64? == nil)
        #expect(try value("SELECT nanos(usd(1234567891))") == 1_234_567_891 as Int64)
        #expect(failure("SELECT nanos('two dollars')") == "nanos: not a number in range: 'two dollars'")
        #expect(failure("SELECT nanos('1.2.3')") == "nanos: not a number in range: '1.2.3'")
        #expect(failure("SELECT nanos(10000000000)") == "nanos: 10000000000 USD is out of range")
        #expect(failure("SELECT nanos('1e30')") == "nanos: not a number in range: '1e30'")
        #expect(failure("SELECT usd('lots')") == "usd: not a number: 'lots'")
    }

    // MARK: Text

    @Test func regexpMatchesAnywhere() throws {
        #expect(try value("SELECT 'claude-sonnet-4-5' REGEXP '^claude-(sonnet|opus)'") == true)
        #expect(try value("SELECT 'gpt-5' REGEXP '^claude'") == false)
        #expect(try value("SELECT 'anthropic/claude-opus-4' REGEXP 'opus-[0-9]$'") == true)
        #expect(try value("SELECT regexp('4-5', 'claude-sonnet-4-5')") == true)
        #expect(try value("SELECT NULL REGEXP 'x'") as Bool? == nil)
        let matches: Int? = try value("""
            WITH t(m) AS (VALUES ('gpt-5'), ('gpt-5-mini'), ('claude-haiku-4-5'))
            SELECT count(*) FROM t WHERE m REGEXP '^gpt-'
            """)
        #expect(matches == 2)
        #expect(failure("SELECT 'x' REGEXP '('") == "regexp: invalid pattern '('")
    }

    // MARK: Time

    @Test func datesInTimeZones() throws {
        #expect(try value("SELECT tz_date('2026-03-05T23:30:00Z', 'Europe/Berlin')") == "2026-03-06")
        #expect(try value("SELECT tz_date('2026-03-05T23:30:00.000Z', 'UTC')") == "2026-03-05")
        #expect(try value("SELECT tz_date('2026-03-06T03:30:00Z', 'America/New_York')") == "2026-03-05")
        #expect(try value("SELECT tz_date('2026-03-05T23:30:00-05:00', 'UTC')") == "2026-03-06")
        // Summer time: Berlin is UTC+2 from 2026-03-29 01:00Z.
        #expect(try value("SELECT tz_date('2026-03-29T22:30:00Z', 'Europe/Berlin')") == "2026-03-30")
        #expect(try value("SELECT tz_date('2026-03-28T22:30:00Z', 'Europe/Berlin')") == "2026-03-28")
        #expect(try value("SELECT tz_date('2026-03-05', 'Asia/Tokyo')") == "2026-03-05")
        #expect(try value("SELECT tz_date(NULL, 'UTC')") as String? == nil)

        let instant = Date(timeIntervalSince1970: 1_772_753_400)  // 2026-03-05T23:30:00Z
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let local = calendar.dateComponents([.year, .month, .day], from: instant)
        let expected = String(format: "%04d-%02d-%02d", local.year!, local.month!, local.day!)
        #expect(try value("SELECT tz_date('2026-03-05T23:30:00Z', 'local')") == expected)
    }

    @Test func periods() throws {
        #expect(try value("SELECT tz_period('2026-03-05T10:02:11.123Z', 'week', 'UTC')") == "2026-W10")
        #expect(try value("SELECT tz_period('2026-03-05T10:02:11.123Z', 'day', 'UTC')") == "2026-03-05")
        #expect(try value("SELECT tz_period('2026-03-05T10:02:11.123Z', 'month', 'UTC')") == "2026-03")
        #expect(try value("SELECT tz_period('2027-01-01T12:00:00Z', 'week', 'UTC')") == "2026-W53")
        #expect(try value("SELECT tz_period('2024-12-30T12:00:00Z', 'week', 'UTC')") == "2025-W01")
        #expect(try value("SELECT tz_period('2021-01-03T12:00:00Z', 'week', 'UTC')") == "2020-W53")
        #expect(try value("SELECT tz_period('2026-03-31T22:30:00Z', 'month', 'Europe/Berlin')") == "2026-04")
        #expect(try value("SELECT tz_period('2026-03-08T23:30:00Z', 'WEEK', 'Europe/Berlin')") == "2026-W11")
    }

    @Test func timeErrorsNameTheFunctionAndValue() {
        #expect(failure("SELECT tz_date('2026-03-05T10:00:00Z', 'Mars/Base')") == "tz_date: unknown time zone 'Mars/Base'")
        #expect(failure("SELECT tz_period('2026-03-05T10:00:00Z', 'day', 'Mars/Base')")
            == "tz_period: unknown time zone 'Mars/Base'")
        #expect(failure("SELECT tz_date('last tuesday', 'UTC')")
            == "tz_date: invalid timestamp 'last tuesday' (expected ISO-8601, e.g. 2026-03-05T10:02:11.123Z)")
        #expect(failure("SELECT tz_period('2026-03-05T10:00:00Z', 'fortnight', 'UTC')")
            == "tz_period: unknown unit 'fortnight' (expected day, week or month)")
    }

    @Test func installRegistersEveryName() {
        #expect(Set(SQLFunctions.names) == [
            "stddev", "stddev_pop", "variance", "variance_pop", "median", "percentile", "mad",
            "usd", "nanos", "regexp", "tz_date", "tz_period",
        ])
    }
}
