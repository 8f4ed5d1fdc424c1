import Foundation
import GRDB
import Testing
@testable import TallyKit

/// Issue 6: `migrate` from the released v1 database with a test-only next release.
@Suite struct MigrateCommandTests {
    static let v1 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TallyKitTests/Databases/v1.sqlite").path

    /// Schema v1 plus a test migration that adds a table and a column, with its down step.
    static var nextRelease: SchemaMigrations {
        var m = SchemaMigrations(migrator: Schema.migrator, downSteps: Schema.downSteps)
        m.register("v2-test", down: "DROP TABLE notes; ALTER TABLE calls DROP COLUMN note;") { db in
            try db.execute(sql: """
                CREATE TABLE notes (id INTEGER PRIMARY KEY, call_id TEXT REFERENCES calls(id), text TEXT);
                ALTER TABLE calls ADD COLUMN note TEXT;
                INSERT INTO notes (call_id, text) SELECT id, 'migrated' FROM calls;
                """)
        }
        return m
    }

    /// The shipped migrations (v1, and whatever releases follow it) and the newest of them:
    /// these tests start from the v1 database and add `v2-test` after them.
    static let released = Schema.migrator.migrations
    static let current = released.last!
    /// What the v1 database has pending against `nextRelease`.
    static let pending = Array(released.dropFirst()) + ["v2-test"]

    let dir = temporaryFolder("migrate")

    /// A copy of the released v1 database, opened as `migrate` opens it (pending left pending).
    func openV1(_ migrations: SchemaMigrations = nextRelease) throws -> (Store, String) {
        let path = dir.appendingPathComponent("v1.sqlite").path
        if !FileManager.default.fileExists(atPath: path) { try FileManager.default.copyItem(atPath: Self.v1, toPath: path) }
        let store = try Store.open(path: path, policy: .leavePending, migrator: migrations.migrator, downSteps: migrations.downSteps)
        return (store, path)
    }

    /// Per v1 table: its row count and an FNV-1a checksum of its v1 columns' values, in rowid order.
    static func checksums(_ db: Database, tables: [String: [String]]) throws -> [String: String] {
        var sums: [String: String] = [:]
        for (table, columns) in tables {
            let list = columns.map { "quote(\($0.quotedDatabaseIdentifier))" }.joined(separator: " || ',' || ")
            let rows = try String.fetchAll(db, sql: "SELECT \(list) FROM \(table.quotedDatabaseIdentifier) ORDER BY \(table == "derive_queue" ? "session_id" : "rowid")")
            sums[table] = "\(rows.count) \(FNV1a64.hex(rows.joined(separator: "\n")))"
        }
        return sums
    }

    static func v1Columns(_ db: Database) throws -> [String: [String]] {
        var tables: [String: [String]] = [:]
        for table in try SchemaMigrations.rowCounts(db).keys {
            tables[table] = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table.quotedDatabaseIdentifier))").map { $0["name"] }
        }
        return tables
    }

    @Test func statusListsAppliedAndPendingMigrations() throws {
        let (store, _) = try openV1()
        let (outcome, output) = execute("migrate status", on: store)
        #expect(outcome == .success)
        let rows = ["v1,applied,false"] + Self.pending.map { "\($0),pending,\(Self.nextRelease.downSteps[$0] != nil)" }
        #expect(output.stdout == "migration,status,reversible\n" + rows.joined(separator: "\n") + "\n")
        #expect(output.stderr == "note: schema at v1; \(Self.pending.count) pending: `migrate up` applies them after a backup\n")
    }

    @Test func upPreservesEveryRowBehindABackupThatEqualsTheOriginal() throws {
        let (store, path) = try openV1()
        let original = try store.read { try contents($0) }
        let columns = try store.read { try Self.v1Columns($0) }
        let before = try store.read { try Self.checksums($0, tables: columns) }
        #expect(before["calls"]?.hasPrefix("4 ") == true)

        let backup = dir.appendingPathComponent("before-v2.sqlite").path
        let (outcome, output) = execute("migrate up --backup \(backup)", on: store)
        #expect(outcome == .success, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "table,rows_before,rows_after,foreign_key_violations")
        #expect(lines.contains("calls,4,4,0") && lines.contains("sessions,3,3,0") && lines.contains("notes,,4,0"))
        #expect(output.stderr.contains("note: applied \(Self.pending.joined(separator: ", ")) (v1 → v2-test)"))
        #expect(output.stderr.contains("note: backup written to \(backup)"))
        #expect(output.stderr.contains("note: foreign key check: no violations"))
        #expect(try store.pendingMigrations().isEmpty)
        #expect(try store.read { try Self.checksums($0, tables: columns) } == before)

        let copy = try DatabaseQueue(path: backup, configuration: { var c = Configuration(); c.readonly = true; return c }())
        #expect(try copy.read { try contents($0) } == original)
        #expect(path != backup)
    }

    @Test func theDefaultBackupIsATimestampedCopyBesideTheDatabase() throws {
        let (store, path) = try openV1()
        #expect(execute("migrate up", on: store).0 == .success)
        let backups = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("v1.sqlite.backup-2026") }
        #expect(backups.count == 1)
        let copy = try DatabaseQueue(path: dir.appendingPathComponent(backups[0]).path)
        #expect(try copy.read { db in try Schema.migrator.appliedIdentifiers(db) } == ["v1"])
        #expect(!path.isEmpty)
    }

    @Test func downThenUpRoundTrips() throws {
        let (store, _) = try openV1()
        #expect(execute("migrate up --to \(Self.current)", on: store).0 == .success)
        let released = try store.read { try contents($0) }
        #expect(execute("migrate up", on: store).0 == .success)
        let next = try store.read { try contents($0) }

        let (outcome, output) = execute("migrate down --to \(Self.current)", on: store)
        #expect(outcome == .success, "\(output.stderr)")
        #expect(output.stdout.contains("notes,4,,0\n"))
        #expect(output.stderr.contains("note: reverted v2-test (v2-test → \(Self.current))"))
        #expect(try store.read { try contents($0) } == released)
        #expect(try store.pendingMigrations() == ["v2-test"])

        #expect(execute("migrate up", on: store).0 == .success)
        #expect(try store.read { try contents($0) } == next)
    }

    @Test func aMigrationWithoutADownStepStopsDownBeforeAnyChange() throws {
        var migrations = Self.nextRelease
        migrations.register("v3-test") { db in try db.execute(sql: "CREATE TABLE more (x)") }
        let (store, _) = try openV1(migrations)
        #expect(execute("migrate up", on: store).0 == .success)
        let before = try store.read { try contents($0) }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(execute("migrate down --to v1", on: store).0.message
            == "migration v3-test has no down step, so the database cannot go back to v1; nothing was changed (restore a backup instead)")
        #expect(try store.read { try contents($0) } == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == files)  // no backup either
        // Down to v2-test reverts nothing reversible-less... it needs v3-test's step too.
        #expect(execute("migrate down --to v2-test --dry-run", on: store).0.message?.hasPrefix("migration v3-test has no down step") == true)
    }

    @Test func targetsAreChecked() throws {
        let (store, _) = try openV1()
        #expect(execute("migrate up --to v9", on: store).0.message
            == "unknown migration 'v9': this tally knows \((Self.released + ["v2-test"]).joined(separator: ", ")) (`migrate status` lists them)")
        #expect(execute("migrate up --to v2-test --dry-run", on: store).1.stdout
            == "migration,action\n" + Self.pending.map { "\($0),would-apply\n" }.joined())
        #expect(execute("migrate up", on: store).0 == .success)
        #expect(execute("migrate up --to v1", on: store).0.message
            == "the database is already at v2-test, after v1: `migrate down --to v1` goes back")
        #expect(execute("migrate down --to \(Self.current) --dry-run", on: store).1.stdout == "migration,action\nv2-test,would-revert\n")
        #expect(execute("migrate up", on: store).1.stderr == "note: nothing to do: the schema is at v2-test\n")
        #expect(execute("migrate up --backup \(dir.appendingPathComponent("v1.sqlite").path)", on: store).1.stderr
            == "note: nothing to do: the schema is at v2-test\n")
    }

    @Test func aBackupNeverOverwritesAFile() throws {
        let (store, _) = try openV1()
        let existing = dir.appendingPathComponent("taken.sqlite").path
        try "not a database".write(toFile: existing, atomically: true, encoding: .utf8)
        #expect(execute("migrate up --backup \(existing)", on: store).0.message
            == "\(existing) already exists: choose another --backup path (a backup never overwrites a file)")
        #expect(try store.pendingMigrations() == Self.pending)
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "not a database")
    }

    /// An in-memory store (examples, tests) migrates without a file to copy, and says so.
    @Test func anInMemoryStoreHasNoBackupUnlessAsked() throws {
        let (_, path) = try openV1()
        let queue = try DatabaseQueue()
        try DatabaseQueue(path: path).backup(to: queue)
        let store = Store(path: nil, writer: queue, isReadOnly: false, migrator: Self.nextRelease.migrator, downSteps: Self.nextRelease.downSteps)
        let (outcome, output) = execute("migrate up", on: store)
        #expect(outcome == .success)
        #expect(output.stderr.contains("note: no backup: the database is in memory (give --backup PATH for one)"))
    }
}
