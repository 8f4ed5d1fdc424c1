import Testing
@testable import TallyKit

/// Terminal cell counts, checked against what a UAX #11-aware terminal shows.
@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("", 0),
        ("gpt-5", 5),
        ("東京", 4),  // CJK ideographs: wide
        ("東京-model", 10),
        ("한국어", 6),  // Hangul syllables
        ("ｔａｌｌｙ", 10),  // fullwidth Latin
        ("ｶﾀｶﾅ", 4),  // halfwidth katakana stay narrow
        ("e\u{301}", 1),  // combining acute
        ("cafe\u{301}", 4),
        ("a\u{200B}b", 2),  // zero-width space
        ("🚀", 2),
        ("🚀-model", 8),
        ("👩\u{200D}💻", 2),  // ZWJ sequence: one emoji
        ("👨\u{200D}👩\u{200D}👧", 2),
        ("👍🏽", 2),  // skin tone modifier
        ("🇯🇵", 2),  // flag
        ("❤\u{FE0F}", 2),  // text-default emoji with VS16
        ("❤", 1),  // … and without
        ("\u{1100}\u{1161}\u{11A8}", 2),  // conjoining jamo: one syllable
        ("\u{3000}", 2),  // ideographic space
        ("€", 1),
    ])
    func width(_ text: String, _ expected: Int) {
        #expect(DisplayWidth.of(text) == expected)
    }

    @Test func padUsesDisplayWidth() {
        #expect(DisplayWidth.pad("東京", to: 6) == "東京  ")
        #expect(DisplayWidth.pad("e\u{301}", to: 3, right: true) == "  e\u{301}")
        #expect(DisplayWidth.pad("toolong", to: 3) == "toolong")
    }
}
