import Foundation
import GRDB

/// What `migrate` runs: the store's `DatabaseMigrator` plus the down steps beside it.
///
/// GRDB's migrator only goes up. A migration may declare a down step — SQL that undoes it — in
/// a dictionary keyed by the migration's name (`Schema.downSteps`; tests register their own).
/// Going down to `V` runs, newest first, the down step of every applied migration after `V` and
/// deletes its row from `grdb_migrations`, in one transaction with foreign keys checked before
/// the commit (as GRDB does going up). When one of them has no down step nothing changes: the
/// error names it. Going up is GRDB's own `migrate(_:upTo:)`, after checks that turn its
/// preconditions (unknown name, already beyond the target) into errors a user can act on.
public struct SchemaMigrations {
    public var migrator: DatabaseMigrator
    public var downSteps: [String: String]

    public init(migrator: DatabaseMigrator = Schema.migrator, downSteps: [String: String] = Schema.downSteps) {
        self.migrator = migrator
        self.downSteps = downSteps
    }

    /// The migrations the store was opened with.
    public init(store: Store) {
        self.init(migrator: store.migrator, downSteps: store.downSteps)
    }

    /// Appends a migration and, when given, its down step.
    public mutating func register(_ name: String, down: String? = nil, up: @escaping @Sendable (Database) throws -> Void) {
        migrator.registerMigration(name, migrate: up)
        if let down { downSteps[name] = down }
    }

    /// Every migration name, oldest first.
    public var names: [String] { migrator.migrations }

    public struct Status: Hashable, Sendable {
        public var name: String
        public var applied: Bool
        public var reversible: Bool
    }

    public func status(_ db: Database) throws -> [Status] {
        let applied = try migrator.appliedIdentifiers(db)
        return names.map { Status(name: $0, applied: applied.contains($0), reversible: downSteps[$0] != nil) }
    }

    /// The migrations `up(to:)` applies, oldest first (empty when there is nothing to do).
    public func plannedUp(_ db: Database, to target: String?) throws -> [String] {
        let target = try target.map(known) ?? names.last
        guard let target, let end = names.firstIndex(of: target) else { return [] }
        let applied = try migrator.appliedIdentifiers(db)
        if let last = names.lastIndex(where: applied.contains), last > end {
            throw MigrationError.beyond(target: target, current: names[last])
        }
        return names[...end].filter { !applied.contains($0) }
    }

    /// The migrations `down(to:)` reverts, newest first.
    public func plannedDown(_ db: Database, to target: String) throws -> [String] {
        let target = try known(target)
        let applied = try migrator.appliedIdentifiers(db)
        guard applied.contains(target) else { throw MigrationError.notApplied(target) }
        let end = names.firstIndex(of: target)!
        let reverted = names[(end + 1)...].filter(applied.contains).reversed().map { $0 }
        if let stuck = reverted.first(where: { downSteps[$0] == nil }) {
            throw MigrationError.noDownStep(stuck, target: target)
        }
        return reverted
    }

    /// Applies the pending migrations up to `target` (all when nil); returns their names.
    @discardableResult
    public func up(_ writer: any DatabaseWriter, to target: String? = nil) throws -> [String] {
        let planned = try writer.read { db in try plannedUp(db, to: target) }
        guard let last = planned.last else { return [] }
        try migrator.migrate(writer, upTo: last)
        return planned
    }

    /// Reverts the migrations after `target`, newest first, in one transaction; returns their names.
    @discardableResult
    public func down(_ writer: any DatabaseWriter, to target: String) throws -> [String] {
        try writer.barrierWriteWithoutTransaction { db in
            let reverted = try plannedDown(db, to: target)
            guard !reverted.isEmpty else { return [] }
            // As GRDB's migrator: foreign keys off while the schema changes, checked before commit.
            let foreignKeys = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false
            if foreignKeys { try db.execute(sql: "PRAGMA foreign_keys = OFF") }
            defer { if foreignKeys { try? db.execute(sql: "PRAGMA foreign_keys = ON") } }
            try db.inTransaction {
                for name in reverted {
                    try db.execute(sql: downSteps[name]!)
                    try db.execute(literal: "DELETE FROM grdb_migrations WHERE identifier = \(name)")
                }
                let violations = try Self.foreignKeyViolations(db)
                if !violations.isEmpty { throw MigrationError.foreignKeyViolations(violations) }
                return .commit
            }
            return reverted
        }
    }

    private func known(_ name: String) throws -> String {
        guard names.contains(name) else { throw MigrationError.unknown(name, known: names) }
        return name
    }

    // MARK: - Verification

    /// Rows per table (SQLite's and the migrator's own tables aside).
    public static func rowCounts(_ db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master
            WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'grdb_migrations'
            """)
        for table in tables {
            counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
        }
        return counts
    }

    /// `PRAGMA foreign_key_check`: violating rows per table (empty when there are none).
    public static func foreignKeyViolations(_ db: Database) throws -> [String: Int] {
        var violations: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
            violations[row[0] as String, default: 0] += 1
        }
        return violations
    }

    /// Copies the database with SQLite's backup API to `destination`, or beside the file as
    /// `<path>.backup-<UTC time>` (`-2`, `-3`, ... appended when taken); nil for an in-memory
    /// store without a destination. Never overwrites a file.
    public static func backup(_ store: Store, to destination: String?, now: Date) throws -> String? {
        let fm = FileManager.default
        var target: String
        if let destination {
            if fm.fileExists(atPath: destination) { throw MigrationError.backupExists(destination) }
            target = destination
        } else if let path = store.path {
            let stamp = Timestamps.iso(now).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: ".", with: "-")
            target = "\(path).backup-\(stamp)"
            var n = 2
            while fm.fileExists(atPath: target) {
                target = "\(path).backup-\(stamp)-\(n)"
                n += 1
            }
        } else {
            return nil
        }
        let copy = try DatabaseQueue(path: target)
        defer { try? copy.close() }
        try store.writer.backup(to: copy)
        return target
    }
}

public enum MigrationError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case unknown(String, known: [String])
    case beyond(target: String, current: String)
    case notApplied(String)
    case noDownStep(String, target: String)
    case foreignKeyViolations([String: Int])
    case backupExists(String)

    public var description: String {
        switch self {
        case .unknown(let name, let known):
            return "unknown migration '\(name)': this tally knows \(known.joined(separator: ", ")) (`migrate status` lists them)"
        case .beyond(let target, let current):
            return "the database is already at \(current), after \(target): `migrate down --to \(target)` goes back"
        case .notApplied(let name):
            return "migration \(name) is not applied, so there is nothing to go down to: `migrate status` shows where the database is"
        case .noDownStep(let name, let target):
            return "migration \(name) has no down step, so the database cannot go back to \(target); nothing was changed (restore a backup instead)"
        case .foreignKeyViolations(let byTable):
            let list = byTable.keys.sorted().map { "\($0) (\(byTable[$0]!))" }.joined(separator: ", ")
            return "going down would break foreign keys in \(list); nothing was changed"
        case .backupExists(let path):
            return "\(path) already exists: choose another --backup path (a backup never overwrites a file)"
        }
    }

    public var errorDescription: String? { description }
}
