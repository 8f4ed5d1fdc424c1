/// A line diff in the unified format (`--- a`, `+++ b`, `@@ -1,3 +1,4 @@` hunks with three lines
/// of context), for `notebook check`.
public enum UnifiedDiff {
    enum Edit: Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The diff of `old` and `new` (texts), empty when they are equal.
    public static func diff(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        guard old != new else { return "" }
        let a = lines(old), b = lines(new)
        let edits = self.edits(a, b)
        var out = "--- \(oldName)\n+++ \(newName)\n"
        // Group changes whose context overlaps into one hunk.
        let changed = edits.indices.filter { edits[$0] != .same(text(edits[$0])) }
        var h = 0
        while h < changed.count {
            var last = h
            while last + 1 < changed.count, changed[last + 1] - changed[last] <= 2 * context + 1 { last += 1 }
            let start = max(0, changed[h] - context), end = min(edits.count, changed[last] + context + 1)
            var oldStart = 0, newStart = 0
            for e in edits[..<start] {
                if case .added = e {} else { oldStart += 1 }
                if case .removed = e {} else { newStart += 1 }
            }
            var body = "", oldCount = 0, newCount = 0
            for e in edits[start..<end] {
                switch e {
                case .same(let s): body += " \(s)\n"; oldCount += 1; newCount += 1
                case .removed(let s): body += "-\(s)\n"; oldCount += 1
                case .added(let s): body += "+\(s)\n"; newCount += 1
                }
            }
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n" + body
            h = last + 1
        }
        return out
    }

    /// `start,count` as unified diffs write it (1-based; an empty range names the line before).
    static func range(_ start: Int, _ count: Int) -> String {
        count == 0 ? "\(start),0" : count == 1 ? "\(start + 1)" : "\(start + 1),\(count)"
    }

    static func text(_ e: Edit) -> String {
        switch e {
        case .same(let s), .removed(let s), .added(let s): return s
        }
    }

    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The shortest edit script by longest common subsequence, after taking off the common
    /// prefix and suffix (a notebook's outputs change in a few places).
    static func edits(_ a: [String], _ b: [String]) -> [Edit] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        let x = Array(a[prefix..<(a.count - suffix)]), y = Array(b[prefix..<(b.count - suffix)])
        var middle: [Edit] = []
        if x.count * y.count > 4_000_000 {
            // Too large to align line by line: show the whole middle as replaced.
            middle = x.map(Edit.removed) + y.map(Edit.added)
        } else {
            // lengths[i][j]: LCS length of x[i...] and y[j...].
            var lengths = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
            for i in stride(from: x.count - 1, through: 0, by: -1) {
                for j in stride(from: y.count - 1, through: 0, by: -1) {
                    lengths[i][j] = x[i] == y[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
                }
            }
            var i = 0, j = 0
            while i < x.count || j < y.count {
                if i < x.count, j < y.count, x[i] == y[j] {
                    middle.append(.same(x[i])); i += 1; j += 1
                } else if j < y.count, i == x.count || lengths[i][j + 1] >= lengths[i + 1][j] {
                    middle.append(.added(y[j])); j += 1
                } else {
                    middle.append(.removed(x[i])); i += 1
                }
            }
            // Removals before additions in each run of changes, as diff(1) shows them.
            var ordered: [Edit] = []
            var removed: [Edit] = [], added: [Edit] = []
            for e in middle {
                switch e {
                case .same:
                    ordered += removed + added + [e]
                    removed = []; added = []
                case .removed: removed.append(e)
                case .added: added.append(e)
                }
            }
            middle = ordered + removed + added
        }
        return a[..<prefix].map(Edit.same) + middle + a[(a.count - suffix)...].map(Edit.same)
    }
}
