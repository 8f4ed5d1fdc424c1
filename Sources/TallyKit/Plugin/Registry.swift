import Foundation

/// One plugin as the interpreter, help, completion and `.plugins` see it.
public struct PluginEntry {
    public enum Runner {
        case analysis(any Analysis.Type)
        case command(any Command.Type)
        /// A user's `*.sql` analysis.
        case sql(SQLAnalysis)
        /// A `tally-NAME` executable on PATH: takes its words unparsed.
        case external(ExternalCommand)
    }

    public var name: String
    public var summary: String
    public var discussion: String
    public var kind: PluginKind
    public var origin: PluginOrigin
    public var parameters: [Parameter]
    public var examples: [Example]
    public var runner: Runner

    public init(analysis: any Analysis.Type, origin: PluginOrigin = .builtin) {
        self.name = analysis.name
        self.summary = analysis.summary
        self.discussion = analysis.discussion
        self.kind = .analysis
        self.origin = origin
        self.parameters = analysis.parameters
        self.examples = analysis.examples
        self.runner = .analysis(analysis)
    }

    public init(command: any Command.Type, origin: PluginOrigin = .builtin) {
        self.name = command.name
        self.summary = command.summary
        self.discussion = command.discussion
        self.kind = .command
        self.origin = origin
        self.parameters = command.parameters
        self.examples = command.examples
        self.runner = .command(command)
    }

    public init(sql analysis: SQLAnalysis) {
        self.name = analysis.name
        self.summary = analysis.summary
        self.discussion = analysis.discussion
        self.kind = .analysis
        self.origin = .sqlFile(analysis.path)
        self.parameters = analysis.parameters
        self.examples = []
        self.runner = .sql(analysis)
    }

    public init(external command: ExternalCommand) {
        self.name = command.name
        self.summary = "External command \((command.path as NSString).lastPathComponent) (`\(command.name) --help` asks it for help)."
        self.discussion = ""
        self.kind = .command
        self.origin = .external(command.path)
        self.parameters = []
        self.examples = []
        self.runner = .external(command)
    }

    /// Built-in commands take `--dry-run` in addition to their declared parameters.
    public var acceptsDryRun: Bool {
        if case .command = runner { return true }
        return false
    }
}

/// Every plugin by name: built-ins from an explicit list (SPEC §5), one lookup for all users.
public final class Registry {
    public private(set) var entries: [PluginEntry] = []
    private var byName: [String: Int] = [:]

    public init(analyses: [any Analysis.Type] = [], commands: [any Command.Type] = []) {
        for a in analyses { try! add(PluginEntry(analysis: a)) }
        for c in commands { try! add(PluginEntry(command: c)) }
    }

    /// Adds a plugin; a name already taken is an error naming both.
    public func add(_ entry: PluginEntry) throws {
        if let i = byName[entry.name] {
            let other = entries[i]
            throw UsageError(
                "plugin name '\(entry.name)' is taken twice: \(describe(other)) and \(describe(entry)); rename one")
        }
        entries.append(entry)
        entries.sort { $0.name < $1.name }
        byName = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
    }

    public func entry(named name: String) -> PluginEntry? {
        byName[name].map { entries[$0] }
    }

    public var names: [String] { entries.map(\.name) }

    func describe(_ e: PluginEntry) -> String {
        e.origin.location.map { "\(e.origin.label) \($0)" } ?? "the \(e.origin.label) \(e.kind.rawValue)"
    }
}
