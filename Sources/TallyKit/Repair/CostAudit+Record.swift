import Foundation
import GRDB

extension CostAudit {
    /// One changed value: the old and new columns of a change table, logged under `field`.
    public struct Field: Sendable {
        public var name: String
        public var old: String
        public var new: String

        public init(_ name: String, old: String, new: String) {
            self.name = name
            self.old = old
            self.new = new
        }
    }

    /// Writes one `cost_audit_log` row per changed value (SPEC §5), set-based: for each field,
    /// every row of `changes` (a table or subquery holding the entity id and old and new
    /// columns) whose old value `IS NOT` the new one. Returns the rows written.
    @discardableResult
    public func record(_ db: Database, entity: String, changes: String, id: String, fields: [Field]) throws -> Int {
        guard !fields.isEmpty else { return 0 }
        let selects = fields.map { f in
            SQL(sql: "SELECT ?, \(id), ?, \(f.old), \(f.new), ?, ?, ? FROM \(changes) WHERE \(f.old) IS NOT \(f.new)",
                arguments: [entity, f.name, reason, command, at])
        }
        let sql = SQL(sql: "INSERT INTO cost_audit_log (entity, entity_id, field, old_value, new_value, reason, command, at) ")
            + selects.joined(separator: " UNION ALL ")
        try db.execute(literal: sql)
        return db.changesCount
    }

    /// Writes one `cost_audit_log` row: `field` of `entity` row `id` went from `old` to `new`.
    public func record(_ db: Database, entity: String, id: String, field: String, old: Value, new: Value, reason: String? = nil) throws {
        try db.execute(literal: """
            INSERT INTO cost_audit_log (entity, entity_id, field, old_value, new_value, reason, command, at)
            VALUES (\(entity), \(id), \(field), \(old), \(new), \(reason ?? self.reason), \(command), \(at))
            """)
    }

    /// The `cost_audit_log` rows written after row `mark` (`max(id)` taken before), one line per
    /// changed entity: `sessions ses_1: rollup_total_tokens 0 → 73706, rollup_cost_nanos 0 → …`.
    public static func lines(_ db: Database, after mark: Int64) throws -> [String] {
        var lines: [String] = []
        var current: (String, String)?
        var parts: [String] = []
        func flush() {
            if let (entity, id) = current { lines.append("\(entity) \(id): " + parts.joined(separator: ", ")) }
            parts = []
        }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT entity, entity_id, field, old_value, new_value FROM cost_audit_log
            WHERE id > ? ORDER BY entity, entity_id, id
            """, arguments: [mark])
        while let row = try rows.next() {
            let key = (row[0] as String, row[1] as String)
            if current.map({ $0 != key }) ?? true {
                flush()
                current = key
            }
            let old = Value(row[3] as DatabaseValue).stringValue ?? "NULL"
            let new = Value(row[4] as DatabaseValue).stringValue ?? "NULL"
            parts.append("\(row[2] as String) \(old) → \(new)")
        }
        flush()
        return lines
    }

    /// The newest `cost_audit_log` id (0 when empty): the mark for `lines(_:after:)`.
    public static func mark(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM cost_audit_log") ?? 0
    }
}
