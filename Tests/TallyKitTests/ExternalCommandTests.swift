import Foundation
import Testing
@testable import TallyKit

/// `tally-NAME` executables on PATH as commands (SPEC §5).
@Suite struct ExternalCommandTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("tally-ext-\(UUID().uuidString)")

    /// Writes an executable (or not) script into `folder` under `root`.
    func script(_ name: String, in folder: String, _ body: String, executable: Bool = true) throws -> String {
        let dir = root.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
        return path
    }

    @Test func discoveryTakesTheFirstOnPathAndOnlyExecutables() throws {
        let first = try script("tally-hello", in: "a", "echo a")
        _ = try script("tally-hello", in: "b", "echo b")
        let other = try script("tally-sum-up", in: "b", "echo sum")
        _ = try script("tally-plain", in: "b", "echo plain", executable: false)
        _ = try script("tally-Bad_Name", in: "b", "echo bad")
        _ = try script("hello", in: "b", "echo not ours")
        let path = [root.appendingPathComponent("a").path, "", root.appendingPathComponent("missing").path,
                    root.appendingPathComponent("b").path].joined(separator: ":")
        #expect(ExternalCommand.discover(searchPath: path) == [
            ExternalCommand(name: "hello", path: first), ExternalCommand(name: "sum-up", path: other),
        ])
    }

    @Test func builtInsWinOverExternals() throws {
        _ = try script("tally-echo", in: "a", "echo external")
        let hello = try script("tally-hello", in: "a", "echo hi")
        let registry = Registry(analyses: [EchoAnalysis.self])
        #expect(PluginLoader.loadExternalCommands(into: registry, searchPath: root.appendingPathComponent("a").path) == 1)
        #expect(registry.entry(named: "echo")?.origin == .builtin)
        #expect(registry.entry(named: "hello")?.origin == .external(hello))
        #expect(registry.entry(named: "hello")?.kind == .command)
    }

    func interpreter(with body: String) throws -> (Interpreter, CapturedOutput, URL) {
        let (i, out) = try makeInterpreter()
        _ = try script("tally-hello", in: "bin", body)
        PluginLoader.loadExternalCommands(into: i.registry, searchPath: root.appendingPathComponent("bin").path)
        let dbFolder = root.appendingPathComponent("db")
        try FileManager.default.createDirectory(at: dbFolder, withIntermediateDirectories: true)
        i.replaceStore(try Store.open(path: dbFolder.appendingPathComponent("t.db").path))
        return (i, out, dbFolder)
    }

    @Test func runsWithItsWordsAndTheSessionInItsEnvironment() throws {
        let (i, out, dbFolder) = try interpreter(with: #"printf '%s|' "$@"; echo "$TALLY_DB $TALLY_FORMAT ${TALLY_READ_ONLY:-rw}"; echo oops >&2"#)
        #expect(i.execute(#"hello one "two words" --format json --help"#) == .success)
        #expect(out.stdout == "one|two words|--format|json|--help|\(dbFolder.path)/t.db csv rw\n")
        #expect(out.stderr == "oops\n")
        let file = root.appendingPathComponent("out.txt").path
        #expect(i.execute("hello > \(file)") == .success)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "|\(dbFolder.path)/t.db csv rw\n")
    }

    @Test func aNonZeroStatusIsAFailureCarryingIt() throws {
        let (i, out, _) = try interpreter(with: "echo partial; exit 3")
        #expect(i.execute("hello") == .failure("hello exited with status 3", usage: false))
        #expect(i.lastExternalStatus == 3)
        #expect(out.stdout == "partial\n")
        #expect(i.execute("select 1;") == .success)
        #expect(i.lastExternalStatus == nil)
    }

    @Test func helpDescribesIt() throws {
        let (i, out, _) = try interpreter(with: "echo hi")
        #expect(i.execute("help hello") == .success)
        let path = root.appendingPathComponent("bin/tally-hello").path
        #expect(out.stdout == """
            hello — External command tally-hello (`hello --help` asks it for help).

            Usage: hello [ARGS...] [> FILE]

            Runs \(path) with the words after the name as its arguments, TALLY_DB set to the
            database and TALLY_FORMAT to the session's format; `hello --help` asks the command itself.

            """)
    }
}
