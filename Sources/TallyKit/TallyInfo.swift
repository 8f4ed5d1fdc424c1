import Foundation

/// Facts about this build and where Tally keeps its files (XDG base directories).
public enum TallyInfo {
    public static let version = "0.1.0"

    static func directory(_ variable: String, fallback: String) -> URL {
        let env = ProcessInfo.processInfo.environment
        if let v = env[variable], v.hasPrefix("/") { return URL(fileURLWithPath: v) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(fallback)
    }

    /// `$XDG_DATA_HOME/tally` (else `~/.local/share/tally`).
    public static var dataDirectory: URL { directory("XDG_DATA_HOME", fallback: ".local/share").appendingPathComponent("tally") }
    /// `$XDG_CONFIG_HOME/tally` (else `~/.config/tally`).
    public static var configDirectory: URL { directory("XDG_CONFIG_HOME", fallback: ".config").appendingPathComponent("tally") }
    /// `$XDG_STATE_HOME/tally` (else `~/.local/state/tally`).
    public static var stateDirectory: URL { directory("XDG_STATE_HOME", fallback: ".local/state").appendingPathComponent("tally") }

    /// The database used without `--db`: `$TALLY_DB`, else `<data dir>/tally.db`.
    public static var defaultDatabasePath: String {
        if let p = ProcessInfo.processInfo.environment["TALLY_DB"], !p.isEmpty { return p }
        return dataDirectory.appendingPathComponent("tally.db").path
    }

    /// The startup file run before the first prompt.
    public static var startupFile: URL { configDirectory.appendingPathComponent("tallyrc") }

    /// The REPL history of one database: `<state dir>/history/<hash of the absolute path>`.
    public static func historyFile(forDatabase path: String) -> URL {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return stateDirectory.appendingPathComponent("history").appendingPathComponent(FNV1a64.hex(absolute))
    }
}
