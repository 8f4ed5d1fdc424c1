import Foundation

/// SplitMix64: a tiny, well-mixed PRNG whose output depends only on its seed, so a corpus made
/// from the same seed is byte-identical on every machine and every day. The range and choice
/// helpers are our own (not the standard library's `random(in:using:)`, whose algorithm may
/// change between Swift releases).
struct DemoRandom {
    private var state: UInt64

    /// An independent stream for one part of the corpus: adding records to one format never
    /// shifts the random choices of another.
    init(seed: UInt64, stream: UInt64) {
        state = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        _ = next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A child stream derived from this one (for a sub-record built out of order).
    mutating func fork() -> DemoRandom {
        DemoRandom(seed: next(), stream: 0x5EED)
    }

    /// A uniform integer in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next().multipliedFullWidth(by: span).high)
    }

    /// A uniform integer in `range` rounded down to a multiple of `step`.
    mutating func int(_ range: ClosedRange<Int>, step: Int) -> Int {
        max(range.lowerBound, int(range) / step * step)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) * 0x1p-53 < p
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[int(0...(items.count - 1))]
    }

    /// One of `items`, chosen in proportion to its weight.
    mutating func weighted<T>(_ items: [(T, Int)]) -> T {
        var roll = int(0...(items.reduce(0) { $0 + $1.1 } - 1))
        for (item, weight) in items {
            if roll < weight { return item }
            roll -= weight
        }
        return items[items.count - 1].0
    }

    // MARK: - Identifiers

    private static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func base62(_ count: Int) -> String {
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count { bytes[i] = Self.base62[int(0...61)] }
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func hex(_ count: Int) -> String {
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count { bytes[i] = Self.hexDigits[Int(next() & 0xF)] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A random (version 4) UUID, lower case.
    mutating func uuid() -> String {
        let a = next(), b = next()
        return Self.uuidText(high: (a & ~0xF000) | 0x4000, low: (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000)
    }

    /// A version 7 UUID for an instant (Codex's session and turn ids).
    mutating func uuid7(epochMilliseconds ms: Int64) -> String {
        let random = next()
        let high = (UInt64(ms) << 16) | 0x7000 | (random & 0x0FFF)
        return Self.uuidText(high: high, low: (next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000)
    }

    private static func uuidText(high: UInt64, low: UInt64) -> String {
        let h = hex(high, width: 16), l = hex(low, width: 16)
        return "\(h.prefix(8))-\(h.dropFirst(8).prefix(4))-\(h.suffix(4))-\(l.prefix(4))-\(l.suffix(12))"
    }

    static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
