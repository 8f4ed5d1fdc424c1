import Foundation

/// Runs the built `tally` binary in an isolated home (its own XDG folders, no startup file).
struct TallyProcess {
    struct Output {
        var stdout: String
        var stderr: String
        var status: Int32
    }

    /// The `tally` executable built beside this test bundle (`TALLY_BIN` overrides).
    static let executable: URL = {
        if let p = ProcessInfo.processInfo.environment["TALLY_BIN"] { return URL(fileURLWithPath: p) }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = me.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("tally")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/tally")
    }()

    /// A fresh temporary folder that acts as HOME and holds the XDG folders.
    let home: URL

    init() {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("tally-e2e-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        env["XDG_DATA_HOME"] = home.appendingPathComponent("data").path
        env["XDG_CONFIG_HOME"] = home.appendingPathComponent("config").path
        env["XDG_STATE_HOME"] = home.appendingPathComponent("state").path
        env["TALLY_DB"] = nil
        env["TZ"] = "UTC"
        env["TERM"] = "xterm"
        return env
    }

    func path(_ name: String) -> String { home.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: home.appendingPathComponent(name))
    }

    /// The repository's root folder (for the shipped notebooks and scripts).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs tally with `arguments`, feeding `stdin`, from `directory` (default: the home folder).
    @discardableResult
    func run(
        _ arguments: [String], stdin: String = "", extraEnvironment: [String: String] = [:], in directory: URL? = nil
    ) throws -> Output {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? home
        process.environment = environment.merging(extraEnvironment) { $1 }
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        process.standardInput = inPipe
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        inPipe.fileHandleForWriting.write(Data(stdin.utf8))
        try inPipe.fileHandleForWriting.close()
        // Read both pipes concurrently so a full stderr cannot block the child.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return Output(
            stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
            status: process.terminationStatus)
    }
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}
