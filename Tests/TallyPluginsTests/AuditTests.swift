import Foundation
import GRDB
import Testing
import TallyAnalyses
import TallyCommands
@testable import TallyKit

/// The demo database as `tally demo` builds it, once for every test that reads it, with the
/// manifest of what the corpus planted.
enum AuditDemo {
    static let shared: Result<(store: Store, manifest: DemoCorpus.Manifest), Error> = Result {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("tally-audit-demo-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: root)
        defer { try? FileManager.default.removeItem(at: root) }
        let manifest = try DemoCorpus.generate(into: root.appendingPathComponent("manifest"))
        let store = try Store.inMemory()
        let output = CapturedOutput()
        let interpreter = Interpreter(store: store, registry: builtinRegistry, environment: Fixtures.environment, output: output)
        let outcome = interpreter.execute("demo \(root.appendingPathComponent("corpus").path)")
        guard outcome == .success else { throw UsageError("demo failed: \(outcome) \(output.stderr)") }
        return (store, manifest)
    }

    static func store() throws -> Store { try shared.get().store }
    static func manifest() throws -> DemoCorpus.Manifest { try shared.get().manifest }
}

/// Inserts one call of `nanos` dollars-billionths on a day of March 2026 onwards.
private func insertSpend(_ db: Database, _ id: String, day: Int, nanos: Int64, model: String = "claude-sonnet-4-5",
                         session: String? = nil) throws {
    let at = Timestamps.iso(Timestamps.parse("2026-01-01T12:00:00Z")!.addingTimeInterval(Double(day) * 86_400))
    try db.execute(literal: """
        INSERT INTO calls (id, source, session_id, model, started_at, input_tokens, output_tokens, total_tokens,
                           reported_cost_nanos, cost_nanos, cost_source)
        VALUES (\(id), 'test', \(session), \(model), \(at), 1000, 500, 1500, \(nanos), \(nanos), 'reported')
        """)
}

@Suite struct AnomaliesTests {
    /// Sixty days around $10 (seeded, $8.50 … $11.50), optionally with day 40 at $45.
    static func series(spike: Bool) throws -> Store {
        let store = try Store.inMemory()
        var rng = SeededGenerator(seed: 60)
        try store.write { db in
            for day in 0..<60 {
                let cost: Int64 = spike && day == 40 ? 45_000_000_000 : 10_000_000_000 + .random(in: -1_500_000_000...1_500_000_000, using: &rng)
                try insertSpend(db, "d\(day)", day: day, nanos: cost)
            }
        }
        return store
    }

    /// Issue 5's acceptance: exactly the $45 day is flagged, and nothing without it.
    @Test func flagsExactlyTheSpikeOfSixtyDays() throws {
        let spiked = try run("anomalies", on: try Self.series(spike: true))
        #expect(spiked.values("period") == [.text("2026-02-10")])  // 2026-01-01 + 40 days
        let row = try #require(spiked.records.first)
        #expect(row["cost_usd"] == .decimal(45))
        #expect(try #require(row["zscore"]?.doubleValue) > 2 && (try #require(row["ratio"]?.doubleValue)) > 4)
        #expect(row["top_model"] == .text("claude-sonnet-4-5"))

        let flat = try run("anomalies", on: try Self.series(spike: false))
        #expect(flat.rows.isEmpty)
        #expect(flat.notes.first?.hasPrefix("no anomalies among 53 judged") == true)  // days 7…59
    }

    /// The baseline of a reported period reaches back before --since; the spike's own day never
    /// enters its baseline.
    @Test func baselinesReachBackBeforeSince() throws {
        let store = try Self.series(spike: true)
        #expect(try run("anomalies --since 2026-02-10 --until 2026-02-11", on: store).values("period") == [.text("2026-02-10")])
        #expect(try run("anomalies --since 2026-02-11", on: store).rows.isEmpty)
        // The spike day's baseline is the 14 days before it: their mean is the baseline shown.
        let expected = try store.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT sum(cost_nanos) FROM calls WHERE started_at >= '2026-01-27' AND started_at < '2026-02-10'
                """)!
        }
        let row = try #require(try run("anomalies", on: store).records.first)
        let baseline = try #require(row["baseline_usd"]?.decimalValue)
        #expect(abs(baseline * 14 - Money.usd(nanos: expected)) <= Decimal(string: "0.000000014")!)
    }

    /// `--per-model` judges each model's own series: a spike of a small model stands out
    /// there, though it hides in the total.
    @Test func perModelFindsASpikeTheTotalHides() throws {
        let store = try Self.series(spike: false)
        try store.write { db in
            for day in 0..<60 {
                try db.execute(literal: "INSERT INTO sessions (id, source) VALUES (\(day == 50 ? "ses-big" : "ses-\(day)"), 'test')")
                try insertSpend(db, "h\(day)", day: day, nanos: day == 50 ? 1_500_000_000 : 100_000_000 + Int64(day % 3) * 10_000_000,
                                model: "claude-haiku-4-5", session: day == 50 ? "ses-big" : "ses-\(day)")
            }
        }
        #expect(try run("anomalies", on: store).rows.isEmpty)
        let perModel = try run("anomalies --per-model", on: store)
        #expect(perModel.columns.map(\.name) == ["period", "model", "cost_usd", "baseline_usd", "zscore", "ratio", "top_model", "top_session"])
        #expect(perModel.records.map { [$0["period"]!, $0["model"]!, $0["top_session"]!] }
            == [[.text("2026-02-20"), .text("claude-haiku-4-5"), .text("ses-big")]])
    }

    @Test func weeksMonthsAndSessionsRun() throws {
        let store = try Self.series(spike: true)
        // Weeks of about $70; the spike's week is about $105: over mean + 2 sd but not 2 × mean.
        #expect(try run("anomalies --by week --window 4 --min-history 3", on: store).rows.isEmpty)
        let weeks = try run("anomalies --by week --window 4 --min-history 3 --ratio 1.3", on: store)
        #expect(weeks.values("period") == [.text("2026-W07")])  // 2026-02-10 is in ISO week 7
        let months = try run("anomalies --by month --window 2 --min-history 2", on: store)
        #expect(months.rows.isEmpty && months.notes.first?.hasPrefix("no anomalies among 1 judged") == true)
        // Without sessions, --by session has nothing to judge and says why.
        let sessions = try run("anomalies --by session", on: store)
        #expect(sessions.rows.isEmpty && sessions.notes.contains { $0.contains("60 call(s) without a session") })
    }

    @Test func rejectsAWindowShorterThanTheHistoryItNeeds() throws {
        #expect(throws: UsageError.self) { try run("anomalies --window 5 --min-history 7", on: try Store.inMemory()) }
    }
}

@Suite struct StaleCostsTests {
    /// Issue 5's acceptance: the demo's completed run stored at $0.09 whose records sum to $2.37.
    @Test func findsTheDemoStaleRun() throws {
        let manifest = try AuditDemo.manifest()
        let result = try run("stale-costs --kind run", on: try AuditDemo.store())
        let records = result.records
        let stale = try #require(records.first { $0["id"] == .text(manifest.workflows.staleRun.id) })
        #expect(manifest.workflows.staleRun.id.hasPrefix("3fd423c0"))
        #expect(stale["status"] == .text("completed"))
        #expect(stale["stored_cost_usd"] == .decimal(Decimal(string: "0.09")!))
        #expect(stale["actual_cost_usd"] == .decimal(Decimal(string: "2.37")!))
        #expect(stale["delta_usd"] == .decimal(Decimal(string: "2.28")!))
        #expect(records.first?["id"] == .text(manifest.workflows.staleRun.id), "worst first")
        // The running run stored above its records is listed, with the sync rule's reason.
        let running = try #require(records.first { $0["id"] == .text(manifest.workflows.runningRun.id) })
        #expect(running["status"] == .text("running"))
        #expect(running["reason"]?.stringValue?.contains("keeps the higher stored value") == true)
        #expect(try #require(running["delta_usd"]?.decimalValue) < 0)
        // Runs whose summary matches their records are not.
        for run in manifest.workflows.upToDateRuns { #expect(!records.contains { $0["id"] == .text(run.id) }) }
        #expect(records.count == 2)
        #expect(result.notes.contains { $0.contains(manifest.workflows.storedOnlyRunID) })
    }

    @Test func findsTheDemoZeroRollupAmongSessions() throws {
        let manifest = try AuditDemo.manifest()
        let sessions = try run("stale-costs --kind session", on: try AuditDemo.store()).records
        let zero = try #require(sessions.first { $0["id"] == .text(manifest.openCode.zeroRollupSessionID) })
        #expect(zero["stored_cost_usd"] == .decimal(0) && zero["ratio"] == .null)
        #expect(zero["reason"]?.stringValue?.hasPrefix("stored rollup is 0") == true)
        #expect(sessions.allSatisfy { $0["kind"] == .text("session") })
    }

    /// The calls listed are exactly those SQL finds more than the tolerance apart.
    @Test(arguments: ["5", "0", "50"])
    func callsOverTheToleranceMatchSQL(_ tolerance: String) throws {
        let store = try demoLikeStore(calls: 2000)
        let listed = try run("stale-costs --kind call --tolerance \(tolerance)", on: store).values("id").compactMap(\.stringValue)
        let expected = try store.read { db in
            try String.fetchAll(db, sql: """
                SELECT id FROM calls WHERE reported_cost_nanos IS NOT NULL AND computed_cost_nanos IS NOT NULL
                  AND abs(computed_cost_nanos - reported_cost_nanos) * 100.0 > ? * computed_cost_nanos
                """, arguments: [Double(tolerance)!])
        }
        #expect(!expected.isEmpty)
        #expect(Set(listed) == Set(expected) && listed.count == expected.count)
    }
}

@Suite struct SuspiciousTokensTests {
    /// The outliers are those over median + 10 × MAD as the SQL aggregates compute them.
    @Test func outliersMatchTheSQLMedianAndMAD() throws {
        let store = try Store.inMemory()
        var rng = SeededGenerator(seed: 5)
        try store.write { db in
            for n in 0..<600 {
                let model = ["m-a", "m-b", "m-c"][n % 3]
                let total: Int64 = n % 97 == 0 ? .random(in: 100_000...400_000, using: &rng) : .random(in: 5_000...15_000, using: &rng)
                try insertCall(db, "c\(n)", model: model, at: "2026-03-01T10:00:00.000Z", input: total - 10, output: 10)
            }
        }
        let result = try run("suspicious-tokens --max-input 1000000", on: store)
        let listed = result.records.filter { $0["reason"]?.stringValue?.hasPrefix("outlier") == true }.compactMap { $0["call_id"]?.stringValue }
        let expected = try store.read { db in
            try String.fetchAll(db, sql: """
                SELECT c.id FROM calls c JOIN (SELECT model, median(total_tokens) + 10 * mad(total_tokens) AS bound
                                              FROM calls GROUP BY model) b ON b.model = c.model
                WHERE c.total_tokens > b.bound
                """)
        }
        #expect(expected.count >= 5)
        #expect(Set(listed) == Set(expected) && listed.count == expected.count)
    }

    /// On the demo: every call with a reported cost of 0 but a computed one (a priced model) is
    /// listed, and the limit keeps at most that many rows per check.
    @Test func listsTheDemoZeroReportedCosts() throws {
        let store = try AuditDemo.store()
        let rows = try run("suspicious-tokens --limit 0", on: store).records
        let zeroReported = rows.filter { $0["field"] == .text("reported_cost_usd") }.compactMap { $0["call_id"]?.stringValue }
        let expected = try store.read { db in
            try String.fetchAll(db, sql: """
                SELECT id FROM calls WHERE reported_cost_nanos = 0 AND computed_cost_nanos > 0 AND total_tokens > 0
                """)
        }
        #expect(!expected.isEmpty && Set(zeroReported) == Set(expected))
        let limited = try run("suspicious-tokens --limit 3", on: store)
        #expect(limited.records.filter { $0["field"] == .text("reported_cost_usd") }.count == 3)
        #expect(limited.notes.contains { $0.hasPrefix("\(expected.count) reported_cost_usd rows") })
    }
}

@Suite struct TokenAuditTests {
    /// Issue 5's acceptance: the demo's root session whose stored rollup is 0.
    @Test func reportsTheDemoZeroRootRollup() throws {
        let manifest = try AuditDemo.manifest()
        let records = try run("token-audit", on: try AuditDemo.store()).records
        let zero = try #require(records.first { $0["check"] == .text("zero-root-rollup") })
        #expect(zero["count"] == .integer(1))
        #expect(zero["example_id"] == .text(manifest.openCode.zeroRollupSessionID))
        #expect(manifest.openCode.zeroRollupSessionID == "ses_328f1deeeffeJZIoFdNxLNUjy1")
        // The three planted malformed inputs are rejected records.
        let rejected = records.filter { $0["check"] == .text("rejected-record") }.compactMap { $0["count"]?.int64Value }
        #expect(rejected.reduce(0, +) == Int64(manifest.malformed.count))
    }
}

@Suite struct IntegrityTests {
    @Test func theDemoDatabaseIsConsistent() throws {
        let result = try run("integrity", on: try AuditDemo.store())
        #expect(result.failure == nil)
        #expect(result.records.allSatisfy { $0["status"] != .text("fail") })
    }

    /// A foreign key broken behind SQLite's back (foreign keys off) fails the run.
    @Test func aBrokenForeignKeyFails() throws {
        let store = try Fixtures.store("tiny")
        try store.writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "UPDATE calls SET session_id = 'ses-gone' WHERE id = 'call-3'")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let result = try run("integrity", on: store)
        let calls = try #require(result.records.first { $0["check"] == .text("foreign-key") && $0["table"] == .text("calls") })
        #expect(calls["status"] == .text("fail") && calls["count"] == .integer(1))
        #expect(result.failure == "integrity: 1 of 22 checks failed: foreign-key calls")
        let output = CapturedOutput()
        let interpreter = Interpreter(store: store, registry: builtinRegistry, environment: Fixtures.environment, output: output)
        #expect(interpreter.execute("integrity --format csv").failed)
        #expect(output.stdout.contains("foreign-key,calls,fail,1,"))
    }
}

extension IntegrityTests {
    /// A rollup changed behind the triggers' back fails the run; one rebuilt from calls passes.
    @Test func aDriftedRollupFails() throws {
        let store = try Fixtures.store("tiny")
        try store.writer.writeWithoutTransaction { db in
            try db.execute(sql: "UPDATE call_rollup SET cost_nanos = cost_nanos + 1 WHERE model = 'gpt-5'")
        }
        #expect(try run("integrity", on: store).failure == nil)  // the rollups are checked with --full
        let result = try run("integrity --full", on: store)
        let derived = try #require(result.records.first { $0["check"] == .text("derived") })
        // The drifted row, and the row the recomputation has instead; the coarser rollups follow it.
        #expect(derived["table"] == .text("call_rollup") && derived["status"] == .text("fail") && derived["count"] == .integer(2))
        #expect(result.failure == "integrity: 3 of 25 checks failed: derived call_rollup, derived quarter_rollup, derived session_rollup")
        try store.write { db in try Schema.rebuildCallRollup(db) }
        #expect(try run("integrity --full", on: store).failure == nil)
    }
}

@Suite struct PricingCoverageTests {
    /// The covered calls and tokens add up to what SQL counts as computed.
    @Test func coverageAddsUpToTheComputedCalls() throws {
        let store = try demoLikeStore(calls: 2000)
        let result = try run("pricing-coverage", on: store)
        let (calls, priced, tokens) = try store.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), count(computed_cost_nanos), coalesce(sum(CASE WHEN computed_cost_nanos IS NOT NULL THEN total_tokens END), 0)
                FROM calls
                """)!
            return (row[0] as Int64, row[1] as Int64, row[2] as Int64)
        }
        #expect(result.sum("calls") == Decimal(calls) && result.sum("priced_calls") == Decimal(priced))
        #expect(result.sum("priced_tokens") == Decimal(tokens))
        #expect(result.notes.contains { $0.contains("unpriced") && $0.contains("acme-internal-7b") })
    }
}
