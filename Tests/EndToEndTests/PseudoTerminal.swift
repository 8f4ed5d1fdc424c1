import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A process running on a new pseudo-terminal that is its controlling terminal, driven
/// like a user at a keyboard: `send` types, `expect` waits for output.
///
/// Because the pty is the child's controlling terminal and the child leads its own
/// session, typing `"\u{03}"` makes the kernel send SIGINT to the child's foreground
/// process group, exactly as in a real terminal (when the program leaves ISIG on).
///
/// ```swift
/// let terminal = try PseudoTerminal.spawn(executable: "/bin/sh")
/// terminal.send("tty\n")
/// try terminal.expect("/dev/pts/")
/// ```
final class PseudoTerminal {
    struct Timeout: Error, CustomStringConvertible {
        var waitingFor: String
        var seconds: TimeInterval
        var output: String

        var description: String {
            "timed out after \(seconds)s waiting for \(waitingFor.debugDescription); output so far:\n\(output.debugDescription)"
        }
    }

    struct SystemError: Error, CustomStringConvertible {
        var call: String
        var code: Int32
        var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
    }

    /// The child's process id.
    let pid: pid_t
    private var master: Int32
    private var bytes: [UInt8] = []
    /// Where the next `expect` starts searching (just past the previous match).
    private var searchStart = 0
    private var exitStatus: Int32?

    /// Everything the child wrote so far, decoded as UTF-8 (escape sequences included).
    var output: String { String(decoding: bytes, as: UTF8.self) }

    private init(pid: pid_t, master: Int32) {
        self.pid = pid
        self.master = master
    }

    deinit { terminate() }

    // MARK: - Starting

    /// Starts `executable` on a new pty of `columns`×`rows`.
    ///
    /// The child inherits this process's environment with `TERM=xterm` and
    /// `LANG=C.UTF-8` as defaults; `environment` overrides or adds variables.
    static func spawn(
        executable: String,
        arguments: [String] = [],
        environment: [String: String] = [:],
        columns: UInt16 = 120,
        rows: UInt16 = 40
    ) throws -> PseudoTerminal {
        let master = PTY.openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw SystemError(call: "posix_openpt", code: errno) }
        var ok = false
        defer { if !ok { close(master) } }
        guard PTY.grantpt(master) == 0 else { throw SystemError(call: "grantpt", code: errno) }
        guard PTY.unlockpt(master) == 0 else { throw SystemError(call: "unlockpt", code: errno) }
        var name = [CChar](repeating: 0, count: 128)
        let nameResult = PTY.ptsname_r(master, &name, name.count)
        guard nameResult == 0 else { throw SystemError(call: "ptsname_r", code: nameResult) }
        let slavePath = String(cString: name)

        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        guard ioctl(master, UInt(TIOCSWINSZ), &size) == 0 else {
            throw SystemError(call: "ioctl(TIOCSWINSZ)", code: errno)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Without O_NOCTTY: the first tty a session leader opens becomes its controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        _ = PTY.addclosefrom?(&actions, 3) // keep other tests' pty descriptors out of the child

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // glibc runs setsid() before the file actions, so the open above acquires the tty.
        let setsid: Int32 = 0x80 // POSIX_SPAWN_SETSID (hidden behind _GNU_SOURCE)
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(
            &attributes, Int16(setsid | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var variables = ProcessInfo.processInfo.environment
        variables["TERM"] = "xterm"
        if variables["LANG"] == nil && variables["LC_ALL"] == nil { variables["LANG"] = "C.UTF-8" }
        variables.merge(environment) { _, new in new }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SystemError(call: "posix_spawn(\(executable))", code: result) }
        // Non-blocking, so that `send` can drain output while the child echoes a long input.
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        ok = true
        return PseudoTerminal(pid: pid, master: master)
    }

    // MARK: - Talking to the child

    /// Types `text` (control characters included, e.g. "\u{03}" for Ctrl-C).
    func send(_ text: String) {
        send(bytes: Array(text.utf8))
    }

    func send(bytes data: [UInt8]) {
        var offset = 0
        while offset < data.count, master >= 0 {
            let n = data[offset...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { readAvailable(waitingUpTo: 0.01); continue }
                return
            }
            offset += n
        }
    }

    /// Waits until the output after the previous match contains `substring`; returns the
    /// output from the previous match up to and including this one.
    @discardableResult
    func expect(_ substring: String, timeout: TimeInterval = 5) throws -> String {
        let needle = Array(substring.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let range = find(needle) {
                let text = String(decoding: bytes[searchStart..<range.upperBound], as: UTF8.self)
                searchStart = range.upperBound
                return text
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 || (exitStatus != nil && !readAvailable(waitingUpTo: 0)) {
                throw Timeout(waitingFor: substring, seconds: timeout, output: output)
            }
            readAvailable(waitingUpTo: min(remaining, 0.1))
            reap()
        }
    }

    /// Reads whatever arrives within `seconds` (for checks that something does NOT appear).
    func drain(for seconds: TimeInterval) {
        let deadline = Date().addingTimeInterval(seconds)
        while deadline.timeIntervalSinceNow > 0 {
            readAvailable(waitingUpTo: deadline.timeIntervalSinceNow)
        }
    }

    /// Output after the previous `expect` match.
    var unmatchedOutput: String { String(decoding: bytes[searchStart...], as: UTF8.self) }

    // MARK: - Ending

    /// Waits for the child to exit, reading its output meanwhile. Returns the exit code,
    /// or 128 + the signal number when a signal ended it.
    func waitForExit(timeout: TimeInterval = 5) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            reap()
            if let status = exitStatus {
                while readAvailable(waitingUpTo: 0) {}
                return status
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                throw Timeout(waitingFor: "process \(pid) to exit", seconds: timeout, output: output)
            }
            readAvailable(waitingUpTo: min(remaining, 0.05))
        }
    }

    /// Kills the child if it still runs (SIGTERM, then SIGKILL) and closes the pty.
    func terminate() {
        reap()
        if exitStatus == nil {
            kill(pid, SIGTERM)
            for _ in 0..<50 where exitStatus == nil {
                usleep(10_000)
                reap()
            }
            if exitStatus == nil {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                exitStatus = 128 + SIGKILL
            }
        }
        if master >= 0 {
            close(master)
            master = -1
        }
    }

    // MARK: - Internals

    private func find(_ needle: [UInt8]) -> Range<Int>? {
        guard !needle.isEmpty else { return searchStart..<searchStart }
        guard bytes.count - searchStart >= needle.count else { return nil }
        for start in searchStart...(bytes.count - needle.count)
        where bytes[start] == needle[0] && bytes[start..<start + needle.count].elementsEqual(needle) {
            return start..<start + needle.count
        }
        return nil
    }

    /// Reads what is available within `seconds`; true when something was read.
    @discardableResult
    private func readAvailable(waitingUpTo seconds: TimeInterval) -> Bool {
        guard master >= 0 else { return false }
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(max(0, seconds) * 1000))
        guard ready > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
        if n > 0 {
            bytes += chunk[0..<n]
            return true
        }
        // EIO: no process has the slave open (not yet, or no longer). Avoid spinning.
        if seconds > 0 { usleep(UInt32(min(seconds, 0.01) * 1_000_000)) }
        return false
    }

    private func reap() {
        guard exitStatus == nil else { return }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            let signal = status & 0x7f
            exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
    }
}

/// C functions that Swift's Glibc module does not import (they need _XOPEN_SOURCE or
/// _GNU_SOURCE), looked up at run time.
private enum PTY {
    private static let process = dlopen(nil, RTLD_NOW)

    private static func function<T>(_ name: String, as type: T.Type) -> T? {
        guard let symbol = dlsym(process, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    static let openpt = function("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)!
    static let grantpt = function("grantpt", as: (@convention(c) (Int32) -> Int32).self)!
    static let unlockpt = function("unlockpt", as: (@convention(c) (Int32) -> Int32).self)!
    static let ptsname_r = function(
        "ptsname_r", as: (@convention(c) (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32).self)!
    static let addclosefrom = function(
        "posix_spawn_file_actions_addclosefrom_np",
        as: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}
