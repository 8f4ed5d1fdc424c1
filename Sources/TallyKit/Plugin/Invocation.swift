import Foundation

/// Errors in what the user typed: exit code 2 in one-shot mode.
public struct UsageError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A command that ran (its result is shown) but whose run counts as failed: exit code 1.
public struct CommandFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

// MARK: - Words

/// Shell-like word splitting: single quotes are literal, double quotes allow `\"` and `\\`,
/// a backslash outside quotes escapes the next character; unquoted `>`/`>>` are redirections.
public enum Words {
    public enum Token: Hashable, Sendable {
        case word(String)
        case redirect(append: Bool)
    }

    public static func split(_ line: String) throws -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var inWord = false
        var chars = Array(line)[...]
        func flush() {
            if inWord { tokens.append(.word(current)) }
            current = ""
            inWord = false
        }
        while let c = chars.popFirst() {
            switch c {
            case " ", "\t", "\n", "\r":
                flush()
            case "'":
                inWord = true
                guard let end = chars.firstIndex(of: "'") else { throw UsageError("unterminated ' quote in: \(line)") }
                current += String(chars[chars.startIndex..<end])
                chars = chars[(end + 1)...]
            case "\"":
                inWord = true
                var closed = false
                while let d = chars.popFirst() {
                    if d == "\"" { closed = true; break }
                    if d == "\\", let next = chars.first, next == "\"" || next == "\\" || next == "$" || next == "`" {
                        current.append(next)
                        chars = chars.dropFirst()
                    } else {
                        current.append(d)
                    }
                }
                if !closed { throw UsageError("unterminated \" quote in: \(line)") }
            case "\\":
                inWord = true
                if let next = chars.popFirst() { current.append(next) }
            case ">" where !inWord:
                let append = chars.first == ">"
                if append { chars = chars.dropFirst() }
                tokens.append(.redirect(append: append))
            default:
                inWord = true
                current.append(c)
            }
        }
        flush()
        return tokens
    }

    /// Quotes a word so that `split` gives it back unchanged.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:=,@%+".contains($0) }) {
            return word
        }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

// MARK: - Invocation

/// Where a result goes instead of the session's output: `> FILE` or `>> FILE`.
public struct Redirect: Hashable, Sendable {
    public var path: String
    public var append: Bool
}

/// One plugin invocation as typed: the name, its words, and the options every plugin takes.
public struct Invocation: Hashable, Sendable {
    public var name: String
    /// The plugin's own words (parameters), without the global options below.
    public var words: [String]
    public var format: OutputFormat?
    public var redirect: Redirect?
    public var help: Bool
    public var chart: Bool?
    public var timeZone: String?

    /// Splits a line into the plugin name, its words and the global options
    /// (`--format FMT`, `--help`, `--chart on|off`, `--tz ZONE`, `> FILE`).
    public static func parse(_ line: String) throws -> Invocation {
        var tokens = try Words.split(line)[...]
        guard case .word(let name)? = tokens.popFirst() else { throw UsageError("empty command") }
        var inv = Invocation(name: name, words: [], format: nil, redirect: nil, help: false, chart: nil, timeZone: nil)
        func value(after option: String) throws -> String {
            guard case .word(let v)? = tokens.popFirst() else { throw UsageError("\(option) needs a value") }
            return v
        }
        while let token = tokens.popFirst() {
            switch token {
            case .redirect(let append):
                guard case .word(let path)? = tokens.popFirst() else { throw UsageError("'>' needs a file name") }
                inv.redirect = Redirect(path: ValueParser.expandTilde(path), append: append)
            case .word(let w):
                let (option, inline) = splitOption(w)
                switch option {
                case "--format", "--mode":
                    let f = try inline ?? value(after: option)
                    guard let format = OutputFormat(rawValue: f.lowercased()) else {
                        throw UsageError(
                            "unknown format '\(f)': use one of " + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    inv.format = format
                case "--help", "-h":
                    inv.help = true
                case "--chart":
                    let v = try inline ?? value(after: option)
                    switch v.lowercased() {
                    case "on", "true", "yes": inv.chart = true
                    case "off", "false", "no": inv.chart = false
                    default: throw UsageError("--chart takes on or off, not '\(v)'")
                    }
                case "--tz":
                    inv.timeZone = try inline ?? value(after: option)
                default:
                    inv.words.append(w)
                }
            }
        }
        return inv
    }

    static func splitOption(_ word: String) -> (String, String?) {
        guard word.hasPrefix("--"), let eq = word.firstIndex(of: "=") else { return (word, nil) }
        return (String(word[..<eq]), String(word[word.index(after: eq)...]))
    }
}

// MARK: - Arguments

/// A plugin's parameters after parsing and validation, by declared name.
public struct Arguments: Sendable {
    public var values: [String: ParameterValue]
    /// The names the user gave explicitly (not from a default or `.set`).
    public var given: Set<String>
    /// `--dry-run`: commands report what they would change and change nothing.
    public var dryRun: Bool

    public init(values: [String: ParameterValue] = [:], given: Set<String> = [], dryRun: Bool = false) {
        self.values = values
        self.given = given
        self.dryRun = dryRun
    }

    public subscript(_ name: String) -> ParameterValue? { values[name] }

    public func string(_ name: String) -> String? {
        switch values[name] {
        case .string(let s)?, .path(let s)?, .choice(let s)?: return s
        case let v?: return v.sqlValue.stringValue
        case nil: return nil
        }
    }
    public func int(_ name: String) -> Int? {
        if case .int(let i)? = values[name] { return i }
        return nil
    }
    public func decimal(_ name: String) -> Decimal? {
        switch values[name] {
        case .decimal(let d)?: return d
        case .int(let i)?: return Decimal(i)
        default: return nil
        }
    }
    public func bool(_ name: String) -> Bool {
        if case .bool(let b)? = values[name] { return b }
        return false
    }
    public func date(_ name: String) -> Date? {
        if case .date(let d)? = values[name] { return d }
        return nil
    }
    public func duration(_ name: String) -> Duration? {
        if case .duration(let d)? = values[name] { return d }
        return nil
    }
}

/// Binds an invocation's words to a plugin's declared parameters.
public struct ArgumentBinder {
    public var parameters: [Parameter]
    public var pluginName: String
    /// Commands accept `--dry-run`.
    public var acceptsDryRun: Bool
    public var parser: ValueParser
    /// `.set` values: the defaults of parameters of the same name.
    public var sessionValues: [String: String]

    public init(
        parameters: [Parameter], pluginName: String, acceptsDryRun: Bool, parser: ValueParser,
        sessionValues: [String: String]
    ) {
        self.parameters = parameters
        self.pluginName = pluginName
        self.acceptsDryRun = acceptsDryRun
        self.parser = parser
        self.sessionValues = sessionValues
    }

    public func bind(_ words: [String]) throws -> Arguments {
        var args = Arguments()
        var positionals = parameters.filter { $0.positional && !$0.rest }[...]
        let restParameter = parameters.first(where: \.rest)
        var restWords: [String] = []
        var rest = words[...]
        func typed(_ text: String, for p: Parameter) throws -> ParameterValue {
            switch parser.parse(text, as: p.type) {
            case .success(let v): return v
            case .failure(let e):
                let label = p.positional ? "<\(p.name)>" : "--\(p.name)"
                throw UsageError("\(pluginName): \(label) expects \(e.expected), got '\(e.got)'")
            }
        }
        func bindPositional(_ word: String) throws {
            guard let p = positionals.popFirst() else {
                if restParameter != nil {
                    restWords.append(word)
                    return
                }
                throw UsageError("\(pluginName): unexpected argument '\(word)' (see `help \(pluginName)`)")
            }
            args.values[p.name] = try typed(word, for: p)
            args.given.insert(p.name)
        }
        while let word = rest.popFirst() {
            if word == "--" {
                while let w = rest.popFirst() { try bindPositional(w) }
                break
            }
            if word.hasPrefix("--"), word.count > 2 {
                let (option, inline) = Invocation.splitOption(word)
                let name = String(option.dropFirst(2))
                if name == "dry-run", acceptsDryRun {
                    args.dryRun = inline.map { ["true", "yes", "on", "1"].contains($0.lowercased()) } ?? true
                    continue
                }
                if let p = parameters.first(where: { $0.name == name && !$0.positional })
                    ?? parameters.first(where: { $0.name == name })
                {
                    if p.type == .bool, inline == nil {
                        args.values[p.name] = .bool(true)
                    } else {
                        guard let text = inline ?? rest.popFirst() else {
                            throw UsageError("\(pluginName): --\(name) needs a value (\(p.type.name))")
                        }
                        args.values[p.name] = try typed(text, for: p)
                    }
                    args.given.insert(p.name)
                    continue
                }
                if name.hasPrefix("no-"), let p = parameters.first(where: { $0.name == name.dropFirst(3) && $0.type == .bool }) {
                    args.values[p.name] = .bool(false)
                    args.given.insert(p.name)
                    continue
                }
                if restParameter != nil {
                    restWords.append(word)
                    continue
                }
                var known = parameters.filter { !$0.positional }.map { "--" + $0.name }
                if acceptsDryRun { known.append("--dry-run") }
                known += ["--format", "--help"]
                var message = "\(pluginName): unknown parameter \(option)"
                if let s = Suggestions.closest(to: option, in: known) { message += "; did you mean \(s)?" }
                message += " (see `help \(pluginName)`)"
                throw UsageError(message)
            }
            try bindPositional(word)
        }
        if let p = restParameter, !restWords.isEmpty {
            args.values[p.name] = .string(restWords.map(Words.quote).joined(separator: " "))
            args.given.insert(p.name)
        }
        for p in parameters where args.values[p.name] == nil {
            if let session = sessionValues[p.name] ?? sessionValues[p.name.replacingOccurrences(of: "-", with: "_")] {
                args.values[p.name] = try typed(session, for: p)
            } else if let d = p.defaultValue {
                args.values[p.name] = try typed(d, for: p)
            } else if p.required {
                let label = p.positional ? "<\(p.name)>" : "--\(p.name)"
                throw UsageError("\(pluginName): missing \(label) (\(p.help))")
            }
        }
        return args
    }
}
