import Foundation
import GRDB

/// What every plugin declares: the data that help, completion, validation, notebooks and the
/// generic examples test all read (SPEC §5).
public protocol Plugin {
    /// Kebab-case and unique: what the user types.
    static var name: String { get }
    /// One line for `.plugins` and `help`.
    static var summary: String { get }
    /// Longer help, printed by `help NAME` after the summary. Optional.
    static var discussion: String { get }
    static var parameters: [Parameter] { get }
    /// Documentation and tests at once: each runs against its fixture in the generic test.
    static var examples: [Example] { get }
}

extension Plugin {
    public static var discussion: String { "" }
}

/// A read-only plugin: runs inside one read transaction and returns a result.
public protocol Analysis: Plugin {
    static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet
}

/// How a command's writes are grouped.
public enum CommandTransaction: Sendable {
    /// The interpreter wraps `run` in one write transaction, rolled back on error or `--dry-run`.
    case single
    /// The command manages its own transactions (ingest batches, migrations with backups).
    case managed
}

/// A plugin that may write: all or nothing, `--dry-run`, every changed cost or token audited.
public protocol Command: Plugin {
    static var transaction: CommandTransaction { get }
    /// True when this invocation only reads (`pricing list`): it then runs in a read
    /// transaction and works on a `--read-only` database too.
    static func onlyReads(_ arguments: Arguments) -> Bool
    static func run(_ arguments: Arguments, context: CommandContext) throws -> ResultSet
}

extension Command {
    public static var transaction: CommandTransaction { .single }
    public static func onlyReads(_ arguments: Arguments) -> Bool { false }
}

/// One documented invocation with its expected result on a named fixture.
public struct Example: Hashable, Sendable {
    /// The input as typed at the prompt, e.g. `tables --like sess%`.
    public var invocation: String
    /// What the example shows, one line (printed in help).
    public var summary: String
    /// The fixture database it runs against (see `Fixtures`).
    public var fixture: String
    /// The expected result in `csv` format (header line, then rows), or `error: MESSAGE` when the
    /// example shows an error.
    public var expected: String

    public init(_ invocation: String, _ summary: String, fixture: String = "tiny", expected: String) {
        self.invocation = invocation
        self.summary = summary
        self.fixture = fixture
        self.expected = expected
    }
}

/// Where a plugin comes from, for `.plugins`.
public enum PluginOrigin: Hashable, Sendable {
    case builtin
    case sqlFile(String)
    case external(String)

    public var label: String {
        switch self {
        case .builtin: return "built-in"
        case .sqlFile: return "SQL file"
        case .external: return "external"
        }
    }

    public var location: String? {
        switch self {
        case .builtin: return nil
        case .sqlFile(let p), .external(let p): return p
        }
    }
}

public enum PluginKind: String, Sendable {
    case analysis, command
}
