import Foundation

/// The descriptive statistics the audit analyses share, on plain arrays: mean, sample standard
/// deviation (n − 1), quantiles, median and median absolute deviation.
///
/// They agree with the SQL aggregates of the same names (`stddev`, `median`, `percentile`, `mad`
/// in `SQLFunctions`): quantiles interpolate linearly between neighbours (type 7 of Hyndman &
/// Fan, R's and NumPy's default) and the MAD is unscaled. Analyses that already hold their values
/// in Swift (a period series, a model's token counts) use these instead of a second query.
public enum Statistics {
    /// The arithmetic mean; nil for no values.
    public static func mean(_ values: [Double]) -> Double? {
        moments(values).map(\.mean)
    }

    /// The sample standard deviation (divisor n − 1, as SPEC §8 asks of `anomalies`); nil for
    /// fewer than two values.
    public static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        guard let m = moments(values), m.count >= 2 else { return nil }
        return (m.squaredDeviations / Double(m.count - 1)).squareRoot()
    }

    /// The value at `fraction` (0…1) of `sorted`, interpolating linearly between neighbours;
    /// nil for no values. `sorted` must be in ascending order.
    public static func quantile(sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = min(max(fraction, 0), 1) * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (rank - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    /// The median (the mean of the two middle values for an even count); nil for no values.
    /// Found by selection, not by sorting: linear time, for a model's million token counts.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        var v = values
        let upper = v.count / 2
        select(&v, upper)
        guard v.count % 2 == 0 else { return v[upper] }
        let lower = v[..<upper].max()!  // everything left of the selected one is not larger
        return lower + (v[upper] - lower) / 2
    }

    /// Reorders `v` so that `v[k]` is the value a sort would put there, none larger before it
    /// and none smaller after it (Hoare's selection, median-of-three pivots): the k-th smallest
    /// in linear time.
    public static func select(_ v: inout [Double], _ k: Int) {
        var low = 0, high = v.count - 1
        while low < high {
            let mid = low + (high - low) / 2
            if v[mid] < v[low] { v.swapAt(mid, low) }
            if v[high] < v[low] { v.swapAt(high, low) }
            if v[high] < v[mid] { v.swapAt(high, mid) }
            let pivot = v[mid]
            var i = low, j = high
            while i <= j {
                while v[i] < pivot { i += 1 }
                while pivot < v[j] { j -= 1 }
                if i <= j {
                    v.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { high = j } else if k >= i { low = i } else { return }
        }
    }

    /// The median absolute deviation from the median, unscaled (multiply by 1.4826 to estimate σ
    /// of a normal distribution); nil for no values.
    public static func medianAbsoluteDeviation(_ values: [Double]) -> Double? {
        guard let center = median(values) else { return nil }
        return median(values.map { abs($0 - center) })
    }

    /// `value` rounded half away from zero to `places` decimals, as an exact decimal for a result
    /// cell (`12.3456` → `12.35` for 2 places); nil when not finite. Built from the scaled
    /// integer, not by Decimal arithmetic: results with a quarter of a million rows make many.
    public static func rounded(_ value: Double, places: Int) -> Decimal? {
        guard value.isFinite else { return nil }
        var scale = 1.0
        for _ in 0..<max(places, 0) { scale *= 10 }
        let scaled = (value * scale).rounded(.toNearestOrAwayFromZero)
        guard abs(scaled) < 9e15 else {
            var exact = Decimal(value)
            var result = Decimal()
            NSDecimalRound(&result, &exact, places, .plain)
            return result
        }
        let integer = Int64(scaled)
        return Decimal(sign: integer < 0 ? .minus : .plus, exponent: -max(places, 0), significand: Decimal(integer.magnitude))
    }

    /// Count, mean and sum of squared deviations in one pass (Welford): no cancellation when the
    /// values are large and close together, as costs in nano-dollars are.
    private static func moments(_ values: [Double]) -> (count: Int, mean: Double, squaredDeviations: Double)? {
        guard !values.isEmpty else { return nil }
        var mean = 0.0, squaredDeviations = 0.0
        for (i, x) in values.enumerated() {
            let delta = x - mean
            mean += delta / Double(i + 1)
            squaredDeviations += delta * (x - mean)
        }
        return (values.count, mean, squaredDeviations)
    }
}
