import Foundation
import Testing
import TallyKit

/// `backfill`, `resync`, `export` and `migrate` through the built binary, on the demo data.
@Suite(.serialized) struct RepairCommandsTests {
    let tally = TallyProcess()

    func demo() throws -> String {
        let db = tally.path("demo.db")
        let r = try tally.run(["--db", db, "demo", tally.path("corpus")])
        #expect(r.status == 0, "\(r.stderr)")
        return db
    }

    @Test func backfillAndResyncRepairTheDemo() throws {
        let db = try demo()
        let dry = try tally.run(["--db", db, "--format", "csv", "backfill", "rollups", "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.stdout.hasPrefix("target,examined,updated,unchanged,total_tokens_before,total_tokens_after,cost_usd_before,cost_usd_after\nrollups:sessions,234,40,194,"))
        #expect(dry.stderr.contains("dry run: nothing was changed"))
        let first = try tally.run(["--db", db, "--format", "csv", "backfill", "rollups"])
        #expect(first.stdout == dry.stdout)
        let second = try tally.run(["--db", db, "--format", "json", "backfill", "rollups"])
        #expect(second.stdout.contains(#""examined":234,"updated":0,"unchanged":234"#))
        let root = try tally.run(["--db", db, "--format", "csv", "-c",
            "SELECT rollup_total_tokens, rollup_cost_nanos FROM sessions WHERE id = 'ses_328f1deeeffeJZIoFdNxLNUjy1';"])
        #expect(root.stdout == "rollup_total_tokens,rollup_cost_nanos\n73706,107204050\n")

        let resync = try tally.run(["--db", db, "--format", "csv", "resync", "--run", "3fd423c0"])
        #expect(resync.stdout == "run_id,status,old_cost_usd,new_cost_usd,action\n3fd423c0,completed,0.09,2.37,updated\n")
        let all = try tally.run(["--db", db, "--format", "csv", "resync"])
        #expect(all.stdout.contains("559d1025,running,1.03784,0.76454,skipped-lower\n"))
        let forced = try tally.run(["--db", db, "--format", "csv", "resync", "--run", "559d1025", "--force"])
        #expect(forced.stdout.hasSuffix("559d1025,running,1.03784,0.76454,updated\n"))
        let log = try tally.run(["--db", db, "--format", "csv", "-c",
            "SELECT entity_id, old_value, new_value FROM cost_audit_log WHERE entity = 'workflow_summaries' ORDER BY id;"])
        #expect(log.stdout == "entity_id,old_value,new_value\n3fd423c0,90000000,2370000000\n559d1025,1037840000,764540000\n")
    }

    /// Runs that write nothing leave the database file as it was, byte for byte: an analysis, a
    /// dry run, a failing command. (GRDB's pool used to write a table and drop it on every open
    /// when no -wal file existed, which reached the file at the checkpoint on close.)
    @Test func runsThatWriteNothingLeaveTheFileByteForByte() throws {
        let db = try demo()
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        #expect(!FileManager.default.fileExists(atPath: db + "-wal"))
        for args in [["tables"], ["cost-by-model"], ["backfill", "rollups", "--dry-run"], ["resync", "--dry-run"],
                     ["resync", "--run", "no-such-run"], ["-c", "SELECT count(*) FROM calls"]] {
            _ = try tally.run(["--db", db] + args)
            #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "\(args) changed the file")
        }
        let fixed = try tally.run(["--db", db, "backfill", "rollups"])
        #expect(fixed.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) != before)
    }

    @Test func exportWritesFilesAndNeverOverwritesSilently() throws {
        let db = try demo()
        let out = tally.path("calls.csv")
        let first = try tally.run(["--db", db, "export", "calls", "--to", out])
        #expect(first.status == 0)
        #expect(first.stdout == "wrote 1126 row(s) of calls to \(out) (csv)\n")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 1127)
        let again = try tally.run(["--db", db, "export", "calls", "--to", out])
        #expect(again.status == 2)
        #expect(again.stderr == "error: export: \(out) already exists: choose another file or add --force to replace it\n")
        // Read-only databases export too; --format names the file's format.
        let json = tally.path("costs.data")
        let ro = try tally.run(["--db", db, "--read-only", "export", "cost-by-model", "--since", "2026-03-01", "--to", json, "--format", "json"])
        #expect(ro.status == 0, "\(ro.stderr)")
        let shown = try tally.run(["--db", db, "--read-only", "cost-by-model", "--since", "2026-03-01", "--format", "json"])
        #expect(try String(contentsOfFile: json, encoding: .utf8) == shown.stdout)
    }

    /// `tally migrate ...` opens a database with pending migrations without migrating it first.
    @Test func migrateReportsPendingMigrationsWithoutApplyingThem() throws {
        let db = tally.path("old.db")
        #expect(try tally.run(["--db", db, "-c", "CREATE TABLE notes(x);"]).status == 0)
        let rows = { (status: String) in
            Schema.migrator.migrations.map { "\($0),\(status),\(Schema.downSteps[$0] != nil)\n" }.joined()
        }
        let status = try tally.run(["--db", db, "--format", "csv", "migrate", "status"])
        #expect(status.stdout == "migration,status,reversible\n" + rows("applied"))
        // Pretend nothing is applied yet: an older database than this tally.
        #expect(try tally.run(["--db", db, "-c", "DELETE FROM grdb_migrations;"]).status == 0)
        let pending = try tally.run(["--db", db, "--format", "csv", "migrate", "status"])
        #expect(pending.status == 0, "\(pending.stderr)")
        #expect(pending.stdout == "migration,status,reversible\n" + rows("pending"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tally.home.path).filter { $0.contains("backup") }.isEmpty)
        let readOnly = try tally.run(["--db", db, "--read-only", "migrate", "up"])
        #expect(readOnly.status == 1)
        #expect(readOnly.stderr == "error: the database is open read-only (--read-only): the command 'migrate' is not allowed.\n")
    }
}
