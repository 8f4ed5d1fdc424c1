import Foundation

/// Compares each value of a series with the values just before it (issue 5, `anomalies`): a
/// value is anomalous when it exceeds both `mean + sigma × sd` and `ratio × mean` of the
/// trailing window, the window holding at least `minHistory` earlier values.
///
/// The window is the `window` values before the one judged, never the value itself; the
/// standard deviation is the sample one (n − 1, SPEC §8). Callers put 0 for an empty period: a
/// day without spend is part of the baseline, not a gap in it. Both conditions are needed: the
/// sigma test alone flags ripples on a very flat series, the ratio test alone flags ordinary days
/// on a noisy one.
public struct TrailingBaseline: Hashable, Sendable {
    public var window: Int
    public var sigma: Double
    public var ratio: Double
    public var minHistory: Int

    public init(window: Int = 14, sigma: Double = 2, ratio: Double = 2, minHistory: Int = 7) {
        self.window = window
        self.sigma = sigma
        self.ratio = ratio
        self.minHistory = minHistory
    }

    /// One value judged against its window.
    public struct Point: Hashable, Sendable {
        /// The position in the series.
        public var index: Int
        public var value: Double
        /// Mean and sample standard deviation of the window.
        public var mean: Double
        public var standardDeviation: Double
        /// `(value − mean) / sd`; nil when the window is flat (sd = 0).
        public var zscore: Double?
        /// `value / mean`; nil when the window's mean is 0.
        public var ratio: Double?
        public var isAnomalous: Bool
    }

    /// Every value that has enough history, judged; values before that are left out.
    public func evaluate(_ series: [Double]) -> [Point] {
        guard window >= 1, minHistory >= 2 else { return [] }
        var points: [Point] = []
        for (i, value) in series.enumerated() {
            let history = Array(series[max(0, i - window)..<i])
            guard history.count >= minHistory, let mean = Statistics.mean(history),
                let sd = Statistics.sampleStandardDeviation(history)
            else { continue }
            points.append(Point(
                index: i, value: value, mean: mean, standardDeviation: sd,
                zscore: sd > 0 ? (value - mean) / sd : nil, ratio: mean > 0 ? value / mean : nil,
                isAnomalous: value > mean + sigma * sd && value > ratio * mean))
        }
        return points
    }

    /// The positions of the anomalous values.
    public func anomalies(_ series: [Double]) -> [Point] {
        evaluate(series).filter(\.isAnomalous)
    }
}
