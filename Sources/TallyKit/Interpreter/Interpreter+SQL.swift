import Foundation
import GRDB
import GRDBSQLite

extension Interpreter {
    /// Runs every statement of an SQL input in order, showing each one that returns rows.
    func runSQL(_ sql: String) throws {
        try store.withConnection { db in
            let statements = try db.allStatements(sql: sql)
            while let statement = try statements.next() {
                try statement.setArguments(arguments(for: statement))
                if statement.columnCount == 0 {
                    try statement.execute()
                    try finishWrite(db)
                } else {
                    try show(db.resultSet(statement))
                }
            }
        }
    }

    /// After a statement that committed a change (outside `BEGIN` … `COMMIT`), brings
    /// `tool_steps` up to date as Tally's own writers do, so that `cost-by-tool` need not compute
    /// it from the tables. Statements that change nothing queue nothing and write nothing.
    private func finishWrite(_ db: Database) throws {
        guard !store.isReadOnly, !db.isInsideTransaction, try db.tableExists("tool_steps_queue"),
            try !Schema.toolStepsAreCurrent(db)
        else { return }
        try db.inTransaction {
            try Store.finishWrite(db)
            return .commit
        }
    }

    /// Binds `:name` (also `@name`, `$name`) from `.set` values; an unbound name is an error.
    func arguments(for statement: Statement) throws -> StatementArguments {
        let handle = statement.sqliteStatement
        let count = sqlite3_bind_parameter_count(handle)
        guard count > 0 else { return StatementArguments() }
        var named: [String: (any DatabaseValueConvertible)?] = [:]
        for i in 1...count {
            guard let cName = sqlite3_bind_parameter_name(handle, i) else {
                throw UsageError("positional parameter ? is not supported: name it (:since) and give it a value with `.set since VALUE`")
            }
            let token = String(cString: cName)
            let name = String(token.dropFirst())
            guard let text = environment.values[name] ?? environment.values[name.replacingOccurrences(of: "_", with: "-")] else {
                throw UsageError("unbound parameter \(token): give it a value with `.set \(name) VALUE`")
            }
            named[name] = sqlValue(text)
        }
        return StatementArguments(named)
    }

    /// A `.set` value as SQL sees it: integers and decimals as numbers, relative dates
    /// (`today`, `-30d`) as canonical timestamps, anything else as text.
    /// Relative dates count days in the session time zone (`.set tz`), as plugin parameters do.
    func sqlValue(_ text: String) -> Value {
        var env = environment
        if let name = env.values["tz"], let zone = try? Self.timeZone(named: name) { env.timeZone = zone }
        return Self.sqlValue(text, parser: env.parser)
    }

    /// A session value as SQL sees it, relative dates resolved by `parser`'s clock.
    public static func sqlValue(_ text: String, parser: ValueParser) -> Value {
        if let i = Int64(text) { return .integer(i) }
        if let d = Double(text), text.range(of: #"^[+-]?[0-9]*\.[0-9]+$"#, options: .regularExpression) != nil {
            return .real(d)
        }
        let lowered = text.lowercased()
        if ["today", "yesterday", "tomorrow", "now"].contains(lowered)
            || (Duration(parsing: text) != nil && (text.hasPrefix("-") || text.hasPrefix("+")))
        {
            if let d = parser.date(text) { return .text(Timestamps.iso(d)) }
        }
        return .text(text)
    }
}
