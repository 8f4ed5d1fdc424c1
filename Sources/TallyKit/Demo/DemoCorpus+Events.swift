import Foundation

/// Tally's generic usage events (FORMATS.md, "Generic usage events"), one JSON object per line,
/// keys in the documented column order, absent keys absent. A given `total_tokens` always equals
/// the sum of the splits beside it; a row without it totals its splits; a total-only row has
/// only `total_tokens`; a `cost_usd` beside splits is their list price.
struct EventsBuilder {
    var rng: DemoRandom
    var totals = DemoCorpus.Totals()

    init(rng: DemoRandom) {
        self.rng = rng
    }

    /// How one line departs from an ordinary event.
    struct Variant {
        var id = true
        var totalOnly = false
        var withoutTotal = false
        var nullReasoning = false
        var unpriced = false
        var parent: String?
        var reportedCost: Int64?
        /// A negative count planted in this field (the line is rejected, not counted).
        var negative: (field: String, value: Int)?
        /// Minutes east of UTC written in the timestamp (`+01:00`), nil for `Z`.
        var offsetMinutes: Int?
        var milliseconds = false
    }

    private static let models: [((String, String), Int)] = [
        (("anthropic", "claude-sonnet-4-5"), 7), (("anthropic", "claude-haiku-4-5"), 3), (("openai", "gpt-5"), 4),
        (("google", "gemini-2.5-flash"), 4),
    ]

    private static func agents(_ provider: String) -> [String] {
        switch provider {
        case "openai": ["codex", "build"]
        case "google": ["gemini-cli", "review"]
        default: ["build", "plan", "explore"]
        }
    }

    mutating func event(number: Int, at ms: Int64, _ v: Variant) -> DemoJSON {
        let (provider, model) = v.unpriced ? ("acme", "acme-internal-7b") : rng.weighted(Self.models)
        var u = DemoUsage()
        u.input = rng.int(200...15_000, step: 10)
        u.output = rng.int(60...2_400, step: 5)
        switch provider {
        case "anthropic":
            u.cacheRead = rng.chance(0.7) ? rng.int(4_000...26_000, step: 100) : 0
            u.cacheWrite = rng.chance(0.5) ? rng.int(400...6_000, step: 100) : 0
        case "openai":
            u.reasoning = rng.int(0...24) * 64
            u.cacheRead = rng.int(0...20) * 1024
        case "google":
            u.reasoning = rng.int(0...30) * 100
            u.cacheRead = rng.chance(0.4) ? rng.int(1...8) * 1024 : 0
        default:
            break
        }
        let timestamp: String
        if let offset = v.offsetMinutes {
            let local = DemoCalendar.isoSeconds(ms + Int64(offset) * 60_000).dropLast()
            let sign = offset < 0 ? "-" : "+", h = abs(offset) / 60, m = abs(offset) % 60
            timestamp = local + sign + (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
        } else {
            timestamp = v.milliseconds ? DemoCalendar.iso(ms) : DemoCalendar.isoSeconds(ms)
        }
        let session = (provider == "openai" ? "sess-b" : provider == "google" ? "sess-c" : "sess-a") + String(rng.int(1...6))
        let splits = !v.totalOnly
        func count(_ field: String, _ value: Int) -> DemoJSON {
            if let n = v.negative, n.field == field { return .int(n.value) }
            return .int(value)
        }
        let cost = v.reportedCost ?? (splits && !v.unpriced && number % 2 == 1 ? u.cost(model) : nil)
        let json = DemoJSON.obj([
            "id": v.id ? .string("evt-" + String(repeating: "0", count: max(0, 4 - String(number).count)) + String(number)) : nil, "timestamp": .string(timestamp),
            "provider": .string(provider), "model": .string(model),
            "session_id": v.unpriced ? nil : .string(session), "parent_session_id": v.parent.map(DemoJSON.string),
            "project": .string(rng.pick(["tokenbench", "billing-api", "web-dashboard"])),
            "agent": v.unpriced ? "summarizer" : (rng.chance(0.7) ? .string(rng.pick(Self.agents(provider))) : nil),
            "tool": rng.chance(0.3) ? .string(rng.pick(["edit", "bash", "grep", "read"])) : nil,
            "input_tokens": splits ? count("input_tokens", u.input) : nil,
            "output_tokens": splits ? count("output_tokens", u.output) : nil,
            "reasoning_tokens": splits && provider != "acme" ? (v.nullReasoning ? .null : .int(u.reasoning)) : nil,
            "cache_read_tokens": splits && provider != "acme" ? .int(u.cacheRead) : nil,
            "cache_write_tokens": splits && provider == "anthropic" ? .int(u.cacheWrite) : nil,
            "total_tokens": v.withoutTotal && splits ? nil : .int(u.total),
            "cost_usd": cost.map(DemoJSON.usd),
        ])
        if v.negative == nil {
            if splits {
                totals.add(u, model: model)
            } else {
                totals.addTotalOnly(u.total)
            }
            totals.reportedCostNanos += cost ?? 0
        }
        return json
    }
}

extension DemoCorpus {
    /// Forty generic usage events in March, with total-only rows, rows without id or total, an
    /// unpriced model and one line whose `output_tokens` is negative.
    static func writeEvents(seed: UInt64, out: inout DemoOutput, manifest: inout Manifest) throws {
        var builder = EventsBuilder(rng: DemoRandom(seed: seed, stream: 60))
        let path = "events/usage.jsonl"
        let negativeLine = 17
        var bytes: [UInt8] = []
        var t = DemoCalendar.ms(2026, 3, 2) + 8 * 3_600_000
        for n in 1...40 {
            var v = EventsBuilder.Variant()
            v.id = ![7, 19, 33].contains(n)
            v.totalOnly = [5, 14, 22, 30, 37].contains(n)
            v.withoutTotal = [6, 13, 24].contains(n)
            v.nullReasoning = n == 9
            v.unpriced = [11, 26, 37].contains(n)
            v.parent = [3, 4].contains(n) ? "sess-a1" : nil
            v.reportedCost = n == 22 ? 41_200_000 : nil
            v.negative = n == negativeLine ? ("output_tokens", -350) : nil
            v.offsetMinutes = n == 12 ? 60 : n == 28 ? -300 : nil
            v.milliseconds = n % 5 == 2
            let json = builder.event(number: n, at: t, v)
            let start = bytes.count
            json.write(into: &bytes, style: .compact)
            bytes.append(0x0A)
            if n == negativeLine {
                manifest.malformed.append(Malformed(
                    format: "events", location: Location(path: path, line: n), kind: .negativeTokens, bytes: bytes.count - start - 1,
                    fullBytes: bytes.count - start - 1, field: "output_tokens", value: -350,
                    problem: "valid JSON, but output_tokens is negative (-350): reject the record"))
            }
            if v.totalOnly { manifest.events.totalOnlyLines.append(n) }
            if !v.id { manifest.events.linesWithoutID.append(n) }
            // Working hours: the next call later that day, or the next morning.
            t += Int64(builder.rng.int(300_000...10_800_000))
            if t % DemoCalendar.millisecondsPerDay > 19 * 3_600_000 {
                t = (t / DemoCalendar.millisecondsPerDay + 1) * DemoCalendar.millisecondsPerDay + 8 * 3_600_000 + Int64(builder.rng.int(0...3_600_000))
            }
        }
        try out.write(bytes, to: path)
        manifest.events.lines = 40
        manifest.events.unpricedModels = ["acme-internal-7b"]
        manifest.events.totals = builder.totals
    }
}
