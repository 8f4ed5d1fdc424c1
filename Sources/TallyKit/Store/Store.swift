import CSQLiteConfig
import Foundation
import GRDB

/// What to do when an existing database is at an older schema version (SPEC §2).
public enum MigrationPolicy {
    /// One-shot and script runs: write a backup copy, migrate, say so.
    case migrateWithBackup
    /// The REPL: ask; the closure shows the question and returns the answer.
    case ask((String) -> Bool)
    /// Never migrate (fail when the schema is too old).
    case refuse
    /// Open as it is, pending migrations and all: for `migrate`, which reports and runs them.
    case leavePending
}

public enum StoreError: Error, CustomStringConvertible, Equatable {
    case notSQLite(String)
    case notTally(String)
    case newerSchema(String, [String])
    case schemaTooOld(String, [String])
    case migrationDeclined(String, [String])
    case missing(String)
    case readOnly(String)

    public var description: String {
        switch self {
        case .notSQLite(let p):
            return "\(p) is not a SQLite database, so not a Tally database; it was not modified. Choose another file with --db."
        case .notTally(let p):
            return "\(p) is a SQLite database but not a Tally database (its application_id is not Tally's); it was not modified. Choose another file with --db, or query it with `ATTACH '\(p)' AS other;`."
        case .newerSchema(let p, let ids):
            return "\(p) was written by a newer Tally (unknown migrations: \(ids.joined(separator: ", "))); upgrade tally to open it."
        case .schemaTooOld(let p, let ids):
            return "\(p) needs migrations (\(ids.joined(separator: ", "))) and --read-only never migrates; open it without --read-only (a backup is written first) or run `tally --db \(p) migrate up`."
        case .migrationDeclined(let p, let ids):
            return "\(p) was left at its older schema (pending: \(ids.joined(separator: ", "))); this tally needs the new one to open it. Run it again and answer y, or run `tally --db \(p) migrate up` (a backup is written first)."
        case .missing(let p):
            return "no database at \(p): --read-only does not create one; index data first (`tally --db \(p) index auto PATH`)."
        case .readOnly(let what):
            return "the database is open read-only (--read-only): \(what) is not allowed."
        }
    }
}

/// The one SQLite database Tally indexes into: a WAL `DatabasePool`, or a read-only connection.
public final class Store: @unchecked Sendable {
    /// The file, or nil for an in-memory store (fixtures, examples).
    public let path: String?
    public let writer: any DatabaseWriter
    public let isReadOnly: Bool
    /// The migrations this store was opened with.
    public let migrator: DatabaseMigrator
    /// SQL reverting some of them, by name (`Schema.downSteps`; tests inject their own).
    public let downSteps: [String: String]

    init(
        path: String?, writer: any DatabaseWriter, isReadOnly: Bool, migrator: DatabaseMigrator = Schema.migrator,
        downSteps: [String: String] = Schema.downSteps
    ) {
        self.path = path
        self.writer = writer
        self.isReadOnly = isReadOnly
        self.migrator = migrator
        self.downSteps = downSteps
    }

    /// Each connection's page cache, in KiB.
    public static let pageCacheKiB = 65536

    /// The configuration every connection gets: SQL functions, busy timeout, foreign keys.
    /// SQLite's multi-thread mode, set once before the first connection opens: in the default
    /// serialized mode every `sqlite3_step` and `sqlite3_column_*` takes and releases a mutex
    /// (a tenth of a scan's time in profiles), and GRDB already keeps each connection on one
    /// thread at a time. The SQLite result code (an error when SQLite was already in use).
    static let threadingMode: Int32 = tally_sqlite_use_multithread()

    public static func configuration(readOnly: Bool = false) -> Configuration {
        _ = threadingMode
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = .timeout(10)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            SQLFunctions.install(in: db)
            // A larger page cache keeps big ingest transactions from spilling pages to the WAL
            // mid-way, and speeds up analyses over millions of rows.
            try db.execute(sql: "PRAGMA cache_size = -\(pageCacheKiB)")
        }
        return config
    }

    /// A fresh in-memory database at the current schema.
    public static func inMemory() throws -> Store {
        let queue = try DatabaseQueue(configuration: configuration())
        try Schema.migrator.migrate(queue)
        return Store(path: nil, writer: queue, isReadOnly: false)
    }

    /// A WAL pool on `path`. GRDB makes sure a non-empty `-wal` file exists by creating and
    /// dropping a table when there is none; that write reached the database file at the
    /// checkpoint on close, so every run — a read-only analysis, a `--dry-run` — changed the file's
    /// bytes. An existing WAL-mode database gets a `-wal` file holding a header that is not valid
    /// (SQLite treats it as an empty log and rewrites it on the first write) instead: nothing is
    /// written until something is, and the file is removed as usual when the last connection closes.
    static func openPool(_ path: String) throws -> DatabasePool {
        let wal = path + "-wal"
        let walSize = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? nil
        if walSize ?? 0 == 0, isWALModeDatabase(path) {
            _ = FileManager.default.createFile(atPath: wal, contents: Data(count: 32))
        }
        return try DatabasePool(path: path, configuration: configuration())
    }

    /// True when `path` is a SQLite file whose header says WAL mode (bytes 18 and 19 are 2).
    static func isWALModeDatabase(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 20), header.count == 20 else { return false }
        return header.starts(with: Data("SQLite format 3\0".utf8)) && header[18] == 2 && header[19] == 2
    }

    /// Opens (or creates) the database at `path`. Never modifies a file that is not a Tally
    /// database, and never migrates without the policy's consent.
    ///
    /// - Parameters:
    ///   - migrator: the schema's migrations (tests pass a longer list to exercise an upgrade).
    ///   - downSteps: SQL reverting migrations, by name, for `migrate down`.
    public static func open(
        path: String, readOnly: Bool = false, policy: MigrationPolicy = .migrateWithBackup,
        migrator: DatabaseMigrator = Schema.migrator, downSteps: [String: String] = Schema.downSteps,
        log: (String) -> Void = { _ in }
    ) throws -> Store {
        let fm = FileManager.default
        let exists = fm.fileExists(atPath: path)
        var pending: [String] = []
        if exists, let inspection = try inspect(path: path, migrator: migrator) {
            pending = inspection
        } else if readOnly {
            throw StoreError.missing(path)
        }
        let leave: Bool
        if case .leavePending = policy { leave = true } else { leave = false }
        if readOnly {
            if !pending.isEmpty, !leave { throw StoreError.schemaTooOld(path, pending) }
            let queue = try DatabaseQueue(path: path, configuration: configuration(readOnly: true))
            return Store(path: path, writer: queue, isReadOnly: true, migrator: migrator, downSteps: downSteps)
        }
        if !exists {
            try fm.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        if exists, !pending.isEmpty {
            switch policy {
            case .refuse:
                throw StoreError.schemaTooOld(path, pending)
            case .leavePending:
                let pool = try openPool(path)
                return Store(path: path, writer: pool, isReadOnly: false, migrator: migrator, downSteps: downSteps)
            case .ask(let confirm):
                let question =
                    "\(path) is at an older schema; run pending migrations (\(pending.joined(separator: ", "))) after writing a backup copy?"
                guard confirm(question) else { throw StoreError.migrationDeclined(path, pending) }
                fallthrough
            case .migrateWithBackup:
                let backup = try writeBackup(of: path)
                log("migrating \(path) (\(pending.joined(separator: ", "))); backup written to \(backup)")
            }
        }
        let pool = try openPool(path)
        try migrator.migrate(pool)
        return Store(path: path, writer: pool, isReadOnly: false, migrator: migrator, downSteps: downSteps)
    }

    /// Checks an existing file without changing it; returns its pending migrations, or nil when
    /// the file is empty (a new database).
    static func inspect(path: String, migrator: DatabaseMigrator) throws -> [String]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StoreError.notSQLite(path) }
        let header = handle.readData(ofLength: 16)
        try? handle.close()
        if header.isEmpty { return nil }
        guard header == Data("SQLite format 3\0".utf8) else { throw StoreError.notSQLite(path) }
        _ = threadingMode
        var config = Configuration()
        config.readonly = true
        // Another process closing the database checkpoints it under a brief exclusive lock:
        // wait for it like every other connection does, instead of failing to open.
        config.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: config)
        defer { try? queue.close() }
        return try queue.read { db in
            let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            let tableCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
            if appID == 0 && tableCount == 0 { return nil }
            guard appID == Schema.applicationID else { throw StoreError.notTally(path) }
            let applied = try migrator.appliedIdentifiers(db)
            let known = Set(migrator.migrations)
            let unknown = applied.subtracting(known)
            if !unknown.isEmpty { throw StoreError.newerSchema(path, unknown.sorted()) }
            return migrator.migrations.filter { !applied.contains($0) }
        }
    }

    /// Copies the database with SQLite's backup API to `<path>.backup-<UTC time>`.
    public static func writeBackup(of path: String, to destination: String? = nil) throws -> String {
        let stamp = Timestamps.iso(Date()).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: ".", with: "-")
        let target = destination ?? "\(path).backup-\(stamp)"
        var config = Configuration()
        config.readonly = true
        let source = try DatabaseQueue(path: path, configuration: config)
        defer { try? source.close() }
        let copy = try DatabaseQueue(path: target)
        defer { try? copy.close() }
        try source.backup(to: copy)
        return target
    }

    // MARK: - Access

    /// A read transaction (a consistent snapshot): what analyses run in.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.read(body)
    }

    /// One write transaction, rolled back when `body` throws. Before it commits, the
    /// `tool_steps` rows its writes queued are recomputed (``Schema/refreshToolSteps(_:)``).
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        if isReadOnly { throw StoreError.readOnly("writing") }
        return try writer.write { db in
            let result = try body(db)
            try Self.finishWrite(db)
            return result
        }
    }

    /// What every transaction of Tally's own writers does last: brings `tool_steps` up to date
    /// (nothing on a database migrated before v3).
    public static func finishWrite(_ db: Database) throws {
        if try db.tableExists("tool_steps_queue") { try Schema.refreshToolSteps(db) }
    }

    /// The writer connection without an implicit transaction: SQL typed by the user, so that
    /// `BEGIN` ... `COMMIT` across inputs works as in sqlite3.
    public func withConnection<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.writeWithoutTransaction(body)
    }

    /// Aborts whatever statement runs now (Ctrl-C). Safe to call from any thread.
    public func interrupt() {
        writer.interrupt()
    }

    /// Migrations registered but not applied (empty for an up-to-date database).
    public func pendingMigrations() throws -> [String] {
        try writer.read { db in
            let applied = try migrator.appliedIdentifiers(db)
            return migrator.migrations.filter { !applied.contains($0) }
        }
    }
}
