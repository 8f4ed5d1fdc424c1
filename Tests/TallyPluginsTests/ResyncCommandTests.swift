import Foundation
import GRDB
import Testing
@testable import TallyKit

/// Issue 6 and SPEC §6: `resync` repairs stored workflow summaries by the sync rule.
@Suite struct ResyncCommandTests {
    static let stale = "3fd423c0"
    static let running = "559d1025"

    func stored(_ store: Store, _ run: String) throws -> Int64? {
        try store.read { db in try Int64.fetchOne(db, sql: "SELECT stored_cost_nanos FROM workflow_summaries WHERE run_id = ?", arguments: [run]) }
    }

    func audited(_ store: Store) throws -> [String] {
        try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT entity_id, field, old_value, new_value, command FROM cost_audit_log
                WHERE entity = 'workflow_summaries' ORDER BY id
                """).map { "\($0["entity_id"] as String) \($0["field"] as String) \($0["old_value"] as Int64) \($0["new_value"] as Int64) \($0["command"] as String)" }
        }
    }

    @Test func theStaleCompletedRunTakesItsSourceCostAndIsLogged() throws {
        let (store, _) = try DemoCopy.open()
        let (outcome, output) = execute("resync --run \(Self.stale)", on: store)
        #expect(outcome == .success)
        #expect(output.stdout == """
            run_id,status,old_cost_usd,new_cost_usd,action
            3fd423c0,completed,0.09,2.37,updated

            """)
        #expect(try stored(store, Self.stale) == 2_370_000_000)
        #expect(try audited(store) == ["3fd423c0 stored_cost_nanos 90000000 2370000000 resync"])
        // A second run has nothing left to do.
        #expect(execute("resync --run \(Self.stale)", on: store).1.stdout.hasSuffix(",unchanged\n"))
        #expect(try audited(store).count == 1)
    }

    @Test func aRunningRunNeverGoesLowerUnlessForced() throws {
        let (store, _) = try DemoCopy.open()
        let all = try run("resync", on: store)
        #expect(all.records.map { "\($0["run_id"]!.stringValue!) \($0["status"]!.stringValue!) \($0["action"]!.stringValue!)" } == [
            "3fd423c0 completed updated", "445fa294 failed unchanged", "559d1025 running skipped-lower",
            "e335d84b completed missing-source", "ffc4193b completed unchanged",
        ])
        let skipped = try #require(all.records.first { $0["run_id"] == .text(Self.running) })
        #expect(skipped["old_cost_usd"] == .decimal(Decimal(string: "1.03784")!))
        #expect(skipped["new_cost_usd"] == .decimal(Decimal(string: "0.76454")!))
        #expect(try stored(store, Self.running) == 1_037_840_000)

        let forced = try run("resync --run \(Self.running) --force", on: store)
        #expect(forced.records.first?["action"] == "updated")
        #expect(try stored(store, Self.running) == 764_540_000)
        #expect(try audited(store) == [
            "3fd423c0 stored_cost_nanos 90000000 2370000000 resync",
            "559d1025 stored_cost_nanos 1037840000 764540000 resync",
        ])
        let reason = try store.read { db in try String.fetchOne(db, sql: "SELECT reason FROM cost_audit_log WHERE entity_id = ?", arguments: [Self.running]) }
        #expect(reason == "resync (--force)")
    }

    @Test func dryRunSaysWouldUpdateAndChangesNothing() throws {
        let store = try Fixtures.store("repair")
        let before = try contents(store)
        let result = try run("resync --dry-run --force", on: store)
        #expect(result.values("action") == ["unchanged", "missing-source", "would-update", "would-update"])
        #expect(try contents(store) == before)
    }

    /// A failing row midway (the second of two updates raises) leaves the database as before.
    @Test func aFailureMidwayLeavesTheDatabaseExactlyAsBefore() throws {
        let (store, path) = try DemoCopy.open()
        try store.withConnection { db in
            try db.execute(sql: """
                CREATE TEMP TRIGGER fail_midway BEFORE UPDATE ON main.workflow_summaries WHEN OLD.run_id = '\(Self.running)'
                BEGIN SELECT RAISE(ABORT, 'simulated failure'); END
                """)
        }
        try checkpoint(store)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let before = try contents(store)
        // --force updates 3fd423c0 (and audits it) first, then fails on 559d1025.
        let (outcome, _) = execute("resync --force", on: store)
        #expect(outcome.message == "simulated failure")
        try checkpoint(store)
        #expect(try contents(store) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func unknownAndSummarylessRunsAreErrors() throws {
        let store = try Fixtures.store("repair")
        try store.write { db in try db.execute(sql: "INSERT INTO workflow_runs (run_id, status) VALUES ('run-new', 'running')") }
        #expect(execute("resync --run run-new", on: store).0.message
            == "run run-new has source records but no stored summary to repair: index its workflow_history database first (`index workflows PATH`)")
        #expect(execute("resync --run nothing-like-it", on: store).0.message
            == "no workflow summary with run id 'nothing-like-it' (`SELECT run_id, status FROM workflow_summaries;` lists them)")
    }
}

/// The sync rule alone (SPEC §6).
@Suite struct WorkflowSyncRuleTests {
    @Test func completedAndFailedRunsAlwaysTakeTheSourceCost() {
        for status in ["completed", "failed"] {
            #expect(WorkflowResync.rule(status: status, stored: 90, source: 237, force: false) == .updated)
            #expect(WorkflowResync.rule(status: status, stored: 237, source: 90, force: false) == .updated)
            #expect(WorkflowResync.rule(status: status, stored: nil, source: 90, force: false) == .updated)
            #expect(WorkflowResync.rule(status: status, stored: 90, source: 90, force: false) == .unchanged)
        }
    }

    @Test func runningRunsOnlyGoUpUnlessForced() {
        #expect(WorkflowResync.rule(status: "running", stored: 90, source: 237, force: false) == .updated)
        #expect(WorkflowResync.rule(status: "running", stored: nil, source: 237, force: false) == .updated)
        #expect(WorkflowResync.rule(status: "running", stored: 237, source: 90, force: false) == .skippedLower)
        #expect(WorkflowResync.rule(status: "running", stored: 237, source: 90, force: true) == .updated)
        #expect(WorkflowResync.rule(status: "running", stored: 90, source: 90, force: true) == .unchanged)
    }
}
