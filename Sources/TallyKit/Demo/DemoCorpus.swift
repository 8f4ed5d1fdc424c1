import Foundation

/// A realistic demo corpus of every source format Tally reads, generated from a fixed seed over
/// fixed dates (2026-01-05 … 2026-03-27), so two runs are byte-identical whatever day it is.
/// Known problems are planted and described in the returned `Manifest` (zero roll-ups, a stale
/// workflow cost, malformed inputs), so tests and demos can find them.
///
/// Layout under the folder: `opencode/storage/…` (JSON tree, Jan–Feb), `opencode/opencode.db`
/// (SQLite, March), `claude/projects/…`, `codex/sessions/…`, `gemini/tmp/…`,
/// `usage-events/llm_usage_events.db`, `events/usage.jsonl`, `workflows/runs/…` and
/// `workflows/workflow_history.db`.
public enum DemoCorpus {
    public enum Error: Swift.Error, CustomStringConvertible {
        case folderNotEmpty(path: String)
        case cannotWrite(path: String, reason: String)

        public var description: String {
            switch self {
            case .folderNotEmpty(let path):
                "\(path) is not empty: generate the demo corpus into a new or empty folder"
            case .cannotWrite(let path, let reason):
                "cannot write \(path): \(reason)"
            }
        }
    }

    /// Bumped whenever the generated corpus changes, so cached demo databases are rebuilt.
    public static let version = 1

    /// The corpus's first and last calendar days (UTC).
    static let firstDay = DemoCalendar.ms(2026, 1, 5)
    static let lastDay = DemoCalendar.ms(2026, 3, 27)

    /// Writes the demo corpus into `folder` (created if missing; must be empty).
    public static func generate(into folder: URL, seed: UInt64 = 2026) throws -> Manifest {
        try prepare(folder)
        var out = DemoOutput(root: folder)
        var world = DemoRandom(seed: seed, stream: 1)
        let projects = DemoWorld.projects(&world)
        var manifest = Manifest(seed: seed, firstDay: DemoCalendar.date(firstDay), lastDay: DemoCalendar.date(lastDay))

        try writeOpenCode(seed: seed, projects: projects, out: &out, manifest: &manifest)
        try writeClaude(seed: seed, projects: projects, out: &out, manifest: &manifest)
        try writeCodex(seed: seed, projects: projects, out: &out, manifest: &manifest)
        try writeGemini(seed: seed, projects: projects, out: &out, manifest: &manifest)
        try writeUsageEvents(seed: seed, out: &out, manifest: &manifest)
        try writeEvents(seed: seed, out: &out, manifest: &manifest)
        try writeWorkflows(seed: seed, out: &out, manifest: &manifest)

        manifest.fileCounts = out.fileCounts
        manifest.bytes = out.bytesWritten
        return manifest
    }

    static func prepare(_ folder: URL) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue, (try? fm.contentsOfDirectory(atPath: folder.path))?.isEmpty == true else {
                throw Error.folderNotEmpty(path: folder.path)
            }
        } else {
            do {
                try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw Error.cannotWrite(path: folder.path, reason: error.localizedDescription)
            }
        }
    }

    /// Working days of the corpus between two dates, as midnight milliseconds.
    static func days(_ from: (Int, Int, Int), _ through: (Int, Int, Int)) -> [Int64] {
        DemoCalendar.workingDays(from: DemoCalendar.ms(from.0, from.1, from.2), through: DemoCalendar.ms(through.0, through.1, through.2))
    }
}
