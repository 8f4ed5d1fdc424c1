import Foundation
import GRDB
import TallyKit

/// `migrate status | up [--to V] | down --to V`: moves the schema, after a backup, and verifies.
public enum Migrate: Command {
    public static let name = "migrate"
    public static let summary = "Show, apply or revert schema migrations, after a backup, with a verification."
    public static let discussion = """
        migrate status          every migration: applied or pending, and whether it has a down step
        migrate up [--to V]     apply the pending migrations (up to V)
        migrate down --to V     revert the migrations after V, newest first (each needs a down step)
        Before any change the database is copied with SQLite's backup API to --backup PATH, or to
        <database>.backup-<UTC time> beside it. Then a verification: rows per table before and
        after, and foreign key violations per table (PRAGMA foreign_key_check). `tally --db PATH
        migrate ...` opens an older database without migrating it first.
        """
    public static let transaction = CommandTransaction.managed
    public static let parameters = [
        Parameter("action", .choice(["status", "up", "down"]), help: "What to do.", positional: true, required: true),
        Parameter("to", .string, help: "up: the last migration to apply; down: the migration to go back to."),
        Parameter("backup", .path, help: "Where to copy the database first (default: <database>.backup-<UTC time>)."),
    ]
    public static let examples = [
        Example("migrate status", "Every migration of this tally, applied, with whether it can be reverted.", fixture: "tiny", expected: """
            migration,status,reversible
            \(Schema.migrator.migrations.map { "\($0),applied,\(Schema.downSteps[$0] != nil)" }.joined(separator: "\n"))
            """),
        Example("migrate up --dry-run", "An up-to-date database has nothing to apply.", fixture: "tiny", expected: """
            migration,action
            """),
        Example("migrate down", "Going down needs a target.", fixture: "tiny", expected: """
            error: migrate down needs --to V, the migration to go back to (`migrate status` lists them)
            """),
        Example("migrate up --to v0", "An unknown migration is named.", fixture: "tiny", expected: """
            error: unknown migration 'v0': this tally knows \(Schema.migrator.migrations.joined(separator: ", ")) (`migrate status` lists them)
            """),
    ]

    /// status and dry runs only read (they work on a `--read-only` database).
    public static func onlyReads(_ arguments: Arguments) -> Bool {
        arguments.string("action") == "status" || arguments.dryRun
    }

    public static func run(_ arguments: Arguments, context: CommandContext) throws -> ResultSet {
        let migrations = SchemaMigrations(store: context.store)
        let action = arguments.string("action")!
        let target = arguments.string("to")
        if action == "down", target == nil {
            throw UsageError("migrate down needs --to V, the migration to go back to (`migrate status` lists them)")
        }
        if let db = context.db {  // status, or a dry run: inside the interpreter's read transaction
            if action == "status" { return try status(migrations, db) }
            let planned = action == "up" ? try migrations.plannedUp(db, to: target) : try migrations.plannedDown(db, to: target!)
            return ResultSet(
                columns: [TallyKit.Column("migration", .text), TallyKit.Column("action", .text)],
                rows: planned.map { [.text($0), .text(action == "up" ? "would-apply" : "would-revert")] },
                notes: ["dry run: nothing was changed" + (planned.isEmpty ? "" : " (a backup would be written first)")])
        }
        let store = context.store
        let planned = try store.read { db in
            action == "up" ? try migrations.plannedUp(db, to: target) : try migrations.plannedDown(db, to: target!)
        }
        let before = try store.read { db in (try SchemaMigrations.rowCounts(db), try migrations.migrator.appliedMigrations(db)) }
        guard !planned.isEmpty else {
            return ResultSet(
                columns: [TallyKit.Column("migration", .text), TallyKit.Column("action", .text)],
                notes: ["nothing to do: the schema is at \(before.1.last ?? "no migration")"])
        }
        let backup = try SchemaMigrations.backup(store, to: arguments.string("backup"), now: context.environment.now)
        let done = action == "up" ? try migrations.up(store.writer, to: target) : try migrations.down(store.writer, to: target!)
        let now = try store.read { db in try migrations.migrator.appliedMigrations(db).last }
        return try verification(store, before: before.0, notes: [
            (action == "up" ? "applied " : "reverted ") + done.joined(separator: ", ")
                + " (\(before.1.last ?? "empty") → \(now ?? "empty"))",
            backup.map { "backup written to \($0)" } ?? "no backup: the database is in memory (give --backup PATH for one)",
        ])
    }

    static func status(_ migrations: SchemaMigrations, _ db: Database) throws -> ResultSet {
        let rows = try migrations.status(db)
        let pending = rows.filter { !$0.applied }.count
        return ResultSet(
            columns: [TallyKit.Column("migration", .text), TallyKit.Column("status", .text), TallyKit.Column("reversible", .bool)],
            rows: rows.map { [.text($0.name), .text($0.applied ? "applied" : "pending"), .integer($0.reversible ? 1 : 0)] },
            notes: ["schema at \(rows.last(where: \.applied)?.name ?? "no migration"); \(pending) pending"
                + (pending > 0 ? ": `migrate up` applies them after a backup" : "")])
    }

    /// Rows per table before and after, and foreign key violations per table now.
    static func verification(_ store: Store, before: [String: Int], notes: [String]) throws -> ResultSet {
        let (after, violations) = try store.read { db in (try SchemaMigrations.rowCounts(db), try SchemaMigrations.foreignKeyViolations(db)) }
        let tables = Set(before.keys).union(after.keys).sorted()
        let broken = violations.values.reduce(0, +)
        return ResultSet(
            columns: [TallyKit.Column("table", .text), TallyKit.Column("rows_before", .integer), TallyKit.Column("rows_after", .integer), TallyKit.Column("foreign_key_violations", .integer)],
            rows: tables.map { t in
                [.text(t), before[t].map { .integer(Int64($0)) } ?? .null, after[t].map { .integer(Int64($0)) } ?? .null,
                 .integer(Int64(violations[t] ?? 0))]
            },
            notes: notes + [broken == 0 ? "foreign key check: no violations" : "foreign key check: \(broken) violation(s)"],
            failure: broken == 0 ? nil : "\(broken) foreign key violation(s) after migrating: see `PRAGMA foreign_key_check;` (the backup holds the previous state)")
    }
}
