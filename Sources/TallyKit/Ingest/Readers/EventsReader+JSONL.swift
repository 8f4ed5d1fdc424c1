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
                if let fields = Self.plainFields(bytes) {
                    builder.add(fields, line: lineNumber, raw: RawText(Data(bytes)))
                } else {
                    do {
                        let line = try decoder.decode(Line.self, from: bytes)
                        builder.add(line.fields, line: lineNumber, raw: RawText(Data(bytes)))
                    } catch {
                        builder.rejectRecord(line: lineNumber, reason: Self.jsonProblem(error, bytes: bytes), raw: RawText(Data(bytes)))
                    }
                }
            }
            if lineNumber % Self.chunkLines == 0 { try emit(builder.takeChunk()) }
        }
        try emit(builder.finish())
    }

    /// The fields of a plain line — known columns only, each text, an integer, a number or null
    /// — read with `JSONSerialization`, in half the time of the `Decodable` path (``Line``) on
    /// such lines; nil for any other line, which ``Line`` reads.
    ///
    /// The bytes are checked first: printable ASCII without escapes, so that every `:` outside a
    /// string separates one key of a flat object, and their count must be the object's. A
    /// repeated key (`JSONSerialization` keeps the last value, `JSONDecoder` the first), two keys
    /// of one column, or a nested value goes the `Decodable` way, as does anything it would
    /// report as a problem but a cost out of range or negative (the only problem noted here, so
    /// the key order does not change which problem is reported).
    static func plainFields(_ bytes: Data) -> Fields? {
        let separators: Int? = bytes.withUnsafeBytes { raw in
            var count = 0
            var inString = false
            for byte in raw {
                if byte == 0x22 {
                    inString.toggle()
                } else if byte == 0x5C || byte >= 0x7F || (byte < 0x20 && byte != 0x09) {
                    return nil
                } else if byte == 0x3A && !inString {
                    count += 1
                }
            }
            return count
        }
        guard let separators, separators > 0,
            let object = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any], object.count == separators
        else { return nil }
        var fields = Fields()
        var columns: UInt32 = 0
        for (key, value) in object {
            guard let column = Column(name: key), columns & (1 << column.index) == 0 else { return nil }
            columns |= 1 << column.index
            if let text = value as? String {
                guard !column.isTokenCount, column != .costUSD else { return nil }
                let t = String(text.trimmedSpaces)
                if !t.isEmpty { fields.text[column] = t }
                continue
            }
            guard let number = value as? NSNumber else {
                if value is NSNull { continue }
                return nil
            }
            // NSNumber's type: an integer as written ("i", "q"), a number with a fraction or an
            // exponent ("d"); a boolean is "c", an integer above Int64 "Q".
            let type = UInt8(bitPattern: number.objCType.pointee)
            let integer = type == UInt8(ascii: "i") || type == UInt8(ascii: "q") || type == UInt8(ascii: "l")
            if column.isTokenCount, integer {
                fields.tokens[column] = TokenField.validate(number.int64Value)
            } else if column == .costUSD, integer || type == UInt8(ascii: "d"), number.doubleValue.isFinite {
                fields.setCost(usd: number.doubleValue)
            } else {
                return nil
            }
        }
        return fields
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
                        fields.setCost(usd: usd)
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
