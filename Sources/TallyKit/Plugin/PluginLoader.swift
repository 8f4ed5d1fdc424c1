import Foundation

/// Adds the user's plugins to a registry: SQL analyses from their folders, external commands
/// from PATH (SPEC §5). Built-ins are registered first and win.
public enum PluginLoader {
    /// Names no plugin may take: `help`, and `notebook` (`tally notebook run|check`).
    public static let reservedNames: [String: String] = [
        "help": "the built-in `help`",
        "notebook": "the built-in `tally notebook` command",
    ]

    /// The folders searched for `*.sql` analyses, in order: `./analyses`, then
    /// `$XDG_CONFIG_HOME/tally/analyses`, then each `--plugins DIR` as given.
    public static func analysisFolders(extra: [String]) -> [String] {
        ["analyses", TallyInfo.configDirectory.appendingPathComponent("analyses").path] + extra
    }

    /// Loads every `*.sql` file of `folders` (missing folders are skipped; a folder listed twice
    /// is read once). A file that cannot be loaded — malformed header, name taken — is reported
    /// through `report` with its file and line, and skipped; the others still load.
    /// Returns how many analyses were added.
    @discardableResult
    public static func loadSQLAnalyses(into registry: Registry, folders: [String], report: (String) -> Void) -> Int {
        var seen = Set<String>()
        var added = 0
        for folder in folders {
            let expanded = ValueParser.expandTilde(folder)
            let key = URL(fileURLWithPath: expanded).standardizedFileURL.resolvingSymlinksInPath().path
            guard seen.insert(key).inserted,
                let files = try? FileManager.default.contentsOfDirectory(atPath: expanded)
            else { continue }
            for file in files.sorted() where file.hasSuffix(".sql") && !file.hasPrefix(".") {
                let display = folder.hasSuffix("/") ? folder + file : folder + "/" + file
                let url = URL(fileURLWithPath: expanded).appendingPathComponent(file)
                do {
                    let analysis = try SQLAnalysis.load(contentsOf: url, displayPath: display)
                    if let owner = reservedNames[analysis.name] {
                        throw SQLAnalysisError(
                            path: display, line: analysis.nameLine,
                            message: "plugin name '\(analysis.name)' is taken by \(owner); rename this analysis")
                    }
                    do {
                        try registry.add(PluginEntry(sql: analysis))
                    } catch let e as UsageError {
                        throw SQLAnalysisError(path: display, line: analysis.nameLine, message: e.message)
                    }
                    added += 1
                } catch let e as SQLAnalysisError {
                    report("\(e.line.map { "\(e.path):\($0)" } ?? e.path): error: \(e.message); this analysis is skipped")
                } catch {
                    report("\(display): error: \(error); this analysis is skipped")
                }
            }
        }
        return added
    }

    /// Adds every `tally-NAME` executable on `searchPath` whose name is free: built-ins and SQL
    /// analyses win over external commands, as git's built-ins win over `git-NAME`.
    @discardableResult
    public static func loadExternalCommands(into registry: Registry, searchPath: String?) -> Int {
        var added = 0
        for command in ExternalCommand.discover(searchPath: searchPath)
        where registry.entry(named: command.name) == nil && reservedNames[command.name] == nil {
            if (try? registry.add(PluginEntry(external: command))) != nil { added += 1 }
        }
        return added
    }
}
