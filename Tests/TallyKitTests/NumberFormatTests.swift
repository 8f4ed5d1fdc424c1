import Foundation
import Testing
@testable import TallyKit

/// Hand-computed expectations for every number, money and instant rule of `NumberFormat` and
/// `TimestampFormat`.
@Suite struct NumberFormatTests {
    // MARK: - Money

    @Test(arguments: [
        ("0", "$0.00"),
        ("1234.5", "$1,234.50"),
        ("1234.565", "$1,234.57"),  // half-up: banker's would give $1,234.56
        ("0.025", "$0.03"),  // half-up: banker's would give $0.02
        ("0.015", "$0.02"),
        ("999.995", "$1,000.00"),
        ("1234567.891", "$1,234,567.89"),
        ("0.01", "$0.01"),
        ("2.37", "$2.37"),
        ("-0.5", "-$0.50"),
        ("-1234.565", "-$1,234.57"),
        ("0.009999", "$0.0100"),  // below a cent: four decimals
        ("0.006275", "$0.0063"),
        ("0.005", "$0.0050"),
        ("0.00015", "$0.0002"),
        ("0.0001", "$0.0001"),
        ("-0.0042", "-$0.0042"),
        ("0.00004", "<$0.0001"),
        ("0.0000999", "<$0.0001"),
        ("-0.00002", "-<$0.0001"),
    ])
    func money(_ input: String, _ expected: String) {
        #expect(NumberFormat.money(Decimal(string: input)!) == expected)
    }

    // MARK: - Integers, percentages, reals

    @Test(arguments: [
        (Int64(0), "0"), (999, "999"), (1000, "1,000"), (1_234_567, "1,234,567"), (-1234, "-1,234"),
        (-999, "-999"), (100_000, "100,000"),
        (Int64.max, "9,223,372,036,854,775,807"), (Int64.min, "-9,223,372,036,854,775,808"),
    ])
    func grouped(_ input: Int64, _ expected: String) {
        #expect(NumberFormat.grouped(input) == expected)
    }

    @Test(arguments: [
        ("12.5", "12.5%"), ("33.333", "33.3%"), ("0.05", "0.1%"), ("0.04", "0.0%"), ("-0.01", "0.0%"),
        ("-3", "-3.0%"), ("100", "100.0%"), ("1250", "1,250.0%"), ("66.65", "66.7%"),
    ])
    func percent(_ input: String, _ expected: String) {
        #expect(NumberFormat.percent(Decimal(string: input)!) == expected)
    }

    @Test(arguments: [
        (1234.5, "1,234.5"), (2.0, "2"), (0.123456, "0.1235"), (0.00001, "0"), (-0.00001, "0"),
        (-1234.56789, "-1,234.5679"), (2.00005, "2.0001"), (0.1, "0.1"), (1e20, "100,000,000,000,000,000,000"),
        (1e-200, "0"), (.nan, "NaN"), (.infinity, "Inf"), (-.infinity, "-Inf"),
    ])
    func real(_ input: Double, _ expected: String) {
        #expect(NumberFormat.real(input) == expected)
    }

    @Test func realBeyondDecimalRangeStillGroups() {
        let text = NumberFormat.real(1e300)
        #expect(text.hasPrefix("1,000,000,000,000,000,052,504,760,255"))
        #expect(!text.contains("."))
        #expect(NumberFormat.real(-1e300).hasPrefix("-1,000,"))
    }

    @Test func realDecimal() {
        #expect(NumberFormat.real(Decimal(string: "1234.50000")!) == "1,234.5")
        #expect(NumberFormat.real(Decimal(string: "-0.00004")!) == "0")
        #expect(NumberFormat.real(Decimal(string: "0.00005")!) == "0.0001")
    }

    // MARK: - Machine-readable

    @Test func plainKeepsExactDigits() {
        #expect(NumberFormat.plain(Decimal(string: "0.006275")!) == "0.006275")
        #expect(NumberFormat.plain(Decimal(string: "1234.50")!) == "1234.5")
        #expect(NumberFormat.plain(Decimal(string: "1e-7")!) == "0.0000001")
        #expect(NumberFormat.plain(-2) == "-2")
    }

    @Test func shortestRoundTrips() {
        #expect(NumberFormat.shortest(0.1) == "0.1")
        #expect(NumberFormat.shortest(0.1 + 0.2) == "0.30000000000000004")
        #expect(NumberFormat.shortest(3) == "3.0")
        #expect(NumberFormat.shortest(.nan) == nil)
        #expect(NumberFormat.shortest(-.infinity) == nil)
    }

    // MARK: - Timestamps

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (1_772_704_931_000, "2026-03-05T10:02:11Z"),
        (1_772_704_931_123, "2026-03-05T10:02:11.123Z"),
        (1_772_704_931_007, "2026-03-05T10:02:11.007Z"),
        (1_709_208_000_000, "2024-02-29T12:00:00Z"),
        (946_684_800_000, "2000-01-01T00:00:00Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-2_203_891_200_000, "1900-03-01T00:00:00Z"),
    ])
    func timestampFromMilliseconds(_ ms: Int64, _ expected: String) {
        #expect(TimestampFormat.iso8601(epochMilliseconds: ms) == expected)
    }

    @Test func timestampFromSeconds() {
        #expect(TimestampFormat.iso8601(epochSeconds: 1_772_704_931) == "2026-03-05T10:02:11Z")
        #expect(TimestampFormat.iso8601(epochSeconds: 1_772_704_931.5) == "2026-03-05T10:02:11.500Z")
        #expect(TimestampFormat.iso8601(epochSeconds: .nan) == nil)
    }
}
