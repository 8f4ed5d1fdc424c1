import TallyKit

/// The registry's list of built-in commands (SPEC §5): one line per file in this folder.
/// A test fails when a plugin file is missing here.
public enum BuiltinCommands {
    public static let all: [any Command.Type] = [
        Backfill.self,
        Demo.self,
        Export.self,
        Index.self,
        Migrate.self,
        Pricing.self,
        Resync.self,
    ]
}
