import Foundation
import GRDB

extension Periods {
    /// The periods a result over time lists for `filter`, empty ones included: from `--since`
    /// (else the first matching call) to `--until` (else the last matching call, or now when
    /// only `--since` is given), plus any label in `present`; sorted.
    public static func labels(
        covering filter: CallFilter, by unit: Unit, db: Database, environment: Environment,
        present: some Sequence<String> = [String]()
    ) throws -> [String] {
        // Two subqueries: SQLite answers a lone min() or max() from the started_at index, but
        // `SELECT min(x), max(x)` scans every call.
        let range = try Row.fetchOne(db, SQLRequest<Row>(literal: """
            SELECT (SELECT min(c.started_at) FROM calls c WHERE \(filter.condition)),
                   (SELECT max(c.started_at) FROM calls c WHERE \(filter.condition))
            """))
        let first: String? = range?[0], last: String? = range?[1]
        let now = Timestamps.iso(environment.now)
        let start = filter.since.map(Timestamps.iso) ?? first
        let end: String?
        if let until = filter.until {
            end = Timestamps.iso(until.addingTimeInterval(-0.001))
        } else if filter.since != nil {
            end = max(last ?? now, now)
        } else {
            end = last
        }
        var labels: [String] = []
        if let start, let end {
            labels = Periods.labels(from: start, through: end, by: unit, timeZone: environment.timeZone)
        }
        return Array(Set(labels).union(present)).sorted()
    }
}
