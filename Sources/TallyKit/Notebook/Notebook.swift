import Foundation

/// A notebook file and what re-running it gives (`tally notebook run|check FILE.md`).
///
/// Its `tally` blocks run in order through one `Interpreter` — exactly as the same lines would
/// at the prompt — with table output (all rows, no colour, no terminal chart), the front
/// matter's `params` as session values and its `now` as the clock. Each block's output (errors
/// included) becomes its output region; charts become SVG files in `NAME.assets/` beside it.
public struct Notebook {
    /// The path as given: in messages.
    public let path: String
    public let url: URL
    public let document: NotebookDocument

    /// A failing input of a block: its line in the document and the error.
    public struct Failure: Hashable, Sendable {
        public var line: Int
        public var message: String
    }

    /// What a run produced, in memory: nothing is written until `write`.
    public struct Execution: Sendable {
        /// The document with every block's new output.
        public var text: String
        /// The charts, by file name in the assets folder.
        public var assets: [String: String]
        public var failures: [Failure]
    }

    /// Reads and parses the notebook; errors name the file (and line).
    public init(path: String) throws {
        self.path = path
        self.url = URL(fileURLWithPath: ValueParser.expandTilde(path))
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw UsageError("cannot read notebook \(path): no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw UsageError("cannot read notebook \(path): not UTF-8 text")
        }
        do {
            document = try NotebookDocument(text: text, assetsFolder: Self.assetsName(for: url))
        } catch let e as NotebookError {
            throw UsageError("\(path):\(e.line): \(e.message)")
        }
    }

    /// `report.md` → `report.assets`.
    static func assetsName(for url: URL) -> String {
        url.deletingPathExtension().lastPathComponent + ".assets"
    }

    public var assetsFolder: URL {
        url.deletingLastPathComponent().appendingPathComponent(document.assetsFolder)
    }

    // MARK: - Running

    /// Runs every block against `store`; `defines` (`-D NAME=VALUE`) override the front
    /// matter's params.
    public func execute(store: Store, registry: Registry, environment: Environment, defines: [String: String]) -> Execution {
        var env = environment
        if let now = document.frontMatter.now { env.now = now }
        for p in document.frontMatter.params { env.values[p.name] = p.value }
        for (name, value) in defines { env.values[name] = value }

        let sink = BlockOutputSink()
        let interpreter = Interpreter(store: store, registry: registry, environment: env, output: sink)
        interpreter.settings.format = .table
        interpreter.settings.maxRows = nil
        interpreter.settings.chart = false
        interpreter.resultObserver = { result, chart in
            guard chart != false, let c = result.chart, let svg = SVGChart.render(c, result: result) else { return }
            sink.charts.append((svg, SVGChart.title(c)))
        }

        var outputs: [Int: NotebookDocument.BlockOutput] = [:]
        var assets: [String: String] = [:]
        var failures: [Failure] = []
        for block in document.blocks {
            sink.reset()
            var runner = ScriptRunner(interpreter: interpreter)
            runner.reportFailure = { message, line in
                sink.write("error: \(message)\n")
                failures.append(Failure(line: line, message: message))
            }
            let lines = block.source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let summary = runner.runLines(lines, name: path, bail: false, firstLine: block.open + 2)
            if summary.quit {
                let message = ".quit does not end a notebook: every block runs; remove it"
                sink.write("error: \(message)\n")
                failures.append(Failure(line: block.open + 2, message: message))
            }
            var links: [NotebookDocument.ChartLink] = []
            for (i, chart) in sink.charts.enumerated() {
                let file = i == 0 ? "block-\(block.number).svg" : "block-\(block.number)-\(i + 1).svg"
                assets[file] = chart.svg
                links.append(.init(file: document.assetsFolder + "/" + file, alt: "chart: " + chart.title))
            }
            outputs[block.number] = .init(text: Self.clean(sink.text), charts: links)
        }
        return Execution(text: document.replacingOutputs(outputs), assets: assets, failures: failures)
    }

    /// The output as it goes into the document: no trailing spaces, no trailing blank lines
    /// (editors strip both, and `check` must not fail for it).
    static func clean(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var l = String(line)
            while let last = l.last, last == " " || last == "\t" || last == "\r" { l.removeLast() }
            return l
        }
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    // MARK: - Writing and checking

    /// The chart files a previous run left in the assets folder.
    func existingAssets() -> [String: String] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: assetsFolder.path) else { return [:] }
        var found: [String: String] = [:]
        for name in names where name.hasPrefix("block-") && name.hasSuffix(".svg") {
            found[name] = (try? String(contentsOf: assetsFolder.appendingPathComponent(name), encoding: .utf8)) ?? ""
        }
        return found
    }

    /// Writes what changed: the document (only when its text changed) and the charts; removes
    /// charts no block draws any more. Returns the paths written or removed.
    @discardableResult
    public func write(_ execution: Execution) throws -> [String] {
        var changed: [String] = []
        if execution.text != document.text {
            try Data(execution.text.utf8).write(to: url, options: .atomic)
            changed.append(path)
        }
        let fm = FileManager.default
        let existing = existingAssets()
        let folder = assetsFolder
        if !execution.assets.isEmpty {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        for (name, svg) in execution.assets.sorted(by: { $0.key < $1.key }) where existing[name] != svg {
            try Data(svg.utf8).write(to: folder.appendingPathComponent(name), options: .atomic)
            changed.append(document.assetsFolder + "/" + name)
        }
        for name in existing.keys.sorted() where execution.assets[name] == nil {
            try fm.removeItem(at: folder.appendingPathComponent(name))
            changed.append(document.assetsFolder + "/" + name)
        }
        if execution.assets.isEmpty, !existing.isEmpty, (try? fm.contentsOfDirectory(atPath: folder.path))?.isEmpty == true {
            try? fm.removeItem(at: folder)
        }
        return changed
    }

    /// What `check` reports: a unified diff of the document and a line per chart that differs;
    /// empty when the run reproduced the notebook exactly.
    public func differences(_ execution: Execution) -> String {
        var out = UnifiedDiff.diff(old: document.text, new: execution.text, oldName: path, newName: path + " (re-run)")
        let existing = existingAssets()
        for (name, svg) in execution.assets.sorted(by: { $0.key < $1.key }) where existing[name] != svg {
            out += "chart \(document.assetsFolder)/\(name): \(existing[name] == nil ? "missing" : "differs")\n"
        }
        for name in existing.keys.sorted() where execution.assets[name] == nil {
            out += "chart \(document.assetsFolder)/\(name): no block draws it any more\n"
        }
        return out
    }

    /// The numbers of the blocks whose output region differs in `execution`.
    public func changedBlocks(_ execution: Execution) -> [Int] {
        guard let new = try? NotebookDocument(text: execution.text, assetsFolder: document.assetsFolder),
            new.blocks.count == document.blocks.count
        else { return document.blocks.map(\.number) }
        func region(_ d: NotebookDocument, _ b: NotebookDocument.Block) -> [NotebookDocument.Line] {
            b.output.map { Array(d.lines[$0]) } ?? []
        }
        return zip(document.blocks, new.blocks).filter { region(document, $0) != region(new, $1) }.map { $0.0.number }
    }
}

/// Collects one block's output: stdout and stderr in the order written, and its charts.
final class BlockOutputSink: OutputSink {
    var text = ""
    var charts: [(svg: String, title: String)] = []

    func write(_ text: String) { self.text += text }
    func writeError(_ text: String) { self.text += text }

    func reset() {
        text = ""
        charts = []
    }
}
