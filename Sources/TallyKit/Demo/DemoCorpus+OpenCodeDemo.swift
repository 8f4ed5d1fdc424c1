import Foundation

extension DemoCorpus {
    /// The OpenCode part of the demo: a JSON tree for January–February, a database for March
    /// with one root session planted with zero roll-ups, and one truncated message file.
    static func writeOpenCode(seed: UInt64, projects: [DemoProject], out: inout DemoOutput, manifest: inout Manifest) throws {
        // JSON storage tree (OpenCode 1.1), 2026-01-05 … 2026-02-27.
        var tree = OpenCodeBuilder(rng: DemoRandom(seed: seed, stream: 10))
        var writer = OpenCodeTreeWriter(base: "opencode/storage")
        let truncateDay = DemoCalendar.ms(2026, 2, 11)
        var truncated: (path: String, bytes: [UInt8])?
        for day in days((2026, 1, 5), (2026, 2, 27)) {
            let count = tree.rng.weighted([(1, 45), (2, 40), (3, 15)])
            // One session outside any repository (OpenCode's `global` project) in January.
            let first = day == DemoCalendar.ms(2026, 1, 23) ? projects[3] : nil
            for root in tree.day(day, sessions: count, projects: projects, firstProject: first) {
                try writer.write(root, to: &out)
                if day == truncateDay, truncated == nil, let user = root.messages.first {
                    truncated = (writer.messagePath(sessionID: root.id, messageID: user.record.id), user.record.json.bytes(.pretty))
                }
            }
        }
        try writer.finish(to: &out)
        if let (path, bytes) = truncated {
            let kept = bytes.count / 2
            try DemoOutput.writeFile(Array(bytes.prefix(kept)), path: out.root.path + "/" + path)
            manifest.malformed.append(Malformed(
                format: "opencode", location: Location(path: path), kind: .truncatedFile, bytes: kept, fullBytes: bytes.count,
                problem: "user message JSON truncated after \(kept) of \(bytes.count) bytes (unexpected end of JSON); its text part and the assistant reply are intact"))
        }
        manifest.openCode.treeSessions = tree.sessions
        manifest.openCode.treeMessages = tree.messages
        manifest.openCode.treeParts = tree.parts
        manifest.openCode.treeTotals = tree.totals

        // SQLite database (OpenCode 1.2), 2026-03-02 … 2026-03-27.
        var db = OpenCodeBuilder(rng: DemoRandom(seed: seed, stream: 11))
        var dbWriter = try OpenCodeDatabaseWriter(
            path: out.root.path + "/opencode/opencode.db", projectCreated: writer.projects.map { ($0.project.openCodeID, $0.created) })
        let plantDay = DemoCalendar.ms(2026, 3, 10)
        for day in days((2026, 3, 2), (2026, 3, 27)) {
            let count = db.rng.weighted([(1, 45), (2, 40), (3, 15)])
            let roots = db.day(day, sessions: count, projects: projects, forceSubagentFirst: day == plantDay)
            var zero: Set<String> = []
            if day == plantDay, let planted = roots.first {
                zero.insert(planted.id)
                manifest.openCode.zeroRollupSessionID = planted.id
                manifest.openCode.zeroRollupChildSessionIDs = planted.tree.dropFirst().map(\.id)
                manifest.openCode.zeroRollupTotals = Self.stepTotals(planted)
            }
            try dbWriter.write(roots, zeroRollup: zero)
        }
        out.count("opencode/opencode.db")
        manifest.openCode.databaseSessions = dbWriter.rows.sessions
        manifest.openCode.databaseMessages = dbWriter.rows.messages
        manifest.openCode.databaseParts = dbWriter.rows.parts
        manifest.openCode.databaseTotals = db.totals
    }

    /// Σ over the step-finish parts of a session tree, recomputed from the stored JSON.
    static func stepTotals(_ root: OpenCodeSession) -> Totals {
        var totals = Totals()
        for s in root.tree {
            for m in s.messages {
                let model = m.record.json["modelID"]?.stringValue ?? ""
                let listModel = model == "claude-sonnet-4.5" ? "claude-sonnet-4-5" : model
                for p in m.parts where p.json["type"]?.stringValue == "step-finish" {
                    guard case .usd(let cost)? = p.json["cost"], let t = p.json["tokens"] else { continue }
                    func int(_ v: DemoJSON?) -> Int { if case .int(let i)? = v { i } else { 0 } }
                    let usage = DemoUsage(
                        input: int(t["input"]), output: int(t["output"]), reasoning: int(t["reasoning"]),
                        cacheRead: int(t["cache"]?["read"]), cacheWrite: int(t["cache"]?["write"]))
                    totals.add(usage, model: listModel)
                    totals.reportedCostNanos += cost
                }
            }
        }
        return totals
    }
}
