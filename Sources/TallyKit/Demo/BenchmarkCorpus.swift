import Foundation

/// Large corpora for the benchmark harness, made by the demo's record builders (same formats,
/// same realism) and streamed to disk: records are built one session at a time and written in
/// buffered chunks, so peak memory stays near one session whatever the size asked for.
/// Deterministic for a given seed and size.
public enum BenchmarkCorpus {
    /// What was written.
    public struct Summary: Sendable, Equatable {
        public var files = 0
        /// Records as an indexer counts them: OpenCode sessions + messages + parts (tree), or
        /// messages + parts (database); JSONL lines.
        public var records = 0
        public var bytes = 0
        /// LLM calls a correct reader finds.
        public var calls = 0
    }

    /// An OpenCode JSON storage tree of about `files` files (sessions, messages, parts and the
    /// few project/diff/todo files), under `folder/storage`. Stops after the session that
    /// reaches `files`.
    public static func openCodeTree(into folder: URL, files: Int = 100_000, seed: UInt64 = 2026) throws -> Summary {
        try DemoCorpus.prepare(folder)
        var out = DemoOutput(root: folder)
        var world = DemoRandom(seed: seed, stream: 1)
        let projects = DemoWorld.projects(&world)
        var builder = OpenCodeBuilder(rng: DemoRandom(seed: seed, stream: 110))
        var writer = OpenCodeTreeWriter(base: "storage")
        var day = DemoCorpus.firstDay
        while out.fileCounts["storage", default: 0] < files {
            if DemoCalendar.workingDays(from: day, through: day).count == 1 {
                for root in builder.day(day, sessions: builder.rng.int(6...12), projects: projects) {
                    try writer.write(root, to: &out)
                    if out.fileCounts["storage", default: 0] >= files { break }
                }
            }
            day += DemoCalendar.millisecondsPerDay
        }
        try writer.finish(to: &out)
        return Summary(
            files: out.fileCounts["storage", default: 0], records: builder.sessions + builder.messages + builder.parts,
            bytes: out.bytesWritten, calls: builder.totals.calls)
    }

    /// An OpenCode ≥ 1.2 database at `path` holding about `records` message and part rows.
    public static func openCodeDatabase(at path: URL, records: Int = 1_000_000, seed: UInt64 = 2026) throws -> Summary {
        var world = DemoRandom(seed: seed, stream: 1)
        let projects = DemoWorld.projects(&world)
        var builder = OpenCodeBuilder(rng: DemoRandom(seed: seed, stream: 111))
        var writer = try OpenCodeDatabaseWriter(path: path.path)
        var day = DemoCorpus.firstDay
        var batch: [OpenCodeSession] = []
        var pending = 0
        while writer.rows.messages + writer.rows.parts + pending < records {
            if DemoCalendar.workingDays(from: day, through: day).count == 1 {
                for root in builder.day(day, sessions: builder.rng.int(6...12), projects: projects) {
                    batch.append(root)
                    pending += root.tree.reduce(0) { $0 + $1.messages.count + $1.messages.reduce(0) { $0 + $1.parts.count } }
                    if writer.rows.messages + writer.rows.parts + pending >= records { break }
                }
                if pending > 20_000 {
                    try writer.write(batch)
                    batch.removeAll(keepingCapacity: true)
                    pending = 0
                }
            }
            day += DemoCalendar.millisecondsPerDay
        }
        try writer.write(batch)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int) ?? 0
        return Summary(files: 1, records: writer.rows.messages + writer.rows.parts, bytes: bytes, calls: builder.totals.calls)
    }

    /// Claude Code transcripts of about `megabytes` MB (10^6 bytes) in total, under
    /// `folder/projects/<slug>/`, with sub-agent transcripts; long sessions, larger tool output.
    public static func claudeJSONL(into folder: URL, megabytes: Int = 500, seed: UInt64 = 2026) throws -> Summary {
        try DemoCorpus.prepare(folder)
        var out = DemoOutput(root: folder)
        var world = DemoRandom(seed: seed, stream: 1)
        let projects = Array(DemoWorld.projects(&world).prefix(3))
        var builder = ClaudeBuilder(rng: DemoRandom(seed: seed, stream: 120))
        builder.verbosity = 3
        let target = megabytes * 1_000_000
        var written = 0
        var files = 0
        var day = DemoCorpus.firstDay
        while written < target {
            for (i, project) in projects.enumerated() where written < target {
                let start = day + Int64(8 + 3 * i) * 3_600_000 + Int64(builder.rng.int(0...7_200_000))
                let transcript = builder.session(project: project, start: start, prompts: builder.rng.int(4...24), oneHourCache: i == 1)
                written += try stream(transcript.lines, to: "projects/" + transcript.path, &out)
                files += 1
                for agent in transcript.subagents {
                    written += try stream(agent.lines, to: "projects/" + transcript.subagentPath(agent.agentID, ext: "jsonl"), &out)
                    let meta = DemoJSON.obj(["agentType": .string(agent.agentType), "spawnDepth": 1]).bytes(.compact) + [0x0A]
                    try out.write(meta, to: "projects/" + transcript.subagentPath(agent.agentID, ext: "meta.json"))
                    written += meta.count
                    files += 2
                }
            }
            day += DemoCalendar.millisecondsPerDay
        }
        return Summary(files: files, records: builder.lines, bytes: written, calls: builder.totals.calls)
    }

    /// `lines` generic usage events in one JSONL file at `path`, about 3% total-only, 2% without
    /// id, 1% on an unpriced model.
    public static func eventsJSONL(at path: URL, lines: Int = 1_000_000, seed: UInt64 = 2026) throws -> Summary {
        var builder = EventsBuilder(rng: DemoRandom(seed: seed, stream: 160))
        let stream = try DemoStream(path: path.path)
        var t = DemoCorpus.firstDay + 8 * 3_600_000
        for n in 1...max(1, lines) {
            var v = EventsBuilder.Variant()
            let roll = builder.rng.int(0...99)
            v.totalOnly = roll < 3
            v.id = roll < 3 || roll >= 5
            v.unpriced = roll == 5
            v.withoutTotal = roll == 6
            v.milliseconds = roll >= 50
            try stream.append(builder.event(number: n, at: t, v))
            t += Int64(builder.rng.int(1_000...60_000))
        }
        try stream.close()
        return Summary(files: 1, records: lines, bytes: stream.bytesWritten, calls: builder.totals.calls)
    }

    /// Writes JSONL lines through a buffered stream; returns the bytes written.
    private static func stream(_ lines: [DemoClaudeLine], to relativePath: String, _ out: inout DemoOutput) throws -> Int {
        let path = out.root.path + "/" + relativePath
        try out.makeDirectory(containing: path)
        let stream = try DemoStream(path: path)
        for line in lines { try stream.append(line.json) }
        try stream.close()
        out.count(relativePath, bytes: stream.bytesWritten)
        return stream.bytesWritten
    }
}
