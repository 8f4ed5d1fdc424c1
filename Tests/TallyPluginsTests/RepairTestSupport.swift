import Foundation
import GRDB
import Testing
import TallyCommands
@testable import TallyKit

/// A fresh temporary folder.
func temporaryFolder(_ label: String) -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-\(label)-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs one input as the REPL would (the `--format` claim, redirections, failures as outcomes).
func execute(_ line: String, on store: Store, environment: Environment = Fixtures.environment) -> (Outcome, CapturedOutput) {
    let output = CapturedOutput()
    let interpreter = Interpreter(store: store, registry: builtinRegistry, environment: environment, output: output)
    interpreter.settings.format = .csv
    interpreter.settings.chart = false
    return (interpreter.execute(line), output)
}

/// The demo database (corpus generated and indexed), built once per test run into one file.
enum DemoCopy {
    static let template: String = {
        let dir = temporaryFolder("demo-template")
        let path = dir.appendingPathComponent("building.db").path
        do {
            let store = try! Store.open(path: path)
            let (outcome, output) = execute("demo " + Words.quote(dir.appendingPathComponent("corpus").path), on: store)
            precondition(outcome == .success, "demo failed: \(output.stderr)")
        }
        let template = dir.appendingPathComponent("demo.db").path
        _ = try! Store.writeBackup(of: path, to: template)
        return template
    }()

    /// A copy of the demo database in its own folder, opened.
    static func open() throws -> (Store, String) {
        let path = temporaryFolder("demo").appendingPathComponent("demo.db").path
        try FileManager.default.copyItem(atPath: template, toPath: path)
        return (try Store.open(path: path), path)
    }
}

/// Schema and every row of every table, as text: "the database exactly as before".
func contents(_ db: Database) throws -> String {
    var text = ""
    for t in try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master ORDER BY name") {
        text += "\(t["type"] as String? ?? "") \(t["name"] as String? ?? "") \(t["sql"] as String? ?? "")\n"
        if (t["type"] as String?) == "table" {
            let name: String = t["name"]
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(name.quotedDatabaseIdentifier)").map { "\($0)\n" }
            text += rows.sorted().joined()
        }
    }
    return text
}

func contents(_ store: Store) throws -> String {
    try store.read { try contents($0) }
}

/// Checkpoints the WAL into the main file, truncating it, so the file holds every commit.
func checkpoint(_ store: Store) throws {
    try store.withConnection { db in _ = try db.checkpoint(.truncate) }
}

extension Outcome {
    var message: String? {
        if case .failure(let m, _) = self { return m }
        return nil
    }
}
