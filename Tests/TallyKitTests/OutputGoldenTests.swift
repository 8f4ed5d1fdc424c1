import Foundation
import Testing
@testable import TallyKit

/// What users see, compared verbatim: every format for one usage result, then notes,
/// truncation, empty results, headers off, charts, Unicode alignment and escaping.
@Suite struct OutputGoldenTests {
    /// A cost-by-model result: a CJK and an emoji model name, money from dollars down to a
    /// sub-cent and zero, timestamps as epoch ms and as text, and a row of NULLs whose name
    /// needs CSV quoting.
    static let usage = ResultSet(
        columns: [
            Column("model", .text), Column("calls", .integer), Column("total_tokens", .tokens),
            Column("cost_usd", .money), Column("share_pct", .percent), Column("first_seen", .timestamp),
        ],
        rows: [
            ["claude-sonnet-4", 1204, 1_234_567, .decimal(Decimal(string: "1234.5")!), 87.25, 1_772_704_931_000],
            ["東京-model", 3, 4210, .decimal(Decimal(string: "0.006275")!), 12.5, 1_772_704_931_123],
            ["🚀-rocket", 0, 0, .decimal(0), 0.0, "2026-03-01T00:00:00Z"],
            ["gpt-5 \"mini\", eu", nil, nil, nil, nil, nil],
        ])

    /// A small result with notes in SPEC §4's words.
    static let noted = ResultSet(
        columns: [Column("model", .text), Column("cost_usd", .money)],
        rows: [["gpt-5", .decimal(Decimal(string: "2.37")!)]],
        notes: ["1 unpriced model: cost shown is partial", "fallback prices used for gpt-5"])

    /// Daily cost with a bar chart: a largest bar, a partial, a tiny value, NULL and a refund.
    static let daily = ResultSet(
        columns: [Column("day", .date), Column("cost_usd", .money)],
        rows: [
            ["2026-03-01", .decimal(Decimal(string: "12.4")!)], ["2026-03-02", .decimal(Decimal(string: "4.5")!)],
            ["2026-03-03", .decimal(Decimal(string: "0.01")!)], ["2026-03-04", nil],
            ["2026-03-05", .decimal(-2)], ["2026-03-06", .decimal(Decimal(string: "9.3")!)],
        ],
        chart: Chart(label: "day", value: "cost_usd"))

    static let counts = ResultSet(
        columns: [Column("n", .integer)], rows: [[1], [2], [3], [4], [5]])

    static let empty = ResultSet(columns: [Column("model", .text), Column("cost_usd", .money)])

    func render(
        _ result: ResultSet, _ format: OutputFormat, headers: Bool = true, maxRows: Int? = nil, chart: Bool = true
    ) -> Rendered {
        Renderer.render(result, options: RenderOptions(format: format, headers: headers, maxRows: maxRows, chart: chart))
    }

    /// The lines of a multi-line literal, each ending in LF as renderers write them.
    func block(_ text: String) -> String { text + "\n" }

    // MARK: - Every format, one result

    @Test func table() {
        #expect(render(Self.usage, .table) == Rendered(stdout: block("""
            model             calls  total_tokens   cost_usd  share_pct  first_seen
            ────────────────  ─────  ────────────  ─────────  ─────────  ────────────────────────
            claude-sonnet-4   1,204     1,234,567  $1,234.50      87.3%  2026-03-05T10:02:11Z
            東京-model            3         4,210    $0.0063      12.5%  2026-03-05T10:02:11.123Z
            🚀-rocket             0             0      $0.00       0.0%  2026-03-01T00:00:00Z
            gpt-5 "mini", eu
            """)))
    }

    @Test func markdown() {
        #expect(render(Self.usage, .markdown) == Rendered(stdout: block("""
            | model | calls | total_tokens | cost_usd | share_pct | first_seen |
            |---|---:|---:|---:|---:|---|
            | claude-sonnet-4 | 1,204 | 1,234,567 | $1,234.50 | 87.3% | 2026-03-05T10:02:11Z |
            | 東京-model | 3 | 4,210 | $0.0063 | 12.5% | 2026-03-05T10:02:11.123Z |
            | 🚀-rocket | 0 | 0 | $0.00 | 0.0% | 2026-03-01T00:00:00Z |
            | gpt-5 "mini", eu |  |  |  |  |  |
            """)))
    }

    @Test func csv() {
        #expect(render(Self.usage, .csv) == Rendered(stdout: block("""
            model,calls,total_tokens,cost_usd,share_pct,first_seen
            claude-sonnet-4,1204,1234567,1234.5,87.25,2026-03-05T10:02:11Z
            東京-model,3,4210,0.006275,12.5,2026-03-05T10:02:11.123Z
            🚀-rocket,0,0,0,0,2026-03-01T00:00:00Z
            "gpt-5 ""mini"", eu",,,,,
            """)))
    }

    @Test func tsv() {
        #expect(render(Self.usage, .tsv) == Rendered(stdout: block("""
            model\tcalls\ttotal_tokens\tcost_usd\tshare_pct\tfirst_seen
            claude-sonnet-4\t1204\t1234567\t1234.5\t87.25\t2026-03-05T10:02:11Z
            東京-model\t3\t4210\t0.006275\t12.5\t2026-03-05T10:02:11.123Z
            🚀-rocket\t0\t0\t0\t0\t2026-03-01T00:00:00Z
            gpt-5 "mini", eu\t\t\t\t\t
            """)))
    }

    @Test func json() {
        #expect(render(Self.usage, .json) == Rendered(stdout: block(#"""
            [
            {"model":"claude-sonnet-4","calls":1204,"total_tokens":1234567,"cost_usd":1234.5,"share_pct":87.25,"first_seen":"2026-03-05T10:02:11Z"},
            {"model":"東京-model","calls":3,"total_tokens":4210,"cost_usd":0.006275,"share_pct":12.5,"first_seen":"2026-03-05T10:02:11.123Z"},
            {"model":"🚀-rocket","calls":0,"total_tokens":0,"cost_usd":0,"share_pct":0,"first_seen":"2026-03-01T00:00:00Z"},
            {"model":"gpt-5 \"mini\", eu","calls":null,"total_tokens":null,"cost_usd":null,"share_pct":null,"first_seen":null}
            ]
            """#)))
    }

    @Test func jsonl() {
        #expect(render(Self.usage, .jsonl) == Rendered(stdout: block(#"""
            {"model":"claude-sonnet-4","calls":1204,"total_tokens":1234567,"cost_usd":1234.5,"share_pct":87.25,"first_seen":"2026-03-05T10:02:11Z"}
            {"model":"東京-model","calls":3,"total_tokens":4210,"cost_usd":0.006275,"share_pct":12.5,"first_seen":"2026-03-05T10:02:11.123Z"}
            {"model":"🚀-rocket","calls":0,"total_tokens":0,"cost_usd":0,"share_pct":0,"first_seen":"2026-03-01T00:00:00Z"}
            {"model":"gpt-5 \"mini\", eu","calls":null,"total_tokens":null,"cost_usd":null,"share_pct":null,"first_seen":null}
            """#)))
    }

    @Test func line() {
        #expect(render(Self.usage, .line) == Rendered(stdout: block("""
                   model = claude-sonnet-4
                   calls = 1,204
            total_tokens = 1,234,567
                cost_usd = $1,234.50
               share_pct = 87.3%
              first_seen = 2026-03-05T10:02:11Z

                   model = 東京-model
                   calls = 3
            total_tokens = 4,210
                cost_usd = $0.0063
               share_pct = 12.5%
              first_seen = 2026-03-05T10:02:11.123Z

                   model = 🚀-rocket
                   calls = 0
            total_tokens = 0
                cost_usd = $0.00
               share_pct = 0.0%
              first_seen = 2026-03-01T00:00:00Z

                   model = gpt-5 "mini", eu
                   calls =
            total_tokens =
                cost_usd =
               share_pct =
              first_seen =
            """)))
    }

    // MARK: - Notes: stdout for people, stderr for machines

    @Test(arguments: [
        (OutputFormat.table, "model  cost_usd\n─────  ────────\ngpt-5     $2.37\n", false),
        (.markdown, "| model | cost_usd |\n|---|---:|\n| gpt-5 | $2.37 |\n\n", false),
        (.line, "   model = gpt-5\ncost_usd = $2.37\n\n", false),
        (.csv, "model,cost_usd\ngpt-5,2.37\n", true),
        (.tsv, "model\tcost_usd\ngpt-5\t2.37\n", true),
        (.json, "[\n{\"model\":\"gpt-5\",\"cost_usd\":2.37}\n]\n", true),
        (.jsonl, "{\"model\":\"gpt-5\",\"cost_usd\":2.37}\n", true),
    ])
    func notes(_ format: OutputFormat, _ body: String, _ toStderr: Bool) {
        let notes = "note: 1 unpriced model: cost shown is partial\nnote: fallback prices used for gpt-5\n"
        let expected = toStderr ? Rendered(stdout: body, stderr: notes) : Rendered(stdout: body + notes)
        #expect(render(Self.noted, format) == expected)
    }

    @Test(arguments: OutputFormat.allCases)
    func noColumnsPrintsOnlyNotes(_ format: OutputFormat) {
        #expect(render(.empty, format) == Rendered(stdout: ""))
        let noted = ResultSet(columns: [], notes: ["3 rows updated"])
        let rendered = render(noted, format)
        #expect(rendered.stdout + rendered.stderr == "note: 3 rows updated\n")
    }

    // MARK: - Long and empty results

    @Test func maxRowsHidesOneRow() {
        #expect(render(Self.counts, .table, maxRows: 4).stdout == block("""
            n
            ─
            1
            2
            3
            4
            … 1 more row (.last shows all)
            """))
    }

    @Test func maxRowsHidesSeveralRows() {
        #expect(render(Self.counts, .table, maxRows: 2).stdout == block("""
            n
            ─
            1
            2
            … 3 more rows (.last shows all)
            """))
        #expect(render(Self.counts, .table, maxRows: 5) == render(Self.counts, .table))
    }

    @Test func onlyTableTruncates() {
        #expect(render(Self.counts, .markdown, maxRows: 2).stdout == block("""
            | n |
            |---:|
            | 1 |
            | 2 |
            | 3 |
            | 4 |
            | 5 |
            """))
        #expect(render(Self.counts, .csv, maxRows: 2).stdout == "n\n1\n2\n3\n4\n5\n")
    }

    @Test func emptyResult() {
        #expect(render(Self.empty, .table).stdout == block("""
            model  cost_usd
            ─────  ────────
            (no rows)
            """))
        #expect(render(Self.empty, .table, headers: false).stdout == "(no rows)\n")
        #expect(render(Self.empty, .markdown).stdout == "| model | cost_usd |\n|---|---:|\n")
        #expect(render(Self.empty, .csv).stdout == "model,cost_usd\n")
        #expect(render(Self.empty, .tsv).stdout == "model\tcost_usd\n")
        #expect(render(Self.empty, .json).stdout == "[]\n")
        #expect(render(Self.empty, .jsonl).stdout == "")
        #expect(render(Self.empty, .line).stdout == "")
    }

    // MARK: - Headers off

    @Test func headersOff() {
        #expect(render(Self.noted, .table, headers: false).stdout.hasPrefix("gpt-5  $2.37\nnote: "))
        #expect(render(Self.noted, .markdown, headers: false).stdout.hasPrefix("|---|---:|\n| gpt-5 | $2.37 |\n\n"))
        #expect(render(Self.noted, .csv, headers: false).stdout == "gpt-5,2.37\n")
        #expect(render(Self.noted, .tsv, headers: false).stdout == "gpt-5\t2.37\n")
        #expect(render(Self.noted, .json, headers: false) == render(Self.noted, .json))
        #expect(render(Self.noted, .line, headers: false) == render(Self.noted, .line))
    }

    // MARK: - Charts

    @Test func barChartUnderTable() {
        #expect(render(Self.daily, .table).stdout == block("""
            day         cost_usd
            ──────────  ────────
            2026-03-01    $12.40
            2026-03-02     $4.50
            2026-03-03     $0.01
            2026-03-04
            2026-03-05    -$2.00
            2026-03-06     $9.30

            2026-03-01 ████████████████████████████████████████ $12.40
            2026-03-02 ██████████████▌ $4.50
            2026-03-03 ▏ $0.01
            2026-03-04
            2026-03-05 -$2.00
            2026-03-06 ██████████████████████████████ $9.30
            """))
    }

    @Test func barChartRespectsMaxRowsAndPrecedesNotes() {
        var result = Self.daily
        result.notes = ["unpriced: 1 day"]
        #expect(render(result, .table, maxRows: 2).stdout == block("""
            day         cost_usd
            ──────────  ────────
            2026-03-01    $12.40
            2026-03-02     $4.50
            … 4 more rows (.last shows all)

            2026-03-01 ████████████████████████████████████████ $12.40
            2026-03-02 ██████████████▌ $4.50
            note: unpriced: 1 day
            """))
    }

    @Test func barLabelsRightAlignedByDisplayWidth() {
        let result = ResultSet(
            columns: [Column("model", .text), Column("total_tokens", .tokens)],
            rows: [["東京", 300], ["gpt-5-mini", 1000], ["👩‍💻", 1]],
            chart: Chart(label: "model", value: "total_tokens"))
        let chart = render(result, .table).stdout.components(separatedBy: "\n\n")[1]
        #expect(chart == block("""
                  東京 ████████████ 300
            gpt-5-mini ████████████████████████████████████████ 1,000
                    👩‍💻 ▏ 1
            """))
    }

    @Test func noChartWhenOffEmptyOrNotTable() {
        let plain = Self.daily.withoutChart
        #expect(render(Self.daily, .table, chart: false) == render(plain, .table))
        #expect(render(Self.daily, .markdown) == render(plain, .markdown))
        let none = ResultSet(columns: Self.daily.columns, chart: Self.daily.chart)
        #expect(render(none, .table).stdout == "day  cost_usd\n───  ────────\n(no rows)\n")
    }

    @Test func sparkline() {
        var result = Self.daily
        result.chart = Chart(kind: .sparkline, label: "day", value: "cost_usd")
        #expect(render(result, .table).stdout.hasSuffix("\n\ncost_usd █▄▂ ▁▆  min -$2.00  max $12.40\n"))
    }

    // MARK: - Unicode and escaping

    static let unicode = ResultSet(
        columns: [Column("name", .text), Column("n", .integer), Column("kind", .text)],
        rows: [
            ["東京", 1, "wide"], ["cafe\u{301}", 22, "combining"], ["👩\u{200D}💻 dev", 333, "zwj"],
            ["ｔａｌｌｙ", 4444, "fullwidth"], ["a\nb\tc", 5, "x|y\r\nz\u{1b}"],
        ])

    @Test func unicodeAlignment() {
        #expect(render(Self.unicode, .table).stdout == block(#"""
            name            n  kind
            ──────────  ─────  ────────────
            東京            1  wide
            cafe\#u{301}           22  combining
            👩‍💻 dev        333  zwj
            ｔａｌｌｙ  4,444  fullwidth
            a\nb\tc         5  x|y\r\nz\x1b
            """#))
    }

    @Test func unicodeLine() {
        #expect(render(Self.unicode, .line).stdout.hasSuffix(#"name = a\nb\tc"# + "\n   n = 5\n" + #"kind = x|y\r\nz\x1b"# + "\n"))
    }

    @Test func markdownEscapesPipesAndLineBreaks() {
        #expect(render(Self.unicode, .markdown).stdout.hasSuffix("| a<br>b\tc | 5 | x\\|y<br>z\u{1b} |\n"))
    }

    @Test func csvQuotesPerRFC4180() {
        let result = ResultSet(
            columns: [Column("a, b", .text), Column("q", .text)],
            rows: [["x\"y", "line1\nline2"], ["cr\rhere", " spaced "], [nil, ""]])
        #expect(render(result, .csv).stdout == "\"a, b\",q\n\"x\"\"y\",\"line1\nline2\"\n\"cr\rhere\", spaced \n,\n")
    }

    @Test func tsvEscapesTabsNewlinesBackslashes() {
        let result = ResultSet(columns: [Column("t", .text)], rows: [["a\tb\nc\\d\re"]])
        #expect(render(result, .tsv).stdout == "t\n" + #"a\tb\nc\\d\re"# + "\n")
    }

    // MARK: - Values by column type

    /// Values of any storage class in typed columns, and `any` columns decided per value.
    static let mixed = ResultSet(
        columns: [
            Column("cost_usd", .money), Column("ratio", .real), Column("ok", .bool), Column("at", .timestamp),
            Column("text", .text),
        ],
        rows: [
            [2, 0.1, 1, 1_772_704_931.5, "tab\there \"q\" /slash\\ é \u{1f}"],
            [0.1, .real(.nan), 0, .decimal(1_772_704_931), 42],
            ["1.25", .real(.infinity), "yes", "2026-03-05", "日本"],
        ])

    @Test func typedColumnsInTable() {
        #expect(render(Self.mixed, .table).stdout == block(#"""
            cost_usd  ratio  ok     at                        text
            ────────  ─────  ─────  ────────────────────────  ────────────────────────────
               $2.00    0.1  true   2026-03-05T10:02:11.500Z  tab\there "q" /slash\ é \x1f
               $0.10    NaN  false  2026-03-05T10:02:11Z      42
               $1.25    Inf  true   2026-03-05                日本
            """#))
    }

    @Test func typedColumnsInJSON() {
        #expect(render(Self.mixed, .json).stdout == block(#"""
            [
            {"cost_usd":2,"ratio":0.1,"ok":true,"at":"2026-03-05T10:02:11.500Z","text":"tab\there \"q\" /slash\\ é \u001f"},
            {"cost_usd":0.1,"ratio":null,"ok":false,"at":"2026-03-05T10:02:11Z","text":"42"},
            {"cost_usd":1.25,"ratio":null,"ok":true,"at":"2026-03-05","text":"日本"}
            ]
            """#))
    }

    @Test func typedColumnsInCSV() {
        #expect(render(Self.mixed, .csv).stdout == block("""
            cost_usd,ratio,ok,at,text
            2,0.1,true,2026-03-05T10:02:11.500Z,"tab\there ""q"" /slash\\ é \u{1f}"
            0.1,,false,2026-03-05T10:02:11Z,42
            1.25,,true,2026-03-05,日本
            """))
    }

    @Test func textAndDateColumnsShowNumbersAsIs() {
        let result = ResultSet(
            columns: [Column("year", .date), Column("code", .text)], rows: [[2026, 12345.5], ["2026-W10", 100000]])
        #expect(render(result, .table, headers: false).stdout == "2026      12345.5\n2026-W10  100000\n")
    }

    static let untyped = ResultSet(
        columns: [Column("id"), Column("session_id"), Column("n"), Column("ratio"), Column("label"), Column("blob")],
        rows: [
            [12345, 67890, 12345, 0.5, "x", .blob(Data([0, 1, 254]))],
            [7, 8, 1_234_567, .real(1.0 / 3), 42, nil],
            [nil, nil, .decimal(Decimal(string: "2.50")!), 3.0, nil, nil],
        ])

    @Test func anyColumnsDecidePerValue() {
        #expect(render(Self.untyped, .table).stdout == block("""
               id  session_id          n   ratio  label  blob
            ─────  ──────────  ─────────  ──────  ─────  ─────────
            12345       67890     12,345     0.5  x      x'0001fe'
                7           8  1,234,567  0.3333  42
                                     2.5       3
            """))
        #expect(render(Self.untyped, .json).stdout == block("""
            [
            {"id":12345,"session_id":67890,"n":12345,"ratio":0.5,"label":"x","blob":"AAH+"},
            {"id":7,"session_id":8,"n":1234567,"ratio":0.3333333333333333,"label":42,"blob":null},
            {"id":null,"session_id":null,"n":2.5,"ratio":3.0,"label":null,"blob":null}
            ]
            """))
    }

    @Test func moneyIsExactWhateverItsStorage() {
        let result = ResultSet(
            columns: [Column("cost_usd", .money)],
            rows: [[.integer(3)], [.real(0.1 + 0.2)], [.decimal(Decimal(string: "0.000000123456789")!)], [.real(1e-7)]])
        #expect(render(result, .jsonl).stdout == """
            {"cost_usd":3}
            {"cost_usd":0.30000000000000004}
            {"cost_usd":0.000000123456789}
            {"cost_usd":0.0000001}

            """)
        #expect(render(result, .csv, headers: false).stdout == "3\n0.30000000000000004\n0.000000123456789\n0.0000001\n")
        #expect(render(result, .table, headers: false).stdout == "   $3.00\n   $0.30\n<$0.0001\n<$0.0001\n")
    }
}

extension ResultSet {
    fileprivate var withoutChart: ResultSet {
        var copy = self
        copy.chart = nil
        return copy
    }
}
