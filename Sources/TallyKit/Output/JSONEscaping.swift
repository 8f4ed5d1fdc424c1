/// JSON string literals, written one way everywhere (renderers, stored payloads, the demo
/// corpus): `"` and `\` escaped, `\n` `\r` `\t` `\b` `\f` short, other control characters as
/// `\u00XX`; `/` and non-ASCII left as they are — what `JSON.stringify` writes.
public enum JSONEscaping {
    /// Appends the quoted literal of `s` to UTF-8 bytes.
    public static func append(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends the quoted literal of `s` to a string; text that needs no escape (the common
    /// case) is copied whole rather than scalar by scalar.
    public static func append(_ s: String, to out: inout String) {
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 8)
        append(s, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// The quoted literal of `s`.
    public static func literal(_ s: String) -> String {
        var out = ""
        append(s, to: &out)
        return out
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
