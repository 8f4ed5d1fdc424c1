import Foundation

/// A JSON value with ordered object keys, written byte-for-byte the way the tools that produce
/// Tally's sources write theirs: JavaScript's `JSON.stringify(x)` / `JSON.stringify(x, null, 2)`
/// (OpenCode, Claude Code, Gemini CLI), serde_json (Codex) and Python's `json.dumps` (workflow
/// summaries). Key order is the order the fields are given in, as in the real files.
enum DemoJSON {
    case null
    case bool(Bool)
    case int(Int)
    /// A USD amount in nano-dollars, written as the shortest decimal (`0.0999702`, `0`), or in
    /// exponent form below 1e-6 as JavaScript does (`5e-7`).
    case usd(Int64)
    /// A number written exactly as given (`4.0`, `89.5`): the float text a source wrote.
    case number(String)
    case string(String)
    case array([DemoJSON])
    case object([(String, DemoJSON)])

    /// How a value is laid out.
    enum Style {
        /// `{"a":1,"b":[1,2]}` — JSON.stringify, serde_json, JSON Lines.
        case compact
        /// Two-space indentation, `"key": value`, empty containers as `[]` / `{}` —
        /// `JSON.stringify(x, null, 2)` and Python's `json.dumps(x, indent=2)`.
        case pretty
        /// `{"a": 1, "b": [1, 2]}` — Python's `json.dumps(x)` defaults.
        case python
    }

    /// An object from ordered pairs; pairs whose value is nil are left out (absent keys).
    static func obj(_ pairs: KeyValuePairs<String, DemoJSON?>) -> DemoJSON {
        var fields: [(String, DemoJSON)] = []
        fields.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            if let value { fields.append((key, value)) }
        }
        return .object(fields)
    }

    /// The object's value for `key`, if this is an object holding it.
    subscript(key: String) -> DemoJSON? {
        guard case .object(let fields) = self else { return nil }
        return fields.first(where: { $0.0 == key })?.1
    }

    /// The same object without the given keys (OpenCode's database `data` column is the stored
    /// object minus its id fields).
    func removing(_ keys: Set<String>) -> DemoJSON {
        guard case .object(let fields) = self else { return self }
        return .object(fields.filter { !keys.contains($0.0) })
    }

    /// The same object with `key` set to `value` (replaced in place, or appended).
    func setting(_ key: String, _ value: DemoJSON) -> DemoJSON {
        guard case .object(var fields) = self else { return self }
        if let index = fields.firstIndex(where: { $0.0 == key }) {
            fields[index].1 = value
        } else {
            fields.append((key, value))
        }
        return .object(fields)
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    // MARK: - Writing

    func bytes(_ style: Style) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(into: &out, style: style)
        return out
    }

    func text(_ style: Style) -> String {
        String(decoding: bytes(style), as: UTF8.self)
    }

    func write(into out: inout [UInt8], style: Style) {
        write(into: &out, style: style, depth: 0)
    }

    private func write(into out: inout [UInt8], style: Style, depth: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .usd(let nanos): out.append(contentsOf: Self.usdText(nanos).utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let items):
            guard !items.isEmpty else { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { Self.separator(into: &out, style: style) }
                Self.newline(into: &out, style: style, depth: depth + 1)
                item.write(into: &out, style: style, depth: depth + 1)
            }
            Self.newline(into: &out, style: style, depth: depth)
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            guard !fields.isEmpty else { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { Self.separator(into: &out, style: style) }
                Self.newline(into: &out, style: style, depth: depth + 1)
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if style != .compact { out.append(UInt8(ascii: " ")) }
                value.write(into: &out, style: style, depth: depth + 1)
            }
            Self.newline(into: &out, style: style, depth: depth)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func separator(into out: inout [UInt8], style: Style) {
        out.append(UInt8(ascii: ","))
        if style == .python { out.append(UInt8(ascii: " ")) }
    }

    private static func newline(into out: inout [UInt8], style: Style, depth: Int) {
        guard style == .pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    /// JSON.stringify's escaping: `"`, `\`, and control characters; everything else (including
    /// non-ASCII) is written as is.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        JSONEscaping.append(s, to: &out)
    }

    /// The decimal text of nano-dollars as JavaScript prints the equal Number.
    static func usdText(_ nanos: Int64) -> String {
        if nanos == 0 { return "0" }
        let sign = nanos < 0 ? "-" : ""
        let magnitude = nanos.magnitude
        if magnitude < 1000 {
            // Below 1e-6 JavaScript switches to exponent form: 5e-7, 1.25e-7.
            let digits = String(magnitude)
            let exponent = digits.count - 1 - 9
            let rest = digits.dropFirst().reversed().drop(while: { $0 == "0" }).reversed()
            return sign + String(digits.first!) + (rest.isEmpty ? "" : "." + String(rest)) + "e\(exponent)"
        }
        let whole = magnitude / 1_000_000_000
        var fraction = String(magnitude % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return sign + String(whole) + (fraction.isEmpty ? "" : "." + fraction)
    }
}

extension DemoJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: DemoJSON...) { self = .array(elements) }
}
