import Testing
@testable import TallyREPL

@Suite struct CompletionListTests {
    @Test(arguments: [
        ([], ""),
        (["select"], "select"),
        (["select", "selection", "set"], "se"),
        (["selection", "select"], "select"),
        (["über", "übel"], "übe"),
        (["cost", "calls", "models"], ""),
        (["Select", "select"], ""),
    ] as [([String], String)])
    func longestCommonPrefix(candidates: [String], expected: String) {
        #expect(CompletionList.longestCommonPrefix(candidates) == expected)
    }

    @Test func columnsFillDownFirst() {
        let items = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"]
        // Cells are 9 wide (7 + a gap of 2): three columns fit in 25.
        #expect(CompletionList.columns(items, width: 25) == [
            "alpha    delta    eta",
            "beta     epsilon",
            "gamma    zeta",
        ])
    }

    @Test func oneColumnWhenNothingElseFits() {
        #expect(CompletionList.columns(["a-very-long-candidate", "b"], width: 10) == [
            "a-very-long-candidate",
            "b",
        ])
    }

    @Test func everythingOnOneLineWhenItFits() {
        #expect(CompletionList.columns(["select", "selection", "set"], width: 119) == [
            "select     selection  set",
        ])
        #expect(CompletionList.columns([], width: 80) == [])
    }

    @Test func widthCountsCharactersNotBytes() {
        #expect(CompletionList.columns(["über", "übel", "ab"], width: 12) == [
            "über  ab",
            "übel",
        ])
    }
}
