import Foundation
import Testing
import TallyAnalyses
import TallyCommands
@testable import TallyKit

/// The built-in registry, as the `tally` executable builds it.
let builtinRegistry = Registry(analyses: BuiltinAnalyses.all, commands: BuiltinCommands.all)

struct ExampleCase: CustomTestStringConvertible, Sendable {
    var plugin: String
    var example: Example
    var testDescription: String { "\(plugin): \(example.invocation)" }
}

/// Every plugin's examples are its documentation (`help`) and run here against their fixture.
@Suite struct ExamplesTests {
    static let cases: [ExampleCase] = builtinRegistry.entries.flatMap { entry in
        entry.examples.map { ExampleCase(plugin: entry.name, example: $0) }
    }

    @Test(arguments: cases)
    func exampleGivesItsExpectedResult(_ c: ExampleCase) throws {
        let output = CapturedOutput()
        let interpreter = Interpreter(
            store: try Fixtures.store(c.example.fixture), registry: builtinRegistry, environment: Fixtures.environment,
            output: output)
        interpreter.settings.format = .csv
        interpreter.settings.chart = false
        let outcome = interpreter.execute(c.example.invocation)
        if c.example.expected.hasPrefix("error: ") {
            #expect(outcome == .failure(String(c.example.expected.dropFirst(7)), usage: true)
                || outcome == .failure(String(c.example.expected.dropFirst(7)), usage: false))
        } else {
            #expect(outcome == .success, "\(output.stderr)")
            #expect(output.stdout == c.example.expected + "\n")
        }
    }

    @Test func everyPluginHasAtLeastTwoExamples() {
        for entry in builtinRegistry.entries {
            #expect(entry.examples.count >= 2, "\(entry.name) has \(entry.examples.count) example(s)")
            for example in entry.examples {
                #expect(Fixtures.named(example.fixture) != nil, "\(entry.name): unknown fixture \(example.fixture)")
                #expect(example.invocation.hasPrefix(entry.name), "\(entry.name): example runs \(example.invocation)")
            }
        }
    }
}

/// SPEC §5: an explicit registry, and a test that fails when a plugin file is not in it.
@Suite struct RegistryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `CostByModel.swift` → `cost-by-model`.
    static func pluginName(forFile file: String) -> String {
        var name = ""
        for (i, c) in file.replacingOccurrences(of: ".swift", with: "").enumerated() {
            if c.isUppercase, i > 0 { name += "-" }
            name += c.lowercased()
        }
        return name
    }

    func pluginFiles(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent(folder).path)
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix("Builtin") }
    }

    @Test func everyPluginFileIsRegistered() throws {
        for (folder, kind) in [("Plugins/Analyses", PluginKind.analysis), ("Plugins/Commands", .command)] {
            for file in try pluginFiles(folder) {
                let name = Self.pluginName(forFile: file)
                let entry = builtinRegistry.entry(named: name)
                #expect(entry != nil, "\(folder)/\(file) defines a plugin that is not in its Builtin*.swift list")
                #expect(entry?.kind == kind, "\(name) is registered as the wrong kind")
            }
        }
    }

    @Test func everyRegisteredPluginHasItsFile() throws {
        let files = Set(try pluginFiles("Plugins/Analyses") + pluginFiles("Plugins/Commands")).map(Self.pluginName)
        for entry in builtinRegistry.entries {
            #expect(files.contains(entry.name), "\(entry.name) has no file named after it")
            #expect(entry.name.range(of: "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", options: .regularExpression) != nil)
            #expect(!entry.summary.isEmpty)
        }
    }

    @Test func fileNamesMapToKebabCase() {
        #expect(Self.pluginName(forFile: "CostByModel.swift") == "cost-by-model")
        #expect(Self.pluginName(forFile: "Tables.swift") == "tables")
    }

    @Test func helpIsGolden() throws {
        let output = CapturedOutput()
        let interpreter = Interpreter(store: try Store.inMemory(), registry: builtinRegistry, output: output)
        #expect(interpreter.execute("help tables") == .success)
        #expect(output.stdout.hasPrefix("""
            tables — Row count per table.

            Usage: tables [pattern] [--format FMT] [> FILE]

            Counts every table of the Tally schema (SQLite's and the migrator's own tables aside).

            Parameters:
              <pattern>  string  Only tables whose name matches this glob (sess*, *_parts).
              --format   FMT     table, markdown, csv, tsv, json, jsonl, line (default: the session's .mode).

            Examples:
              tables
                  Row counts of every table. (fixture: tiny)
                  │ table,rows
                  │ call_rollup,3
                  │ calls,4
            """))
    }
}
