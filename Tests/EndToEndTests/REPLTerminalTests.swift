import Foundation
import Testing

/// The REPL through a real pseudo-terminal (SPEC §3): completion, history, Ctrl-C, Ctrl-D.
@Suite(.serialized) struct REPLTerminalTests {
    let tally = TallyProcess()

    func start() throws -> PseudoTerminal {
        let terminal = try PseudoTerminal.spawn(
            executable: TallyProcess.executable.path, arguments: ["--db", tally.path("repl.db")],
            environment: tally.environment)
        try terminal.expect("tally> ", timeout: 10)
        return terminal
    }

    @Test func tabCompletesDotCommandsAndPluginNames() throws {
        let t = try start()
        t.send(".ti\t on\r")
        try t.expect("tally> ")
        t.send("select 6 * 7 as product;\r")
        try t.expect("42")
        try t.expect("Run Time: real")
        t.send("tab\t\r")
        try t.expect("sessions")
        t.send(".quit\r")
        #expect(try t.waitForExit() == 0)
    }

    @Test func multiLineStatementIsOneHistoryEntryAcrossRestarts() throws {
        let first = try start()
        first.send("select\r")
        try first.expect("...> ")
        first.send("40 + 2 as answer;\r")
        try first.expect("42")
        try first.expect("tally> ")
        first.send("\u{04}")
        #expect(try first.waitForExit() == 0)

        let second = try start()
        second.send("\u{1B}[A\r")
        try second.expect("42")
        second.send(".history\r")
        try second.expect("40 + 2 as answer;")
        second.send(".quit\r")
        #expect(try second.waitForExit() == 0)
    }

    @Test func ctrlCInterruptsARunningQueryAndTheSessionGoesOn() throws {
        let t = try start()
        t.send("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c;\r")
        Thread.sleep(forTimeInterval: 0.5)
        let sent = Date()
        t.send("\u{03}")
        try t.expect("interrupted", timeout: 1)
        try t.expect("tally> ", timeout: 1)
        #expect(Date().timeIntervalSince(sent) < 1)
        t.send("select 'still ' || 'here' as s;\r")
        try t.expect("still here")
        try t.expect("tally> ")
        t.send("\u{04}")
        #expect(try t.waitForExit() == 0)
    }

    @Test func ctrlCAtThePromptClearsTheLine() throws {
        let t = try start()
        t.send("garbage typed here\u{03}")
        try t.expect("tally> ")
        t.send("select 1 + 1 as two;\r")
        try t.expect("two")
        #expect(!t.output.contains("unknown command 'garbage'"))
        t.send("select\r")
        try t.expect("...> ")
        t.send("\u{03}")
        try t.expect("tally> ")
        t.send("select 3 as three;\r")
        try t.expect("three")
        #expect(!t.output.contains("syntax error"))
        // Keys typed while a command runs meet the cooked terminal (^D there is end-of-line):
        // wait for the prompt as a user would.
        try t.expect("tally> ")
        t.send("\u{04}")
        #expect(try t.waitForExit() == 0)
    }

    @Test func errorsAreShownAndTheSessionContinues() throws {
        let t = try start()
        t.send("nope\r")
        try t.expect("unknown command 'nope'")
        t.send("select :missing;\r")
        try t.expect("unbound parameter :missing")
        try t.expect("tally> ")
        t.send("\u{04}")
        #expect(try t.waitForExit() == 0)
    }
}
