import Foundation

/// A notebook's front matter: a `---` block at the top in the small subset of YAML notebooks
/// need — top-level `key: value` lines and one `params:` map of indented `name: value` lines.
///
/// ```yaml
/// ---
/// title: Cost review
/// now: 2026-03-31T12:00:00Z
/// params:
///   tz: UTC
///   since: 2026-01-01   # overridable: -D since=2026-02-01
/// ---
/// ```
///
/// `params` become session values (as `.set NAME VALUE`): plugin parameter defaults and `:NAME`
/// in SQL. `now` fixes the clock for relative dates, so outputs are reproducible. Other keys
/// (title, author...) are the document's own and ignored.
public struct FrontMatter: Hashable, Sendable {
    public struct Param: Hashable, Sendable {
        public var name: String
        public var value: String
    }

    /// `params:` in the order written.
    public var params: [Param]
    public var now: Date?
    /// The other top-level keys (title...), unused by Tally.
    public var values: [String: String]

    public init(params: [Param] = [], now: Date? = nil, values: [String: String] = [:]) {
        self.params = params
        self.now = now
        self.values = values
    }

    /// Parses the front matter at the top of `lines`; returns it and the index of the first line
    /// after it (0 when there is none).
    static func parse(_ lines: [String]) throws -> (FrontMatter, Int) {
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else { return (FrontMatter(), 0) }
        guard let end = lines.indices.dropFirst().first(where: { ["---", "..."].contains(lines[$0].trimmingCharacters(in: .whitespaces)) }) else {
            throw NotebookError(line: 1, message: "front matter opened with --- is never closed: end it with a --- line")
        }
        var matter = FrontMatter()
        var inParams = false
        var inOther = false
        for index in 1..<end {
            let number = index + 1
            let raw = lines[index]
            let content = stripComment(raw)
            if content.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let indented = raw.first == " " || raw.first == "\t"
            if indented {
                if inOther { continue }  // the nested value of a key Tally does not use
                guard inParams else {
                    throw NotebookError(line: number, message: "front matter: unexpected indented line; params go under a 'params:' line")
                }
                guard let (name, value) = keyValue(content) else {
                    throw NotebookError(line: number, message: "front matter: write each parameter as an indented 'NAME: VALUE' line under params:")
                }
                guard name.range(of: "^[A-Za-z_][A-Za-z0-9_-]*$", options: .regularExpression) != nil else {
                    throw NotebookError(line: number, message: "front matter: '\(name)' is not a parameter name (letters, digits, '_' and '-')")
                }
                guard !value.isEmpty else {
                    throw NotebookError(line: number, message: "front matter: parameter '\(name)' has no value")
                }
                if matter.params.contains(where: { $0.name == name }) {
                    throw NotebookError(line: number, message: "front matter: parameter '\(name)' is given twice")
                }
                matter.params.append(Param(name: name, value: try unquote(value, line: number)))
                continue
            }
            inParams = false
            inOther = false
            guard let (key, value) = keyValue(content) else {
                throw NotebookError(line: number, message: "front matter: expected 'KEY: VALUE', got '\(raw)'")
            }
            switch key {
            case "params":
                guard value.isEmpty else {
                    throw NotebookError(line: number, message: "front matter: params takes indented 'NAME: VALUE' lines below it, not a value on its line")
                }
                inParams = true
            case "now":
                let text = try unquote(value, line: number)
                guard let date = Timestamps.parse(text) else {
                    throw NotebookError(line: number, message: "front matter: now: '\(text)' is not a date or ISO timestamp (2026-03-31T12:00:00Z)")
                }
                matter.now = date
            default:
                if value.isEmpty { inOther = true }
                matter.values[key] = try unquote(value, line: number)
            }
        }
        return (matter, end + 1)
    }

    private static func keyValue(_ line: String) -> (String, String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let key = line[..<colon].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, !key.contains(" ") else { return nil }
        return (key, value)
    }

    /// The line without a `# comment` (a `#` at the start or after a space, outside quotes).
    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (offset, c) in line.enumerated() {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#", previous == " " || previous == "\t" {
                return String(line.prefix(offset))
            }
            previous = c
        }
        return line
    }

    private static func unquote(_ value: String, line: Int) throws -> String {
        guard let q = value.first, q == "\"" || q == "'" else { return value }
        guard value.count >= 2, value.last == q else {
            throw NotebookError(line: line, message: "front matter: unterminated \(q) quote in \(value)")
        }
        return String(value.dropFirst().dropLast())
    }
}
