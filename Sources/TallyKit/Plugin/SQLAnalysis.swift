import Foundation
import GRDB
import GRDBSQLite

/// A user's analysis written in SQL: a `*.sql` file whose header comments declare its name,
/// summary and typed parameters (SPEC §5). It runs like a built-in analysis — read-only, in one
/// read transaction — with its parameters bound as SQL parameters, never spliced into the text.
///
/// ```sql
/// -- name: expensive-tools
/// -- summary: Tools by cost since a date.
/// -- param: since date default=-30d help=Only calls from this date on.
/// -- param: limit int default=10
/// SELECT ... WHERE started_at >= :since LIMIT :limit;
/// ```
public struct SQLAnalysis: Hashable, Sendable {
    /// The file as the user named it (`analyses/x.sql`): in messages, `.plugins` and help.
    public var path: String
    public var name: String
    public var summary: String
    /// The header's other comment lines: printed by `help NAME` after the summary.
    public var discussion: String
    public var parameters: [Parameter]
    /// An optional chart (`-- chart: bar LABEL_COLUMN VALUE_COLUMN`).
    public var chart: Chart?
    /// The whole file: SQLite skips the header comments itself.
    public var sql: String
    /// The line of `-- name:` (1 when the name comes from the file name), for clash messages.
    public var nameLine: Int

    /// Header keys; anything else in a header comment is prose (the discussion).
    static let keys = ["name", "summary", "param", "chart"]
    /// Options every invocation takes (`--format`, `--tz`...): not usable as parameter names.
    static let reservedParameters: Set<String> = ["format", "help", "chart", "tz", "mode", "dry-run"]

    /// Reads one file; a malformed header is an error naming the file and line.
    public static func load(contentsOf url: URL, displayPath: String) throws -> SQLAnalysis {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SQLAnalysisError(path: displayPath, line: nil, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SQLAnalysisError(path: displayPath, line: nil, message: "not UTF-8 text")
        }
        let base = url.deletingPathExtension().lastPathComponent
        return try parse(text, path: displayPath, defaultName: base)
    }

    /// Parses a file's text: header comments first, then the query.
    public static func parse(_ text: String, path: String, defaultName: String) throws -> SQLAnalysis {
        func fail(_ line: Int, _ message: String) -> SQLAnalysisError {
            SQLAnalysisError(path: path, line: line, message: message)
        }
        var name: String?
        var nameLine = 1
        var summary: String?
        var prose: [String] = []
        var parameters: [Parameter] = []
        var chart: Chart?
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, raw) in lines.enumerated() {
            let number = offset + 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty {
                if !prose.isEmpty { prose.append("") }
                continue
            }
            guard line.hasPrefix("--") else { break }  // the header ends at the first SQL line
            let comment = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            guard let (key, value) = keyValue(comment) else {
                prose.append(comment)
                continue
            }
            switch key {
            case "name":
                guard value.range(of: "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", options: .regularExpression) != nil else {
                    throw fail(number, "name '\(value)' is not kebab-case (lowercase words joined by '-', as in expensive-tools)")
                }
                if name != nil { throw fail(number, "a second '-- name:' line: an analysis has one name") }
                name = value
                nameLine = number
            case "summary":
                guard !value.isEmpty else { throw fail(number, "empty summary: say in one line what the analysis shows") }
                summary = value
            case "param":
                let p: Parameter
                do { p = try ParameterDeclaration.parse(value) } catch let e as ParameterDeclaration.Failure {
                    throw fail(number, e.message)
                }
                if parameters.contains(where: { $0.name == p.name }) {
                    throw fail(number, "parameter '\(p.name)' is declared twice")
                }
                parameters.append(p)
            case "chart":
                let words = value.split(separator: " ").map(String.init)
                guard words.count == 3, let kind = Chart.Kind(rawValue: words[0]) else {
                    throw fail(number, "chart takes a kind and two columns: '-- chart: bar LABEL_COLUMN VALUE_COLUMN' (or sparkline)")
                }
                chart = Chart(kind: kind, label: words[1], value: words[2])
            default:
                // A key one typo away from a known one (`parm:`) is a mistake, not prose.
                if let s = Suggestions.closest(to: key, in: keys), Suggestions.distance(key, s) <= 1 {
                    throw fail(number, "unknown header key '\(key)'; did you mean '\(s)'?")
                }
                prose.append(comment)
            }
        }
        let resolvedName = name ?? defaultName
        guard resolvedName.range(of: "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", options: .regularExpression) != nil else {
            throw fail(1, "no '-- name:' line, and the file name '\(defaultName)' is not a kebab-case plugin name: add '-- name: some-name'")
        }
        guard hasStatement(text) else {
            throw SQLAnalysisError(path: path, line: nil, message: "no query after the header: add a SELECT statement")
        }
        while prose.last == "" { prose.removeLast() }
        return SQLAnalysis(
            path: path, name: resolvedName, summary: summary ?? "SQL analysis in \(path).",
            discussion: prose.joined(separator: "\n"), parameters: parameters, chart: chart, sql: text, nameLine: nameLine)
    }

    /// `key: value` when the comment starts with a lowercase word and a colon.
    private static func keyValue(_ comment: String) -> (String, String)? {
        guard let colon = comment.firstIndex(of: ":") else { return nil }
        let key = String(comment[..<colon])
        guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "-") }) else { return nil }
        return (key, comment[comment.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    /// True when something other than comments and whitespace follows.
    private static func hasStatement(_ text: String) -> Bool {
        var inBlockComment = false
        for line in text.split(separator: "\n") {
            var rest = Substring(line)
            while !rest.isEmpty {
                if inBlockComment {
                    guard let end = rest.range(of: "*/") else { rest = ""; break }
                    rest = rest[end.upperBound...]
                    inBlockComment = false
                    continue
                }
                rest = rest.drop(while: { $0.isWhitespace || $0 == ";" })
                if rest.hasPrefix("--") || rest.isEmpty { break }
                if rest.hasPrefix("/*") {
                    inBlockComment = true
                    rest = rest.dropFirst(2)
                    continue
                }
                return true
            }
        }
        return false
    }
}

/// A malformed SQL analysis: `analyses/x.sql:3: unknown parameter type 'dat'`.
public struct SQLAnalysisError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public var description: String {
        line.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)"
    }
}

/// `-- param: NAME TYPE [default=VALUE] [help=TEXT] [required]`.
enum ParameterDeclaration {
    struct Failure: Error { var message: String }

    static let typeNames = "string, int, decimal, bool, date, duration, path, enum(a,b,c)"

    static func parse(_ text: String) throws -> Parameter {
        var rest = Substring(text)
        func skipSpaces() { rest = rest.drop(while: { $0 == " " || $0 == "\t" }) }
        func word() -> String {
            skipSpaces()
            let w = rest.prefix(while: { $0 != " " && $0 != "\t" })
            rest = rest.dropFirst(w.count)
            return String(w)
        }
        let name = word()
        guard !name.isEmpty else {
            throw Failure(message: "param needs a name and a type: '-- param: since date default=-30d help=...'")
        }
        guard name.range(of: "^[a-z][a-z0-9]*([-_][a-z0-9]+)*$", options: .regularExpression) != nil else {
            throw Failure(message: "parameter name '\(name)' must be lowercase letters and digits, words joined by '-' or '_'")
        }
        if SQLAnalysis.reservedParameters.contains(name) {
            throw Failure(message: "parameter name '\(name)' is taken by the option every plugin has (--\(name)): choose another")
        }
        skipSpaces()
        // `enum(a, b)` may hold spaces: read it to its parenthesis.
        var typeText: String
        if rest.lowercased().hasPrefix("enum("), let close = rest.firstIndex(of: ")") {
            typeText = String(rest[...close])
            rest = rest[rest.index(after: close)...]
        } else {
            typeText = word()
        }
        guard !typeText.isEmpty else { throw Failure(message: "parameter '\(name)' has no type: use one of \(typeNames)") }
        guard let type = ParameterType(name: typeText) else {
            var message = "unknown parameter type '\(typeText)'"
            let known = ["string", "int", "decimal", "bool", "date", "duration", "path", "enum"]
            if let s = Suggestions.closest(to: typeText, in: known) { message += "; did you mean '\(s)'?" }
            throw Failure(message: message + " (types: \(typeNames))")
        }
        var defaultValue: String?
        var help = ""
        var required = false
        while true {
            skipSpaces()
            if rest.isEmpty { break }
            if rest.hasPrefix("default=") {
                rest = rest.dropFirst("default=".count)
                defaultValue = try value(&rest, restOfLine: false)
            } else if rest.hasPrefix("help=") {
                rest = rest.dropFirst("help=".count)
                help = try value(&rest, restOfLine: true)
            } else {
                let w = word()
                guard w == "required" else {
                    throw Failure(message: "unexpected '\(w)' in param '\(name)': write default=VALUE, help=TEXT or required")
                }
                required = true
            }
        }
        if let d = defaultValue {
            // Relative dates parse against any clock: checking the syntax here needs none in particular.
            let parser = ValueParser(now: Date(timeIntervalSince1970: 0), timeZone: TimeZone(identifier: "UTC")!)
            if case .failure(let e) = parser.parse(d, as: type) {
                throw Failure(message: "default '\(d)' of '\(name)' is not \(e.expected)")
            }
        }
        if required && defaultValue != nil {
            throw Failure(message: "parameter '\(name)' is required and has a default: keep one of the two")
        }
        return Parameter(name, type, default: defaultValue, help: help, required: required)
    }

    /// A quoted value (`"a b"`, `'a b'`), the rest of the line, or one word.
    private static func value(_ rest: inout Substring, restOfLine: Bool) throws -> String {
        if let quote = rest.first, quote == "\"" || quote == "'" {
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: quote) else { throw Failure(message: "unterminated \(quote) quote") }
            rest = body[body.index(after: end)...]
            return String(body[..<end])
        }
        if restOfLine {
            defer { rest = "" }
            return rest.trimmingCharacters(in: .whitespaces)
        }
        let w = rest.prefix(while: { $0 != " " && $0 != "\t" })
        rest = rest.dropFirst(w.count)
        return String(w)
    }
}

// MARK: - Running

extension SQLAnalysis {
    /// Runs the query inside the caller's read transaction with the bound arguments.
    ///
    /// A declared parameter binds `:name` (`-` read as `_`); one without a value binds NULL so
    /// that `:project IS NULL OR ...` filters optionally. Undeclared `:now` and `:tz` bind the
    /// session's clock and time zone, other names their `.set` value; anything else is an error.
    public func run(_ arguments: Arguments, db: Database, environment: Environment) throws -> ResultSet {
        do {
            let statements = try db.allStatements(sql: sql)
            guard let statement = try statements.next() else {
                throw UsageError("\(label): no query to run")
            }
            if try statements.next() != nil {
                throw UsageError("\(label): holds more than one statement; an analysis is one query (put the others in a script)")
            }
            guard statement.isReadonly else {
                throw UsageError("\(label): the statement writes, and an analysis only reads: run it as SQL or in a script")
            }
            try statement.setArguments(bindings(for: statement, arguments: arguments, environment: environment))
            var result = try db.resultSet(statement)
            result.chart = chart
            return result
        } catch let e as DatabaseError where e.resultCode != .SQLITE_INTERRUPT {
            throw CommandFailure(message: "\(label): \(e.message ?? "\(e)")")
        }
    }

    /// `expensive-tools (analyses/x.sql)`: how messages name this analysis.
    var label: String { "\(name) (\(path))" }

    private func bindings(for statement: Statement, arguments: Arguments, environment: Environment) throws -> StatementArguments {
        var named: [String: (any DatabaseValueConvertible)?] = [:]
        guard let tokens = statement.parameterNames else {
            throw UsageError("\(label): positional parameter ? is not supported: name it (:since) and declare it with '-- param:'")
        }
        for token in tokens {
            let key = String(token.dropFirst())
            if let p = parameters.first(where: { $0.name == key || $0.name.replacingOccurrences(of: "-", with: "_") == key }) {
                named[key] = arguments[p.name].map(Self.sqlValue) ?? Value.null
            } else if key == "now" {
                named[key] = Value.text(Timestamps.iso(environment.now))
            } else if key == "tz" {
                named[key] = Value.text(environment.timeZoneName)
            } else if let text = environment.values[key] ?? environment.values[key.replacingOccurrences(of: "_", with: "-")] {
                named[key] = Interpreter.sqlValue(text, parser: environment.parser)
            } else {
                throw UsageError(
                    "\(label): \(token) is not a declared parameter: add '-- param: \(key) TYPE' to the header, or give it a value with `.set \(key) VALUE`")
            }
        }
        return StatementArguments(named)
    }

    /// A typed value as SQLite compares it: dates as canonical ISO-8601 UTC text, booleans as
    /// 0/1, decimals as numbers.
    static func sqlValue(_ value: ParameterValue) -> Value {
        switch value {
        case .decimal(let d): return .real(NSDecimalNumber(decimal: d).doubleValue)
        default: return value.sqlValue
        }
    }
}

extension Statement {
    /// The distinct parameter tokens of the statement (`:since`, `@x`, `$y`), in order; nil when
    /// one is a nameless `?`.
    var parameterNames: [String]? {
        let handle = sqliteStatement
        let count = sqlite3_bind_parameter_count(handle)
        guard count > 0 else { return [] }
        var names: [String] = []
        for i in 1...count {
            guard let name = sqlite3_bind_parameter_name(handle, i) else { return nil }
            names.append(String(cString: name))
        }
        return names
    }
}
