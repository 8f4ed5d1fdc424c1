import Foundation

/// `index opencode PATH`: both eras of OpenCode storage under one source — the JSON tree
/// (≤ 1.1) and `opencode*.db` (≥ 1.2). Ids are the same in both, so a user with both gets each
/// record once (upserts by id).
public struct OpenCodeReader: SourceReader {
    public static let source = OpenCode.source
    let tree = OpenCodeTreeReader()
    let database = OpenCodeDatabaseReader()

    public init() {}

    public func inputs(under root: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw ReaderError("\(root.path): no such file or folder")
        }
        if !isDirectory.boolValue {
            return OpenCodeDatabaseReader.isDatabaseName(root.lastPathComponent) || root.pathExtension == "db"
                ? [root] : try tree.inputs(under: root)
        }
        // The tree first: the database's later sessions may refer to its projects.
        return try tree.inputs(under: root) + database.inputs(under: root)
    }

    public func read(_ input: URL) throws -> ReadBatch {
        input.pathExtension == "db" ? try database.read(input) : try tree.read(input)
    }

    public func stream(_ input: URL, emit: (ReadBatch) throws -> Void) throws {
        input.pathExtension == "db" ? try database.stream(input, emit: emit) : try emit(tree.read(input))
    }
}
