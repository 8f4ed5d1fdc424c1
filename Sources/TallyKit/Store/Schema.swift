import GRDB

// TEMPORARY: replaced by the store branch's full schema at merge.
public enum Schema {
    public static let applicationID: Int32 = 0x54414C59
    public static let currentVersion = "v1"
    public static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(sql: "CREATE TABLE sessions (id TEXT PRIMARY KEY, parent_id TEXT)")
            try db.execute(sql: "CREATE TABLE calls (id TEXT PRIMARY KEY, session_id TEXT, model TEXT, total_tokens INTEGER NOT NULL, cost_nanos INTEGER)")
        }
        return m
    }
}
