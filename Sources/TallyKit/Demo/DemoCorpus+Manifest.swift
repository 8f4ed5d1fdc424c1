import Foundation

extension DemoCorpus {
    /// What a generated corpus contains and what was planted in it. Paths are relative to the
    /// corpus folder; money is in nano-dollars (1 USD = 1,000,000,000), as in `Money`.
    public struct Manifest: Codable, Sendable, Equatable {
        public var seed: UInt64
        public var firstDay: String
        public var lastDay: String
        /// Files written per top-level folder (`opencode`, `claude`, `codex`, `gemini`,
        /// `usage-events`, `events`, `workflows`); a SQLite database counts as one file.
        public var fileCounts: [String: Int] = [:]
        public var bytes = 0
        public var openCode = OpenCode()
        public var claude = Claude()
        public var codex = Codex()
        public var gemini = Gemini()
        public var usageEvents = UsageEvents()
        public var events = Events()
        public var workflows = Workflows()
        /// Inputs planted broken, each in a real location of its format.
        public var malformed: [Malformed] = []

        public init(seed: UInt64, firstDay: String, lastDay: String) {
            self.seed = seed
            self.firstDay = firstDay
            self.lastDay = lastDay
        }

        public struct OpenCode: Codable, Sendable, Equatable {
            public var treeSessions = 0
            public var treeMessages = 0
            public var treeParts = 0
            /// Calls = step-finish parts; tokens summed over steps (not the messages' last-step tokens).
            public var treeTotals = Totals()
            public var databaseSessions = 0
            public var databaseMessages = 0
            public var databaseParts = 0
            public var databaseTotals = Totals()
            /// The database's root session whose stored roll-up columns are all 0, though its
            /// messages and its sub-agents' have tokens.
            public var zeroRollupSessionID = ""
            public var zeroRollupChildSessionIDs: [String] = []
            /// Its true totals (own and sub-agent steps).
            public var zeroRollupTotals = Totals()
            public init() {}
        }

        public struct Claude: Codable, Sendable, Equatable {
            public var sessions = 0
            public var subagentTranscripts = 0
            public var lines = 0
            /// Calls = distinct `message.id` + `requestId`, `<synthetic>` excluded.
            public var totals = Totals()
            /// The `<synthetic>` API-error line (not a call).
            public var syntheticLine = Location()
            public init() {}
        }

        public struct Codex: Codable, Sendable, Equatable {
            public var sessions = 0
            /// token_count events that repeat the previous cumulative total (not calls).
            public var reEmits = 0
            /// token_count events with `info: null` (rate limits only).
            public var infoNull = 0
            /// token_count events without `last_token_usage` (delta = difference of totals).
            public var withoutLastUsage: [Location] = []
            public var totals = Totals()
            public init() {}
        }

        public struct Gemini: Codable, Sendable, Equatable {
            public var sessions = 0
            public var totals = Totals()
            public init() {}
        }

        public struct UsageEvents: Codable, Sendable, Equatable {
            public var rows = 0
            /// Rows with only `total_tokens` (both splits NULL).
            public var totalOnlyIDs: [Int] = []
            /// Rows inserted without `total_tokens`: it holds the column default 0 while both
            /// splits are set (count them as prompt + completion).
            public var defaultZeroTotalIDs: [Int] = []
            /// Totals with the default-0 rows counted as prompt + completion; prompt = input,
            /// completion = output.
            public var totals = Totals()
            public init() {}
        }

        public struct Events: Codable, Sendable, Equatable {
            public var lines = 0
            /// 1-based line numbers of total-only rows.
            public var totalOnlyLines: [Int] = []
            public var linesWithoutID: [Int] = []
            /// Models without a list price (`pricing missing`).
            public var unpricedModels: [String] = []
            /// Totals of the valid lines (the negative-count line excluded).
            public var totals = Totals()
            public init() {}
        }

        public struct Workflows: Codable, Sendable, Equatable {
            /// The completed run whose stored cost was captured at its first sync.
            public var staleRun = Run()
            /// The running run whose stored cost is above its current source total.
            public var runningRun = Run()
            public var upToDateRuns: [Run] = []
            /// A stored summary with no run folder.
            public var storedOnlyRunID = ""
            public init() {}
        }

        public struct Run: Codable, Sendable, Equatable {
            public var id = ""
            public var status = ""
            public var costLines = 0
            /// Σ `cost_usd` of `runs/<id>/costs.jsonl`.
            public var sourceCostNanos: Int64 = 0
            /// `workflow_history.actual_cost_total`.
            public var storedCostNanos: Int64 = 0
            public init() {}
        }
    }

    public struct Location: Codable, Sendable, Equatable {
        public var path = ""
        /// 1-based line number (JSONL), nil for a whole file.
        public var line: Int?
        public init(path: String = "", line: Int? = nil) {
            self.path = path
            self.line = line
        }
    }

    /// A planted malformed input.
    public struct Malformed: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable {
            /// A JSON file cut short: `bytes` of its `fullBytes` remain; not valid JSON.
            case truncatedFile = "truncated-file"
            /// One JSONL line cut in half (the line ends after `bytes` of `fullBytes`); not valid JSON.
            case cutLine = "cut-line"
            /// A valid JSON line whose `field` holds a negative token count.
            case negativeTokens = "negative-tokens"
        }

        public var format: String
        public var location: Location
        public var kind: Kind
        public var bytes: Int
        public var fullBytes: Int
        public var field: String?
        public var value: Int?
        public var problem: String
    }
}
