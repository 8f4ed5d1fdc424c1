import Foundation
import Testing
@testable import TallyKit

@Suite struct WordsTests {
    @Test func splitsLikeAShell() throws {
        let tokens = try Words.split(#"tables 'a b' "c \"d\"" e\ f > out.csv"#)
        #expect(tokens == [.word("tables"), .word("a b"), .word("c \"d\""), .word("e f"), .redirect(append: false), .word("out.csv")])
    }

    @Test func appendRedirectAndAttachedPath() throws {
        #expect(try Words.split("x >>log.txt") == [.word("x"), .redirect(append: true), .word("log.txt")])
        #expect(try Words.split("a>b") == [.word("a>b")])
    }

    @Test func unterminatedQuoteIsAUsageError() {
        #expect(throws: UsageError.self) { try Words.split("tables 'oops") }
    }

    @Test func quoteRoundTrips() throws {
        for word in ["plain", "with space", "it's", "", "--since=-30d", "$x"] {
            #expect(try Words.split(Words.quote(word)) == [.word(word)])
        }
    }
}

@Suite struct InvocationTests {
    @Test func extractsGlobalOptions() throws {
        let inv = try Invocation.parse("cost-trend --by week --format=json --chart off --tz UTC > trend.json")
        #expect(inv.name == "cost-trend")
        #expect(inv.words == ["--by", "week"])
        #expect(inv.format == .json)
        #expect(inv.chart == false)
        #expect(inv.timeZone == "UTC")
        #expect(inv.redirect == Redirect(path: "trend.json", append: false))
    }

    @Test func unknownFormatNamesTheChoices() {
        #expect(throws: UsageError("unknown format 'xml': use one of table, markdown, csv, tsv, json, jsonl, line")) {
            try Invocation.parse("tables --format xml")
        }
    }
}

@Suite struct ArgumentBinderTests {
    static let parameters = [
        Parameter("target", .choice(["rollups", "totals"]), help: "What to backfill.", positional: true, required: true),
        Parameter("since", .date, help: "First day."),
        Parameter("limit", .int, default: "10", help: "Rows."),
        Parameter("verbose", .bool, help: "One line per row."),
        Parameter("ratio", .decimal, default: "2", help: "Factor."),
        Parameter("window", .duration, default: "14d", help: "Baseline."),
    ]
    // 2026-03-15 12:00 UTC, a Sunday.
    static let parser = ValueParser(now: Date(timeIntervalSince1970: 1_773_576_000), timeZone: TimeZone(identifier: "UTC")!)

    func bind(_ words: [String], session: [String: String] = [:], dryRun: Bool = true) throws -> Arguments {
        try ArgumentBinder(
            parameters: Self.parameters, pluginName: "backfill", acceptsDryRun: dryRun, parser: Self.parser,
            sessionValues: session
        ).bind(words)
    }

    @Test func bindsTypedValuesAndDefaults() throws {
        let args = try bind(["totals", "--since", "2026-01-31", "--verbose", "--ratio=2.5", "--dry-run"])
        #expect(args.string("target") == "totals")
        #expect(args.date("since") == Timestamps.parse("2026-01-31T00:00:00Z"))
        #expect(args.int("limit") == 10)
        #expect(args.bool("verbose"))
        #expect(args.decimal("ratio") == Decimal(string: "2.5"))
        #expect(args.duration("window") == Duration(amount: 14, unit: .day))
        #expect(args.dryRun)
        #expect(args.given == ["target", "since", "verbose", "ratio"])
    }

    @Test func sessionValuesAreDefaults() throws {
        let args = try bind(["rollups"], session: ["limit": "3", "since": "-30d"])
        #expect(args.int("limit") == 3)
        #expect(args.date("since") == Timestamps.parse("2026-02-13T00:00:00Z"))
        #expect(try bind(["rollups", "--limit", "5"], session: ["limit": "3"]).int("limit") == 5)
    }

    @Test func unknownParameterSuggestsTheClosest() {
        #expect(throws: UsageError("backfill: unknown parameter --limt; did you mean --limit? (see `help backfill`)")) {
            try bind(["rollups", "--limt", "4"])
        }
    }

    @Test func illTypedValuesNameTheParameterAndValue() {
        #expect(throws: UsageError("backfill: --limit expects an integer, got 'many'")) { try bind(["rollups", "--limit", "many"]) }
        #expect(throws: UsageError("backfill: <target> expects one of rollups, totals, got 'rollup'")) { try bind(["rollup"]) }
        #expect(throws: UsageError.self) { try bind(["rollups", "--since", "2026-01-01'; DROP TABLE calls; --"]) }
        #expect(throws: UsageError.self) { try bind(["rollups", "--ratio", "1e"]) }
    }

    @Test func missingAndExtraArguments() {
        #expect(throws: UsageError("backfill: missing <target> (What to backfill.)")) { try bind([]) }
        #expect(throws: UsageError("backfill: unexpected argument 'extra' (see `help backfill`)")) { try bind(["rollups", "extra"]) }
        #expect(throws: UsageError("backfill: --since needs a value (date)")) { try bind(["rollups", "--since"]) }
    }

    @Test func dryRunOnlyForCommands() {
        #expect(throws: UsageError.self) { try bind(["rollups", "--dry-run"], dryRun: false) }
    }

    @Test func negatedBoolean() throws {
        #expect(try bind(["rollups", "--no-verbose"]).bool("verbose") == false)
    }
}

@Suite struct ValueParserTests {
    let parser = ArgumentBinderTests.parser

    @Test func relativeDatesCountFromTodaysStart() {
        #expect(parser.date("today") == Timestamps.parse("2026-03-15T00:00:00Z"))
        #expect(parser.date("yesterday") == Timestamps.parse("2026-03-14T00:00:00Z"))
        #expect(parser.date("-12w") == Timestamps.parse("2025-12-21T00:00:00Z"))
        #expect(parser.date("-6m") == Timestamps.parse("2025-09-15T00:00:00Z"))
        #expect(parser.date("-2h") == Timestamps.parse("2026-03-15T10:00:00Z"))
    }

    @Test func datesInTheSessionTimeZone() {
        let berlin = ValueParser(now: parser.now, timeZone: TimeZone(identifier: "Europe/Berlin")!)
        #expect(berlin.date("2026-01-31") == Timestamps.parse("2026-01-30T23:00:00Z"))
        #expect(berlin.date("2026-01-31T10:00:00Z") == Timestamps.parse("2026-01-31T10:00:00Z"))
    }

    @Test func rejectsNonsense() {
        for text in ["2026-13-01", "2026-02-30", "soon", "-30x", "2026-01-01'; DROP TABLE calls; --"] {
            #expect(parser.date(text) == nil, "\(text)")
        }
    }

    @Test func enumTypeNamesRoundTrip() {
        #expect(ParameterType(name: "enum(day, week,month)") == .choice(["day", "week", "month"]))
        #expect(ParameterType.choice(["a", "b"]).name == "enum(a,b)")
        #expect(ParameterType(name: "enum()") == nil)
        #expect(ParameterType(name: "float") == nil)
    }
}

@Suite struct SuggestionsTests {
    @Test func closeTyposOnly() {
        #expect(Suggestions.closest(to: "tabels", in: ["tables", "demo"]) == "tables")
        #expect(Suggestions.closest(to: "cost-by-modle", in: ["cost-by-model", "cost-trend"]) == "cost-by-model")
        #expect(Suggestions.closest(to: "nope", in: ["tables", "demo", "index"]) == nil)
        #expect(Suggestions.closest(to: "sel", in: ["select", "tables"]) == "select")
    }

    @Test func distanceCountsTranspositionsOnce() {
        #expect(Suggestions.distance("abc", "acb") == 1)
        #expect(Suggestions.distance("kitten", "sitting") == 3)
        #expect(Suggestions.distance("", "abc") == 3)
    }
}
