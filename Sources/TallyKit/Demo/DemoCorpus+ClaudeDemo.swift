import Foundation

extension DemoCorpus {
    /// Claude Code transcripts for two projects (the second with 1-hour cache writes), one
    /// `<synthetic>` API-error line, and one line cut in half.
    static func writeClaude(seed: UInt64, projects: [DemoProject], out: inout DemoOutput, manifest: inout Manifest) throws {
        var builder = ClaudeBuilder(rng: DemoRandom(seed: seed, stream: 20))
        var transcripts: [DemoClaudeTranscript] = []
        var syntheticPlanted = false
        for day in days((2026, 1, 5), (2026, 3, 27)) {
            for (i, project) in projects.prefix(2).enumerated() where builder.rng.chance(0.2) {
                let start = day + Int64(9 + 4 * i) * 3_600_000 + Int64(builder.rng.int(0...10_800_000))
                let synthetic = !syntheticPlanted && day >= DemoCalendar.ms(2026, 2, 3)
                let prompts = synthetic ? 4 : builder.rng.int(2...6)
                transcripts.append(builder.session(project: project, start: start, prompts: prompts, oneHourCache: i == 1, synthetic: synthetic))
                syntheticPlanted = syntheticPlanted || synthetic
            }
        }
        // The cut line: a block line of a response whose other lines are intact.
        let cutTranscript = min(5, transcripts.count - 1)
        let cutLine = transcripts[cutTranscript].lines.indices.first { i in
            let lines = transcripts[cutTranscript].lines
            guard let key = lines[i].responseKey, i < lines.count - 1 else { return false }
            return lines.indices.contains { $0 != i && lines[$0].responseKey == key }
        }
        for (n, transcript) in transcripts.enumerated() {
            var bytes: [UInt8] = []
            for (i, line) in transcript.lines.enumerated() {
                if n == cutTranscript, i == cutLine {
                    let full = line.json.bytes(.compact)
                    let kept = full.count / 2
                    bytes += full.prefix(kept)
                    manifest.malformed.append(Malformed(
                        format: "claude", location: Location(path: "claude/projects/" + transcript.path, line: i + 1), kind: .cutLine,
                        bytes: kept, fullBytes: full.count,
                        problem: "line cut in half (\(kept) of \(full.count) bytes, not valid JSON); the other lines of its response (same message.id and requestId) are intact"))
                } else {
                    line.json.write(into: &bytes, style: .compact)
                }
                bytes.append(0x0A)
            }
            try out.write(bytes, to: "claude/projects/" + transcript.path)
            if let synthetic = transcript.syntheticLine {
                manifest.claude.syntheticLine = Location(path: "claude/projects/" + transcript.path, line: synthetic + 1)
            }
            for agent in transcript.subagents {
                var lines: [UInt8] = []
                for line in agent.lines {
                    line.json.write(into: &lines, style: .compact)
                    lines.append(0x0A)
                }
                try out.write(lines, to: "claude/projects/" + transcript.subagentPath(agent.agentID, ext: "jsonl"))
                let meta = DemoJSON.obj(["agentType": .string(agent.agentType), "spawnDepth": 1])
                try out.write(meta.bytes(.compact) + [0x0A], to: "claude/projects/" + transcript.subagentPath(agent.agentID, ext: "meta.json"))
            }
        }
        manifest.claude.sessions = builder.sessions
        manifest.claude.subagentTranscripts = builder.subagents
        manifest.claude.lines = builder.lines
        manifest.claude.totals = builder.totals
    }
}
