import Foundation

/// The fictional developer's projects and the work done in them: the shared vocabulary every
/// format's builder draws prompts, file paths, commands and tool output from.
struct DemoProject {
    var name: String
    /// Absolute project root (`/Users/dev/src/tokenbench`).
    var root: String
    /// OpenCode project id: the git root commit (40 hex), or `global` outside a repository.
    var openCodeID: String
    var isGit: Bool { openCodeID != "global" }
    var files: [String]
    var features: [String]
    var commands: [String]
    var code: [String]

    /// Claude Code's folder name: the cwd with every non-alphanumeric character replaced by `-`.
    var claudeSlug: String {
        String(root.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    func path(_ file: String) -> String { root + "/" + file }
}

/// One piece of work: a session's title and first prompt.
struct DemoTask {
    var title: String
    var prompt: String
    var feature: String
    var file: String
}

enum DemoWorld {
    /// The projects, with git ids drawn from `rng` (OpenCode's project id is the root commit).
    static func projects(_ rng: inout DemoRandom) -> [DemoProject] {
        [
            DemoProject(
                name: "tokenbench", root: "/Users/dev/src/tokenbench", openCodeID: rng.hex(40),
                files: [
                    "Sources/TokenBench/Report.swift", "Sources/TokenBench/CodexImporter.swift",
                    "Sources/TokenBench/TablePrinter.swift", "Sources/TokenBench/Pricing.swift",
                    "Sources/TokenBench/CSVExport.swift", "Tests/TokenBenchTests/ReportTests.swift",
                    "Tests/TokenBenchTests/PricingTests.swift", "Package.swift", "README.md",
                ],
                features: ["the report command", "the Codex importer", "the pricing table", "the CSV export"],
                commands: ["swift build", "swift test", "swift test --filter ReportTests", "git status --short", "git diff --stat"],
                code: [
                    "struct ReportCommand: ParsableCommand {", "    @Flag var verbose = false",
                    "    @Option(help: \"Start date\") var since: String?", "    func run() throws {",
                    "        let rows = try loader.load(since: since)", "        print(TablePrinter.render(rows))",
                    "    }", "}", "extension Pricing {", "    static func cost(_ usage: Usage) -> Decimal {",
                    "        usage.input * rates.input + usage.output * rates.output", "    }",
                    "import Foundation", "import ArgumentParser", "    guard !rows.isEmpty else { return \"\" }",
                    "    let total = rows.reduce(0) { $0 + $1.tokens }", "    // Totals are computed once per report.",
                ]),
            DemoProject(
                name: "billing-api", root: "/Users/dev/src/billing-api", openCodeID: rng.hex(40),
                files: [
                    "internal/invoice/invoice.go", "internal/invoice/invoice_test.go", "internal/ledger/ledger.go",
                    "internal/ledger/sync.go", "internal/http/handlers.go", "cmd/server/main.go", "go.mod",
                    "migrations/0007_add_credits.sql",
                ],
                features: ["invoice totals", "the ledger sync", "credit notes", "the webhook handler"],
                commands: ["go test ./...", "go build ./...", "go vet ./...", "make lint", "git status --short"],
                code: [
                    "package invoice", "import (", "\t\"context\"", "\t\"fmt\"", ")",
                    "func (s *Service) Total(ctx context.Context, id string) (Money, error) {",
                    "\tlines, err := s.repo.Lines(ctx, id)", "\tif err != nil {",
                    "\t\treturn Money{}, fmt.Errorf(\"invoice %s: %w\", id, err)", "\t}", "\tvar total Money",
                    "\tfor _, l := range lines {", "\t\ttotal = total.Add(l.Amount)", "\t}", "\treturn total, nil", "}",
                    "// Sync pushes settled entries to the ledger in batches of 100.",
                ]),
            DemoProject(
                name: "web-dashboard", root: "/Users/dev/src/web-dashboard", openCodeID: rng.hex(40),
                files: [
                    "src/components/UsageChart.tsx", "src/components/CostTable.tsx", "src/api/client.ts",
                    "src/hooks/useUsage.ts", "src/pages/Overview.tsx", "src/components/DateRangePicker.tsx",
                    "package.json", "vite.config.ts",
                ],
                features: ["the usage chart", "the cost table", "the date range picker", "the API client"],
                commands: ["pnpm test", "pnpm build", "pnpm lint", "pnpm vitest run src/components", "git status --short"],
                code: [
                    "import { useMemo } from 'react';", "import type { UsageRow } from '../api/client';",
                    "export function UsageChart({ rows }: { rows: UsageRow[] }) {",
                    "  const series = useMemo(() => groupByDay(rows), [rows]);", "  if (rows.length === 0) {",
                    "    return <EmptyState label=\"No usage yet\" />;", "  }",
                    "  return <LineChart data={series} x=\"day\" y=\"tokens\" />;", "}",
                    "export async function fetchUsage(range: DateRange): Promise<UsageRow[]> {",
                    "  const res = await fetch(`/api/usage?from=${range.from}&to=${range.to}`);",
                    "  if (!res.ok) throw new Error(`usage: ${res.status}`);", "  return res.json();",
                ]),
            DemoProject(
                name: "home", root: "/Users/dev", openCodeID: "global",
                files: ["notes/todo.md", ".zshrc", "scripts/backup.sh", "notes/reading.md"],
                features: ["the backup script", "my shell setup", "the todo notes"],
                commands: ["ls ~/src", "brew outdated", "bash scripts/backup.sh --dry-run"],
                code: [
                    "#!/usr/bin/env bash", "set -euo pipefail", "rsync -a --delete \"$SRC\" \"$DEST\"",
                    "export PATH=\"$HOME/.local/bin:$PATH\"", "alias gs='git status --short'", "- [ ] renew domain",
                ]),
        ]
    }

    private static let taskTemplates: [(String, String)] = [
        ("Fix rounding in {feature}", "Amounts in {feature} are off by a cent sometimes. Track down the rounding and fix it."),
        ("Add tests for {feature}", "Add unit tests covering {feature}, including the empty case. Tests live next to {file}."),
        ("Refactor {feature}", "Refactor {feature} so parsing and printing are separate. Keep the behaviour identical."),
        ("Investigate slow {feature}", "{Feature} got slow on big inputs. Profile it and propose a fix."),
        ("Add JSON output to {feature}", "Add a --json option to {feature} and document it in the README."),
        ("Explain {feature}", "How does {feature} work? Give me a short overview with file references."),
        ("Fix crash in {feature}", "{Feature} crashes on an empty input: fix it and add a regression test."),
        ("Update dependencies", "Update the dependencies to their latest minor versions and make sure everything still builds."),
        ("Rename options of {feature}", "Rename the options of {feature} to kebab-case and keep the old names as hidden aliases."),
        ("Handle missing config in {feature}", "When the config file is missing, {feature} should fall back to defaults instead of failing."),
    ]

    static let followUps = [
        "Now run the tests.", "Looks good. Also update the README.", "Can you make the error message clearer?",
        "Please handle the case where the file is missing.", "Why did that test fail?",
        "Use the existing helper instead of writing a new one.", "Add a short doc comment to the new function.",
        "Revert the formatting changes, keep only the fix.", "What else calls this function?",
    ]

    static func task(_ rng: inout DemoRandom, in project: DemoProject) -> DemoTask {
        let (title, prompt) = rng.pick(taskTemplates)
        let feature = rng.pick(project.features)
        let file = rng.pick(project.files)
        func fill(_ s: String) -> String {
            s.replacingOccurrences(of: "{Feature}", with: feature.prefix(1).uppercased() + feature.dropFirst())
                .replacingOccurrences(of: "{feature}", with: feature)
                .replacingOccurrences(of: "{file}", with: file)
        }
        return DemoTask(title: fill(title), prompt: fill(prompt), feature: feature, file: file)
    }

    // MARK: - Assistant text

    static func reasoning(_ rng: inout DemoRandom, _ task: DemoTask) -> String {
        rng.pick([
            "The user wants me to work on \(task.feature). I should read \(task.file) first to see how it is wired.",
            "Let me check where \(task.feature) is implemented before changing anything.",
            "The failure probably comes from how \(task.feature) handles empty input. I will grep for the entry point.",
            "I need the call sites of \(task.feature) before editing; a quick search should find them.",
            "Tests first: run them to see the current state, then make the smallest change.",
        ])
    }

    static func answer(_ rng: inout DemoRandom, _ task: DemoTask) -> String {
        let line = rng.int(8...240)
        return rng.pick([
            "Updated `\(task.file)`: \(task.feature) now handles the empty case and the new test passes.",
            "The problem was in `\(task.file):\(line)`: the total was rounded per line instead of once. Fixed it and added a regression test.",
            "\(task.feature.prefix(1).uppercased() + task.feature.dropFirst()) is implemented in `\(task.file)`; the entry point is at line \(line).",
            "Done. All tests pass; I also documented the new option in the README.",
            "I could not reproduce the crash with the current inputs; I added a guard at `\(task.file):\(line)` and a test for it.",
        ])
    }

    // MARK: - Tool output

    /// `count` numbered lines of the project's code, as OpenCode's read tool shows them.
    static func numberedCode(_ rng: inout DemoRandom, _ project: DemoProject, count: Int) -> String {
        var start = rng.int(1...120)
        var lines: [String] = []
        lines.reserveCapacity(count)
        for _ in 0..<count {
            let n = String(start)
            lines.append(String(repeating: "0", count: max(0, 5 - n.count)) + n + "| " + rng.pick(project.code))
            start += 1
        }
        return lines.joined(separator: "\n")
    }

    static func code(_ rng: inout DemoRandom, _ project: DemoProject, count: Int) -> String {
        (0..<count).map { _ in rng.pick(project.code) }.joined(separator: "\n")
    }

    static func commandOutput(_ rng: inout DemoRandom, _ command: String) -> String {
        let tests = rng.int(12...180)
        let seconds = "\(rng.int(0...9)).\(rng.int(100...999))"
        switch command {
        case let c where c.hasPrefix("swift test"):
            return "Building for debugging...\nBuild complete! (\(seconds)s)\nTest Suite 'All tests' passed.\n\t Executed \(tests) tests, with 0 failures (0 unexpected) in \(seconds) seconds"
        case let c where c.hasPrefix("swift build"):
            return "Building for debugging...\n[\(rng.int(3...40))/\(rng.int(41...60))] Compiling TokenBench\nBuild complete! (\(seconds)s)"
        case let c where c.hasPrefix("go test"):
            return "ok  \texample.com/billing-api/internal/invoice\t\(seconds)s\nok  \texample.com/billing-api/internal/ledger\t0.\(rng.int(100...999))s\n?   \texample.com/billing-api/cmd/server\t[no test files]"
        case let c where c.hasPrefix("go "), let c where c.hasPrefix("make"):
            return ""
        case let c where c.hasPrefix("pnpm"):
            return " RUN  v3.2.4 /Users/dev/src/web-dashboard\n\n ✓ src/components/UsageChart.test.tsx (\(rng.int(2...12)) tests) \(rng.int(20...400))ms\n\n Test Files  \(rng.int(3...9)) passed\n      Tests  \(tests) passed"
        case let c where c.hasPrefix("git status"):
            return " M Sources/TokenBench/Report.swift\n?? Tests/TokenBenchTests/ReportJSONTests.swift"
        case let c where c.hasPrefix("git diff"):
            return " 2 files changed, \(rng.int(3...80)) insertions(+), \(rng.int(0...30)) deletions(-)"
        default:
            return "done"
        }
    }
}
