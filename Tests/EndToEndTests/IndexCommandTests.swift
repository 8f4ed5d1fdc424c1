import Foundation
import Testing

/// `index` through the built binary: summary line, exit codes, crash recovery, watch mode.
@Suite(.serialized) struct IndexCommandTests {
    let tally = TallyProcess()

    /// Writes `files` JSONL files of `lines` usage events each, atomically (temp file + rename),
    /// ids `f<file>-l<line>`.
    func writeEvents(in folder: String, files: Range<Int>, lines: Int = 20) throws {
        let dir = URL(fileURLWithPath: tally.path(folder))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for f in files {
            var text = ""
            for l in 0..<lines {
                text += #"{"id":"f\#(f)-l\#(l)","timestamp":"2026-03-05T10:\#(String(format: "%02d", l % 60)):00Z","model":"gpt-5","session_id":"s\#(f % 7)","input_tokens":\#(100 + l),"output_tokens":\#(l)}"# + "\n"
            }
            let tmp = dir.appendingPathComponent(".f\(f).tmp")
            try Data(text.utf8).write(to: tmp)
            try FileManager.default.moveItem(at: tmp, to: dir.appendingPathComponent("f\(f).jsonl"))
        }
    }

    func count(_ db: String, _ sql: String) throws -> Int {
        let r = try tally.run(["--db", tally.path(db), "--read-only", "--format", "csv", "-c", sql])
        return Int(r.stdout.split(separator: "\n").last ?? "") ?? -1
    }

    @Test func summaryLineJSONAndRejects() throws {
        try writeEvents(in: "ev", files: 0..<3, lines: 5)
        try Data(#"{"id":"bad","timestamp":"2026-03-05T10:00:00Z","model":"gpt-5","input_tokens":-5}"#.utf8 + [10])
            .write(to: URL(fileURLWithPath: tally.path("ev/zz-bad.jsonl")))
        let r = try tally.run(["--db", tally.path("t.db"), "index", "events", tally.path("ev")])
        #expect(r.stdout == "indexed 15, unchanged 0, rejected 1\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("1 record(s) rejected"))
        let again = try tally.run(["--db", tally.path("t.db"), "index", "events", tally.path("ev"), "--allow-rejects", "--format", "json"])
        #expect(again.status == 0)
        #expect(again.stdout.filter { !$0.isWhitespace } == #"[{"indexed":0,"unchanged":4,"rejected":0,"files_read":0}]"#)
        let auto = try tally.run(["--db", tally.path("t2.db"), "index", "auto", tally.path("ev"), "--allow-rejects"])
        #expect(auto.status == 0)
        #expect(auto.stderr.contains("indexing it as events"))
    }

    /// kill -9 in the middle of a bulk index, then index again: the same database as one clean run.
    @Test func crashRecoveryEqualsACleanRun() throws {
        try writeEvents(in: "big", files: 0..<1500, lines: 40)
        let process = Process()
        process.executableURL = TallyProcess.executable
        process.arguments = ["--db", tally.path("crash.db"), "index", "events", tally.path("big")]
        process.environment = tally.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until some batches are committed, then kill it hard.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            if (try? count("crash.db", "select count(*) from ingest_files")) ?? 0 > 0 { break }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let partial = try count("crash.db", "select count(*) from calls")
        let resumed = try tally.run(["--db", tally.path("crash.db"), "index", "events", tally.path("big")])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let clean = try tally.run(["--db", tally.path("clean.db"), "index", "events", tally.path("big")])
        #expect(clean.stdout == "indexed 60000, unchanged 0, rejected 0\n")
        #expect(partial < 60000)
        let dump = "select * from calls order by id; select * from sessions order by id; select * from exchanges order by id; select path, size, content_hash, records, rejected, status from ingest_files order by path; select count(*) from ingest_lock; select count(*) from derive_queue;"
        let a = try tally.run(["--db", tally.path("crash.db"), "--format", "csv", "-c", dump])
        let b = try tally.run(["--db", tally.path("clean.db"), "--format", "csv", "-c", dump])
        #expect(a.stdout == b.stdout)
        #expect(a.stdout.count > 1000)
    }

    /// --watch: 200 files written while the bulk pass runs and 200 after it, each indexed once.
    @Test func watchMissesNothingAtTheHandOver() throws {
        try writeEvents(in: "w", files: 0..<1500, lines: 10)
        let process = Process()
        process.executableURL = TallyProcess.executable
        process.arguments = ["--db", tally.path("watch.db"), "index", "events", tally.path("w"), "--watch"]
        process.environment = tally.environment
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        try writeEvents(in: "w", files: 1500..<1700, lines: 10)  // during the bulk pass
        // Wait for the watch phase to begin.
        var stderr = Data()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !String(decoding: stderr, as: UTF8.self).contains("watching") {
            stderr += err.fileHandleForReading.availableData
        }
        try writeEvents(in: "w", files: 1700..<1900, lines: 10)  // after it
        let until = Date().addingTimeInterval(30)
        while Date() < until, (try? count("watch.db", "select count(*) from calls")) != 19000 {
            Thread.sleep(forTimeInterval: 0.2)
        }
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try count("watch.db", "select count(*) from calls") == 19000)
        #expect(try count("watch.db", "select count(*) from ingest_files") == 1900)
        #expect(try count("watch.db", "select count(*) from ingest_lock") == 0)
    }
}

/// Every shipped sample indexes to the hand-computed totals of Tests/Samples/README.md.
@Suite struct SampleIndexTests {
    let tally = TallyProcess()
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples")

    @Test func samplesGiveTheirHandComputedTotals() throws {
        let db = tally.path("samples.db")
        for (source, path) in [
            ("opencode", "opencode/storage"), ("opencode", "opencode/sqlite"), ("claude", "claude"), ("codex", "codex"),
            ("gemini", "gemini"), ("events", "events"), ("autopack", "usage-events"), ("workflows", "workflows"),
        ] {
            let r = try tally.run(["--db", db, "index", source, Self.samples.appendingPathComponent(path).path])
            #expect(r.status == 0, "\(source): \(r.stderr)")
        }
        let totals = try tally.run([
            "--db", db, "--format", "csv", "-c",
            "select source, count(*) as calls, sum(total_tokens) as tokens from calls group by source order by source",
        ])
        #expect(totals.stdout == """
            source,calls,tokens
            autopack,60,946295
            claude,9,130904
            codex,9,148331
            events,40,558588
            gemini,5,113035
            opencode,6,96452

            """)
        let workflows = try tally.run([
            "--db", db, "--format", "csv", "-c",
            "select count(*) as lines, sum(reported_cost_nanos) as nanos from workflow_cost_records",
        ])
        #expect(workflows.stdout == "lines,nanos\n37,7360395000\n")
        // The OpenCode tree and database hold the same records: indexing both gives each once.
        let opencode = try tally.run([
            "--db", db, "--format", "csv", "-c",
            "select sum(reported_cost_nanos) as nanos, count(distinct message_id) as messages from calls where source = 'opencode'",
        ])
        #expect(opencode.stdout == "nanos,messages\n158224800,3\n")
    }

    @Test func demoIsBuiltOnceAndCached() throws {
        let first = try tally.run(["--demo", "--format", "csv", "-c", "select count(*) > 1000 as ok from calls"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "ok\n1\n")
        #expect(first.stderr.contains("building the demo database"))
        let second = try tally.run(["--demo", "--format", "csv", "-c", "select count(*) as n from rejected_records"])
        #expect(second.stdout == "n\n3\n")
        #expect(!second.stderr.contains("building"))

        // Issue 4: on the demo data, cost-by-model, cost-trend by day and SQL agree to the nano-dollar.
        func sum(_ args: [String]) throws -> Decimal {
            let r = try tally.run(["--demo", "--format", "csv"] + args)
            let lines = r.stdout.split(separator: "\n").map(String.init)
            let header = lines[0].split(separator: ",").map(String.init)
            let i = header.firstIndex(of: "cost_usd")!
            return lines.dropFirst().reduce(Decimal(0)) { total, line in
                let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                return total + (Decimal(string: cells[i]) ?? 0)
            }
        }
        let byModel = try sum(["cost-by-model"])
        let byDay = try sum(["cost-trend", "--by", "day"])
        let sql = try sum(["-c", "select sum(cost_nanos) / 1e9 as cost_usd from calls"])
        #expect(byModel > 10)
        #expect(byModel == byDay)
        #expect(abs(NSDecimalNumber(decimal: byModel - sql).doubleValue) < 1e-9)
    }
}
