import Foundation
import GRDBSQLite

/// The three kinds of input (SPEC §3).
public enum InputKind: Equatable, Sendable {
    case sql
    case dotCommand
    case invocation
}

public enum SQLKeywords {
    /// Words that start SQL input: it then runs to a `;` outside strings and comments.
    public static let leading: Set<String> = [
        "select", "with", "values", "explain", "pragma", "insert", "update", "delete", "replace", "create",
        "drop", "alter", "attach", "detach", "begin", "commit", "end", "rollback", "savepoint", "release",
        "analyze", "vacuum", "reindex",
    ]

    /// Keywords offered by completion after the first word of SQL.
    public static let common: [String] = [
        "SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "JOIN", "LEFT JOIN", "ON", "AS",
        "AND", "OR", "NOT", "NULL", "IS", "IN", "LIKE", "BETWEEN", "DISTINCT", "COUNT", "SUM", "AVG", "MIN", "MAX",
        "CASE", "WHEN", "THEN", "ELSE", "END", "DESC", "ASC", "WITH", "UNION", "ALL", "INSERT", "UPDATE", "DELETE",
    ]

    /// Classifies one complete or starting input by its first word.
    public static func kind(of input: String) -> InputKind {
        let trimmed = input.drop(while: { $0.isWhitespace })
        if trimmed.hasPrefix(".") { return .dotCommand }
        let word = trimmed.prefix(while: { $0.isLetter }).lowercased()
        return leading.contains(word) ? .sql : .invocation
    }

    /// True when `sql` ends with a complete statement (`sqlite3_complete`: a `;` outside
    /// strings, identifiers, comments and triggers).
    public static func isComplete(_ sql: String) -> Bool {
        sqlite3_complete(sql) != 0
    }
}

/// Collects lines into complete inputs: SQL over several lines up to its `;`, one line for a dot
/// command or an invocation (a trailing `\` continues it). Comment lines (`--`, `#`) between
/// inputs are skipped.
public struct InputAccumulator {
    private var buffer: [String] = []
    private var kind: InputKind? = nil
    /// The line number (1-based) where the pending input started.
    public private(set) var startLine = 0
    private var lineNumber = 0

    public init() {}

    /// True while an input is incomplete (the REPL shows the continuation prompt).
    public var isContinuing: Bool { !buffer.isEmpty }

    /// Feeds one line; returns a complete input with the line where it started.
    public mutating func feed(_ line: String) -> (input: String, line: Int)? {
        lineNumber += 1
        if buffer.isEmpty {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("--") || t.hasPrefix("#") { return nil }
            kind = SQLKeywords.kind(of: t)
            startLine = lineNumber
        }
        switch kind {
        case .sql:
            buffer.append(line)
            let text = buffer.joined(separator: "\n")
            guard SQLKeywords.isComplete(text) else { return nil }
            return take(text)
        case .invocation where line.hasSuffix("\\") && !line.hasSuffix("\\\\"):
            buffer.append(String(line.dropLast()))
            return nil
        default:
            buffer.append(line)
            return take(buffer.joined(separator: " "))
        }
    }

    /// At end of input: whatever is pending (an SQL statement without its `;`).
    public mutating func finish() -> (input: String, line: Int)? {
        guard !buffer.isEmpty else { return nil }
        let text = buffer.joined(separator: kind == .sql ? "\n" : " ")
        return take(text)
    }

    /// Drops a pending partial input (Ctrl-C at the continuation prompt).
    public mutating func reset() {
        buffer = []
        kind = nil
    }

    private mutating func take(_ text: String) -> (input: String, line: Int) {
        buffer = []
        kind = nil
        return (text, startLine)
    }
}
