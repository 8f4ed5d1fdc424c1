import Foundation
import Testing
@testable import TallyKit

/// The fast decimal conversions give the same values and text as Foundation's division did.
@Suite struct MoneyDecimalTests {
    static let nanos: [Int64] = [0, 1, -1, 9, 10, 90_000_000, 2_370_000_000, -500_000_000, 123_456_789_012, 1_000_000_000,
                                 Int64.max, Int64.min + 1, 999_999_999, -1_000_000_001]

    @Test(arguments: nanos)
    func usdEqualsTheDivision(nanos: Int64) {
        let divided = Decimal(nanos) / Decimal(1_000_000_000)
        #expect(Money.usd(nanos: nanos) == divided)
        #expect(Money.usd(nanos: nanos).description == divided.description)
    }

    @Test func handComputedShares() {
        #expect(Value.share(1, of: 3) == .decimal(Decimal(string: "33.33")!))
        #expect(Value.share(2, of: 3) == .decimal(Decimal(string: "66.67")!))
        #expect(Value.share(1, of: 8) == .decimal(Decimal(string: "12.5")!))   // 12.5 exactly
        #expect(Value.share(1, of: 40_000) == .decimal(Decimal(string: "0")!))  // 0.0025 → 0.00
        #expect(Value.share(1, of: 20_000) == .decimal(Decimal(string: "0.01")!))  // 0.005: half, up to 0.01
        #expect(Value.share(-1, of: 20_000) == .decimal(Decimal(string: "-0.01")!))  // half away from zero
        #expect(Value.share(5, of: 0) == .null)
        #expect(Value.share(nil, of: 5) == .null)
    }

    /// Against the Decimal computation it replaced, on the integer fast path and off it.
    @Test func sharesEqualTheDecimalComputation() {
        let values: [Int64] = [0, 1, 2, 3, 7, 50, 99, 100, 12_345, 40_000, 80_000, 1_000_003, 922_337_203_685_477, Int64.max / 2]
        for part in values + values.map { -$0 } {
            for whole in values.filter({ $0 > 0 }) + [-3, -80_000] {
                var exact = Decimal(part) * 100 / Decimal(whole)
                var rounded = Decimal()
                NSDecimalRound(&rounded, &exact, 2, .plain)
                #expect(Value.share(part, of: whole) == .decimal(rounded), "\(part) of \(whole)")
            }
        }
    }
}

/// NumberFormat.plain builds a decimal's text from its integer significand: the same text as
/// `Decimal.description` for every sign, exponent and size, falling back beyond 64 bits.
@Suite struct DecimalTextTests {
    @Test func plainEqualsDescription() {
        var cases: [Decimal] = [0, 1, -1, 10, 100, 0.5, -0.5, 2.37, 0.000000001, 1e-18, 1e18, 123456789.123456789,
                                Decimal(string: "79228162514264337593543950335")!, Decimal(string: "-0.00000000000000000000001")!]
        for exponent in -20...20 {
            for s: UInt64 in [0, 1, 5, 10, 250, 1000, 123_456_789, 9_223_372_036_854_775_807, 18_446_744_073_709_551_615] {
                cases.append(Decimal(sign: .plus, exponent: exponent, significand: Decimal(s)))
                cases.append(Decimal(sign: .minus, exponent: exponent, significand: Decimal(s)))
            }
        }
        var fast = 0
        for value in cases {
            #expect(NumberFormat.plain(value) == value.description, "\(value)")
            if NumberFormat.digits(value) != nil { fast += 1 }
        }
        #expect(fast > cases.count * 3 / 4)  // the fast path is taken for the common cases
    }
}
