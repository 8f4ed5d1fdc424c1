import Foundation

// MARK: - JSONL

extension EventsReader {
    /// One JSON object per line, split on `\n` bytes (a trailing `\r` is dropped); blank lines are
    /// not records. Each line is decoded on its own, so a cut or malformed line rejects only itself.
    static let chunkLines = 20_000

    func streamJSONL(_ url: URL, emit: (ReadBatch) throws -> Void) throws {
        let decoder = JSONDecoder()
        var builder = BatchBuilder()
        try JSONLines.forEach(in: url) { bytes, lineNumber in
            if !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                do {
                    let line = try decoder.decode(Line.self, from: bytes)
                    builder.add(line.fields, line: lineNumber, raw: RawText(Data(bytes)))
                } catch {
                    builder.rejectRecord(line: lineNumber, reason: Self.jsonProblem(error, bytes: bytes), raw: RawText(Data(bytes)))
                }
            }
            if lineNumber % Self.chunkLines == 0 { try emit(builder.takeChunk()) }
        }
        try emit(builder.finish())
    }

    /// Why a line could not be decoded, in words a user can act on.
    static func jsonProblem(_ error: Error, bytes: Data) -> String {
        if String(data: bytes, encoding: .utf8) == nil { return "not valid UTF-8" }
        switch error {
        case DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty:
            return "not a JSON object"
        default:
            return jsonSyntaxProblem(bytes, unit: "line")
        }
    }

    /// The reason for JSON text that does not parse (Foundation's decoder gives no detail):
    /// text that stops before its object or array closes was cut off (a partial write).
    static func jsonSyntaxProblem(_ bytes: Data, unit: String) -> String {
        let last = bytes.last { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        if last != UInt8(ascii: "}") && last != UInt8(ascii: "]") {
            return "not valid JSON: the \(unit) ends before its object closes (cut off?)"
        }
        return "not valid JSON: check the quotes, commas and brackets"
    }

    /// Any JSON object key.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    /// One line's fields, decoded in one pass: token counts through ``TokenField``, text columns as
    /// text (an integer id is accepted as its digits), unknown keys kept as JSON.
    struct Line: Decodable {
        var fields = Fields()

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            for key in c.allKeys {
                guard let column = Column(name: key.stringValue) else {
                    let value = try c.decode(JSONValue.self, forKey: key)
                    if value != .null { fields.extras[key.stringValue] = value }
                    continue
                }
                if column.isTokenCount {
                    let count = try c.decode(TokenField.self, forKey: key)
                    if count.value != nil || count.problem != nil { fields.tokens[column] = count }
                    continue
                }
                // The common kinds first: a failed `try?` decode builds an error, which is slow.
                if try c.decodeNil(forKey: key) { continue }
                if column == .costUSD {
                    if let usd = try? c.decode(Double.self, forKey: key) {
                        guard let nanos = Money.nanos(usd: usd) else {
                            fields.note("invalid cost_usd: out of range (\(usd))")
                            continue
                        }
                        fields.setCost(nanos: nanos, shown: "\(usd)")
                    } else {
                        let value = try c.decode(JSONValue.self, forKey: key)
                        fields.note("invalid cost_usd: \(value.jsonText.prefix(40)) is not a number")
                    }
                    continue
                }
                if let s = try? c.decode(String.self, forKey: key) {
                    let t = String(s.trimmedSpaces)
                    if !t.isEmpty { fields.text[column] = t }
                    continue
                }
                let value = try c.decode(JSONValue.self, forKey: key)
                if column == .id, case .integer(let i) = value {
                    fields.text[.id] = String(i)
                } else {
                    fields.note("\(column.rawValue) must be text, not \(value.jsonText.prefix(40))")
                }
            }
        }
    }
}
