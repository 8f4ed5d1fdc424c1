import Foundation

/// Writes OpenCode sessions as the JSON storage tree of OpenCode ≤ 1.1 (`storage/storage.ts`):
/// one `JSON.stringify(x, null, 2)` file per object, no trailing newline, under `session/`,
/// `message/`, `part/` (singular), plus `session_diff/`, `todo/`, `project/` and `migration`.
struct OpenCodeTreeWriter {
    /// The storage folder, relative to the output root (`opencode/storage`).
    let base: String
    private(set) var projects: [(project: DemoProject, created: Int64, updated: Int64)] = []

    init(base: String) {
        self.base = base
    }

    func sessionPath(_ s: OpenCodeSession) -> String { "\(base)/session/\(s.project.openCodeID)/\(s.id).json" }
    func messagePath(sessionID: String, messageID: String) -> String { "\(base)/message/\(sessionID)/\(messageID).json" }
    func partPath(messageID: String, partID: String) -> String { "\(base)/part/\(messageID)/\(partID).json" }

    /// Writes a root session, its messages and parts, and its sub-agent sessions.
    mutating func write(_ root: OpenCodeSession, to out: inout DemoOutput) throws {
        for s in root.tree {
            try out.write(s.json.bytes(.pretty), to: sessionPath(s))
            for m in s.messages {
                try out.write(m.record.json.bytes(.pretty), to: messagePath(sessionID: s.id, messageID: m.record.id))
                for p in m.parts {
                    try out.write(p.json.bytes(.pretty), to: partPath(messageID: m.record.id, partID: p.id))
                }
            }
            if !s.diffs.isEmpty {
                try out.write(DemoJSON.array(s.diffs).bytes(.pretty), to: "\(base)/session_diff/\(s.id).json")
            }
            if !s.todos.isEmpty {
                try out.write(DemoJSON.array(s.todos).bytes(.pretty), to: "\(base)/todo/\(s.id).json")
            }
        }
        if let i = projects.firstIndex(where: { $0.project.openCodeID == root.project.openCodeID }) {
            projects[i].updated = max(projects[i].updated, root.updated)
        } else {
            // The project was first opened an hour before its first session.
            projects.append((root.project, root.created - 3_600_000, root.updated))
        }
    }

    /// Writes `project/<id>.json` for every project seen, and the `migration` marker.
    func finish(to out: inout DemoOutput) throws {
        for (project, created, updated) in projects {
            let json = DemoJSON.obj([
                "id": .string(project.openCodeID), "worktree": .string(project.isGit ? project.root : "/"),
                "vcs": project.isGit ? "git" : nil,
                "time": .obj([
                    "created": .int(Int(created)), "updated": .int(Int(updated)),
                    "initialized": project.isGit ? .int(Int(created + 1_000)) : nil,
                ]),
                "sandboxes": [],
            ])
            try out.write(json.bytes(.pretty), to: "\(base)/project/\(project.openCodeID).json")
        }
        try out.write(Array("2".utf8), to: "\(base)/migration")
    }
}
