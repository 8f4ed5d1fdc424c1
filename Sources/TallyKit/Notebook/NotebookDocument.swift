import Foundation

/// A Markdown notebook as Tally reads it: the exact text, split into lines; the front matter;
/// and each fenced block whose info string is `tally`, with the output region written after it
/// by the previous run.
///
/// An output region is a fenced block with the info string `text tally-output`, separated from
/// its `tally` block by blank lines only, followed by one image line per chart
/// (`![chart: cost_usd by period](NAME.assets/block-3.svg)`). Replacing the regions is the only
/// change a run makes: every other byte of the document stays as it was.
public struct NotebookDocument: Sendable {
    /// One line and the terminator it had (`\n`, `\r\n`, or none at the end of the file).
    public struct Line: Hashable, Sendable {
        public var text: String
        public var ending: String
    }

    /// A `tally` block and the output region after it, if any.
    public struct Block: Hashable, Sendable {
        /// 1-based among the document's `tally` blocks: names its chart files.
        public var number: Int
        /// Line indexes (0-based) of the opening and closing fences.
        public var open: Int
        public var close: Int
        /// The REPL input inside the fences.
        public var source: String
        /// The line indexes (0-based) of the previous output: its fence and chart lines.
        public var output: Range<Int>?
    }

    /// The chart output: where its SVG goes (relative to the notebook) and the link's text.
    public struct ChartLink: Hashable, Sendable {
        public var file: String
        public var alt: String
    }

    /// What a run produced for one block.
    public struct BlockOutput: Hashable, Sendable {
        public var text: String
        public var charts: [ChartLink]
        public init(text: String, charts: [ChartLink] = []) {
            self.text = text
            self.charts = charts
        }
    }

    public static let outputInfo = "text tally-output"

    public let lines: [Line]
    public let frontMatter: FrontMatter
    public let blocks: [Block]
    /// The folder name (relative to the notebook) whose SVG links belong to output regions.
    public let assetsFolder: String

    /// Parses `text`; an unclosed `tally` block or output block is an error naming its line.
    public init(text: String, assetsFolder: String) throws {
        self.assetsFolder = assetsFolder
        let lines = Self.split(text)
        self.lines = lines
        let (frontMatter, bodyStart) = try FrontMatter.parse(lines.map(\.text))
        self.frontMatter = frontMatter

        var blocks: [Block] = []
        var i = bodyStart
        while i < lines.count {
            guard let fence = Fence(opening: lines[i].text) else {
                i += 1
                continue
            }
            let close = fence.closingLine(in: lines, after: i)
            guard fence.isTally else {
                // Any other fenced block (an output region without its block included) is skipped whole.
                i = (close ?? lines.count) + 1
                continue
            }
            guard let close else {
                throw NotebookError(line: i + 1, message: "the ```tally block opened here has no closing fence")
            }
            let source = lines[(i + 1)..<close].map { fence.stripIndent($0.text) }.joined(separator: "\n")
            var block = Block(number: blocks.count + 1, open: i, close: close, source: source, output: nil)
            var j = close + 1
            while j < lines.count, lines[j].text.allSatisfy(\.isWhitespace) { j += 1 }
            if j < lines.count, let outputFence = Fence(opening: lines[j].text), outputFence.isOutput {
                guard let outputClose = outputFence.closingLine(in: lines, after: j) else {
                    throw NotebookError(line: j + 1, message: "the tally-output block opened here has no closing fence")
                }
                var end = outputClose + 1
                while end < lines.count, Self.isChartLink(lines[end].text, into: assetsFolder) { end += 1 }
                block.output = j..<end
                i = end
            } else {
                i = close + 1
            }
            blocks.append(block)
        }
        self.blocks = blocks
    }

    /// The original text, byte for byte.
    public var text: String { Self.join(lines) }

    /// The document with each block's output region replaced by `outputs[block.number]` (an
    /// empty output removes the region); blocks without an entry keep theirs.
    public func replacingOutputs(_ outputs: [Int: BlockOutput]) -> String {
        var result: [Line] = []
        var next = 0
        for block in blocks {
            guard let output = outputs[block.number] else { continue }
            let ending = lines[block.close].ending.isEmpty ? "\n" : lines[block.close].ending
            let region = output.text.isEmpty && output.charts.isEmpty ? [] : regionLines(output, ending: ending)
            if let existing = block.output {
                var keepUntil = existing.lowerBound
                // Removing a region also removes the blank line that separated it.
                if region.isEmpty, keepUntil > block.close + 1 { keepUntil -= 1 }
                result += lines[next..<keepUntil]
                result += region
                next = existing.upperBound
            } else if !region.isEmpty {
                result += lines[next..<block.close]
                result.append(Line(text: lines[block.close].text, ending: ending))
                result.append(Line(text: "", ending: ending))
                result += region
                if block.close + 1 < lines.count, !lines[block.close + 1].text.allSatisfy(\.isWhitespace) {
                    result.append(Line(text: "", ending: ending))
                }
                next = block.close + 1
            }
        }
        result += lines[next...]
        return Self.join(result)
    }

    /// The fenced output block and its chart links. The fence is longer than any run of
    /// backticks that starts a line of the output, so no output can close it early.
    func regionLines(_ output: BlockOutput, ending: String) -> [Line] {
        let content = output.text.isEmpty ? [] : output.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let longest = content.map { line in
            line.drop(while: { $0 == " " }).prefix(while: { $0 == "`" }).count
        }.max() ?? 0
        let fence = String(repeating: "`", count: max(3, longest + 1))
        var region = [Line(text: fence + Self.outputInfo, ending: ending)]
        region += content.map { Line(text: $0, ending: ending) }
        region.append(Line(text: fence, ending: ending))
        region += output.charts.map { Line(text: "![\($0.alt)](\(Self.linkPath($0.file)))", ending: ending) }
        return region
    }

    /// A chart link line into the notebook's assets folder.
    static func isChartLink(_ text: String, into assetsFolder: String) -> Bool {
        guard text.hasPrefix("!["), text.hasSuffix(".svg)"), let open = text.range(of: "](") else { return false }
        let target = text[open.upperBound..<text.index(before: text.endIndex)]
        return target.hasPrefix(Self.linkPath(assetsFolder) + "/")
    }

    /// A relative path as a Markdown link target (spaces and parentheses escaped).
    static func linkPath(_ path: String) -> String {
        path.replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "(", with: "%28")
            .replacingOccurrences(of: ")", with: "%29")
    }

    static func split(_ text: String) -> [Line] {
        var lines: [Line] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            guard let newline = rest.firstIndex(where: { $0 == "\n" || $0 == "\r\n" }) else {
                lines.append(Line(text: String(rest), ending: ""))
                break
            }
            lines.append(Line(text: String(rest[..<newline]), ending: String(rest[newline])))
            rest = rest[rest.index(after: newline)...]
        }
        return lines
    }

    static func join(_ lines: [Line]) -> String {
        lines.map { $0.text + $0.ending }.joined()
    }
}

/// A CommonMark code fence: three or more backticks or tildes, indented at most three spaces.
struct Fence {
    var character: Character
    var length: Int
    var indent: Int
    var info: String

    init?(opening line: String) {
        let indent = line.prefix(while: { $0 == " " }).count
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        guard let c = rest.first, c == "`" || c == "~" else { return nil }
        let length = rest.prefix(while: { $0 == c }).count
        guard length >= 3 else { return nil }
        let info = rest.dropFirst(length).trimmingCharacters(in: .whitespaces)
        if c == "`", info.contains("`") { return nil }
        self.character = c
        self.length = length
        self.indent = indent
        self.info = info
    }

    var infoWords: [Substring] { info.split(whereSeparator: { $0 == " " || $0 == "\t" }) }
    var isTally: Bool { infoWords.first == "tally" }
    var isOutput: Bool { infoWords.count == 2 && infoWords[0] == "text" && infoWords[1] == "tally-output" }

    /// The line that closes this fence: the same character, at least as many, nothing after.
    func closingLine(in lines: [NotebookDocument.Line], after open: Int) -> Int? {
        var i = open + 1
        while i < lines.count {
            let text = lines[i].text
            let indent = text.prefix(while: { $0 == " " }).count
            let rest = text.dropFirst(indent)
            if indent <= 3, rest.prefix(while: { $0 == character }).count >= length,
                rest.drop(while: { $0 == character }).allSatisfy({ $0 == " " || $0 == "\t" })
            {
                return i
            }
            i += 1
        }
        return nil
    }

    /// A content line without the fence's own indentation (as CommonMark reads it).
    func stripIndent(_ line: String) -> String {
        String(line.dropFirst(min(indent, line.prefix(while: { $0 == " " }).count)))
    }
}

/// A notebook that cannot be read: `notebook.md:12: the ```tally block opened here has no closing fence`.
public struct NotebookError: Error, Hashable, Sendable {
    public var line: Int
    public var message: String
}
