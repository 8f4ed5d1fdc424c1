import Foundation
import GRDB
import Testing
@testable import TallyKit

/// Issue 6: `export` writes what `--format` shows, to a file.
@Suite struct ExportCommandTests {
    let dir = temporaryFolder("export")

    func file(_ name: String) -> String { dir.appendingPathComponent(name).path }
    func read(_ name: String) throws -> String { try String(contentsOfFile: file(name), encoding: .utf8) }

    @Test(arguments: ["csv", "tsv", "json", "jsonl"])
    func anAnalysisExportEqualsItsFormattedOutput(_ format: String) throws {
        let store = try Fixtures.store("priced")
        let (outcome, output) = execute("export cost-by-model --since 2026-03-02 --to \(file("costs.\(format)"))", on: store)
        #expect(outcome == .success, "\(output.stderr)")
        #expect(output.stdout == "target,format,path,rows\ncost-by-model --since 2026-03-02,\(format),\(file("costs.\(format)")),4\n")
        let shown = execute("cost-by-model --since 2026-03-02 --format \(format)", on: store).1
        #expect(try read("costs.\(format)") == shown.stdout)
        #expect(output.stderr == shown.stderr)  // the analysis's notes, on stderr
    }

    @Test func formatOverridesTheExtensionAndEmptyResultsAreValid() throws {
        let store = try Fixtures.store("empty")
        #expect(execute("export calls --to \(file("calls.out")) --format json", on: store).0 == .success)
        #expect(try read("calls.out") == "[]\n")
        #expect(execute("export calls --to \(file("calls.csv"))", on: store).0 == .success)
        #expect(try read("calls.csv").hasPrefix("id,source,session_id,"))
    }

    /// A table export has every column; money columns come exactly from their nanos.
    @Test func aTableExportIsExact() throws {
        let store = try Fixtures.store("priced")
        #expect(execute("export calls --to \(file("calls.jsonl"))", on: store).0 == .success)
        let lines = try read("calls.jsonl").split(separator: "\n")
        #expect(lines.count == 10)
        let first = try #require(lines.first { $0.contains("\"id\":\"c1\"") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let columns = try store.read { db in try Row.fetchAll(db, sql: "PRAGMA table_xinfo(calls)").map { $0["name"] as String } }
        #expect(Set(object.keys) == Set(columns))
        // c1 at $3 / $15 / $0.30 / $3.75 per million: 0.0051 + ... = the stored nanos exactly.
        let nanos = try store.read { db in try Int64.fetchOne(db, sql: "SELECT cost_nanos FROM calls WHERE id = 'c1'") }!
        #expect(first.contains("\"cost_usd\":\(NumberFormat.plain(Money.usd(nanos: nanos)))"))
        #expect(first.contains("\"cost_nanos\":\(nanos)"))
        #expect(object["cache_write_1h_tokens"] as? Int == 0)
        #expect(lines.contains { $0.contains("\"id\":\"o3\"") && $0.contains("\"input_tokens\":null") })
    }

    @Test func anExistingFileIsOnlyReplacedWithForce() throws {
        let store = try Fixtures.store("tiny")
        try "keep me\n".write(toFile: file("t.csv"), atomically: true, encoding: .utf8)
        let (outcome, _) = execute("export tables --to \(file("t.csv"))", on: store)
        #expect(outcome.message == "export: \(file("t.csv")) already exists: choose another file or add --force to replace it")
        #expect(try read("t.csv") == "keep me\n")
        #expect(execute("export tables --to \(file("t.csv")) --force", on: store).0 == .success)
        #expect(try read("t.csv").hasPrefix("table,rows\ncall_rollup,3\ncalls,4\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["t.csv"])  // no temporary file left
    }

    @Test func dryRunWritesNothing() throws {
        let store = try Fixtures.store("tiny")
        let (outcome, output) = execute("export sessions --to \(file("s.json")) --dry-run", on: store)
        #expect(outcome == .success)
        #expect(output.stdout.hasSuffix(",3\n"))
        #expect(!FileManager.default.fileExists(atPath: file("s.json")))
    }

    @Test func commandsThatWriteAndUnknownTargetsAreRefused() throws {
        let store = try Fixtures.store("priced")
        let before = try contents(store)
        #expect(execute("export pricing set gpt-5 --input 9 --output 9 --to \(file("p.csv"))", on: store).0.message
            == "export: pricing changes data, so it cannot be exported: run it, then export its result or the table it changed")
        #expect(execute("export backfill rollups --to \(file("b.csv"))", on: store).0.message
            == "export: backfill changes data, so it cannot be exported: run it, then export its result or the table it changed")
        #expect(execute("export calls --since -3d --to \(file("c.csv"))", on: store).0.message
            == "export: calls is a table: it takes no arguments (got --since -3d)")
        #expect(try contents(store) == before)
        // A read-only command invocation is fine, with its own arguments.
        #expect(execute("export pricing list gpt-5 --to \(file("p.csv"))", on: store).0 == .success)
        #expect(try read("p.csv").split(separator: "\n").count == 3)
        #expect(!FileManager.default.fileExists(atPath: file("b.csv")))
    }

    @Test func aQuotedInvocationKeepsArgumentsNamedLikeExports() throws {
        let store = try Fixtures.store("priced")
        let (outcome, output) = execute("export 'cost-trend --by week' --to \(file("w.csv"))", on: store)
        #expect(outcome == .success, "\(output.stderr)")
        #expect(try read("w.csv") == execute("cost-trend --by week", on: store).1.stdout)
    }

    @Test func worksOnAReadOnlyDatabase() throws {
        let path = file("ro.db")
        do {
            let store = try Store.open(path: path)
            try store.write(Fixtures.tiny.build)
        }
        let store = try Store.open(path: path, readOnly: true)
        #expect(execute("export calls --to \(file("calls.tsv"))", on: store).0 == .success)
        #expect(try read("calls.tsv").split(separator: "\n").count == 5)
    }
}
