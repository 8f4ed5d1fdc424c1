import Foundation
import Testing
@testable import TallyKit

/// A `rest` parameter takes every word the plugin's own parameters do not (`export`'s target).
@Suite struct RestParameterTests {
    let binder = ArgumentBinder(
        parameters: [
            Parameter("target", .string, help: "", positional: true, required: true),
            Parameter("arguments", .string, help: "", rest: true),
            Parameter("to", .path, help: "", required: true),
            Parameter("force", .bool, help: ""),
        ],
        pluginName: "export", acceptsDryRun: true, parser: Fixtures.environment.parser, sessionValues: [:])

    @Test func unknownOptionsAndExtraWordsGoToTheRestInOrder() throws {
        let args = try binder.bind(["cost-by-model", "--since", "-30d", "--to", "x.csv", "--by=week", "two words", "--force", "--dry-run"])
        #expect(args.string("target") == "cost-by-model")
        #expect(args.string("arguments") == "--since -30d --by=week 'two words'")
        #expect(args.string("to") == "x.csv")
        #expect(args.bool("force") && args.dryRun)
        let words = try Words.split(args.string("arguments")!).map { token -> String in
            guard case .word(let w) = token else { return "" }
            return w
        }
        #expect(words == ["--since", "-30d", "--by=week", "two words"])
    }

    @Test func withoutRestWordsTheParameterIsAbsent() throws {
        let args = try binder.bind(["calls", "--to", "calls.csv"])
        #expect(args.string("arguments") == nil)
        #expect(throws: UsageError("export: missing --to ()")) { try binder.bind(["calls"]) }
    }
}
