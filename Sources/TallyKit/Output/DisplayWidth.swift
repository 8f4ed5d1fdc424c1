/// How many terminal cells a string occupies, so that tables line up with CJK text and emoji.
///
/// Measured per grapheme cluster (what the user sees as one character):
/// - a cluster with an emoji-presentation scalar, or a base followed by U+FE0F, is 2 cells —
///   including ZWJ sequences (`👩‍💻`), skin tones and flags;
/// - otherwise the cluster's scalars are summed: East Asian Wide and Fullwidth scalars (UAX #11)
///   count 2, combining marks (Mn, Me), format characters (Cf, e.g. ZWJ, ZWSP), Hangul medial
///   and final jamo and control characters count 0, everything else 1 (`e\u{301}` is 1 cell).
public enum DisplayWidth {
    /// Terminal cells taken by `text`.
    public static func of(_ text: String) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// Terminal cells taken by one grapheme cluster.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        if scalars.contains(where: { $0.properties.isEmojiPresentation }) { return 2 }
        if scalars.count > 1, scalars.contains("\u{FE0F}"), let first = scalars.first,
            first.properties.isEmoji
        {
            return 2
        }
        return scalars.reduce(0) { $0 + of($1) }
    }

    /// Terminal cells taken by one scalar on its own.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        let v = scalar.value
        if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 }
        return isWide(v) ? 2 : 1
    }

    /// `text` padded with spaces to `width` cells, on the left when `right` is true.
    public static func pad(_ text: String, to width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - of(text)))
        return right ? fill + text : text + fill
    }

    // MARK: - East Asian Wide and Fullwidth

    /// Ranges of East Asian Width W or F (UAX #11), outside the emoji handled above.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,  // Hangul Jamo initial consonants
        0x2329...0x232A,  // angle brackets
        0x2E80...0x303E,  // CJK radicals, Kangxi, ideographic description, CJK symbols
        0x3041...0x33FF,  // Hiragana, Katakana, Bopomofo, Hangul compatibility jamo, CJK compat
        0x3400...0x4DBF,  // CJK Extension A
        0x4E00...0x9FFF,  // CJK Unified Ideographs
        0xA000...0xA4CF,  // Yi
        0xA960...0xA97F,  // Hangul Jamo Extended-A
        0xAC00...0xD7A3,  // Hangul syllables
        0xF900...0xFAFF,  // CJK Compatibility Ideographs
        0xFE10...0xFE19,  // vertical forms
        0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
        0xFF00...0xFF60,  // fullwidth ASCII and punctuation
        0xFFE0...0xFFE6,  // fullwidth signs
        0x16FE0...0x16FE4,  // ideographic symbols
        0x17000...0x18CFF,  // Tangut, Khitan
        0x1AFF0...0x1B2FF,  // Kana supplement and extensions, Nushu
        0x1F200...0x1F2FF,  // enclosed ideographic supplement
        0x20000...0x2FFFD,  // CJK Extensions B–F, compatibility supplement
        0x30000...0x3FFFD,  // CJK Extensions G and later
    ]

    private static func isWide(_ v: UInt32) -> Bool {
        guard v >= 0x1100 else { return false }
        return wideRanges.contains { $0.contains(v) }
    }
}
