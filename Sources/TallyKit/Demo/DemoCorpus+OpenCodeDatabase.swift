import Foundation
import GRDB

/// Writes OpenCode sessions into an OpenCode ≥ 1.2 SQLite database (`opencode.db`): the schema
/// of the drizzle migrations, `message.data` / `part.data` = the stored JSON minus its id
/// fields (json-migration.ts), compact. The session roll-up columns (1.2.16+) hold the naive
/// sum of the session's own messages' `cost` and `tokens` (last-step tokens; children not
/// included), unless a session is planted with zero roll-ups.
struct OpenCodeDatabaseWriter {
    static let schema = """
        CREATE TABLE `project` (`id` text PRIMARY KEY, `worktree` text NOT NULL, `vcs` text, `name` text,
          `icon_url` text, `icon_color` text, `time_created` integer NOT NULL, `time_updated` integer NOT NULL,
          `time_initialized` integer, `sandboxes` text NOT NULL, `commands` text);
        CREATE TABLE `session` (`id` text PRIMARY KEY, `project_id` text NOT NULL REFERENCES project(id) ON DELETE CASCADE,
          `workspace_id` text, `parent_id` text, `slug` text NOT NULL, `directory` text NOT NULL, `path` text,
          `title` text NOT NULL, `version` text NOT NULL, `share_url` text,
          `summary_additions` integer, `summary_deletions` integer, `summary_files` integer, `summary_diffs` text,
          `cost` real DEFAULT 0 NOT NULL, `tokens_input` integer DEFAULT 0 NOT NULL, `tokens_output` integer DEFAULT 0 NOT NULL,
          `tokens_reasoning` integer DEFAULT 0 NOT NULL, `tokens_cache_read` integer DEFAULT 0 NOT NULL,
          `tokens_cache_write` integer DEFAULT 0 NOT NULL,
          `revert` text, `permission` text, `agent` text, `model` text,
          `time_created` integer NOT NULL, `time_updated` integer NOT NULL, `time_compacting` integer, `time_archived` integer);
        CREATE TABLE `message` (`id` text PRIMARY KEY, `session_id` text NOT NULL REFERENCES session(id) ON DELETE CASCADE,
          `time_created` integer NOT NULL, `time_updated` integer NOT NULL, `data` text NOT NULL);
        CREATE TABLE `part` (`id` text PRIMARY KEY, `message_id` text NOT NULL REFERENCES message(id) ON DELETE CASCADE,
          `session_id` text NOT NULL, `time_created` integer NOT NULL, `time_updated` integer NOT NULL, `data` text NOT NULL);
        CREATE TABLE `todo` (`session_id` text NOT NULL, `content` text NOT NULL, `status` text NOT NULL,
          `priority` text NOT NULL, `position` integer NOT NULL, `time_created` integer NOT NULL,
          `time_updated` integer NOT NULL, PRIMARY KEY(`session_id`,`position`));
        CREATE INDEX `message_session_time_created_id_idx` ON `message` (`session_id`,`time_created`,`id`);
        CREATE INDEX `part_message_id_id_idx` ON `part` (`message_id`,`id`);
        CREATE INDEX `part_session_idx` ON `part` (`session_id`);
        CREATE INDEX `session_project_idx` ON `session` (`project_id`);
        CREATE INDEX `session_parent_idx` ON `session` (`parent_id`);
        """

    let queue: DatabaseQueue
    private(set) var rows = (sessions: 0, messages: 0, parts: 0)
    private var projectsSeen: [String] = []

    /// When projects were first opened (from the JSON era, which a 1.2 migration keeps).
    private let projectCreated: [(id: String, created: Int64)]

    /// Creates the database at `path` (which must not exist) with OpenCode's schema.
    init(path: String, projectCreated: [(id: String, created: Int64)] = []) throws {
        queue = try DemoDatabase.create(path: path, schema: Self.schema)
        self.projectCreated = projectCreated
    }

    /// Inserts root sessions with their sub-agents; the sessions whose id is in `zeroRollup`
    /// keep roll-up columns of 0 (as some OpenCode versions leave root sessions).
    mutating func write(_ roots: [OpenCodeSession], zeroRollup: Set<String> = []) throws {
        var counts = rows
        var seen = projectsSeen
        try queue.write { db in
            for root in roots {
                if !seen.contains(root.project.openCodeID) {
                    seen.append(root.project.openCodeID)
                    let p = root.project
                    let created = projectCreated.first(where: { $0.id == p.openCodeID })?.created ?? root.created - 3_600_000
                    try db.cachedStatement(sql: "INSERT INTO project VALUES (?, ?, ?, NULL, NULL, NULL, ?, ?, ?, '[]', NULL)").execute(arguments: [
                        p.openCodeID, p.isGit ? p.root : "/", p.isGit ? "git" : nil, created, root.updated,
                        p.isGit ? created + 1_000 : nil,
                    ])
                } else {
                    try db.cachedStatement(sql: "UPDATE project SET time_updated = max(time_updated, ?) WHERE id = ?")
                        .execute(arguments: [root.updated, root.project.openCodeID])
                }
                for s in root.tree {
                    try Self.insert(s, zero: zeroRollup.contains(s.id), db)
                    counts.sessions += 1
                    counts.messages += s.messages.count
                    counts.parts += s.messages.reduce(0) { $0 + $1.parts.count }
                }
            }
        }
        rows = counts
        projectsSeen = seen
    }

    private static func insert(_ s: OpenCodeSession, zero: Bool, _ db: Database) throws {
        let rollup = zero ? (cost: Int64(0), tokens: DemoUsage()) : s.naiveRollup
        try db.cachedStatement(sql: """
            INSERT INTO session (id, project_id, parent_id, slug, directory, title, version,
              summary_additions, summary_deletions, summary_files,
              cost, tokens_input, tokens_output, tokens_reasoning, tokens_cache_read, tokens_cache_write,
              time_created, time_updated)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                s.id, s.project.openCodeID, s.parentID, s.slug, s.project.root, s.title, s.version,
                s.summary?.additions, s.summary?.deletions, s.summary?.files,
                Double(rollup.cost) / 1e9, rollup.tokens.input, rollup.tokens.output, rollup.tokens.reasoning,
                rollup.tokens.cacheRead, rollup.tokens.cacheWrite, s.created, s.updated,
            ])
        let message = try db.cachedStatement(sql: "INSERT INTO message VALUES (?, ?, ?, ?, ?)")
        let part = try db.cachedStatement(sql: "INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)")
        for m in s.messages {
            try message.execute(arguments: [
                m.record.id, s.id, m.record.created, m.record.updated, m.record.json.removing(["id", "sessionID"]).text(.compact),
            ])
            for p in m.parts {
                try part.execute(arguments: [
                    p.id, m.record.id, s.id, p.created, p.updated, p.json.removing(["id", "sessionID", "messageID"]).text(.compact),
                ])
            }
        }
        for (position, todo) in s.todos.enumerated() {
            try db.cachedStatement(sql: "INSERT INTO todo VALUES (?, ?, ?, ?, ?, ?, ?)").execute(arguments: [
                s.id, todo["content"]?.stringValue, todo["status"]?.stringValue, todo["priority"]?.stringValue, position,
                s.created, s.updated,
            ])
        }
    }
}

/// Creating the corpus's SQLite files: rollback journal (one file, no -wal), no fsync — the
/// bytes of the finished file are the same either way.
enum DemoDatabase {
    static func create(path: String, schema: String) throws -> DatabaseQueue {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw DemoCorpus.Error.cannotWrite(path: path, reason: "the file already exists")
        }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw DemoCorpus.Error.cannotWrite(path: path, reason: error.localizedDescription)
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = OFF")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in try db.execute(sql: schema) }
        return queue
    }
}
