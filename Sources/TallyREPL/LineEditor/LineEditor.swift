import CEditLine
import Foundation

/// What one call to `LineEditor.readLine(prompt:)` produced.
public enum LineInput: Equatable, Sendable {
    /// A line as typed (or recalled), without its final newline. A recalled multi-line
    /// history entry comes back whole, with its inner newlines.
    case line(String)
    /// Ctrl-C at the prompt: the line was abandoned and `^C` printed.
    case interrupted
    /// Ctrl-D on an empty line, or the end of the input.
    case endOfFile
}

/// The answer of a completer for the word before the cursor.
public struct Completion: Equatable, Sendable {
    /// UTF-8 offset in the line where the word being completed starts.
    public var replaceFrom: Int
    /// Full replacements for the word from `replaceFrom` to the cursor.
    public var candidates: [String]

    public init(replaceFrom: Int, candidates: [String]) {
        self.replaceFrom = replaceFrom
        self.candidates = candidates
    }

    public static let none = Completion(replaceFrom: 0, candidates: [])
}

/// Interactive line input on top of libedit's native `histedit` API: Emacs key
/// bindings, a prompt, persistent history with multi-line entries, Tab completion
/// through a callback, and Ctrl-C that abandons the line instead of killing the process.
///
/// It knows nothing about SQL or plugins; the REPL supplies the completer and decides
/// what goes into the history. While `readLine` runs the terminal is in raw mode with
/// ISIG off (so ^C is an ordinary key); outside it the terminal is in its normal mode
/// and ^C sends SIGINT as usual.
///
/// Creating an editor sets the process's `LC_CTYPE` to a UTF-8 locale when it is not one
/// already: libedit decodes keyboard input with the C library's multibyte functions.
public final class LineEditor {
    /// Entries kept in memory and in the history file.
    public static let maximumHistoryEntries = 2_000

    public typealias Completer = (_ line: String, _ cursorUTF8Offset: Int) -> Completion

    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private let programName: String
    private let historyFile: URL?
    private let completer: Completer
    private var entries: [String] = []
    private var prompt: UnsafeMutablePointer<CChar>
    private var wasInterrupted = false
    private var reportedSaveError = false

    public init(programName: String, historyFile: URL?, completer: @escaping Completer) {
        Self.useUTF8Locale()
        guard let editLine = el_init(programName, stdin, stdout, stderr),
              let history = history_init()
        else { fatalError("libedit could not be initialised (out of memory?)") }
        self.editLine = editLine
        self.history = history
        self.programName = programName
        self.historyFile = historyFile
        self.completer = completer
        self.prompt = strdup("")!
        configure()
        loadHistory()
    }

    deinit {
        try? saveHistory()
        el_end(editLine)
        history_end(history)
        free(prompt)
    }

    /// Reads one line with editing. Returns `.interrupted` after Ctrl-C and
    /// `.endOfFile` after Ctrl-D on an empty line (or when the input ends).
    public func readLine(prompt: String) -> LineInput {
        setPrompt(prompt)
        wasInterrupted = false
        el_resize(editLine)
        // libedit prints the prompt before it switches the terminal to its editing mode. Keys
        // typed in between would meet the cooked terminal: ^C raises SIGINT and flushes the
        // line, ^D is swallowed as end-of-line, text is echoed twice. So switch to raw input
        // (no ISIG, ICANON, ECHO) first, and restore the terminal's own mode afterwards so that
        // Ctrl-C while a command runs still interrupts it.
        var saved = termios()
        let isTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if isTerminal {
            var editing = saved
            editing.c_lflag &= ~tcflag_t(ISIG | ICANON | ECHO)
            withUnsafeMutableBytes(of: &editing.c_cc) { cc in
                cc[Int(VMIN)] = 1
                cc[Int(VTIME)] = 0
            }
            tcsetattr(STDIN_FILENO, TCSANOW, &editing)
        }
        var count: Int32 = 0
        let text = el_gets(editLine, &count)
        let readError = errno
        if isTerminal { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
        if wasInterrupted { return .interrupted }
        guard let text, count > 0 else {
            if count < 0, readError == EINTR { return .interrupted }
            if tally_el_get_editmode(editLine) != 0 {
                // Leave the cursor on a fresh line for whatever is printed next.
                fputs("\n", stdout)
                fflush(stdout)
            }
            return .endOfFile
        }
        var bytes = UnsafeRawBufferPointer(start: text, count: Int(count))
        if bytes.last == UInt8(ascii: "\n") { bytes = UnsafeRawBufferPointer(rebasing: bytes.dropLast()) }
        return .line(String(decoding: bytes, as: UTF8.self))
    }

    // MARK: - History

    /// All entries, oldest first.
    public var historyEntries: [String] { entries }

    /// Adds one entry (which may span several lines) and saves the history file.
    /// Trailing whitespace is dropped (libedit drops a trailing space when it recalls an
    /// entry, so keeping it would make the file and the recalled line differ); empty
    /// entries and repeats of the latest entry are ignored.
    public func addHistory(_ entry: String) {
        var entry = Substring(entry)
        while entry.last?.isWhitespace == true { entry.removeLast() }
        let trimmed = String(entry)
        guard !trimmed.isEmpty, trimmed != entries.last else { return }
        add(trimmed)
        do {
            try saveHistory()
        } catch {
            if !reportedSaveError {
                reportedSaveError = true
                fputs("\(programName): \(error)\n", stderr)
            }
        }
    }

    private func add(_ entry: String) {
        entries.append(entry)
        if entries.count > Self.maximumHistoryEntries {
            entries.removeFirst(entries.count - Self.maximumHistoryEntries)
        }
        tally_history_enter(history, entry)
    }

    /// Writes the history file (no-op without one), keeping the latest
    /// `maximumHistoryEntries` entries.
    public func saveHistory() throws {
        guard let historyFile else { return }
        try HistoryFile.save(entries, to: historyFile)
    }

    private func loadHistory() {
        guard let historyFile,
              let loaded = try? HistoryFile.load(from: historyFile) else { return }
        for entry in loaded.suffix(Self.maximumHistoryEntries) where entry != entries.last {
            add(entry)
        }
    }

    // MARK: - Setup

    private func configure() {
        tally_el_set_clientdata(editLine, Unmanaged.passUnretained(self).toOpaque())
        tally_el_set_signal(editLine, 0)
        tally_el_set_editor(editLine, "emacs")
        tally_el_set_prompt(editLine, { editLine in
            guard let editLine else { return nil }
            return LineEditor.owner(of: editLine)?.prompt
        })

        tally_history_set_size(history, Int32(Self.maximumHistoryEntries))
        tally_history_set_unique(history, 1)
        tally_el_set_history(editLine, history)

        // ^C must reach us as a key while editing; ISIG comes back when el_gets returns.
        tally_el_setty(editLine, "-d", "-isig")
        tally_el_add_function(editLine, "tally-interrupt", "Abandon the line", { editLine, _ in
            guard let editLine, let owner = LineEditor.owner(of: editLine) else { return UInt8(CC_EOF) }
            return owner.interrupt()
        })
        tally_el_bind(editLine, "^C", "tally-interrupt")
        tally_el_add_function(editLine, "tally-complete", "Complete the word", { editLine, _ in
            guard let editLine, let owner = LineEditor.owner(of: editLine) else { return UInt8(CC_ERROR) }
            return owner.complete()
        })
        tally_el_bind(editLine, "^I", "tally-complete")
        tally_el_bind(editLine, "^R", "em-inc-search-prev")
        tally_el_add_function(editLine, "tally-suspend", "Suspend the process", { editLine, _ in
            guard let editLine, let owner = LineEditor.owner(of: editLine) else { return UInt8(CC_NORM) }
            return owner.suspend()
        })
        tally_el_bind(editLine, "^Z", "tally-suspend")

        // Personal bindings from ~/.editrc (or $EDITRC) win over ours.
        el_source(editLine, nil)
    }

    private static func owner(of editLine: OpaquePointer) -> LineEditor? {
        guard let data = tally_el_get_clientdata(editLine) else { return nil }
        return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
    }

    private func setPrompt(_ text: String) {
        free(prompt)
        prompt = strdup(text)!
    }

    /// libedit decodes input with mbrtowc, so multibyte input needs a UTF-8 LC_CTYPE,
    /// and it checks the codeset in el_init.
    private static func useUTF8Locale() {
        func isUTF8() -> Bool {
            guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
            return String(cString: codeset).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        }
        if isUTF8() { return }
        setlocale(LC_CTYPE, "")
        if isUTF8() { return }
        setlocale(LC_CTYPE, "C.UTF-8")
    }

    // MARK: - Key handlers

    /// ^C: shows `^C` after the line and ends el_gets; readLine then reports `.interrupted`.
    private func interrupt() -> UInt8 {
        wasInterrupted = true
        if let line = el_wline(editLine)?.pointee {
            el_cursor(editLine, Int32(line.lastchar - line.cursor))
        }
        el_insertstr(editLine, "^C")
        // ed-newline (bound to ^J) moves below the line and ends el_gets.
        el_push(editLine, "\n")
        return UInt8(CC_REFRESH)
    }

    /// ^Z: with ISIG off the terminal no longer suspends us, so do what it would have done.
    private func suspend() -> UInt8 {
        fputs("\n", stdout)
        fflush(stdout)
        tally_el_prepare_terminal(editLine, 0)
        kill(0, SIGTSTP)
        // Execution continues here after `fg` (or at once when SIGTSTP is ignored).
        tally_el_prepare_terminal(editLine, 1)
        return UInt8(CC_REDISPLAY)
    }

    /// Tab: asks the completer about the word before the cursor.
    private func complete() -> UInt8 {
        guard let info = el_line(editLine)?.pointee,
              let buffer = info.buffer, let cursor = info.cursor, let lastchar = info.lastchar
        else { return UInt8(CC_ERROR) }
        let lineBytes = UnsafeRawBufferPointer(start: buffer, count: lastchar - buffer)
        let cursorOffset = cursor - buffer
        let line = String(decoding: lineBytes, as: UTF8.self)

        let completion = completer(line, cursorOffset)
        let start = min(max(0, completion.replaceFrom), cursorOffset)
        let word = String(decoding: lineBytes[start..<cursorOffset], as: UTF8.self)
        let candidates = completion.candidates

        switch candidates.count {
        case 0:
            return UInt8(CC_ERROR)
        case 1:
            let candidate = candidates[0]
            replaceWord(word, with: candidate.hasSuffix("/") ? candidate : candidate + " ")
            return UInt8(CC_REFRESH)
        default:
            let prefix = CompletionList.longestCommonPrefix(candidates)
            if prefix.unicodeScalars.count > word.unicodeScalars.count {
                replaceWord(word, with: prefix)
                return UInt8(CC_REFRESH)
            }
            listCandidates(candidates)
            return UInt8(CC_REDISPLAY)
        }
    }

    private func replaceWord(_ word: String, with replacement: String) {
        // el_deletestr counts characters (wide chars, i.e. Unicode scalars), not bytes.
        let length = word.unicodeScalars.count
        if length > 0 { el_deletestr(editLine, Int32(length)) }
        el_insertstr(editLine, replacement)
    }

    private func listCandidates(_ candidates: [String]) {
        var width = Int(tally_el_columns(editLine))
        if width <= 0 { width = 80 }
        var text = "\n"
        for line in CompletionList.columns(candidates, width: width - 1) {
            text += line + "\n"
        }
        fputs(text, stdout)
        fflush(stdout)
    }
}
