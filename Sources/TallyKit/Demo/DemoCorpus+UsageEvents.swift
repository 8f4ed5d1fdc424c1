import Foundation
import GRDB

/// An `llm_usage_events` database in the newer schema (`total_tokens NOT NULL DEFAULT 0`,
/// nullable splits), as an LLM pipeline writes it: naive UTC `created_at` with microseconds,
/// runs with phases and roles, some rows without a run. Planted: total-only rows (both splits
/// NULL), one row without `completion_tokens`, and rows inserted without `total_tokens`, which
/// therefore hold the column default 0 while both splits are set.
enum UsageEventsWriter {
    static let schema = """
        CREATE TABLE llm_usage_events (
            id INTEGER PRIMARY KEY,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            run_id TEXT,
            phase_id TEXT,
            role TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            total_tokens INTEGER NOT NULL DEFAULT 0,
            created_at DATETIME
        );
        """

    static let models: [((String, String), Int)] = [
        (("anthropic", "claude-haiku-4-5"), 5), (("anthropic", "claude-sonnet-4-5"), 4), (("openai", "gpt-5-mini"), 5),
        (("openai", "gpt-4.1-mini"), 3), (("google", "gemini-2.5-flash"), 4), (("google", "gemini-2.5-pro"), 2),
    ]
    static let phases = [("plan", "planner"), ("build", "builder"), ("test", "tester"), ("review", "reviewer")]

    /// Writes `rows` events per working day into a new database at `path`.
    static func write(
        path: String, days: [Int64], perDay: Int, rng: inout DemoRandom,
        totalOnly: Set<Int>, defaultZero: Set<Int>, completionNull: Set<Int>, totals: inout DemoCorpus.Totals
    ) throws -> Int {
        let queue = try DemoDatabase.create(path: path, schema: schema)
        var id = 0
        try queue.write { db in
            for day in days {
                let run = "run-" + DemoCalendar.date(day).replacingOccurrences(of: "-", with: "") + "-0\(rng.int(1...3))"
                var t = day + 7 * 3_600_000 + Int64(rng.int(0...7_200_000))
                for i in 0..<perDay {
                    id += 1
                    let (provider, model) = rng.weighted(models)
                    let (phase, role) = phases[i % phases.count]
                    let noRun = id % 9 == 0
                    var prompt: Int? = rng.int(400...26_000)
                    var completion: Int? = rng.int(80...4_200)
                    let micros = String(rng.int(0...999_999))
                    let createdAt = DemoCalendar.naive(t) + "." + String(repeating: "0", count: 6 - micros.count) + micros
                    if totalOnly.contains(id) {
                        prompt = nil
                        completion = nil
                    } else if completionNull.contains(id) {
                        completion = nil
                    }
                    let total = (prompt ?? 0) + (completion ?? 0)
                    if defaultZero.contains(id) {
                        try db.execute(
                            sql: "INSERT INTO llm_usage_events (id, provider, model, run_id, phase_id, role, prompt_tokens, completion_tokens, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            arguments: [id, provider, model, noRun ? nil : run, noRun ? nil : phase, noRun ? nil : role, prompt, completion, createdAt])
                        totals.add(DemoUsage(input: prompt ?? 0, output: completion ?? 0), model: model)
                    } else {
                        let stored = prompt == nil ? rng.int(8...64) * 1_000 : total
                        try db.execute(
                            sql: "INSERT INTO llm_usage_events (id, provider, model, run_id, phase_id, role, prompt_tokens, completion_tokens, total_tokens, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            arguments: [id, provider, model, noRun ? nil : run, noRun ? nil : phase, noRun ? nil : role, prompt, completion, stored, createdAt])
                        if prompt == nil {
                            totals.addTotalOnly(stored)
                        } else {
                            totals.add(DemoUsage(input: prompt ?? 0, output: completion ?? 0), model: model)
                        }
                    }
                    t += Int64(rng.int(600_000...5_400_000))
                }
            }
        }
        return id
    }
}

extension DemoCorpus {
    static func writeUsageEvents(seed: UInt64, out: inout DemoOutput, manifest: inout Manifest) throws {
        var rng = DemoRandom(seed: seed, stream: 50)
        let totalOnly: Set<Int> = [12, 31, 47, 66, 88, 104]
        let defaultZero: Set<Int> = [23, 79]
        var totals = Totals()
        let rows = try UsageEventsWriter.write(
            path: out.root.path + "/usage-events/llm_usage_events.db", days: days((2026, 1, 5), (2026, 3, 27)), perDay: 2, rng: &rng,
            totalOnly: totalOnly, defaultZero: defaultZero, completionNull: [57], totals: &totals)
        out.count("usage-events/llm_usage_events.db")
        manifest.usageEvents.rows = rows
        manifest.usageEvents.totalOnlyIDs = totalOnly.sorted()
        manifest.usageEvents.defaultZeroTotalIDs = defaultZero.sorted()
        manifest.usageEvents.totals = totals
    }
}
