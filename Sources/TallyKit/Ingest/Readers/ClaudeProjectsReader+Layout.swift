import Foundation

/// Where a transcript sits in a Claude Code projects tree, and what that says about it.
///
/// ```
/// projects/<slug>/<sessionId>.jsonl                              a session
/// projects/<slug>/<sessionId>/subagents/agent-<agentId>.jsonl    a sub-agent (2.x)
/// projects/<slug>/agent-<agentId>.jsonl                          a sub-agent (early 2.0.x)
/// ```
struct ClaudeTranscriptLayout: Equatable {
    enum Kind: Equatable {
        /// A main session, named after its file.
        case session(id: String)
        /// A sub-agent transcript; the parent session comes from its folder when it has one,
        /// else from the lines' `sessionId`.
        case subagent(agentID: String, parentFromPath: String?)
    }

    var kind: Kind
    /// The folder that should be the project slug (checked against the lines' `cwd`).
    var slugCandidate: String?
    /// True when the candidate sits directly in a folder named `projects`.
    var isUnderProjects: Bool
    /// The sub-agent's `agent-<agentId>.meta.json`.
    var metaURL: URL?
    /// A session's `<sessionId>/subagents/` folder (whose meta files may name tool-use ids).
    var subagentsFolder: URL?

    init(_ url: URL) {
        let components = url.standardizedFileURL.pathComponents
        let n = components.count
        let name = components.last ?? ""
        let stem = name.hasSuffix(".jsonl") ? String(name.dropLast(6)) : name
        func component(_ fromEnd: Int) -> String? { n - fromEnd >= 1 ? components[n - fromEnd] : nil }
        let folder = url.deletingLastPathComponent()

        if stem.hasPrefix("agent-"), stem.count > 6 {
            let agentID = String(stem.dropFirst(6))
            metaURL = folder.appendingPathComponent("agent-\(agentID).meta.json")
            if component(2) == "subagents", let parent = component(3) {
                kind = .subagent(agentID: agentID, parentFromPath: parent)
                slugCandidate = component(4)
                isUnderProjects = component(5) == "projects"
            } else {
                kind = .subagent(agentID: agentID, parentFromPath: nil)
                slugCandidate = component(2)
                isUnderProjects = component(3) == "projects"
            }
        } else {
            kind = .session(id: stem)
            slugCandidate = component(2)
            isUnderProjects = component(3) == "projects"
            subagentsFolder = folder.appendingPathComponent(stem).appendingPathComponent("subagents")
        }
    }

    /// The project slug: the folder under `projects/`, or — for a file read from elsewhere — the
    /// slug Claude Code would make of the working directory.
    func slug(cwd: String?) -> String? {
        let fromCwd = cwd.map(ClaudeTranscriptLayout.slug(ofDirectory:))
        if let candidate = slugCandidate {
            if isUnderProjects || candidate == fromCwd || candidate.hasPrefix("-") { return candidate }
        }
        return fromCwd ?? slugCandidate
    }

    /// Claude Code's slug of a working directory: every UTF-16 unit but ASCII letters and digits
    /// becomes `-` (`/Users/dev/src/x` → `-Users-dev-src-x`), as its JavaScript `replace` does.
    static func slug(ofDirectory directory: String) -> String {
        var out = ""
        for scalar in directory.unicodeScalars {
            switch scalar.value {
            case 48...57, 65...90, 97...122: out.unicodeScalars.append(scalar)
            case 0x10000...: out += "--"
            default: out += "-"
            }
        }
        return out
    }
}
