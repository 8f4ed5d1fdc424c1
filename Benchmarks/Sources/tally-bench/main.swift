import Foundation
import TallyKit

/// The ingest benchmark harness (issue 3): generates scaled corpora in each main format, runs the
/// release `tally index` on each as a child process, and reports records/s, MB/s, files/s, peak
/// RSS and the re-index time of the unchanged corpus.
///
///     swift build -c release && .build/release/tally-bench [--scale 0.1] [--only events] [--keep DIR]

struct Options {
    var scale = 1.0
    var only: String? = nil
    var work = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench")
    var tally = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tally")

    init(_ args: [String]) {
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--scale": i += 1; scale = Double(args[i]) ?? 1
            case "--only": i += 1; only = args[i]
            case "--keep": i += 1; work = URL(fileURLWithPath: args[i])
            case "--tally": i += 1; tally = URL(fileURLWithPath: args[i])
            default: FileHandle.standardError.write(Data("unknown option \(args[i])\n".utf8)); exit(2)
            }
            i += 1
        }
    }
}

struct Run {
    var seconds: Double
    var peakRSSMB: Double
    var stdout: String
}

/// Runs tally, measuring wall time and the child's peak resident memory (`wait4`'s rusage:
/// posix_spawn rather than Foundation's Process, which reaps its children itself).
func runTally(_ options: Options, _ args: [String]) throws -> Run {
    let outPath = options.work.appendingPathComponent("stdout-\(UUID().uuidString)").path
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = ([options.tally.path] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let start = Date()
    let rc = posix_spawn(&pid, options.tally.path, &actions, nil, argv, environ)
    guard rc == 0 else { throw NSError(domain: "tally-bench", code: Int(rc)) }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let seconds = Date().timeIntervalSince(start)
    let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    try? FileManager.default.removeItem(atPath: outPath)
    return Run(seconds: seconds, peakRSSMB: Double(usage.ru_maxrss) / 1024, stdout: stdout)
}

func bytes(under url: URL) -> (files: Int, bytes: Int64) {
    guard let files = try? SourceFiles.files(under: url, accept: { _ in true }) else { return (0, 0) }
    return (files.count, files.reduce(0) { $0 + (FileStat(path: $1.path)?.size ?? 0) })
}

func records(_ stdout: String) -> Int {
    // "indexed N, unchanged N, rejected N"
    let digits = stdout.split(separator: ",").first?.split(separator: " ").last.map(String.init) ?? "0"
    return Int(digits) ?? 0
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
try? FileManager.default.removeItem(at: options.work)
try FileManager.default.createDirectory(at: options.work, withIntermediateDirectories: true)

struct Case {
    var name: String
    var source: String
    var generate: (URL) throws -> Void
    var path: String
}
let s = options.scale
let cases = [
    Case(name: "OpenCode JSON tree", source: "opencode", generate: { _ = try BenchmarkCorpus.openCodeTree(into: $0, files: Int(100_000 * s)) }, path: "storage"),
    Case(name: "OpenCode SQLite", source: "opencode", generate: { _ = try BenchmarkCorpus.openCodeDatabase(at: $0.appendingPathComponent("opencode.db"), records: Int(1_000_000 * s)) }, path: "opencode.db"),
    Case(name: "Claude JSONL", source: "claude", generate: { _ = try BenchmarkCorpus.claudeJSONL(into: $0, megabytes: Int(500 * s)) }, path: "projects"),
    Case(name: "events JSONL", source: "events", generate: { _ = try BenchmarkCorpus.eventsJSONL(at: $0.appendingPathComponent("events.jsonl"), lines: Int(1_000_000 * s)) }, path: "events.jsonl"),
]

var report = "| corpus | files | MB | records | index s | records/s | MB/s | files/s | peak RSS MB | re-index unchanged s |\n|---|---|---|---|---|---|---|---|---|---|\n"
for c in cases where options.only == nil || c.source == options.only || c.name.lowercased().contains(options.only!.lowercased()) {
    let dir = options.work.appendingPathComponent(c.source + "-" + c.path.replacingOccurrences(of: ".", with: "-"))
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let genStart = Date()
    try c.generate(dir)
    let target = dir.appendingPathComponent(c.path)
    let size = bytes(under: target)
    print("\(c.name): generated \(size.files) files, \(size.bytes >> 20) MB in \(String(format: "%.1f", Date().timeIntervalSince(genStart))) s")
    let db = dir.appendingPathComponent("bench.db").path
    let first = try runTally(options, ["--db", db, "index", c.source, target.path, "--allow-rejects"])
    let second = try runTally(options, ["--db", db, "index", c.source, target.path, "--allow-rejects"])
    let n = records(first.stdout)
    let mb = Double(size.bytes) / 1_048_576
    let line = String(
        format: "| %@ | %d | %.0f | %d | %.2f | %.0f | %.1f | %.0f | %.0f | %.2f |", c.name, size.files, mb, n,
        first.seconds, Double(n) / first.seconds, mb / first.seconds, Double(size.files) / first.seconds,
        max(first.peakRSSMB, second.peakRSSMB), second.seconds)
    print(first.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "|", second.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    print(line)
    report += line + "\n"
}
print("\n" + report)
