/// Pure helpers for Tab completion: what to insert and how to list candidates.
enum CompletionList {
    /// The longest prefix shared by all strings, compared by `Character`.
    static func longestCommonPrefix(_ strings: [String]) -> String {
        guard let first = strings.first else { return "" }
        var prefix = first[...]
        for string in strings.dropFirst() {
            var shared = prefix.startIndex
            var other = string.startIndex
            while shared < prefix.endIndex, other < string.endIndex,
                  prefix[shared] == string[other] {
                shared = prefix.index(after: shared)
                other = string.index(after: other)
            }
            prefix = prefix[..<shared]
            if prefix.isEmpty { break }
        }
        return String(prefix)
    }

    /// Lays candidates out in columns like `ls`: sorted down each column first,
    /// columns separated by two spaces, no line wider than `width` (unless a single
    /// candidate is), no trailing spaces.
    static func columns(_ items: [String], width: Int) -> [String] {
        guard !items.isEmpty else { return [] }
        let gap = 2
        let cellWidth = items.map(\.count).max()! + gap
        let columnCount = max(1, (width + gap) / cellWidth)
        let rowCount = (items.count + columnCount - 1) / columnCount
        var lines: [String] = []
        for row in 0..<rowCount {
            var line = ""
            for column in 0..<columnCount {
                let index = column * rowCount + row
                guard index < items.count else { break }
                let item = items[index]
                line += item
                line += String(repeating: " ", count: cellWidth - item.count)
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines
    }
}
