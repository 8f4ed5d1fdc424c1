import Foundation
import GRDB
import Testing
import TallyAnalyses
import TallyCommands
@testable import TallyKit

/// Runs one plugin invocation and returns its result (notes included).
func run(_ line: String, on store: Store, environment: Environment = Fixtures.environment) throws -> ResultSet {
    let interpreter = Interpreter(store: store, registry: builtinRegistry, environment: environment, output: CapturedOutput())
    let invocation = try Invocation.parse(line)
    let entry = try #require(builtinRegistry.entry(named: invocation.name))
    var env = environment
    if let tz = invocation.timeZone { env.timeZone = TimeZone(identifier: tz)! }
    let arguments = try ArgumentBinder(
        parameters: entry.parameters, pluginName: entry.name, acceptsDryRun: entry.acceptsDryRun, parser: env.parser,
        sessionValues: env.values
    ).bind(invocation.words)
    return try interpreter.run(entry, arguments: arguments, environment: env)
}

extension ResultSet {
    /// The rows as column name → value.
    var records: [[String: Value]] {
        rows.map { Dictionary(uniqueKeysWithValues: zip(columns.map(\.name), $0)) }
    }

    func sum(_ column: String) -> Decimal {
        values(column).compactMap(\.decimalValue).reduce(0, +)
    }
}

@Suite struct PricingCommandTests {
    /// SPEC §6 and issue 4: a price change from a date reprices only the calls at or after it,
    /// and every changed call is in `cost_audit_log`.
    @Test func setFromADateRepricesOnlyLaterCallsAndAuditsThem() throws {
        let store = try Fixtures.store("priced")
        let before = try store.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, cost_nanos FROM calls").map {
                ($0["id"] as String, $0["cost_nanos"] as Int64?)
            })
        }
        // claude-sonnet-4-5 calls: c1 on 03-01 (before), c2 on 03-02 and c3 on 03-04 (after).
        let result = try run("pricing set claude-sonnet-4-5 --input 2 --output 10 --cache-read 0.2 --cache-write 2.5 --cache-write-1h 4 --from 2026-03-02", on: store)
        #expect(result.records.first?["action"] == "added")
        #expect(result.records.first?["updated"] == .integer(2))
        try store.read { db in
            let after = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, cost_nanos FROM calls").map {
                ($0["id"] as String, $0["cost_nanos"] as Int64?)
            })
            // c2: 1,000 × 2 + 500 × 10 + 10,000 × 0.2 = 9,000 millionths (was 13,500);
            // c3: 1,000 × 2 + 500 × 10 + 10,000 × 4 (1-hour) = 47,000 (was 70,500).
            #expect(after["c2"] == 9_000_000 && after["c3"] == 47_000_000)
            #expect(after["c1"] == 51_000_000)
            for (id, cost) in before where !["c2", "c3"].contains(id) { #expect(after[id] == cost, "\(id)") }
            let audited = try Row.fetchAll(db, sql: """
                SELECT entity_id, field, old_value, new_value, command FROM cost_audit_log
                WHERE entity = 'calls' ORDER BY entity_id, field
                """)
            #expect(audited.map { "\($0["entity_id"] as String) \($0["field"] as String) \($0["old_value"] as Int64) \($0["new_value"] as Int64)" } == [
                "c2 computed_cost_nanos 13500000 9000000", "c2 cost_nanos 13500000 9000000",
                "c3 computed_cost_nanos 70500000 47000000", "c3 cost_nanos 70500000 47000000",
            ])
            #expect(audited.allSatisfy { $0["command"] == "pricing" })
            // The undated price still applies before the date; the new period is open-ended.
            let periods = try Row.fetchAll(db, sql: "SELECT effective_from, effective_to, source FROM pricing WHERE model = 'claude-sonnet-4-5' ORDER BY effective_from")
            #expect(periods.map { $0["effective_from"] as String? } == [nil, "2026-03-02T00:00:00.000Z"])
        }
        // A second period ends the first one there.
        _ = try run("pricing set claude-sonnet-4-5 --input 1 --output 5 --from 2026-03-04", on: store)
        try store.read { db in
            let periods = try Row.fetchAll(db, sql: "SELECT effective_from, effective_to FROM pricing WHERE model = 'claude-sonnet-4-5' AND effective_from IS NOT NULL ORDER BY effective_from")
            #expect(periods.map { $0["effective_to"] as String? } == ["2026-03-04T00:00:00.000Z", nil])
            // c3: 1,000 × 1 + 500 × 5 + 10,000 × 2 (1-hour fallback: 2 × input) = 23,500, flagged.
            let c3 = try Row.fetchOne(db, sql: "SELECT cost_nanos FROM calls WHERE id = 'c3'")
            #expect(c3?[0] == 23_500_000)
            #expect(try Bool.fetchOne(db, sql: "SELECT cost_fallback FROM calls WHERE id = 'c3'") == true)
        }
    }

    @Test func setWithoutADateReplacesTheUndatedPriceAndAuditsIt() throws {
        let store = try Fixtures.store("priced")
        let result = try run("pricing set gemini-2.5-pro --input 1 --output 5", on: store)
        #expect(result.records.first?["action"] == "replaced")
        try store.read { db in
            // No tier any more: g2's 300,000 × 1 + 10,000 × 5 = 350,000 millionths.
            #expect(try Int64.fetchOne(db, sql: "SELECT cost_nanos FROM calls WHERE id = 'g2'") == 350_000_000)
            let fields = try String.fetchAll(db, sql: "SELECT field FROM cost_audit_log WHERE entity = 'pricing' ORDER BY field")
            #expect(fields == ["cache_read_above_per_mtok", "cache_read_per_mtok", "input_above_per_mtok", "input_per_mtok",
                               "output_above_per_mtok", "output_per_mtok", "tier_threshold_tokens"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM pricing WHERE model = 'gemini-2.5-pro'") == 1)
        }
        // The same price again changes nothing.
        #expect(try run("pricing set gemini-2.5-pro --input 1 --output 5", on: store).records.first?["action"] == "unchanged")
        // Dry run reports and leaves everything as it was.
        let dry = try run("pricing set acme-internal-7b --input 0.5 --output 1.5 --dry-run", on: store)
        #expect(dry.records.first?["action"] == "would-add" && dry.records.first?["updated"] == .integer(1))
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM pricing WHERE model = 'acme-internal-7b'") } == 0)
    }

    @Test func setRefusesBadPrices() throws {
        let store = try Fixtures.store("priced")
        #expect(throws: PricingError.priceOutOfRange("input", "-1")) { try run("pricing set x --input -1 --output 2", on: store) }
        #expect(throws: PricingError.priceOutOfRange("output", "1000")) { try run("pricing set x --input 1 --output 1000", on: store) }
        #expect(throws: UsageError.self) { try run("pricing set x --input 1", on: store) }
    }

    /// An unpriced model never shows as $0 silently: a note names it, `pricing missing` lists it.
    @Test func unpricedModelsAreNamedAndListed() throws {
        let store = try Fixtures.store("priced")
        let byModel = try run("cost-by-model", on: store)
        let acme = try #require(byModel.records.first { $0["model"] == "acme-internal-7b" })
        #expect(acme["cost_usd"] == .null)
        #expect(byModel.notes.contains { $0.contains("unpriced") && $0.contains("acme-internal-7b (1,500 tokens in 1 call)") })
        #expect(byModel.notes == [
            "1 unpriced model (no price and no reported cost): acme-internal-7b (1,500 tokens in 1 call); cost shown is partial. "
                + "`pricing missing` lists models without a price.",
            "2 total-only calls (the source gave only total_tokens): split token columns count them as 0; 1 of them "
                + "(4,000 tokens) have no cost (no split to price, no reported cost), so cost shown is partial.",
            "1 call priced with a fallback cache price (no cache price known for gpt-5): cache read 0.1 ×, write 1.25 ×, "
                + "1-hour write 2 × the input price.",
        ])
        #expect(try run("cost-trend", on: store).notes.contains { $0.contains("unpriced") })
        let missing = try run("pricing missing", on: store)
        #expect(missing.records.map { $0["model"] } == ["acme-internal-7b"])

        // Once priced, it is neither noted nor missing.
        _ = try run("pricing set acme-internal-7b --input 0.5 --output 1.5", on: store)
        #expect(try run("pricing missing", on: store).rows.isEmpty)
        let repriced = try run("cost-by-model", on: store)
        #expect(repriced.records.first { $0["model"] == "acme-internal-7b" }?["cost_usd"] == .decimal(Decimal(string: "0.00125")!))
        #expect(!repriced.notes.contains { $0.contains("unpriced") })
        #expect(repriced.notes.contains { $0.contains("1 of them (4,000 tokens) have no cost") })
    }

    @Test func showGivesHistoryAndTheCurrentPrice() throws {
        let store = try Fixtures.store("priced")
        let shown = try run("pricing show openai/gpt-5", on: store)
        #expect(shown.records.map { $0["effective_from"] } == [.null, "2026-03-05T00:00:00.000Z"])
        #expect(shown.records.map { $0["applies_now"] } == [.integer(0), .integer(1)])
        #expect(shown.notes.contains { $0.contains("normalized") })
        #expect(throws: PricingError.unpriced("gpt-9")) { try run("pricing show gpt-9", on: store) }
    }

    @Test func importReportsAddedChangedUnchangedAndKept() throws {
        let store = try Fixtures.store("priced")
        _ = try run("pricing set gpt-5 --input 2 --output 20", on: store)  // by hand: kept
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("litellm-\(UUID()).json")
        try Data("""
            {
              "sample_spec": {"mode": "one of: chat, embedding", "input_cost_per_token": 0, "output_cost_per_token": 0},
              "claude-sonnet-4-5": {"litellm_provider": "anthropic", "mode": "chat", "input_cost_per_token": 3e-06,
                "output_cost_per_token": 1.5e-05, "cache_read_input_token_cost": 3e-07,
                "cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06},
              "gemini-2.5-pro": {"litellm_provider": "vertex_ai-language-models", "mode": "chat",
                "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-05},
              "gpt-5": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 1e-05},
              "acme-internal-7b": {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": 2e-07,
                "output_cost_per_token": 4e-07},
              "text-embedding-3-small": {"litellm_provider": "openai", "mode": "embedding", "input_cost_per_token": 2e-08}
            }
            """.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try run("pricing import \(file.path)", on: store)
        let r = try #require(result.records.first)
        #expect([r["added"], r["changed"], r["unchanged"], r["kept"], r["skipped"]]
            == [.integer(1), .integer(1), .integer(1), .integer(1), .integer(2)])
        // gemini-2.5-pro and acme-internal-7b changed: g1 200,000 × 1 + 10,000 × 10 = 300,000 millionths,
        // a1 1,000 × 0.2 + 500 × 0.4 = 400; g1, g2 and a1 each get two audit rows.
        let costs = try store.read { try Int64.fetchAll($0, sql: "SELECT cost_nanos FROM calls WHERE id IN ('g1', 'a1') ORDER BY id") }
        #expect(costs == [400_000, 300_000_000])
        let audited = try store.read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM cost_audit_log WHERE entity = 'calls' AND reason LIKE 'pricing import%'")
        }
        #expect(audited == 6)
    }

    /// The Swift importer and the Python snapshot generator read LiteLLM's file alike.
    @Test func importingTheSnapshotSourceChangesNothing() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/litellm-model-prices-1.110.2.json").path
        guard let data = FileManager.default.contents(atPath: path) else { return }  // only where the shared data is
        let (records, _) = try LiteLLMPrices.records(from: data, path: path, createdAt: PriceSnapshot.createdAt)
        let imported = Dictionary(uniqueKeysWithValues: records.map { ($0.model, $0) })
        #expect(records.count == PriceSnapshot.count)
        for snapshot in PriceSnapshot.records {
            var same = try #require(imported[snapshot.model])
            same.source = "snapshot"
            #expect(same == snapshot)
        }
    }
}
