import Foundation
import GRDB
import TallyKit

/// `token-audit`: one row per data-quality check of the token data, with a count and an example.
public enum TokenAudit: Analysis {
    public static let name = "token-audit"
    public static let summary = "Data-quality checks of the token data: one row per check with its count and an example."
    public static let discussion = """
        Checks, in this order: zero-root-rollup (root sessions whose stored rollup is 0 while \
        their calls and their descendants' have tokens; example: the most tokens), total-only, \
        zero-total-with-splits (also those whose source total was 0 or NULL and that the ingest \
        took from the splits: attribute total_from_splits), total-not-sum-of-splits, negative-or-null-total, \
        call-without-model, model-without-price (models, not calls; example: the most tokens), \
        orphan-part and orphan-message (rows whose message or session was never read: a \
        placeholder), duplicate-source-key (calls repeating another call's source, session, \
        model, start and tokens under another id; example: the extra one), then one \
        rejected-record row per rejection reason (the text before its first colon) with an \
        example location (path:line). --since/--until select calls and sessions by start time; \
        orphans and rejected records are counted over the whole database.
        """
    public static let parameters = CallFilter.parameters.filter { $0.name != "cost-mode" }
    public static let examples = [
        // ses-zero stores 0 but z1 (1500) and its sub-agent's z2 (3000) have 4500 tokens. t1, t2
        // give only a total; zt has total 0 with splits 100 + 50, zs had (the ingest took the splits'
        // sum and marked it total_from_splits); mm 1000 + 500 ≠ 1600 and zt
        // 150 ≠ 0 are two totals off; nm has no model; acme-internal-7b has no price (1 call,
        // 1500 tokens). prt-1's message and msg-lost's session are placeholders. dup2 repeats
        // dup1. Three rejections: two "not valid JSON" (claude, opencode), one token count.
        Example("token-audit", "Every check on its fixture.", fixture: "audit", expected: """
            check,count,example_id,detail
            zero-root-rollup,1,ses-zero,root sessions whose stored rollup is 0 while their calls have tokens; ses-zero has 4500 tokens
            total-only,2,t1,calls with only total_tokens (every split NULL)
            zero-total-with-splits,2,zs,calls whose total_tokens is 0 but whose splits are not (or was 0 or NULL at the source: total_from_splits)
            total-not-sum-of-splits,2,mm,calls whose total_tokens is not the sum of their splits
            negative-or-null-total,0,,calls whose total_tokens is negative or NULL
            call-without-model,1,nm,calls without a model name
            model-without-price,1,acme-internal-7b,models no price matches (pricing missing lists them); acme-internal-7b has 1 call and 1500 tokens
            orphan-part,1,prt-1,parts whose message was never read (a placeholder or missing)
            orphan-message,1,msg-lost,messages whose session was never read (a placeholder or missing)
            duplicate-source-key,1,dup2,calls repeating another call's source and session and model and start and tokens under another id
            rejected-record,2,/logs/a.jsonl:7,not valid JSON (claude and opencode)
            rejected-record,1,/logs/e.jsonl:3,invalid token count output_tokens (events)
            """),
        // 03-02 only: ses-zero (03-01) and acme's and the duplicate calls (03-03) are out of range;
        // orphans and rejections are counted over the whole database.
        Example("token-audit --since 2026-03-02 --until 2026-03-03", "A single day.", fixture: "audit", expected: """
            check,count,example_id,detail
            zero-root-rollup,0,,root sessions whose stored rollup is 0 while their calls have tokens
            total-only,2,t1,calls with only total_tokens (every split NULL)
            zero-total-with-splits,2,zs,calls whose total_tokens is 0 but whose splits are not (or was 0 or NULL at the source: total_from_splits)
            total-not-sum-of-splits,2,mm,calls whose total_tokens is not the sum of their splits
            negative-or-null-total,0,,calls whose total_tokens is negative or NULL
            call-without-model,1,nm,calls without a model name
            model-without-price,0,,models no price matches (pricing missing lists them)
            orphan-part,1,prt-1,parts whose message was never read (a placeholder or missing)
            orphan-message,1,msg-lost,messages whose session was never read (a placeholder or missing)
            duplicate-source-key,0,,calls repeating another call's source and session and model and start and tokens under another id
            rejected-record,2,/logs/a.jsonl:7,not valid JSON (claude and opencode)
            rejected-record,1,/logs/e.jsonl:3,invalid token count output_tokens (events)
            """),
        Example("token-audit --since 2026-04-01", "No calls or sessions in range: an empty result and a note.",
                fixture: "audit", expected: """
            check,count,example_id,detail
            """),
        Example("token-audit", "A new database: nothing to check, an empty result and a note.", fixture: "empty", expected: """
            check,count,example_id,detail
            """),
    ]

    public static func run(_ arguments: Arguments, context: AnalysisContext) throws -> ResultSet {
        let db = context.db, filter = CallFilter(arguments)
        let sessionTime = sessionCondition(filter)
        let columns = [Column("check", .text), Column("count", .integer), Column("example_id", .text), Column("detail", .text)]
        let inRange = try Int.fetchOne(db, SQLRequest<Int>(literal: """
            SELECT (SELECT count(*) FROM calls c WHERE \(filter.condition)) + (SELECT count(*) FROM sessions s WHERE \(sessionTime))
            """)) ?? 0
        guard inRange > 0 else {
            return ResultSet(columns: columns, notes: ["no calls or sessions in range: nothing to check"])
        }
        var rows: [[Value]] = []
        func add(_ check: String, _ count: Int64, _ example: String?, _ detail: String, _ more: String? = nil) {
            rows.append([.text(check), .integer(count), .string(example), .text(detail + (count > 0 ? more.map { "; " + $0 } ?? "" : ""))])
        }

        let zero = try Row.fetchAll(db, SQLRequest<Row>(literal: """
            WITH RECURSIVE tree(root, id) AS (
                SELECT id, id FROM sessions s
                WHERE s.parent_id IS NULL AND s.rollup_origin IS NOT NULL AND coalesce(s.rollup_total_tokens, 0) = 0
                  AND \(sessionTime)
                UNION
                SELECT tree.root, s.id FROM sessions s JOIN tree ON s.parent_id = tree.id
            )
            SELECT t.root, sum(c.total_tokens) AS tokens FROM tree t JOIN calls c ON c.session_id = t.id
            GROUP BY t.root HAVING tokens > 0 ORDER BY tokens DESC, t.root
            """))
        add("zero-root-rollup", Int64(zero.count), zero.first?[0], "root sessions whose stored rollup is 0 while their calls have tokens",
            zero.first.map { "\($0[0] as String) has \($0[1] as Int64) tokens" })

        let splits = ["c.input_tokens", "c.output_tokens", "c.reasoning_tokens", "c.cache_read_tokens", "c.cache_write_tokens"]
        let sum = "(" + splits.map { "coalesce(\($0), 0)" }.joined(separator: " + ") + ")"
        let allKnown = splits.map { "\($0) IS NOT NULL" }.joined(separator: " AND ")
        let calls = try Row.fetchOne(db, SQLRequest<Row>(literal: """
            SELECT sum(total_only), min(CASE WHEN total_only THEN id END),
                   sum(zero_total), min(CASE WHEN zero_total THEN id END),
                   sum(off), min(CASE WHEN off THEN id END),
                   sum(bad_total), min(CASE WHEN bad_total THEN id END),
                   sum(no_model), min(CASE WHEN no_model THEN id END)
            FROM (
                SELECT c.id,
                    \(SQL(sql: splits.map { "\($0) IS NULL" }.joined(separator: " AND "))) AS total_only,
                    ((c.total_tokens = 0 AND \(SQL(sql: sum)) > 0)
                     OR (instr(c.attributes, 'total_from_splits') > 0 AND json_extract(c.attributes, '$.total_from_splits'))) AS zero_total,
                    ((\(SQL(sql: allKnown)) AND c.total_tokens <> \(SQL(sql: sum))) OR c.total_tokens < \(SQL(sql: sum))) AS off,
                    (c.total_tokens IS NULL OR c.total_tokens < 0) AS bad_total,
                    (c.model IS NULL OR c.model = '') AS no_model
                FROM calls c WHERE \(filter.condition)
            )
            """))!
        add("total-only", calls[0] ?? 0, calls[1], "calls with only total_tokens (every split NULL)")
        add("zero-total-with-splits", calls[2] ?? 0, calls[3],
            "calls whose total_tokens is 0 but whose splits are not (or was 0 or NULL at the source: total_from_splits)")
        add("total-not-sum-of-splits", calls[4] ?? 0, calls[5], "calls whose total_tokens is not the sum of their splits")
        add("negative-or-null-total", calls[6] ?? 0, calls[7], "calls whose total_tokens is negative or NULL")
        add("call-without-model", calls[8] ?? 0, calls[9], "calls without a model name")

        let book = try PriceBook.load(db)
        var unmatched: [String: (calls: Int64, tokens: Int64)] = [:]
        for u in try ModelUsage.fetch(db, filter: filter, per: .none) {
            guard let model = u.model, !model.isEmpty, book.matcher.match(model, provider: u.provider) == nil else { continue }
            let known = unmatched[model] ?? (0, 0)
            unmatched[model] = (known.calls + u.calls, known.tokens + u.totalTokens)
        }
        let worst = unmatched.max { ($0.value.tokens, $1.key) < ($1.value.tokens, $0.key) }
        add("model-without-price", Int64(unmatched.count), worst?.key, "models no price matches (pricing missing lists them)",
            worst.map { "\($0.key) has \($0.value.calls) call\($0.value.calls == 1 ? "" : "s") and \($0.value.tokens) tokens" })

        for (check, table, parent, column, what) in [
            ("orphan-part", "parts", "messages", "message_id", "parts whose message"),
            ("orphan-message", "messages", "sessions", "session_id", "messages whose session"),
        ] {
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), min(x.id) FROM \(table) x
                WHERE NOT EXISTS (SELECT 1 FROM \(parent) p
                                  WHERE p.id = x.\(column) AND json_extract(p.attributes, '$.placeholder') IS NULL)
                """)!
            add(check, row[0], row[1], "\(what) was never read (a placeholder or missing)")
        }

        let duplicates = try Row.fetchOne(db, SQLRequest<Row>(literal: """
            SELECT sum(n - 1), min(extra) FROM (
                SELECT count(*) AS n, max(c.id) AS extra FROM calls c WHERE \(filter.condition)
                GROUP BY c.source, c.session_id, c.model, c.started_at, c.input_tokens, c.output_tokens, c.reasoning_tokens,
                         c.cache_read_tokens, c.cache_write_tokens, c.total_tokens
                HAVING n > 1)
            """))!
        add("duplicate-source-key", duplicates[0] ?? 0, duplicates[1],
            "calls repeating another call's source and session and model and start and tokens under another id")

        let rejected = try Row.fetchAll(db, sql: """
            SELECT CASE WHEN instr(reason, ':') > 0 THEN substr(reason, 1, instr(reason, ':') - 1) ELSE reason END AS why,
                   count(*), min(path || coalesce(':' || line, '')), group_concat(DISTINCT coalesce(source, '?'))
            FROM rejected_records GROUP BY why ORDER BY count(*) DESC, why
            """)
        for row in rejected {
            let sources = (row[3] as String? ?? "").split(separator: ",").sorted().joined(separator: " and ")
            add("rejected-record", row[1], row[2], "\(row[0] as String) (\(sources))")
        }
        if rejected.isEmpty { add("rejected-record", 0, nil, "records quarantined at ingest, by reason") }

        let found = rows.filter { $0[1] != .integer(0) }.count
        var notes = ["\(found) of \(rows.count) checks found something"]
        if filter.since != nil || filter.until != nil {
            notes.append("--since/--until select calls and sessions; orphans and rejected records are counted over the whole database")
        }
        return ResultSet(columns: columns, rows: rows, notes: notes)
    }

    /// `--since/--until` on the sessions' start.
    private static func sessionCondition(_ filter: CallFilter) -> SQL {
        var parts: [SQL] = []
        if let since = filter.since { parts.append("s.started_at >= \(Timestamps.iso(since))") }
        if let until = filter.until { parts.append("s.started_at < \(Timestamps.iso(until))") }
        return parts.isEmpty ? "1" : parts.joined(separator: " AND ")
    }
}
