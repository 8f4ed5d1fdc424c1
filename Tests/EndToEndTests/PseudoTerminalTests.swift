import Foundation
import Testing

/// The harness itself, exercised with /bin/sh.
@Suite struct PseudoTerminalTests {
    @Test func childSeesATerminal() throws {
        let terminal = try PseudoTerminal.spawn(executable: "/bin/sh", arguments: ["-c", "tty; stty size"])
        try terminal.expect("/dev/pts/")
        try terminal.expect("40 120")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func sendTypesAndExpectReturnsOutputSincePreviousMatch() throws {
        let terminal = try PseudoTerminal.spawn(executable: "/bin/sh", environment: ["PS1": "$ "])
        try terminal.expect("$ ")
        terminal.send("echo one-$((1+1))\n")
        let text = try terminal.expect("one-2")
        #expect(text.contains("echo one-$((1+1))"))
        terminal.send("exit 3\n")
        #expect(try terminal.waitForExit() == 3)
        #expect(terminal.output.contains("one-2"))
    }

    @Test func ctrlCInterruptsTheForegroundCommand() throws {
        let terminal = try PseudoTerminal.spawn(executable: "/bin/sh", environment: ["PS1": "$ "])
        try terminal.expect("$ ")
        terminal.send("sleep 30; echo after-sleep\n")
        try terminal.expect("sleep 30")
        Thread.sleep(forTimeInterval: 0.3)
        let start = Date()
        terminal.send("\u{03}")
        try terminal.expect("$ ", timeout: 1)
        #expect(Date().timeIntervalSince(start) < 1)
        #expect(!terminal.output.contains("\nafter-sleep"))
        terminal.send("exit 0\n")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func expectTimeoutReportsOutputSoFar() throws {
        let terminal = try PseudoTerminal.spawn(executable: "/bin/sh", arguments: ["-c", "echo partial; sleep 5"])
        do {
            try terminal.expect("never printed", timeout: 0.3)
            Issue.record("expect should have timed out")
        } catch let timeout as PseudoTerminal.Timeout {
            #expect(timeout.output.contains("partial"))
            #expect(timeout.description.contains("never printed"))
        }
        terminal.terminate()
    }

    @Test func exitBySignalIsReported() throws {
        let terminal = try PseudoTerminal.spawn(executable: "/bin/sh", arguments: ["-c", "kill -TERM $$"])
        #expect(try terminal.waitForExit() == 128 + SIGTERM)
    }

    @Test func longInputWhileTheChildWritesDoesNotDeadlock() throws {
        // Non-canonical mode, so that the tty's 4 KiB line limit does not apply; no echo,
        // so that cat's output is not interleaved with the echo.
        let terminal = try PseudoTerminal.spawn(
            executable: "/bin/sh", arguments: ["-c", "stty -icanon -echo; echo ready; cat"])
        try terminal.expect("ready")
        let line = String(repeating: "x", count: 20_000)
        terminal.send(line + "\n")
        try terminal.expect(line + "\r\n", timeout: 10)
    }
}
