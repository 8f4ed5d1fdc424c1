import Foundation
import GRDB
@testable import TallyKit

// Small helpers the TallyKit tests have too (test targets do not share files).

/// Inserts one call with the given tokens (nil = NULL split) and reported cost.
func insertCall(
    _ db: Database, _ id: String, model: String?, provider: String? = nil, at startedAt: String,
    input: Int64? = nil, output: Int64? = nil, reasoning: Int64? = nil, cacheRead: Int64? = nil,
    cacheWrite: Int64? = nil, cacheWrite1h: Int64? = nil, total: Int64? = nil, reported: Int64? = nil
) throws {
    let sum = [input, output, reasoning, cacheRead, cacheWrite].compactMap { $0 }.reduce(0, +)
    try db.execute(
        literal: """
            INSERT INTO calls (id, source, provider, model, started_at, input_tokens, output_tokens, reasoning_tokens,
                               cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, total_tokens, reported_cost_nanos)
            VALUES (\(id), 'test', \(provider), \(model), \(startedAt), \(input), \(output), \(reasoning), \(cacheRead),
                    \(cacheWrite), \(cacheWrite1h), \(total ?? sum), \(reported))
            """)
}

/// A small deterministic generator (SplitMix64) so random tests repeat.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
