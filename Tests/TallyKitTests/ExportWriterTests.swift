import Foundation
import Testing
@testable import TallyKit

/// `ExportWriter` streams exactly what the renderers print, and leaves nothing on failure.
@Suite struct ExportWriterTests {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tally-export-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    static let result = ResultSet(
        columns: [Column("model", .text), Column("total_tokens", .tokens), Column("cost_usd", .money), Column("first_seen", .timestamp)],
        rows: [
            [.text("gpt-5, \"mini\""), .integer(1_234_567), .decimal(Decimal(string: "0.000000001")!), .text("2026-03-05T10:00:00.000Z")],
            [.text("claude\tsonnet"), .null, .null, .null],
            [.text("ünïcode\nline"), .integer(0), .decimal(Decimal(string: "12345.678901234")!), .text("2026-03-06T00:00:00.000Z")],
        ])

    func export(_ result: ResultSet, _ format: ExportWriter.Format) throws -> String {
        let path = dir.appendingPathComponent("out.\(format.rawValue)").path
        let writer = try ExportWriter(path: path, format: format, columns: result.columns, replace: true)
        for row in result.rows { try writer.write(row) }
        #expect(try writer.finish() == result.rows.count)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test(arguments: [(ExportWriter.Format.csv, OutputFormat.csv), (.tsv, .tsv), (.json, .json), (.jsonl, .jsonl)])
    func writesWhatTheRendererPrints(_ format: ExportWriter.Format, _ output: OutputFormat) throws {
        for result in [Self.result, ResultSet(columns: Self.result.columns), ResultSet(columns: Self.result.columns, rows: [Self.result.rows[0]])] {
            #expect(try export(result, format) == Renderer.render(result, options: RenderOptions(format: output)).stdout)
        }
    }

    @Test func theExtensionNamesTheFormat() {
        #expect(ExportWriter.Format(path: "a/b.CSV") == .csv)
        #expect(ExportWriter.Format(path: "x.ndjson") == .jsonl)
        #expect(ExportWriter.Format(path: "x.jsonl") == .jsonl)
        #expect(ExportWriter.Format(path: "x.json") == .json)
        #expect(ExportWriter.Format(path: "x.txt") == nil)
    }

    @Test func anUnfinishedExportLeavesNoFile() throws {
        let path = dir.appendingPathComponent("never.csv").path
        do {
            let writer = try ExportWriter(path: path, format: .csv, columns: Self.result.columns, replace: false)
            try writer.write(Self.result.rows[0])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func anExistingFileIsKeptUnlessReplacing() throws {
        let path = dir.appendingPathComponent("kept.json").path
        try "old\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: UsageError.self) { try ExportWriter(path: path, format: .json, columns: Self.result.columns, replace: false) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        let writer = try ExportWriter(path: path, format: .json, columns: Self.result.columns, replace: true)
        try writer.finish()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "[]\n")
    }
}
