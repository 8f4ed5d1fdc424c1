import Foundation
// TEMPORARY stand-in until the lineedit branch lands.
public enum LineInput { case line(String), interrupted, endOfFile }
public struct Completion { public var replaceFrom: Int; public var candidates: [String]
  public init(replaceFrom: Int, candidates: [String]) { self.replaceFrom = replaceFrom; self.candidates = candidates } }
public final class LineEditor {
    var entries: [String] = []
    public init(programName: String, historyFile: URL?, completer: @escaping (String, Int) -> Completion) {}
    public func readLine(prompt: String) -> LineInput { print(prompt, terminator: ""); return Swift.readLine().map { .line($0) } ?? .endOfFile }
    public func addHistory(_ entry: String) { entries.append(entry) }
    public func saveHistory() throws {}
    public var historyEntries: [String] { entries }
}
