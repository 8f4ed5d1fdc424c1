import Foundation
import GRDB

// MARK: - Statistical aggregates

extension SQLFunctions {
    static let statistics: [DatabaseFunction] = [
        DatabaseFunction("stddev", argumentCount: 1, pure: true, aggregate: SampleStandardDeviation.self),
        DatabaseFunction("stddev_pop", argumentCount: 1, pure: true, aggregate: PopulationStandardDeviation.self),
        DatabaseFunction("variance", argumentCount: 1, pure: true, aggregate: SampleVariance.self),
        DatabaseFunction("variance_pop", argumentCount: 1, pure: true, aggregate: PopulationVariance.self),
        DatabaseFunction("median", argumentCount: 1, pure: true, aggregate: Median.self),
        DatabaseFunction("percentile", argumentCount: 2, pure: true, aggregate: Percentile.self),
        DatabaseFunction("mad", argumentCount: 1, pure: true, aggregate: MedianAbsoluteDeviation.self),
    ]
}

/// Running count, mean and sum of squared deviations (Welford): one pass, no cancellation.
private struct Moments {
    var count = 0
    var mean = 0.0
    var squaredDeviations = 0.0

    mutating func add(_ value: DatabaseValue, in function: String) throws {
        guard let x = try SQLFunctions.number(value, in: function) else { return }
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        squaredDeviations += delta * (x - mean)
    }

    var sampleVariance: Double? { count < 2 ? nil : squaredDeviations / Double(count - 1) }
    var populationVariance: Double? { count < 1 ? nil : squaredDeviations / Double(count) }
}

private struct SampleStandardDeviation: DatabaseAggregate {
    var moments = Moments()
    mutating func step(_ arguments: [DatabaseValue]) throws { try moments.add(arguments[0], in: "stddev") }
    func finalize() -> (any DatabaseValueConvertible)? { moments.sampleVariance.map { $0.squareRoot() } }
}

private struct PopulationStandardDeviation: DatabaseAggregate {
    var moments = Moments()
    mutating func step(_ arguments: [DatabaseValue]) throws { try moments.add(arguments[0], in: "stddev_pop") }
    func finalize() -> (any DatabaseValueConvertible)? { moments.populationVariance.map { $0.squareRoot() } }
}

private struct SampleVariance: DatabaseAggregate {
    var moments = Moments()
    mutating func step(_ arguments: [DatabaseValue]) throws { try moments.add(arguments[0], in: "variance") }
    func finalize() -> (any DatabaseValueConvertible)? { moments.sampleVariance }
}

private struct PopulationVariance: DatabaseAggregate {
    var moments = Moments()
    mutating func step(_ arguments: [DatabaseValue]) throws { try moments.add(arguments[0], in: "variance_pop") }
    func finalize() -> (any DatabaseValueConvertible)? { moments.populationVariance }
}

// MARK: - Order statistics

/// The non-NULL values of a group, for statistics that need them sorted.
private struct Sample {
    var values: [Double] = []

    mutating func add(_ value: DatabaseValue, in function: String) throws {
        if let x = try SQLFunctions.number(value, in: function) { values.append(x) }
    }

    /// The value at `fraction` (0…1) of the sorted sample, interpolating linearly between
    /// neighbours (type 7 of Hyndman & Fan: R's and NumPy's default).
    static func quantile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = fraction * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (rank - Double(lower)) * (sorted[upper] - sorted[lower])
    }
}

private struct Median: DatabaseAggregate {
    var sample = Sample()
    mutating func step(_ arguments: [DatabaseValue]) throws { try sample.add(arguments[0], in: "median") }
    func finalize() -> (any DatabaseValueConvertible)? { Sample.quantile(sample.values.sorted(), 0.5) }
}

private struct Percentile: DatabaseAggregate {
    var sample = Sample()
    var percent: Double?

    mutating func step(_ arguments: [DatabaseValue]) throws {
        guard let p = try SQLFunctions.number(arguments[1], in: "percentile"), (0...100).contains(p) else {
            throw SQLFunctions.failure(
                "percentile", "p must be a number from 0 to 100, got \(SQLFunctions.describe(arguments[1]))")
        }
        percent = p
        try sample.add(arguments[0], in: "percentile")
    }

    func finalize() -> (any DatabaseValueConvertible)? {
        guard let percent else { return nil }
        return Sample.quantile(sample.values.sorted(), percent / 100)
    }
}

/// Median of the absolute deviations from the median (not scaled to estimate σ).
private struct MedianAbsoluteDeviation: DatabaseAggregate {
    var sample = Sample()
    mutating func step(_ arguments: [DatabaseValue]) throws { try sample.add(arguments[0], in: "mad") }

    func finalize() -> (any DatabaseValueConvertible)? {
        guard let median = Sample.quantile(sample.values.sorted(), 0.5) else { return nil }
        return Sample.quantile(sample.values.map { abs($0 - median) }.sorted(), 0.5)
    }
}
