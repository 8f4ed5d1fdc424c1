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
