import Foundation
import Testing
@testable import TallyREPL

@Suite struct HistoryFileTests {
    static let trickyEntries = [
        "SELECT model, sum(cost)\nFROM calls\nGROUP BY model;",
        #"SELECT 'a\nb' AS literal_backslash_n;"#,
        #"ends with a backslash \"#,
        #"\\server\share"#,
        "carriage\r\nreturn",
        "über ✓ 日本",
        "  leading spaces",
    ]

    @Test func escapingRoundTrips() {
        for entry in Self.trickyEntries {
            let escaped = HistoryFile.escape(entry)
            #expect(!escaped.contains("\n") && !escaped.contains("\r"))
            #expect(HistoryFile.unescape(escaped) == entry)
        }
        #expect(HistoryFile.decode(HistoryFile.encode(Self.trickyEntries)) == Self.trickyEntries)
    }

    @Test func fileFormat() {
        let text = HistoryFile.encode(["SELECT 1\nFROM t;", #"a\b"#, ".tables"])
        #expect(text == #"""
            #tally-history v1
            SELECT 1\nFROM t;
            a\\b
            .tables

            """#)
    }

    @Test func decodingIsLenient() {
        // Unknown escapes and a trailing backslash are kept as written; blank lines skipped.
        #expect(HistoryFile.decode("#tally-history v1\n\\x\\\n\nlast") == [#"\x\"#, "last"])
        // A file without the header is read as plain lines.
        #expect(HistoryFile.decode("one\ntwo\\n\n") == ["one", #"two\n"#])
        #expect(HistoryFile.decode("") == [])
    }

    @Test func saveCreatesPrivateFileAndDirectories() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tally-history-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("nested/state/history")

        #expect(try HistoryFile.load(from: url) == [])
        try HistoryFile.save(Self.trickyEntries, to: url)
        #expect(try HistoryFile.load(from: url) == Self.trickyEntries)

        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: url.deletingLastPathComponent().path)
        #expect(leftovers == ["history"])
    }
}
