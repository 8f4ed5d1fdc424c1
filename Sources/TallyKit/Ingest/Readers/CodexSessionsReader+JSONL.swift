import Foundation

// Reading helpers the Codex and Gemini readers share: JSONL line splitting, decoding errors as
// rejection reasons, reading an input. (Candidates for the shared seam in SourceReader.swift.)

extension CodexSessionsReader {
    enum JSONL {
        /// One line of a JSONL file: its 1-based number and its bytes (without `\n` or `\r\n`).
        struct Line {
            var number: Int
            var bytes: Data
        }

        /// The non-blank lines of `data`, split on `\n` bytes; numbers count blank lines too.
        static func lines(_ data: Data) -> [Line] {
            var lines: [Line] = []
            data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                let bytes = buffer.bindMemory(to: UInt8.self)
                var start = 0
                var number = 0
                func take(_ end: Int) {
                    number += 1
                    var last = end
                    if last > start, bytes[last - 1] == UInt8(ascii: "\r") { last -= 1 }
                    var blank = true
                    for i in start..<last where !isSpace(bytes[i]) {
                        blank = false
                        break
                    }
                    if !blank {
                        let base = data.startIndex
                        lines.append(Line(number: number, bytes: data[(base + start)..<(base + last)]))
                    }
                }
                for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
                    take(i)
                    start = i + 1
                }
                if start < bytes.count { take(bytes.count) }
            }
            return lines
        }

        private static func isSpace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
        }

        /// A decoding failure as a reason a user can act on.
        static func reason(_ error: Error, bytes: Data? = nil) -> String {
            if let bytes, String(data: bytes, encoding: .utf8) == nil { return "not valid UTF-8" }
            guard let error = error as? DecodingError else { return "not valid JSON: \(error)" }
            switch error {
            case .dataCorrupted(let context) where context.codingPath.isEmpty:
                return "not valid JSON (a cut or corrupted record)"
            case .dataCorrupted(let context):
                return "invalid value at \(path(context.codingPath)): \(context.debugDescription)"
            case .typeMismatch(let type, let context):
                let at = context.codingPath.isEmpty ? "the top level" : path(context.codingPath)
                return "unexpected value at \(at): expected \(describe(type))"
            case .valueNotFound(let type, let context):
                return "missing value at \(path(context.codingPath)): expected \(describe(type))"
            case .keyNotFound(let key, let context):
                return "missing \(path(context.codingPath + [key]))"
            @unknown default:
                return "not valid JSON: \(error)"
            }
        }

        /// `payload.info.last_token_usage`, `messages[3].tokens`.
        static func path(_ codingPath: [CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
            return text
        }

        private static func describe(_ type: Any.Type) -> String {
            switch type {
            case is String.Type: return "text"
            case is [Any].Type: return "a list"
            case is [String: Any].Type: return "an object"
            default:
                let name = "\(type)"
                return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "an object" : name
            }
        }

        /// The bytes of an input file.
        static func contents(of input: URL) throws -> Data {
            do {
                return try Data(contentsOf: input)
            } catch {
                throw ReaderError("\(input.path): cannot read the file (\(error.localizedDescription))")
            }
        }

        /// True when `url` names a folder.
        static func isFolder(_ url: URL) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }

        /// Milliseconds between two canonical timestamps, when both parse and are in order.
        static func milliseconds(from start: String?, to end: String?) -> Int64? {
            guard let start, let end,
                  case .instant(let a)? = CivilTime.parse(start),
                  case .instant(let b)? = CivilTime.parse(end),
                  b >= a
            else { return nil }
            return b - a
        }

        /// Compact JSON text of an object built from optional values (nil ones left out); nil
        /// when every value is nil.
        static func attributes(_ pairs: KeyValuePairs<String, JSONValue?>) -> String? {
            var object: [String: JSONValue] = [:]
            for (key, value) in pairs {
                if let value { object[key] = value }
            }
            return object.isEmpty ? nil : JSONValue.object(object).jsonText
        }
    }
}
