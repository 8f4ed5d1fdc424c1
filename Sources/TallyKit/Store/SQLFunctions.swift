import GRDB

// TEMPORARY: replaced by the store branch at merge.
public enum SQLFunctions {
    public static func install(in db: Database) {}
}
