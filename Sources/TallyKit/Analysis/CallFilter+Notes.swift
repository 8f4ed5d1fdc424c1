import Foundation

extension CallFilter {
    /// The filters given, as typed (`--since 2026-04-01T00:00:00.000Z --project web`); empty
    /// without any. The cost mode is not a filter and is left out.
    public var given: String {
        var words: [String] = []
        if let since { words.append("--since \(Timestamps.iso(since))") }
        if let until { words.append("--until \(Timestamps.iso(until))") }
        if let project { words.append("--project \(project)") }
        if let source { words.append("--source \(source)") }
        if let provider { words.append("--provider \(provider)") }
        return words.joined(separator: " ")
    }

    /// The note of a result with no rows (SPEC §4: an empty range is a result, not an error):
    /// "No calls match --since 2026-04-01T00:00:00.000Z." or "No calls in the database."
    public func emptyNote(_ what: String = "calls") -> String {
        given.isEmpty ? "No \(what) in the database." : "No \(what) match \(given)."
    }
}
