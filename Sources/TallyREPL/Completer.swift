import Foundation
import GRDB
import TallyKit

/// Tab completion: plugin names, parameter names, enum values, dot commands, table and column
/// names, SQL keywords and file paths — all read from the registry and the open database.
public final class Completer {
    let interpreter: Interpreter
    /// True while the REPL is inside a multi-line SQL statement.
    public var isContinuingSQL: () -> Bool = { false }
    private var schemaCache: (tables: [String], columns: [String])?

    public init(interpreter: Interpreter) {
        self.interpreter = interpreter
    }

    /// Forgets cached table and column names (after each input: the schema may have changed).
    public func invalidate() { schemaCache = nil }

    /// Candidates for the word that ends at `cursor` (a UTF-8 offset into `line`).
    public func complete(line: String, cursor: Int) -> (start: Int, candidates: [String]) {
        let bytes = Array(line.utf8.prefix(cursor))
        var start = bytes.count
        while start > 0, !Self.separators.contains(bytes[start - 1]) { start -= 1 }
        let word = String(decoding: bytes[start...], as: UTF8.self)
        let before = String(decoding: bytes[..<start], as: UTF8.self)
        let previousWords = before.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let candidates = self.candidates(word: word, previous: previousWords).filter { $0.hasPrefix(word) || caseInsensitivePrefix($0, word) }
        return (start, Array(Set(candidates)).sorted())
    }

    static let separators: Set<UInt8> = [32, 9, 40, 41, 44, 61, 59]  // space tab ( ) , = ;

    private func caseInsensitivePrefix(_ candidate: String, _ word: String) -> Bool {
        candidate.lowercased().hasPrefix(word.lowercased()) && candidate.uppercased() == candidate
    }

    private func candidates(word: String, previous: [String]) -> [String] {
        if isContinuingSQL() { return sqlCandidates(word: word) }
        guard let first = previous.first else {
            if word.hasPrefix(".") { return DotCommand.all.map(\.name) }
            if word.hasPrefix(":") { return sessionParameters() }
            let sql = SQLKeywords.leading.map { word.first?.isUppercase == true ? $0.uppercased() : $0 }
            return interpreter.registry.names + ["help"] + sql
        }
        if previous.last == ">" || previous.last == ">>" { return paths(word) }
        if first.hasPrefix(".") { return dotArgumentCandidates(command: first, word: word, argumentIndex: previous.count - 1) }
        if SQLKeywords.kind(of: first) == .sql { return sqlCandidates(word: word) }
        if first == "help" { return interpreter.registry.names }
        guard let entry = interpreter.registry.entry(named: first) else { return [] }
        return invocationCandidates(entry, word: word, previous: Array(previous.dropFirst()))
    }

    private func invocationCandidates(_ entry: PluginEntry, word: String, previous: [String]) -> [String] {
        // An external command's words are its own: only paths are a safe guess.
        if case .external = entry.runner { return word.isEmpty || word.hasPrefix("-") ? [] : paths(word) }
        if let option = previous.last, option.hasPrefix("--") {
            let name = String(option.dropFirst(2))
            if name == "format" { return OutputFormat.allCases.map(\.rawValue) }
            if name == "chart" { return ["on", "off"] }
            if let p = entry.parameters.first(where: { $0.name == name && !$0.positional }), p.type != .bool {
                return values(for: p.type, word: word)
            }
        }
        if word.hasPrefix("-") {
            var names = entry.parameters.filter { !$0.positional }.map { "--" + $0.name }
            names += ["--format", "--help", "--chart", "--tz"]
            if entry.acceptsDryRun { names.append("--dry-run") }
            return names
        }
        // The next positional parameter: count the positional words typed so far.
        var positionalIndex = 0
        var skipNext = false
        for w in previous {
            if skipNext { skipNext = false; continue }
            if w.hasPrefix("--") {
                let name = String(w.dropFirst(2))
                let takesValue = entry.parameters.contains { $0.name == name && $0.type != .bool } || ["format", "chart", "tz"].contains(name)
                skipNext = takesValue && !w.contains("=")
            } else {
                positionalIndex += 1
            }
        }
        let positionals = entry.parameters.filter(\.positional)
        guard positionalIndex < positionals.count else { return [] }
        return values(for: positionals[positionalIndex].type, word: word)
    }

    private func values(for type: ParameterType, word: String) -> [String] {
        switch type {
        case .choice(let values): return values
        case .bool: return ["true", "false"]
        case .path: return paths(word)
        case .date: return ["today", "yesterday", "-7d", "-30d", "-12w", "-6m"]
        default: return []
        }
    }

    private func dotArgumentCandidates(command: String, word: String, argumentIndex: Int) -> [String] {
        guard argumentIndex == 0, let dot = DotCommand.all.first(where: { $0.name == command }) else { return [] }
        switch dot.argument {
        case .none: return []
        case .path: return paths(word)
        case .table: return schema().tables
        case .format: return OutputFormat.allCases.map(\.rawValue)
        case .onOff: return ["on", "off"]
        case .setting:
            let names = interpreter.registry.entries.flatMap { $0.parameters.map(\.name) }
            return Array(Set(names + Array(interpreter.environment.values.keys) + ["tz"]))
        }
    }

    private func sqlCandidates(word: String) -> [String] {
        if word.hasPrefix(":") { return sessionParameters() }
        let (tables, columns) = schema()
        let keywords = SQLKeywords.common.filter { !$0.contains(" ") }
        let cased = word.first?.isLowercase == true ? keywords.map { $0.lowercased() } : keywords
        return tables + columns + cased
    }

    private func sessionParameters() -> [String] {
        interpreter.environment.values.keys.map { ":" + $0 }
    }

    private func schema() -> (tables: [String], columns: [String]) {
        if let cached = schemaCache { return cached }
        let result = (try? interpreter.store.read { db -> ([String], [String]) in
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
            var columns = Set<String>()
            for t in tables {
                for c in try db.columns(in: t) { columns.insert(c.name) }
            }
            return (tables, columns.sorted())
        }) ?? ([], [])
        schemaCache = result
        return result
    }

    /// Files and folders that complete `word` (folders end with `/`).
    func paths(_ word: String) -> [String] {
        let expanded = ValueParser.expandTilde(word)
        let dirPart: String
        let namePrefix: String
        if let slash = expanded.lastIndex(of: "/") {
            dirPart = String(expanded[...slash])
            namePrefix = String(expanded[expanded.index(after: slash)...])
        } else {
            dirPart = ""
            namePrefix = expanded
        }
        let typedDir: String
        if let slash = word.lastIndex(of: "/") { typedDir = String(word[...slash]) } else { typedDir = "" }
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: dirPart.isEmpty ? "." : dirPart) else { return [] }
        return names.filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }.map { name in
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: dirPart + name, isDirectory: &isDir)
            return typedDir + name + (isDir.boolValue ? "/" : "")
        }
    }
}
