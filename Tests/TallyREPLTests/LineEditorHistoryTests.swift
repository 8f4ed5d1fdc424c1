import Foundation
import Testing
@testable import TallyREPL

/// History handling of `LineEditor` without a terminal (editing itself needs a
/// pseudo-terminal, see the end-to-end tests). Serialized: libedit setup touches the
/// process locale.
@Suite(.serialized) struct LineEditorHistoryTests {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("tally-lineeditor-\(UUID().uuidString)")
    var historyFile: URL { directory.appendingPathComponent("state/history") }

    func makeEditor(historyFile: URL?) -> LineEditor {
        LineEditor(programName: "tally-test", historyFile: historyFile) { _, _ in .none }
    }

    @Test func multiLineEntriesSurviveARestart() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let entries = ["SELECT *\nFROM calls\nWHERE cost > 1;", ".tables", #"select '\n' ;"#]
        do {
            let editor = makeEditor(historyFile: historyFile)
            entries.forEach(editor.addHistory)
            // Saved at once, not only when the editor goes away.
            #expect(try HistoryFile.load(from: historyFile) == entries)
        }
        #expect(makeEditor(historyFile: historyFile).historyEntries == entries)
    }

    @Test func repeatsBlanksAndTrailingWhitespace() {
        let editor = makeEditor(historyFile: nil)
        for entry in ["one", "one", "two  ", "two", "", "  \n", "one", "SELECT 1;\n"] {
            editor.addHistory(entry)
        }
        #expect(editor.historyEntries == ["one", "two", "one", "SELECT 1;"])
    }

    @Test func keepsTheLatestTwoThousandEntries() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let editor = makeEditor(historyFile: historyFile)
        for number in 1...2_005 { editor.addHistory("entry \(number)") }
        #expect(editor.historyEntries.count == 2_000)
        #expect(editor.historyEntries.first == "entry 6")
        #expect(editor.historyEntries.last == "entry 2005")
        #expect(try HistoryFile.load(from: historyFile) == editor.historyEntries)
    }

    @Test func unwritableHistoryFileIsNotFatal() {
        let editor = makeEditor(historyFile: URL(fileURLWithPath: "/proc/tally-cannot-write/history"))
        editor.addHistory("still in memory")
        #expect(editor.historyEntries == ["still in memory"])
        #expect(throws: HistoryFileError.self) { try editor.saveHistory() }
    }
}
