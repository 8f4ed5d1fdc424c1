import Foundation
import GRDB

/// The session a plugin runs in: clock, time zone and `.set` values. Never globals, so examples
/// run with a fixed clock against in-memory fixtures.
public struct Environment: Sendable {
    public var now: Date
    public var timeZone: TimeZone
    /// Values set with `.set NAME VALUE` (or `-D NAME=VALUE`).
    public var values: [String: String]

    public init(now: Date = Date(), timeZone: TimeZone = .current, values: [String: String] = [:]) {
        self.now = now
        self.timeZone = timeZone
        self.values = values
    }

    public var parser: ValueParser { ValueParser(now: now, timeZone: timeZone) }

    /// The time zone name SQL functions take (`tz_date(ts, :tz)`).
    public var timeZoneName: String { timeZone.identifier }
}

/// What an analysis sees: the database inside one read transaction, and the session.
public final class AnalysisContext {
    public let db: Database
    public let environment: Environment
    /// Messages for stderr while running (progress, warnings); not part of the result.
    public let log: (String) -> Void

    public init(db: Database, environment: Environment, log: @escaping (String) -> Void = { _ in }) {
        self.db = db
        self.environment = environment
        self.log = log
    }
}

/// What a command sees: a write transaction (or the store, for `.managed` commands), dry-run,
/// and the audit log.
public final class CommandContext {
    /// The open write transaction for `.single` commands; nil for `.managed` ones.
    public let db: Database?
    public let store: Store
    public let environment: Environment
    public let commandName: String
    public let dryRun: Bool
    public let log: (String) -> Void
    /// The plugins of the session, for commands that run another plugin (`export`).
    public let registry: Registry?

    public init(
        db: Database?, store: Store, environment: Environment, commandName: String, dryRun: Bool,
        log: @escaping (String) -> Void = { _ in }, registry: Registry? = nil
    ) {
        self.db = db
        self.store = store
        self.environment = environment
        self.commandName = commandName
        self.dryRun = dryRun
        self.log = log
        self.registry = registry
    }

    /// Who changes what, for `cost_audit_log` rows written set-wise (`CostAudit.record`).
    public func costAudit(reason: String) -> CostAudit {
        CostAudit(command: commandName, reason: reason, at: Timestamps.iso(environment.now))
    }

    /// Records one changed cost or token value in `cost_audit_log` (SPEC §5).
    public func audit(
        _ db: Database, entity: String, id: String, field: String, old: Value, new: Value, reason: String
    ) throws {
        try db.execute(
            literal: """
                INSERT INTO cost_audit_log (entity, entity_id, field, old_value, new_value, reason, command, at)
                VALUES (\(entity), \(id), \(field), \(old), \(new), \(reason), \(commandName), \(Timestamps.iso(environment.now)))
                """)
    }
}
